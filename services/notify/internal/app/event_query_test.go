package app_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/services/notify/internal/app"
)

func TestListEvents(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, b := newUUID(t), newUUID(t)
	var want []string
	for i := range 5 {
		typ := "company.location.created.v1"
		if i%2 == 1 {
			typ = "company.location.updated.v1"
		}
		d := eventOf(t, typ, a, &companyv1.LocationCreated{CompanyId: a}, t0.Add(time.Duration(i)*time.Minute))
		w.mustApply(t, d)
		want = append([]string{d.ID}, want...)
	}
	w.mustApply(t, eventOf(t, "company.location.created.v1", b, &companyv1.LocationCreated{CompanyId: b}, t0))
	w.mustApply(t, auditEvent(t, a, "u", getLocation, nil, t0)) // not an event of the log

	list := func(types ...string) []string {
		var out []string
		token := ""
		for pages := 0; pages < 10; pages++ {
			p, err := w.app.Events.List(as(a, newUUID(t), "admin"), app.ListEvents{PageSize: 2, PageToken: token, Types: types})
			if err != nil {
				t.Fatalf("ListEvents(%q): %v", types, err)
			}
			for _, e := range p.Items {
				out = append(out, e.ID)
			}
			if token = p.NextPageToken; token == "" {
				break
			}
		}
		return out
	}
	if diff := cmp.Diff(want, list()); diff != "" {
		t.Errorf("all events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, list("company.*")); diff != "" {
		t.Errorf("company.* (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{want[1], want[3]}, list("company.location.updated.v1")); diff != "" {
		t.Errorf("updated only (-want +got):\n%s", diff)
	}
	if got := list("comp.*", "company.location"); len(got) != 0 {
		t.Errorf("prefixes not at a dot boundary matched %v", got)
	}
	_, err := w.app.Events.List(as(a, "x", "admin"), app.ListEvents{Types: []string{"ok.*", "Bad Type"}})
	if diff := cmp.Diff([]string{"types[1]"}, violations(t, err)); diff != "" {
		t.Errorf("bad pattern (-want +got):\n%s", diff)
	}
}
