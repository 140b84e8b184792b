package grpcapi_test

import (
	"os"
	"testing"

	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// TestMain makes password hashes cheap: these tests sign users in often, and
// the race detector makes one hash at the real cost take half a second
// (domain's own tests keep the real cost).
func TestMain(m *testing.M) {
	domain.SetPasswordCostForTests()
	os.Exit(m.Run())
}
