package grpcapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"

	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/company/internal/app"
)

func branch(code string) *companyv1.Location {
	return &companyv1.Location{
		Code:     code,
		Name:     "Branch " + code,
		Type:     companyv1.LocationType_LOCATION_TYPE_BRANCH,
		Address:  &commonv1.PostalAddress{Line1: "1200 Main St", City: "Atlanta", State: "GA", PostalCode: "30301"},
		Phone:    &commonv1.PhoneNumber{Number: "404-555-0123"},
		Npi:      "1234567893",
		TimeZone: "America/New_York",
	}
}

func (h *harness) createLocation(t *testing.T, ctx context.Context, code string) *companyv1.Location {
	t.Helper()
	l, err := h.locations.CreateLocation(ctx, &companyv1.CreateLocationRequest{Location: branch(code)})
	if err != nil {
		t.Fatalf("CreateLocation %s: %v", code, err)
	}
	return l
}

func TestCreateAndGetLocation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")

	created := h.createLocation(t, a.owner, "ATL-01")
	if _, err := uuid.Parse(created.GetId()); err != nil || created.GetEtag() != `"1"` || created.GetPhone().GetNumber() != "+14045550123" ||
		created.GetCreateTime() == nil || created.GetDeleteTime() != nil {
		t.Errorf("CreateLocation = %v", created)
	}
	got, err := h.locations.GetLocation(a.owner, &companyv1.GetLocationRequest{Id: created.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(created, got, protocmp.Transform()); diff != "" {
		t.Errorf("GetLocation differs from what CreateLocation returned (-create +get):\n%s", diff)
	}
	if diff := cmp.Diff([]string{app.EventCompanyCreated, app.EventUserCreated, app.EventLocationCreated}, h.events.Types()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	_, err = h.locations.GetLocation(a.owner, &companyv1.GetLocationRequest{Id: uuid.NewString()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = h.locations.GetLocation(a.owner, &companyv1.GetLocationRequest{Id: "not-a-uuid"})
	grpcerrtest.WantInvalid(t, err, "id")
	// Codes are unique within the company.
	_, err = h.locations.CreateLocation(a.owner, &companyv1.CreateLocationRequest{Location: branch("ATL-01")})
	grpcerrtest.WantCode(t, err, codes.AlreadyExists)
}

func TestCreateLocationInvalidFields(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	create := func(edit func(*companyv1.Location)) error {
		l := branch("ATL-01")
		edit(l)
		_, err := h.locations.CreateLocation(a.owner, &companyv1.CreateLocationRequest{Location: l})
		return err
	}
	tests := []struct {
		name   string
		edit   func(*companyv1.Location)
		fields []string
	}{
		{name: "shape rules from the proto", edit: func(l *companyv1.Location) { l.Code = "atl 01"; l.Address.PostalCode = "3030" },
			fields: []string{"location.code", "location.address.postalCode"}},
		{name: "required fields", edit: func(l *companyv1.Location) { l.Code, l.Name, l.Type, l.TimeZone, l.Address = "", "", 0, "", nil },
			fields: []string{"location.code", "location.name", "location.type", "location.timeZone", "location.address"}},
		{name: "domain rules", edit: func(l *companyv1.Location) {
			l.Npi, l.Address.State, l.TimeZone, l.Phone.Number = "1234567890", "ZZ", "Mars/Base", "123-555-0123"
		}, fields: []string{"location.npi", "location.timeZone", "location.address.state", "location.phone.number"}},
		{name: "undefined enum", edit: func(l *companyv1.Location) { l.Type = 9 }, fields: []string{"location.type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			grpcerrtest.WantInvalid(t, create(tt.edit), tt.fields...)
		})
	}
}

func TestCreateLocationIdempotent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	key := uuid.NewString()

	first, err := h.locations.CreateLocation(a.owner, &companyv1.CreateLocationRequest{Location: branch("ATL-01"), RequestId: key})
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.locations.CreateLocation(a.owner, &companyv1.CreateLocationRequest{Location: branch("ATL-01"), RequestId: key})
	if err != nil || again.GetId() != first.GetId() {
		t.Fatalf("retry = %v, %v; want location %s", again.GetId(), err, first.GetId())
	}
	_, err = h.locations.CreateLocation(a.owner, &companyv1.CreateLocationRequest{Location: branch("ATL-02"), RequestId: key})
	grpcerrtest.WantInvalid(t, err, "requestId")

	created := 0
	for _, typ := range h.events.Types() {
		if typ == app.EventLocationCreated {
			created++
		}
	}
	if created != 1 {
		t.Errorf("%d LocationCreated events, want 1", created)
	}
	list, _ := h.locations.ListLocations(a.owner, &companyv1.ListLocationsRequest{})
	if len(list.GetLocations()) != 1 {
		t.Errorf("%d locations, want 1", len(list.GetLocations()))
	}
}

func TestListLocationsPaginates(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	var want []string
	for i := range 7 {
		code := fmt.Sprintf("B-%02d", 7-i)
		h.createLocation(t, a.owner, code)
		want = append([]string{code}, want...)
	}

	var got []string
	token := ""
	pages := 0
	for {
		resp, err := h.locations.ListLocations(a.owner, &companyv1.ListLocationsRequest{PageSize: 3, PageToken: token})
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		for _, l := range resp.GetLocations() {
			got = append(got, l.GetCode())
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		// A token belongs to its filter.
		_, err = h.locations.ListLocations(a.owner, &companyv1.ListLocationsRequest{PageSize: 3, PageToken: token, ShowDeleted: true})
		grpcerrtest.WantInvalid(t, err, "pageToken")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("codes across pages (-want +got):\n%s", diff)
	}
	if pages != 3 {
		t.Errorf("%d pages, want 3", pages)
	}

	_, err := h.locations.ListLocations(a.owner, &companyv1.ListLocationsRequest{PageSize: 1001})
	grpcerrtest.WantInvalid(t, err, "pageSize")
	_, err = h.locations.ListLocations(a.owner, &companyv1.ListLocationsRequest{PageToken: "garbage"})
	grpcerrtest.WantInvalid(t, err, "pageToken")
	resp, err := h.locations.ListLocations(a.owner, &companyv1.ListLocationsRequest{Type: companyv1.LocationType_LOCATION_TYPE_WAREHOUSE})
	if err != nil || len(resp.GetLocations()) != 0 {
		t.Errorf("warehouses: %v, %v", resp, err)
	}
}

func TestUpdateLocation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	l := h.createLocation(t, a.owner, "ATL-01")

	// A path into the address writes only that part. (The address sent
	// must still pass the proto's shape rules, which require its parts.)
	got, err := h.locations.UpdateLocation(a.owner, &companyv1.UpdateLocationRequest{
		Location: &companyv1.Location{
			Id:      l.GetId(),
			Name:    "Atlanta Main",
			Address: &commonv1.PostalAddress{Line1: "not written", City: "Decatur", State: "FL", PostalCode: "99999"},
			Etag:    l.GetEtag(),
		},
		UpdateMask: mask("name", "address.city"),
	})
	if err != nil {
		t.Fatalf("UpdateLocation: %v", err)
	}
	if got.GetName() != "Atlanta Main" || got.GetAddress().GetCity() != "Decatur" || got.GetAddress().GetLine1() != "1200 Main St" ||
		got.GetCode() != "ATL-01" || got.GetEtag() != `"2"` {
		t.Errorf("UpdateLocation = %v", got)
	}

	stale := &companyv1.UpdateLocationRequest{Location: &companyv1.Location{Id: l.GetId(), Name: "x", Etag: l.GetEtag()}, UpdateMask: mask("name")}
	_, err = h.locations.UpdateLocation(a.owner, stale)
	grpcerrtest.WantCode(t, err, codes.Aborted)

	_, err = h.locations.UpdateLocation(a.owner, &companyv1.UpdateLocationRequest{Location: &companyv1.Location{Id: l.GetId()}, UpdateMask: mask("delete_time")})
	grpcerrtest.WantInvalid(t, err, "updateMask")
	_, err = h.locations.UpdateLocation(a.owner, &companyv1.UpdateLocationRequest{Location: &companyv1.Location{Id: l.GetId(), TimeZone: "Nowhere/Land"}, UpdateMask: mask("time_zone")})
	grpcerrtest.WantInvalid(t, err, "location.timeZone")
	_, err = h.locations.UpdateLocation(a.owner, &companyv1.UpdateLocationRequest{Location: &companyv1.Location{Id: "nope", Name: "x"}, UpdateMask: mask("name")})
	grpcerrtest.WantInvalid(t, err, "location.id")
	// An empty mask replaces every writable field: the required ones must
	// all be there.
	_, err = h.locations.UpdateLocation(a.owner, &companyv1.UpdateLocationRequest{Location: &companyv1.Location{Id: l.GetId(), Name: "Only a name"}})
	grpcerrtest.WantInvalid(t, err, "location.code", "location.type", "location.timeZone", "location.address")
	full := branch("ATL-09")
	full.Id = l.GetId()
	if got, err := h.locations.UpdateLocation(a.owner, &companyv1.UpdateLocationRequest{Location: full}); err != nil || got.GetCode() != "ATL-09" {
		t.Errorf("full replacement = %v, %v", got, err)
	}
}

func TestDeleteAndUndeleteLocation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	l := h.createLocation(t, a.owner, "ATL-01")
	h.createLocation(t, a.owner, "ATL-02")

	_, err := h.locations.DeleteLocation(a.owner, &companyv1.DeleteLocationRequest{Id: l.GetId(), Etag: `"5"`})
	grpcerrtest.WantCode(t, err, codes.Aborted)
	deleted, err := h.locations.DeleteLocation(a.owner, &companyv1.DeleteLocationRequest{Id: l.GetId(), Etag: l.GetEtag()})
	if err != nil || deleted.GetDeleteTime() == nil || deleted.GetEtag() != `"2"` {
		t.Fatalf("DeleteLocation = %v, %v", deleted, err)
	}
	// Still readable, hidden from the default list, shown on request.
	if got, err := h.locations.GetLocation(a.owner, &companyv1.GetLocationRequest{Id: l.GetId()}); err != nil || got.GetDeleteTime() == nil {
		t.Errorf("GetLocation of a deleted location = %v, %v", got, err)
	}
	live, _ := h.locations.ListLocations(a.owner, &companyv1.ListLocationsRequest{})
	all, _ := h.locations.ListLocations(a.owner, &companyv1.ListLocationsRequest{ShowDeleted: true})
	if len(live.GetLocations()) != 1 || len(all.GetLocations()) != 2 {
		t.Errorf("lists: %d live, %d in all; want 1 and 2", len(live.GetLocations()), len(all.GetLocations()))
	}
	_, err = h.locations.DeleteLocation(a.owner, &companyv1.DeleteLocationRequest{Id: l.GetId()})
	grpcerrtest.WantCode(t, err, codes.FailedPrecondition)
	_, err = h.locations.UpdateLocation(a.owner, &companyv1.UpdateLocationRequest{Location: &companyv1.Location{Id: l.GetId(), Name: "x"}, UpdateMask: mask("name")})
	grpcerrtest.WantCode(t, err, codes.FailedPrecondition)
	// The deleted location's code stays reserved.
	_, err = h.locations.CreateLocation(a.owner, &companyv1.CreateLocationRequest{Location: branch("ATL-01")})
	grpcerrtest.WantCode(t, err, codes.AlreadyExists)

	restored, err := h.locations.UndeleteLocation(a.owner, &companyv1.UndeleteLocationRequest{Id: l.GetId(), Etag: deleted.GetEtag()})
	if err != nil || restored.GetDeleteTime() != nil {
		t.Fatalf("UndeleteLocation = %v, %v", restored, err)
	}
	_, err = h.locations.UndeleteLocation(a.owner, &companyv1.UndeleteLocationRequest{Id: l.GetId()})
	grpcerrtest.WantCode(t, err, codes.AlreadyExists)

	want := []string{app.EventLocationCreated, app.EventLocationCreated, app.EventLocationDeleted, app.EventLocationUndeleted}
	if diff := cmp.Diff(want, h.events.Types()[2:]); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestLocationsAcrossTenants(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	b := h.bootstrap(t, "bravo")
	l := h.createLocation(t, a.owner, "ATL-01")
	h.createLocation(t, b.owner, "BOS-01")

	_, err := h.locations.GetLocation(b.owner, &companyv1.GetLocationRequest{Id: l.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = h.locations.UpdateLocation(b.owner, &companyv1.UpdateLocationRequest{Location: &companyv1.Location{Id: l.GetId(), Name: "mine"}, UpdateMask: mask("name")})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = h.locations.DeleteLocation(b.owner, &companyv1.DeleteLocationRequest{Id: l.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = h.locations.UndeleteLocation(b.owner, &companyv1.UndeleteLocationRequest{Id: l.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	for _, show := range []bool{false, true} {
		resp, err := h.locations.ListLocations(b.owner, &companyv1.ListLocationsRequest{ShowDeleted: show})
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range resp.GetLocations() {
			if got.GetId() == l.GetId() {
				t.Errorf("bravo lists acme's location (show_deleted %v)", show)
			}
		}
	}
	// The same code is free in another company.
	h.createLocation(t, b.owner, "ATL-01")
}

func TestLocationPermissions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	l := h.createLocation(t, a.owner, "ATL-01")
	intake := h.as(a.companyID, "intake-1", "intake")
	admin := h.as(a.companyID, "admin-1", "admin")

	if _, err := h.locations.GetLocation(intake, &companyv1.GetLocationRequest{Id: l.GetId()}); err != nil {
		t.Errorf("intake reads a location: %v", err)
	}
	_, err := h.locations.CreateLocation(intake, &companyv1.CreateLocationRequest{Location: branch("ATL-02")})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = h.locations.DeleteLocation(intake, &companyv1.DeleteLocationRequest{Id: l.GetId()})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	if _, err := h.locations.CreateLocation(admin, &companyv1.CreateLocationRequest{Location: branch("ATL-02")}); err != nil {
		t.Errorf("admin creates a location: %v", err)
	}
}
