package main

import (
	"testing"

	"github.com/ariesone/ariesone/platform/server/servertest"
	"github.com/ariesone/ariesone/platform/service/servicetest"
)

// TestEveryMethodHasAnAccessRule builds the server as the service runner
// does (Configure and Register of the real spec) and walks every
// registered method: one without a rule would be denied to everyone.
func TestEveryMethodHasAnAccessRule(t *testing.T) {
	d := servicetest.Register(t, spec(&wiring{}), map[string]string{"ENCRYPTION_KEY": servicetest.NewKey(t)})
	methods := servertest.RequireRules(t, d.Server)
	if methods < 17 {
		t.Errorf("only %d methods registered; the orders services are missing", methods)
	}
}

// TestBadConfigurationIsNamed: a malformed peer address, or a missing or
// malformed key ring, stops the service with the variable's name.
func TestBadConfigurationIsNamed(t *testing.T) {
	key := servicetest.NewKey(t)
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"COMPANY_ADDR", map[string]string{"COMPANY_ADDR": "no port", "ENCRYPTION_KEY": key}},
		{"CLINICAL_ADDR", map[string]string{"CLINICAL_ADDR": ":", "ENCRYPTION_KEY": key}},
		{"SERIALS_ADDR", map[string]string{"SERIALS_ADDR": "serials:http", "ENCRYPTION_KEY": key}},
		{"ENCRYPTION_KEY", map[string]string{}},
		{"ENCRYPTION_KEY", map[string]string{"ENCRYPTION_KEY": "1:c2VjcmV0LXNlY3JldA=="}},
	}
	for _, tt := range tests {
		servicetest.RequireConfigError(t, spec(&wiring{}), tt.env, tt.name)
	}
}
