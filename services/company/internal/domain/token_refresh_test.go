package domain

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestRefreshTokenRoundTrip(t *testing.T) {
	token, hash, err := NewRefreshTokenSecret()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, "rt_") || len(token) != RefreshTokenLen {
		t.Fatalf("token %q: want rt_ and %d characters", token, RefreshTokenLen)
	}
	if len(hash) != 32 {
		t.Fatalf("hash is %d bytes, want 32", len(hash))
	}
	got, err := ParseRefreshToken(token)
	if err != nil || !bytes.Equal(got, hash) {
		t.Fatalf("ParseRefreshToken = %x, %v; want %x", got, err, hash)
	}
	other, _, _ := NewRefreshTokenSecret()
	if other == token {
		t.Fatal("two tokens are equal")
	}
}

func TestParseRefreshTokenRefusesMalformed(t *testing.T) {
	good, _, _ := NewRefreshTokenSecret()
	body := good[len("rt_"):]
	tests := map[string]string{
		"empty":             "",
		"no prefix":         body,
		"wrong prefix":      "ak_" + body,
		"short":             good[:len(good)-1],
		"long":              good + "A",
		"padding":           "rt_" + body[:len(body)-1] + "=",
		"standard alphabet": "rt_" + strings.NewReplacer("-", "+", "_", "/").Replace(body[:len(body)-1]) + "+",
		"non-canonical":     "rt_" + body[:len(body)-1] + nonCanonicalLast(body), // the 43rd char's low 2 bits are unused
		"api key":           "ak_live_" + strings.Repeat("0", 32) + "_" + body,
	}
	for name, token := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseRefreshToken(token); err != ErrMalformedRefreshToken {
				t.Errorf("ParseRefreshToken(%q) error = %v, want ErrMalformedRefreshToken", token, err)
			}
		})
	}
}

// nonCanonicalLast returns the last character of body with one of its two
// unused low bits set: the same 256-bit value, spelled non-canonically.
func nonCanonicalLast(body string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, body[len(body)-1])
	return string(alphabet[i|1])
}

func FuzzParseRefreshToken(f *testing.F) {
	good, _, _ := NewRefreshTokenSecret()
	f.Add(good)
	f.Add("rt_")
	f.Add("rt_" + strings.Repeat("A", 43))
	f.Add("rt_" + strings.Repeat("_", 43))
	f.Fuzz(func(t *testing.T, token string) {
		hash, err := ParseRefreshToken(token)
		if err != nil {
			if hash != nil {
				t.Fatal("hash returned with an error")
			}
			return
		}
		// Anything accepted has the issued shape and one spelling: re-encoding
		// its secret gives the same string.
		if len(hash) != 32 || len(token) != RefreshTokenLen || !strings.HasPrefix(token, "rt_") {
			t.Fatalf("accepted %q with hash of %d bytes", token, len(hash))
		}
		secret, err := tokenSecretEncoding().DecodeString(token[3:])
		if err != nil || "rt_"+tokenSecretEncoding().EncodeToString(secret) != token {
			t.Fatalf("accepted %q, which does not re-encode to itself", token)
		}
	})
}

