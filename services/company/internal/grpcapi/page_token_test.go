package grpcapi_test

import (
	"fmt"
	"testing"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/page/pagetest"
)

// TestPageTokensAreOpaque lists two pages or more of every List method of
// company and checks that no token carries a field value of a listed row
// (a location's code, a user's email or id, a key's id or client name) and
// that a tampered token is refused.
func TestPageTokensAreOpaque(t *testing.T) {
	t.Parallel()
	h := newAuthHarness(t)
	owner := authtest.Bearer(h.login(t).GetAccessToken())
	for i := range 3 {
		if _, err := h.locations.CreateLocation(owner, &companyv1.CreateLocationRequest{Location: branch(fmt.Sprintf("ATLANTA-%02d", i))}); err != nil {
			t.Fatalf("CreateLocation: %v", err)
		}
		if _, err := h.users.CreateUser(owner, newUser(fmt.Sprintf("technician%d@acme.test", i), companyv1.Role_ROLE_TECHNICIAN)); err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
		if _, err := h.keys.CreateApiKey(owner, &companyv1.CreateApiKeyRequest{
			ApiKey: &companyv1.ApiKey{ClientName: fmt.Sprintf("Billing Partner %d", i), Roles: []companyv1.Role{companyv1.Role_ROLE_PARTNER}},
		}); err != nil {
			t.Fatalf("CreateApiKey: %v", err)
		}
	}

	t.Run("ListLocations", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*companyv1.ListLocationsResponse, error) {
			return h.locations.ListLocations(owner, &companyv1.ListLocationsRequest{PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListUsers", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*companyv1.ListUsersResponse, error) {
			return h.users.ListUsers(owner, &companyv1.ListUsersRequest{PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListApiKeys", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*companyv1.ListApiKeysResponse, error) {
			return h.keys.ListApiKeys(owner, &companyv1.ListApiKeysRequest{PageSize: 1, PageToken: token})
		})
	})
}
