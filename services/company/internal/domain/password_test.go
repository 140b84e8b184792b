package domain

import (
	"strings"
	"testing"

	"github.com/ariesone/ariesone/platform/errs"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash %q is not a current argon2id PHC string", h)
	}
	tests := []struct {
		plain string
		want  bool
	}{
		{"correct horse battery staple", true},
		{"correct horse battery stapl", false},
		{"Correct horse battery staple", false},
		{"", false},
	}
	for _, tc := range tests {
		ok, rehash, err := VerifyPassword(h, tc.plain)
		if err != nil || ok != tc.want || rehash {
			t.Errorf("VerifyPassword(%q) = %v, %v, %v; want %v, false, nil", tc.plain, ok, rehash, err, tc.want)
		}
	}
	other, _ := HashPassword("correct horse battery staple")
	if other == h {
		t.Error("two hashes of one password are equal: salt not random")
	}
}

func TestVerifyPasswordFlagsWeakParameters(t *testing.T) {
	weak := "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$" + strings.Repeat("A", 43)
	_, rehash, err := VerifyPassword(weak, "x")
	if err != nil || !rehash {
		t.Fatalf("weak hash: rehash=%v err=%v, want true, nil", rehash, err)
	}
}

func TestVerifyPasswordRejectsMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA", "$argon2id$v=18$m=65536,t=3,p=2$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=0,t=3,p=2$c2FsdA$aGFzaA", "$argon2id$v=19$m=65536,t=3,p=2$!!$aGFzaA", "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$"} {
		if _, _, err := VerifyPassword(h, "x"); err == nil {
			t.Errorf("VerifyPassword(%q): want ErrMalformedHash", h)
		}
	}
}

func TestCheckPasswordPolicy(t *testing.T) {
	tests := []struct {
		plain string
		ok    bool
	}{
		{"twelve chars", true},
		{"elevenchars", false},
		{strings.Repeat("a", 128), true},
		{strings.Repeat("a", 129), false},
		{"            ", false},
		{"ünïcödé pässwörd", true},
		{"bad\xffutf8-password", false},
	}
	for _, tc := range tests {
		err := CheckPasswordPolicy("password", tc.plain)
		if (err == nil) != tc.ok {
			t.Errorf("CheckPasswordPolicy(%q) = %v, want ok=%v", tc.plain, err, tc.ok)
		}
		if err != nil && errs.KindOf(err) != errs.KindInvalid {
			t.Errorf("CheckPasswordPolicy(%q) kind = %v, want invalid", tc.plain, errs.KindOf(err))
		}
	}
}

func FuzzVerifyPassword(f *testing.F) {
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA", "x")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$$", "")
	f.Fuzz(func(t *testing.T, hash, plain string) {
		if strings.Contains(hash, "m=") && !strings.Contains(hash, "m=8,") {
			return // keep each run cheap: only tiny memory costs
		}
		_, _, _ = VerifyPassword(hash, plain)
	})
}
