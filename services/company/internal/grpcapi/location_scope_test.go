package grpcapi_test

import (
	"context"
	"slices"
	"testing"

	"google.golang.org/grpc/codes"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
)

// listedLocations returns the ids ListLocations pages through for ctx, two
// to a page, so the keyset pagination runs over the scoped rows.
func listedLocations(t *testing.T, c companyv1.LocationServiceClient, ctx context.Context) []string {
	t.Helper()
	var ids []string
	token := ""
	for {
		resp, err := c.ListLocations(ctx, &companyv1.ListLocationsRequest{PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatalf("ListLocations: %v", err)
		}
		for _, l := range resp.GetLocations() {
			ids = append(ids, l.GetId())
		}
		if token = resp.GetNextPageToken(); token == "" {
			slices.Sort(ids)
			return ids
		}
	}
}

// TestBranchScopedUserSeesOnlyItsLocations signs a user limited to some
// locations in over the real transport: the token company issues carries
// the user's allowed locations, another location is NOT_FOUND (read,
// update, delete) and absent from lists, creating a location outside the
// scope is refused as NOT_FOUND, and a refresh carries the user's current
// locations. The owner, unrestricted, sees every location.
func TestBranchScopedUserSeesOnlyItsLocations(t *testing.T) {
	t.Parallel()
	h := newAuthHarness(t)
	owner := authtest.Bearer(h.login(t).GetAccessToken())
	var locs []*companyv1.Location
	for _, code := range []string{"ATL-01", "ATL-02", "BOS-01", "BOS-02"} {
		l, err := h.locations.CreateLocation(owner, &companyv1.CreateLocationRequest{Location: branch(code)})
		if err != nil {
			t.Fatal(err)
		}
		locs = append(locs, l)
	}
	atlanta := []string{locs[0].GetId(), locs[1].GetId()}
	slices.Sort(atlanta)
	all := []string{locs[0].GetId(), locs[1].GetId(), locs[2].GetId(), locs[3].GetId()}
	slices.Sort(all)

	req := newUser("scoped@acme.example", companyv1.Role_ROLE_ADMIN)
	req.User.AllowedLocationIds = atlanta
	u, err := h.users.CreateUser(owner, req)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := h.auth.Login(context.Background(), &companyv1.LoginRequest{CompanyCode: rpcCompanyCode, Email: "scoped@acme.example", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	scoped := authtest.Bearer(pair.GetAccessToken())

	if got := listedLocations(t, h.locations, scoped); !slices.Equal(got, atlanta) {
		t.Errorf("scoped user lists %v, want %v", got, atlanta)
	}
	if got := listedLocations(t, h.locations, owner); !slices.Equal(got, all) {
		t.Errorf("owner lists %v, want %v", got, all)
	}
	if _, err := h.locations.GetLocation(scoped, &companyv1.GetLocationRequest{Id: locs[0].GetId()}); err != nil {
		t.Errorf("GetLocation of an allowed location: %v", err)
	}
	boston := locs[2]
	_, err = h.locations.GetLocation(scoped, &companyv1.GetLocationRequest{Id: boston.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = h.locations.UpdateLocation(scoped, &companyv1.UpdateLocationRequest{
		Location: &companyv1.Location{Id: boston.GetId(), Name: "mine"}, UpdateMask: mask("name")})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = h.locations.DeleteLocation(scoped, &companyv1.DeleteLocationRequest{Id: boston.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = h.locations.CreateLocation(scoped, &companyv1.CreateLocationRequest{Location: branch("CLT-01")})
	grpcerrtest.WantCode(t, err, codes.NotFound)

	// Narrowed to Boston: the next refresh carries the new locations.
	if _, err := h.users.UpdateUser(owner, &companyv1.UpdateUserRequest{
		User:       &companyv1.User{Id: u.GetId(), AllowedLocationIds: []string{boston.GetId()}, Etag: u.GetEtag()},
		UpdateMask: mask("allowed_location_ids"),
	}); err != nil {
		t.Fatal(err)
	}
	refreshed, err := h.auth.Refresh(context.Background(), &companyv1.RefreshRequest{RefreshToken: pair.GetRefreshToken()})
	if err != nil {
		t.Fatal(err)
	}
	if got := listedLocations(t, h.locations, authtest.Bearer(refreshed.GetAccessToken())); !slices.Equal(got, []string{boston.GetId()}) {
		t.Errorf("after the refresh the user lists %v, want only %s", got, boston.GetId())
	}
}
