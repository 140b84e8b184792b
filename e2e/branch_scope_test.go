package e2e

import (
	"net/http"
	"slices"
	"testing"
)

// TestBranchScopedUserOverREST is branch scoping as a partner meets it: a
// company owner makes two branches with a warehouse each, a user limited
// to the Atlanta pair, and patients and units in both. The limited user
// signs in and finds Boston's location, patient and unit NOT_FOUND (404)
// and absent from every list, paged one at a time; the owner sees all.
func TestBranchScopedUserOverREST(t *testing.T) {
	m := startMesh(t)
	m.bootstrap("acme", "owner@acme.test", ownerPassword)
	owner := login(t, m, "acme", "owner@acme.test", ownerPassword).str("accessToken")
	location := func(code, typ string) string {
		l := newLocation(code)
		l["type"] = typ
		return m.call(http.MethodPost, "/api/v1/locations", owner, l).expect(t, http.StatusOK, "create "+code).str("id")
	}
	atl, atlWH := location("ATL-01", "LOCATION_TYPE_BRANCH"), location("ATL-WH", "LOCATION_TYPE_WAREHOUSE")
	bos, bosWH := location("BOS-01", "LOCATION_TYPE_BRANCH"), location("BOS-WH", "LOCATION_TYPE_WAREHOUSE")
	m.call(http.MethodPost, "/api/v1/users", owner, map[string]any{
		"user":  map[string]any{"email": "atl@acme.test", "givenName": "Ana", "familyName": "Lopez", "allowedLocationIds": []string{atl, atlWH}},
		"roles": []string{"ROLE_ADMIN"}, "password": userPassword,
	}).expect(t, http.StatusOK, "create the Atlanta user")

	// newPatient is intake's patient without the identifiers, which are
	// unique per company.
	newPatient := func(branch, last string) map[string]any {
		p := intakePatient(branch)
		p["lastName"] = last
		delete(p, "mbi")
		delete(p, "ssn")
		delete(p, "medicaidId")
		return p
	}
	patient := func(branch, last string) string {
		p := newPatient(branch, last)
		return m.call(http.MethodPost, "/api/v1/patients", owner, p).expect(t, http.StatusOK, "register "+last).str("id")
	}
	atlPatient, bosPatient := patient(atl, "Atlanta"), patient(bos, "Boston")
	itemID := m.call(http.MethodPost, "/api/v1/items", owner, map[string]any{
		"code": "E0601-AS11", "name": "AirSense 11 CPAP", "hcpcs": "E0601", "manufacturer": "ResMed", "model": "AirSense 11", "serialized": true,
	}).expect(t, http.StatusOK, "create the item").str("id")
	unit := func(warehouse, serial string) string {
		return m.call(http.MethodPost, "/api/v1/units", owner, map[string]any{"itemId": itemID, "serialNumber": serial, "warehouseId": warehouse}).
			expect(t, http.StatusOK, "receive "+serial).str("id")
	}
	atlUnit, bosUnit := unit(atlWH, "23150000001"), unit(bosWH, "23150000002")

	scoped := login(t, m, "acme", "atl@acme.test", userPassword).str("accessToken")
	for _, path := range []string{"/api/v1/locations/" + bos, "/api/v1/patients/" + bosPatient, "/api/v1/units/" + bosUnit} {
		m.call(http.MethodGet, path, scoped, nil).expect(t, http.StatusNotFound, "the Atlanta user reads "+path)
		m.call(http.MethodGet, path, owner, nil).expect(t, http.StatusOK, "the owner reads "+path)
	}
	m.call(http.MethodGet, "/api/v1/patients/"+atlPatient, scoped, nil).expect(t, http.StatusOK, "the Atlanta user reads Atlanta's patient")
	m.call(http.MethodPost, "/api/v1/patients", scoped, newPatient(bos, "Elsewhere")).expect(t, http.StatusNotFound, "the Atlanta user registers a Boston patient")

	// listed pages through a list one entry a page and returns the ids.
	listed := func(token, path, key string) []string {
		t.Helper()
		var ids []string
		next := ""
		for {
			r := m.call(http.MethodGet, path+"?pageSize=1&pageToken="+next, token, nil).expect(t, http.StatusOK, "list "+path)
			items, _ := r.body[key].([]any)
			for _, it := range items {
				ids = append(ids, it.(map[string]any)["id"].(string))
			}
			if next = r.str("nextPageToken"); next == "" {
				slices.Sort(ids)
				return ids
			}
		}
	}
	sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
	for _, c := range []struct {
		path, key             string
		scopedWant, ownerWant []string
	}{
		{"/api/v1/locations", "locations", sorted(atl, atlWH), sorted(atl, atlWH, bos, bosWH)},
		{"/api/v1/patients", "patients", sorted(atlPatient), sorted(atlPatient, bosPatient)},
		{"/api/v1/units", "units", sorted(atlUnit), sorted(atlUnit, bosUnit)},
	} {
		if got := listed(scoped, c.path, c.key); !slices.Equal(got, c.scopedWant) {
			t.Errorf("the Atlanta user lists %s %v, want %v", c.path, got, c.scopedWant)
		}
		if got := listed(owner, c.path, c.key); !slices.Equal(got, c.ownerWant) {
			t.Errorf("the owner lists %s %v, want %v", c.path, got, c.ownerWant)
		}
	}
}
