package authn

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/config"
)

func TestLoadSettingsDefaults(t *testing.T) {
	e := config.FromMap(nil)
	got := LoadSettings(e)
	if err := e.Err(); err != nil {
		t.Fatal(err)
	}
	want := Settings{
		AccessTokenTTL:         15 * time.Minute,
		APIKeyTokenTTL:         15 * time.Minute,
		RefreshTokenTTL:        7 * 24 * time.Hour,
		SessionIdleTimeout:     30 * time.Minute,
		SessionMaxAge:          12 * time.Hour,
		LoginMaxFailures:       5,
		LoginSourceMaxFailures: 50,
		LoginLockoutMax:        24 * time.Hour,
		LoginLockout:           15 * time.Minute,
		SigningKeyMaxAge:       30 * 24 * time.Hour,
		SigningKeyBits:         4096,
		PasswordChecks:         4,
		PasswordCheckWait:      2 * time.Second,
		PasswordResetTTL:       24 * time.Hour,
		AuthRetention:          90 * 24 * time.Hour,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if got := got.SigningKeyPolicy(DefaultKeyCacheTTL).PublishAfterRetire; got != 15*time.Minute+30*time.Second+time.Minute {
		t.Errorf("retired keys published for %v, want token lifetime + key cache + leeway", got)
	}
}

// AUTH_RETENTION takes a duration of at least a day and at least a
// session's lifetime.
func TestLoadSettingsAuthRetention(t *testing.T) {
	e := config.FromMap(map[string]string{"AUTH_RETENTION": "720h", "SESSION_MAX_AGE": "24h"})
	got := LoadSettings(e)
	if err := e.Err(); err != nil {
		t.Fatal(err)
	}
	if got.AuthRetention != 30*24*time.Hour {
		t.Errorf("AuthRetention = %v, want 720h", got.AuthRetention)
	}
}

func TestLoadSettingsNamesEveryBadVariable(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		want []string
	}{
		{"unitless duration", map[string]string{"ACCESS_TOKEN_TTL": "900"}, []string{"ACCESS_TOKEN_TTL"}},
		{"negative duration", map[string]string{"LOGIN_LOCKOUT": "-1m"}, []string{"LOGIN_LOCKOUT"}},
		{"key size", map[string]string{"SIGNING_KEY_BITS": "2500"}, []string{"SIGNING_KEY_BITS"}},
		{"key size not a number", map[string]string{"SIGNING_KEY_BITS": "big"}, []string{"SIGNING_KEY_BITS"}},
		{"failures zero", map[string]string{"LOGIN_MAX_FAILURES": "0"}, []string{"LOGIN_MAX_FAILURES"}},
		{"no password checks", map[string]string{"PASSWORD_CHECKS": "0"}, []string{"PASSWORD_CHECKS"}},
		{"password checks not a number", map[string]string{"PASSWORD_CHECKS": "many"}, []string{"PASSWORD_CHECKS"}},
		{"password check wait without unit", map[string]string{"PASSWORD_CHECK_WAIT": "2"}, []string{"PASSWORD_CHECK_WAIT"}},
		{"access token too long", map[string]string{"ACCESS_TOKEN_TTL": "2h", "SESSION_IDLE_TIMEOUT": "3h"}, []string{"ACCESS_TOKEN_TTL"}},
		{"api key token too long", map[string]string{"API_KEY_TOKEN_TTL": "90m"}, []string{"API_KEY_TOKEN_TTL"}},
		{"access token outlives idle timeout", map[string]string{"ACCESS_TOKEN_TTL": "30m"}, []string{"ACCESS_TOKEN_TTL"}},
		{"idle longer than max age", map[string]string{"SESSION_IDLE_TIMEOUT": "2h", "SESSION_MAX_AGE": "1h"}, []string{"SESSION_IDLE_TIMEOUT"}},
		{"retention without unit", map[string]string{"AUTH_RETENTION": "90"}, []string{"AUTH_RETENTION"}},
		{"retention under a day", map[string]string{"AUTH_RETENTION": "12h"}, []string{"AUTH_RETENTION"}},
		{"retention shorter than a session", map[string]string{"AUTH_RETENTION": "48h", "SESSION_MAX_AGE": "72h"}, []string{"AUTH_RETENTION"}},
		{"several at once", map[string]string{"REFRESH_TOKEN_TTL": "soon", "SIGNING_KEY_MAX_AGE": "0s", "SIGNING_KEY_BITS": "1024"},
			[]string{"REFRESH_TOKEN_TTL", "SIGNING_KEY_MAX_AGE", "SIGNING_KEY_BITS"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := config.FromMap(tc.vars)
			LoadSettings(e)
			var cfgErr *config.Error
			if !errors.As(e.Err(), &cfgErr) {
				t.Fatalf("Err() = %v, want a config error", e.Err())
			}
			var names []string
			for _, p := range cfgErr.Problems {
				names = append(names, p.Name)
			}
			if diff := cmp.Diff(tc.want, names); diff != "" {
				t.Errorf("variables reported (-want +got):\n%s", diff)
			}
		})
	}
}
