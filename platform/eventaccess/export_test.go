package eventaccess

import (
	"google.golang.org/protobuf/proto"

	"github.com/ariesone/ariesone/platform/auth"
)

// Redact applies the field rules of msg's type, at every depth, for a
// subscriber holding roles, in place: the tests reach field rules a role
// table cannot combine (an event seen, a nested field not).
func (p *Policy) Redact(msg proto.Message, roles []string) {
	p.redact(msg.ProtoReflect(), func(perm string) bool { return auth.Permits(roles, perm) })
}
