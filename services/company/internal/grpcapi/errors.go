package grpcapi

import (
	"fmt"

	"github.com/ariesone/ariesone/platform/errs"
)

// Error mapping.
//
// Handlers return the application's errors unchanged: they are
// platform/errs values (NotFound, Invalid with field violations,
// FailedPrecondition, Aborted for a stale etag, PermissionDenied...), and
// the server's interceptor chain turns each kind into its canonical status
// code, with google.rpc.BadRequest and ErrorInfo details, in one place for
// every service (platform/grpcerr). Anything unclassified becomes INTERNAL
// with a masked message, logged in full with the request id.
//
// Field violations name request fields by their JSON (lowerCamelCase)
// paths from the request message, exactly as protovalidate's do:
// "location.address.state", "roles[1]", "updateMask". The application
// roots domain violations under the request field that carried the value;
// this package adds the ones only translation can find, below.

// invalid reports one violated request field.
func invalid(field, format string, args ...any) error {
	return errs.Invalid(errs.FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
}