func TestJudgeRefresh(t *testing.T) {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	policy := SessionPolicy{IdleTimeout: 30 * time.Minute, MaxAge: 12 * time.Hour, RefreshTokenTTL: 7 * 24 * time.Hour}
	live := NewSession("s", "c", "u", now.Add(-time.Hour), policy)
	live.LastSeenTime = now.Add(-10 * time.Minute)
	token := NewRefreshToken(make([]byte, 32), live, now.Add(-10*time.Minute), policy)

	revoked := live
	revoked.Revoke(now.Add(-time.Minute), RevokeReasonLogout)
	idle := live
	idle.LastSeenTime = now.Add(-31 * time.Minute)
	old := NewSession("s", "c", "u", now.Add(-12*time.Hour), policy)
	old.LastSeenTime = now.Add(-time.Minute)

	used := token
	used.UsedTime = now.Add(-time.Minute)
	tokenRevoked := token
	tokenRevoked.RevokeTime = now.Add(-time.Minute)
	expired := token
	expired.ExpireTime = now

	tests := []struct {
		name    string
		token   RefreshToken
		session Session
		want    RefreshVerdict
	}{
		{"current token, live session", token, live, RefreshRotate},
		{"used token", used, live, RefreshReuse},
		{"used token of a revoked session", used, revoked, RefreshReuse},
		{"revoked token", tokenRevoked, revoked, RefreshReject},
		{"expired token", expired, live, RefreshReject},
		{"revoked session", token, revoked, RefreshReject},
		{"idle session", token, idle, RefreshReject},
		{"session past its maximum age", token, old, RefreshReject},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := JudgeRefresh(tc.token, tc.session, now); got != tc.want {
				t.Errorf("JudgeRefresh = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestNewRefreshTokenNeverOutlivesItsSession(t *testing.T) {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	policy := SessionPolicy{IdleTimeout: 30 * time.Minute, MaxAge: 12 * time.Hour, RefreshTokenTTL: 7 * 24 * time.Hour}
	s := NewSession("s", "c", "u", now, policy)
	if got := NewRefreshToken(nil, s, now.Add(time.Hour), policy).ExpireTime; !got.Equal(s.ExpireTime) {
		t.Errorf("refresh token expires %v, want the session's end %v", got, s.ExpireTime)
	}
	short := policy
	short.RefreshTokenTTL = time.Hour
	if got := NewRefreshToken(nil, s, now, short).ExpireTime; !got.Equal(now.Add(time.Hour)) {
		t.Errorf("refresh token expires %v, want its own TTL %v", got, now.Add(time.Hour))
	}
}

func TestSessionUsableAndDeadline(t *testing.T) {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	policy := SessionPolicy{IdleTimeout: 30 * time.Minute, MaxAge: 12 * time.Hour}
	s := NewSession("s", "c", "u", now, policy)
	tests := []struct {
		at   time.Time
		want error
	}{
		{now, nil},
		{now.Add(29 * time.Minute), nil},
		{now.Add(30 * time.Minute), ErrSessionIdle},
	}
	for _, tc := range tests {
		if got := s.Usable(tc.at); got != tc.want {
			t.Errorf("Usable(+%v) = %v, want %v", tc.at.Sub(now), got, tc.want)
		}
	}
	if got := s.Deadline(); !got.Equal(now.Add(30 * time.Minute)) {
		t.Errorf("Deadline = %v, want the idle deadline", got)
	}
	s.LastSeenTime = now.Add(11*time.Hour + 50*time.Minute)
	if got := s.Deadline(); !got.Equal(s.ExpireTime) {
		t.Errorf("Deadline = %v, want the absolute end %v", got, s.ExpireTime)
	}
	if got := s.Usable(now.Add(12 * time.Hour)); got != ErrSessionExpired {
		t.Errorf("Usable at the absolute end = %v, want ErrSessionExpired", got)
	}
	if !s.Revoke(now, RevokeReasonLogout) || s.Revoke(now.Add(time.Minute), RevokeReasonRefreshTokenReuse) {
		t.Error("Revoke: want true the first time only")
	}
	if s.RevokeReason != RevokeReasonLogout || s.Usable(now) != ErrSessionRevoked {
		t.Errorf("after revocation: reason %q, usable %v", s.RevokeReason, s.Usable(now))
	}
}

func TestSessionWithOriginKeepsWhatTheRowHolds(t *testing.T) {
	s := Session{}.WithOrigin("203.0.113.9", strings.Repeat("é", 300)+"\xff")
	if s.ClientIP != "203.0.113.9" {
		t.Errorf("ClientIP = %q", s.ClientIP)
	}
	if got := len([]rune(s.UserAgent)); got != 256 {
		t.Errorf("user agent is %d runes, want 256", got)
	}
}
