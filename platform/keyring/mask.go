package keyring

import "unicode/utf8"

// maskPrefix stands for the hidden part of a masked value. Its length is
// fixed so a masked value does not reveal how long the original was.
const maskPrefix = "****"

// Mask hides all but the last visible runes of value behind exactly four
// asterisks: Mask("1EG4TE5MK73", 7) is "****TE5MK73". A value of at most
// visible runes (and any value when visible <= 0) is masked entirely as
// "****", so a short value is never shown whole.
func Mask(value string, visible int) string {
	if visible <= 0 || utf8.RuneCountInString(value) <= visible {
		return maskPrefix
	}
	start := len(value)
	for range visible {
		_, size := utf8.DecodeLastRuneInString(value[:start])
		start -= size
	}
	return maskPrefix + value[start:]
}
