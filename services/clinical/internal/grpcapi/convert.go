package grpcapi

import (
	"fmt"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// phi renders a PHI identifier: in clear for a caller entitled to it,
// otherwise with all but its last visible characters hidden.
func phi(v domain.PHI, visible int, reveal bool) string {
	if reveal {
		return v.Reveal()
	}
	return v.Mask(visible)
}

// enumToDomain converts an API enum value with its table. UNSPECIFIED is
// the domain's zero value (refused where the field is required); an
// undefined number keeps a name the domain refuses, so the client hears
// about it rather than having it silently dropped.
func enumToDomain[E interface {
	~int32
	protoreflect.Enum
}, D ~string](table map[E]D, v E) D {
	if d, ok := table[v]; ok || v == 0 {
		return d
	}
	return D(fmt.Sprintf("undefined %d", int32(v)))
}
