package usformat

import "errors"

// npiPrefix is prepended to an NPI before computing its Luhn check digit:
// 80 (health) and 840 (United States), the card issuer prefix that makes an
// NPI an ISO 7812 identifier.
const npiPrefix = "80840"

// ValidNPI reports whether s is a National Provider Identifier: exactly 10
// ASCII digits, the first 1 or 2, the last the Luhn check digit of "80840"
// followed by the first nine. ValidNPI("1234567893") is true;
// ValidNPI("1234567890") is false.
func ValidNPI(s string) bool {
	if len(s) != 10 || (s[0] != '1' && s[0] != '2') {
		return false
	}
	check, err := NPICheckDigit(s[:9])
	return err == nil && s[9] == check
}

// NPICheckDigit returns the check digit, as the ASCII character '0'..'9',
// that completes first9 into an NPI, so first9+string(check) is valid when
// first9 starts with 1 or 2. first9 must be exactly nine ASCII digits.
func NPICheckDigit(first9 string) (byte, error) {
	if len(first9) != 9 || !allDigits(first9) {
		return 0, errors.New("usformat: NPI check digit needs exactly 9 digits")
	}
	return luhnCheckDigit(npiPrefix + first9), nil
}

// luhnCheckDigit returns the Luhn check digit to append to payload, which
// must be ASCII digits. Walking from the right, the digit next to the check
// position is doubled, then every second one.
func luhnCheckDigit(payload string) byte {
	sum := 0
	double := true
	for i := len(payload) - 1; i >= 0; i-- {
		d := int(payload[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}
