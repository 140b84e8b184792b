// Package validate enforces the structural rules declared in the protos
// (buf.validate annotations: required, lengths, patterns, defined enums) on
// every request before a handler sees it. Violations are reported as one
// errs.Invalid listing every field, with lowerCamelCase JSON paths, so gRPC
// and REST callers see the same field names in the same google.rpc.BadRequest.
package validate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"buf.build/go/protovalidate"
	middleware "github.com/grpc-ecosystem/go-grpc-middleware/v2"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/grpcerr"
)

// Validator checks messages against their proto annotations.
type Validator struct {
	v protovalidate.Validator
}

// New builds a Validator. Rules are compiled lazily per message type and
// cached, so the first request of each type pays the compilation once.
func New() (*Validator, error) {
	v, err := protovalidate.New()
	if err != nil {
		return nil, fmt.Errorf("protovalidate: %w", err)
	}
	return &Validator{v: v}, nil
}

// Check validates msg and returns nil or an errs.Invalid listing every
// violation. A failure of the validator itself (a broken rule) is returned as
// an internal error, never as the client's fault.
func (v *Validator) Check(msg proto.Message) error {
	err := v.v.Validate(msg)
	if err == nil {
		return nil
	}
	var ve *protovalidate.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("validating %s: %w", msg.ProtoReflect().Descriptor().FullName(), err)
	}
	fields := make([]errs.FieldViolation, 0, len(ve.Violations))
	for _, viol := range ve.Violations {
		fields = append(fields, errs.FieldViolation{
			Field:       jsonPath(protovalidate.FieldPathString(viol.Proto.GetField())),
			Description: description(viol),
		})
	}
	return errs.Invalid(fields...)
}

func description(v *protovalidate.Violation) string {
	if m := v.Proto.GetMessage(); m != "" {
		return m
	}
	return v.Proto.GetRuleId()
}

// jsonPath rewrites a protovalidate path ("lines[2].hcpcs_code") into the JSON
// names partners see ("lines[2].hcpcsCode"). Only identifier characters
// outside brackets are touched, so map keys keep their spelling. String keys
// arrive Go-quoted and may themselves contain brackets, quotes or
// underscores, so a quoted key is copied through to its closing quote.
func jsonPath(path string) string {
	var b strings.Builder
	b.Grow(len(path))
	depth := 0
	upper := false
	quoted, escaped := false, false
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case quoted:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				quoted = false
			}
		case depth > 0 && c == '"':
			quoted = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case depth == 0 && c == '_':
			upper = true
			continue
		case depth == 0 && upper && c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		upper = false
		b.WriteByte(c)
	}
	return b.String()
}

// UnaryServerInterceptor rejects invalid requests with INVALID_ARGUMENT.
func UnaryServerInterceptor(v *Validator) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if err := v.checkAny(req); err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor validates every message a client streams in.
func StreamServerInterceptor(v *Validator) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		return handler(srv, &validatingStream{WrappedServerStream: middleware.WrapServerStream(ss), v: v})
	}
}

func (v *Validator) checkAny(m any) error {
	msg, ok := m.(proto.Message)
	if !ok {
		return grpcerr.ToStatus(fmt.Errorf("validate: %T is not a proto message", m)).Err()
	}
	if err := v.Check(msg); err != nil {
		return grpcerr.ToStatus(err).Err()
	}
	return nil
}

type validatingStream struct {
	*middleware.WrappedServerStream
	v *Validator
}

func (s *validatingStream) RecvMsg(m any) error {
	if err := s.WrappedServerStream.RecvMsg(m); err != nil {
		return err
	}
	return s.v.checkAny(m)
}
