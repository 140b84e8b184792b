package peer

import (
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ariesone/ariesone/platform/errs"
)

// Refusal turns a peer's answer to a check of one request field into the
// caller's error: not found (or a malformed id) is the request's mistake,
// a violation of field saying missing; a permission the caller lacks is
// theirs, naming permission; anything else is the peer being unavailable,
// which the caller may retry.
func Refusal(err error, field, peer, missing, permission string) error {
	st, _ := status.FromError(err)
	switch st.Code() {
	case codes.NotFound, codes.InvalidArgument:
		return errs.Invalid(errs.FieldViolation{Field: field, Description: missing})
	case codes.PermissionDenied:
		return errs.PermissionDenied(fmt.Sprintf("checking %s needs the %s permission", field, permission))
	case codes.Unauthenticated:
		return errs.Unauthenticated(peer + " did not accept the caller's credentials")
	}
	return errs.Unavailable(peer+" could not be asked about "+field, err)
}
