package webhook_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/services/notify/internal/webhook"
)

func TestLoadSettingsDefaults(t *testing.T) {
	e := config.FromMap(nil)
	got := webhook.LoadSettings(e)
	if err := e.Err(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(webhook.DefaultSettings(), got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got.Timeout != 10*time.Second || got.MaxAttempts != 8 || got.RetryBase != 30*time.Second || got.RetryMax != time.Hour ||
		got.DisableAfter != 20 || got.AllowInsecureTargets || got.PollInterval != time.Second {
		t.Errorf("defaults = %+v", got)
	}
}

func TestLoadSettings(t *testing.T) {
	e := config.FromMap(map[string]string{
		"WEBHOOK_TIMEOUT":                "3s",
		"WEBHOOK_MAX_ATTEMPTS":           "5",
		"WEBHOOK_RETRY_BASE":             "1s",
		"WEBHOOK_RETRY_MAX":              "10m",
		"WEBHOOK_DISABLE_AFTER":          "50",
		"WEBHOOK_ALLOW_INSECURE_TARGETS": "true",
		"APP_ENV":                        "development",
	})
	got := webhook.LoadSettings(e)
	if err := e.Err(); err != nil {
		t.Fatal(err)
	}
	want := webhook.DefaultSettings()
	want.Timeout, want.MaxAttempts, want.RetryBase, want.RetryMax, want.DisableAfter, want.AllowInsecureTargets =
		3*time.Second, 5, time.Second, 10*time.Minute, 50, true
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLoadSettingsRefusesBadValuesByName(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{name: "malformed", env: map[string]string{
			"WEBHOOK_TIMEOUT": "10", "WEBHOOK_MAX_ATTEMPTS": "many", "WEBHOOK_RETRY_BASE": "-1s",
			"WEBHOOK_RETRY_MAX": "soon", "WEBHOOK_DISABLE_AFTER": "0", "WEBHOOK_ALLOW_INSECURE_TARGETS": "perhaps",
		}, want: []string{"WEBHOOK_TIMEOUT", "WEBHOOK_MAX_ATTEMPTS", "WEBHOOK_RETRY_BASE", "WEBHOOK_RETRY_MAX",
			"WEBHOOK_DISABLE_AFTER", "WEBHOOK_ALLOW_INSECURE_TARGETS"}},
		{name: "out of range", env: map[string]string{"WEBHOOK_TIMEOUT": "1h", "WEBHOOK_MAX_ATTEMPTS": "1000"},
			want: []string{"WEBHOOK_TIMEOUT", "WEBHOOK_MAX_ATTEMPTS"}},
		{name: "cap below base", env: map[string]string{"WEBHOOK_RETRY_BASE": "2m", "WEBHOOK_RETRY_MAX": "1m"},
			want: []string{"WEBHOOK_RETRY_MAX"}},
		{name: "insecure targets in production", env: map[string]string{"WEBHOOK_ALLOW_INSECURE_TARGETS": "true", "APP_ENV": "production"},
			want: []string{"WEBHOOK_ALLOW_INSECURE_TARGETS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := config.FromMap(tt.env)
			s := webhook.LoadSettings(e)
			var cerr *config.Error
			if !errors.As(e.Err(), &cerr) {
				t.Fatalf("Err() = %v, want a *config.Error", e.Err())
			}
			var names []string
			for _, p := range cerr.Problems {
				names = append(names, p.Name)
			}
			if diff := cmp.Diff(tt.want, names); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if s.AllowInsecureTargets && tt.env["APP_ENV"] == "production" {
				t.Error("insecure targets allowed in production")
			}
		})
	}
}
