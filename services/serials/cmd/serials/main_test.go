package main

import (
	"slices"
	"testing"

	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/server/servertest"
	"github.com/ariesone/ariesone/platform/service/servicetest"
	"github.com/ariesone/ariesone/services/serials/internal/app"
)

// TestEveryMethodHasAnAccessRule builds the server as the service runner
// does (Configure and Register of the real spec) and walks every
// registered method: one without a rule would be denied to everyone. The
// workers it then builds include the orders consumer.
func TestEveryMethodHasAnAccessRule(t *testing.T) {
	ctx := t.Context()
	sp := spec(&wiring{})
	d := servicetest.Register(t, sp, map[string]string{"ENCRYPTION_KEY": servicetest.NewKey(t)})
	methods := servertest.RequireRules(t, d.Server)
	if methods < 20 {
		t.Errorf("only %d methods registered; the serials services are missing", methods)
	}
	workers, err := sp.Workers(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range workers {
		names = append(names, w.Name)
	}
	if !slices.Contains(names, app.OrdersConsumer) {
		t.Errorf("workers %v; the orders consumer is not among them", names)
	}
}

// TestBadConfigurationIsNamed: a malformed peer address or sweep interval,
// or a missing or malformed key ring, stops the service with the
// variable's name.
func TestBadConfigurationIsNamed(t *testing.T) {
	key := servicetest.NewKey(t)
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"COMPANY_ADDR", map[string]string{"COMPANY_ADDR": "no port", "ENCRYPTION_KEY": key}},
		{"CLINICAL_ADDR", map[string]string{"CLINICAL_ADDR": ":", "ENCRYPTION_KEY": key}},
		{"MAINTENANCE_SWEEP_INTERVAL", map[string]string{"MAINTENANCE_SWEEP_INTERVAL": "0s", "ENCRYPTION_KEY": key}},
		{"ENCRYPTION_KEY", map[string]string{}},
		{"ENCRYPTION_KEY", map[string]string{"ENCRYPTION_KEY": "1:c2VjcmV0LXNlY3JldA=="}},
	}
	for _, tt := range tests {
		servicetest.RequireConfigError(t, spec(&wiring{}), tt.env, tt.name)
	}
	e := config.FromMap(map[string]string{"ENCRYPTION_KEY": key})
	w := &wiring{}
	spec(w).Configure(e)
	if err := e.Err(); err != nil || w.pages == nil {
		t.Errorf("a valid key ring: error %v, sealer %v; want a sealer", err, w.pages)
	}
}
