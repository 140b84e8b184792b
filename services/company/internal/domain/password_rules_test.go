package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/ariesone/ariesone/platform/errs"
)

func TestCheckNewPassword(t *testing.T) {
	if n := CommonPasswordCount(); n != 10000 {
		t.Fatalf("%d common passwords shipped, want 10,000", n)
	}
	const email = "Olive.Owner@acme.example"
	tests := []struct {
		name, plain string
		ok          bool
	}{
		{"a long passphrase", "correct horse battery staple", true},
		{"too short", "short pass", false},
		{"the email", "Olive.Owner@acme.example", false},
		{"the email in other case", "olive.owner@ACME.EXAMPLE", false},
		{"the email's local part", "olive.owner", false},
		{"twelve digits, not in the list", "123456789012", true},
		{"a keyboard walk not in the list", "qwertyuiopasdfgh", true},
		{"a common one", "1qaz2wsx3edc", false},
		{"a common one in capitals", "1QAZ2WSX3EDC", false},
		{"a doubled word not in the list", "BASEBALLBASEBALL", true},
		{"iloveyou12345", "iloveyou12345", true},
		{"blank", strings.Repeat(" ", 12), false},
	}
	for _, tt := range tests {
		err := CheckNewPassword("newPassword", tt.plain, email)
		if (err == nil) != tt.ok {
			t.Errorf("%s: CheckNewPassword(%q) = %v, want ok=%v", tt.name, tt.plain, err, tt.ok)
		}
		if err != nil && errs.KindOf(err) != errs.KindInvalid {
			t.Errorf("%s: kind %v, want invalid", tt.name, errs.KindOf(err))
		}
	}
}

func TestIsCommonPassword(t *testing.T) {
	for _, p := range []string{"123456", "password", "PassWord", "qwerty", "dragon"} {
		if !IsCommonPassword(p) {
			t.Errorf("%q is not found among the common passwords", p)
		}
	}
	if IsCommonPassword("correct horse battery staple") || IsCommonPassword("") {
		t.Error("an uncommon password or the empty string counts as common")
	}
}

func TestPasswordTokenRoundTrip(t *testing.T) {
	now := time.Unix(1_800_000_000, 0).UTC()
	token, pt, err := NewPasswordToken("c", "u", PasswordTokenReset, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != PasswordTokenLen {
		t.Fatalf("token length %d, want %d", len(token), PasswordTokenLen)
	}
	hash, err := ParsePasswordToken(token)
	if err != nil || string(hash) != string(pt.Hash) {
		t.Fatalf("ParsePasswordToken: %v; hash matches %v", err, string(hash) == string(pt.Hash))
	}
	if !pt.Usable(now) || pt.Usable(now.Add(time.Hour)) {
		t.Error("Usable: want usable until, not at, its expiry")
	}
	pt.UsedTime = now
	if pt.Usable(now) {
		t.Error("a used token is usable")
	}
}

func FuzzParsePasswordToken(f *testing.F) {
	token, _, err := NewPasswordToken("c", "u", PasswordTokenChange, time.Now(), time.Minute)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{token, "", "pt_", token[:len(token)-1], token + "A", "rt_" + token[3:], strings.ToUpper(token)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		hash, err := ParsePasswordToken(s)
		if err == nil && (len(hash) != 32 || len(s) != PasswordTokenLen || !strings.HasPrefix(s, "pt_")) {
			t.Fatalf("accepted %q", s)
		}
	})
}
