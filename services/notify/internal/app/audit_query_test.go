package app_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/services/notify/internal/app"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

func TestListAuditRecords(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, b := newUUID(t), newUUID(t)
	const createLocation = "/ariesone.company.v1.LocationService/CreateLocation"
	const listLocations = "/ariesone.company.v1.LocationService/ListLocations"
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	// Applied out of call-time order: the listing orders by call time.
	w.mustApply(t,
		auditEvent(t, a, "alice", getLocation, map[string]string{"id": "loc-1"}, at(1)),
		auditEvent(t, a, "bob", createLocation, map[string]string{"id": "loc-2", "company_id": a}, at(3)),
		auditEvent(t, a, "alice", createLocation, map[string]string{"id": "loc-3"}, at(2)),
		auditEvent(t, a, "alice", getLocation, map[string]string{"location_id": "loc-2"}, at(5)),
		auditEvent(t, a, "bob", getLocation, nil, at(4)),
		auditEvent(t, b, "carol", getLocation, map[string]string{"id": "loc-1"}, at(6)),
		auditEvent(t, a, "alice", listLocations, map[string]string{"location_ids": "loc-7,loc-8,loc-9"}, at(7)),
	)
	auditor := as(a, "auditor-1", "auditor")
	list := func(q app.ListAuditRecords) []time.Time {
		t.Helper()
		var out []time.Time
		for pages := 0; ; pages++ {
			p, err := w.app.AuditRecords.List(auditor, q)
			if err != nil {
				t.Fatalf("ListAuditRecords(%+v): %v", q, err)
			}
			for _, r := range p.Items {
				if r.CompanyID != a {
					t.Errorf("record of tenant %s listed for %s", r.CompanyID, a)
				}
				out = append(out, r.CallTime)
			}
			if p.NextPageToken == "" || pages > 10 {
				return out
			}
			q.PageToken = p.NextPageToken
		}
	}
	tests := []struct {
		name   string
		filter domain.AuditQuery
		want   []time.Time
	}{
		{"all, newest first", domain.AuditQuery{}, []time.Time{at(7), at(5), at(4), at(3), at(2), at(1)}},
		{"actor", domain.AuditQuery{ActorID: "alice"}, []time.Time{at(7), at(5), at(2), at(1)}},
		{"method", domain.AuditQuery{Method: createLocation}, []time.Time{at(3), at(2)}},
		{"resource in any id field", domain.AuditQuery{ResourceID: "loc-2"}, []time.Time{at(5), at(3)}},
		{"one of the ids a listing disclosed", domain.AuditQuery{ResourceID: "loc-8"}, []time.Time{at(7)}},
		{"a prefix of a disclosed id is not one", domain.AuditQuery{ResourceID: "loc-"}, nil},
		{"time range", domain.AuditQuery{Start: at(2), End: at(4)}, []time.Time{at(3), at(2)}},
		{"combined", domain.AuditQuery{ActorID: "alice", Method: getLocation, Start: at(2)}, []time.Time{at(5)}},
		{"another tenant's resource", domain.AuditQuery{ActorID: "carol"}, nil},
	}
	for _, tt := range tests {
		for _, size := range []int32{0, 1, 2} {
			if diff := cmp.Diff(tt.want, list(app.ListAuditRecords{PageSize: size, Filter: tt.filter})); diff != "" {
				t.Errorf("%s, page size %d (-want +got):\n%s", tt.name, size, diff)
			}
		}
	}

	// A token belongs to its filter and tenant.
	p, err := w.app.AuditRecords.List(auditor, app.ListAuditRecords{PageSize: 1, Filter: domain.AuditQuery{ActorID: "alice"}})
	if err != nil || p.NextPageToken == "" {
		t.Fatalf("first page: %v, %v", p, err)
	}
	_, err = w.app.AuditRecords.List(auditor, app.ListAuditRecords{PageSize: 1, PageToken: p.NextPageToken, Filter: domain.AuditQuery{ActorID: "bob"}})
	if diff := cmp.Diff([]string{"pageToken"}, violations(t, err)); diff != "" {
		t.Errorf("token reused with another filter (-want +got):\n%s", diff)
	}
	_, err = w.app.AuditRecords.List(as(b, "auditor-2", "auditor"), app.ListAuditRecords{PageSize: 1, PageToken: p.NextPageToken, Filter: domain.AuditQuery{ActorID: "alice"}})
	if diff := cmp.Diff([]string{"pageToken"}, violations(t, err)); diff != "" {
		t.Errorf("token reused by another tenant (-want +got):\n%s", diff)
	}
	_, err = w.app.AuditRecords.List(auditor, app.ListAuditRecords{Filter: domain.AuditQuery{Start: at(4), End: at(4)}})
	if diff := cmp.Diff([]string{"endTime"}, violations(t, err)); diff != "" {
		t.Errorf("empty time range (-want +got):\n%s", diff)
	}

	// Tenant b sees only its own record.
	pb, err := w.app.AuditRecords.List(as(b, "auditor-2", "auditor"), app.ListAuditRecords{Filter: domain.AuditQuery{ResourceID: "loc-1"}})
	if err != nil || len(pb.Items) != 1 || pb.Items[0].ActorID != "carol" {
		t.Errorf("tenant b's records: %+v, %v", pb.Items, err)
	}
}
