package requestid_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/ariesone/ariesone/platform/requestid"
)

func TestValid(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want bool
	}{
		{name: "empty", id: "", want: false},
		{name: "uuid", id: "0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f", want: true},
		{name: "partner id", id: "partner-req-42", want: true},
		{name: "single char", id: "x", want: true},
		{name: "punctuation", id: "a.b_c:d/e+f=g~h!", want: true},
		{name: "128 chars", id: strings.Repeat("a", 128), want: true},
		{name: "129 chars", id: strings.Repeat("a", 129), want: false},
		{name: "space", id: "req 42", want: false},
		{name: "leading space", id: " req", want: false},
		{name: "double quote", id: `req"42`, want: false},
		{name: "backslash", id: `req\42`, want: false},
		{name: "newline", id: "req\n42", want: false},
		{name: "carriage return", id: "req\r42", want: false},
		{name: "tab", id: "req\t42", want: false},
		{name: "nul", id: "req\x0042", want: false},
		{name: "del", id: "req\x7f", want: false},
		{name: "non-ascii", id: "réq-42", want: false},
		{name: "invalid utf-8", id: "req\xff", want: false},
		{name: "forged json", id: `42","level":"ERROR`, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := requestid.Valid(tt.id); got != tt.want {
				t.Errorf("Valid(%q) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}

// isUUIDv7 reports whether id parses as a version-7 UUID.
func isUUIDv7(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.Version() == 7
}

func TestNew(t *testing.T) {
	a, b := requestid.New(), requestid.New()
	if !isUUIDv7(a) || !isUUIDv7(b) {
		t.Errorf("New() = %q, %q; want UUIDv7s", a, b)
	}
	if a == b {
		t.Errorf("two calls returned the same id %q", a)
	}
	if !requestid.Valid(a) {
		t.Errorf("a generated id %q is not Valid", a)
	}
}

func TestFromIncoming(t *testing.T) {
	const partner = "partner-req-42"
	tests := []struct {
		name string
		md   metadata.MD // nil: no incoming metadata at all
		want string      // "" means a fresh UUIDv7 is expected
	}{
		{name: "valid header kept", md: metadata.Pairs(requestid.Header, partner), want: partner},
		{name: "header name is case-insensitive", md: metadata.Pairs("X-Request-ID", partner), want: partner},
		{name: "first of several values", md: metadata.Pairs(requestid.Header, partner, requestid.Header, "other"), want: partner},
		{name: "no metadata", md: nil},
		{name: "metadata without header", md: metadata.Pairs("authorization", "Bearer x")},
		{name: "empty header", md: metadata.Pairs(requestid.Header, "")},
		{name: "header with space", md: metadata.Pairs(requestid.Header, "req 42")},
		{name: "header with quote", md: metadata.Pairs(requestid.Header, `req"42`)},
		{name: "header too long", md: metadata.Pairs(requestid.Header, strings.Repeat("a", 129))},
		{name: "invalid first value is not rescued by a later one", md: metadata.Pairs(requestid.Header, "bad id", requestid.Header, partner)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			if tt.md != nil {
				ctx = metadata.NewIncomingContext(ctx, tt.md)
			}
			got := requestid.FromIncoming(ctx)
			if tt.want != "" {
				if got != tt.want {
					t.Errorf("FromIncoming = %q, want %q", got, tt.want)
				}
				return
			}
			if !isUUIDv7(got) {
				t.Errorf("FromIncoming = %q, want a fresh UUIDv7", got)
			}
		})
	}
}

func TestContext(t *testing.T) {
	if got := requestid.FromContext(t.Context()); got != "" {
		t.Errorf("FromContext outside a request = %q, want empty", got)
	}
	ctx := requestid.NewContext(t.Context(), "r-1")
	if got := requestid.FromContext(ctx); got != "r-1" {
		t.Errorf("FromContext = %q, want %q", got, "r-1")
	}
}

func TestUnaryServerInterceptorAttachesID(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   string // "" means a fresh UUIDv7
	}{
		{name: "caller id kept", header: "partner-req-42", want: "partner-req-42"},
		{name: "invalid caller id replaced", header: "bad id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := metadata.NewIncomingContext(t.Context(), metadata.Pairs(requestid.Header, tt.header))
			var seen string
			handler := func(ctx context.Context, _ any) (any, error) {
				seen = requestid.FromContext(ctx)
				return nil, nil
			}
			if _, err := requestid.UnaryServerInterceptor()(ctx, nil, &grpc.UnaryServerInfo{}, handler); err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && seen != tt.want {
				t.Errorf("handler saw %q, want %q", seen, tt.want)
			}
			if tt.want == "" && !isUUIDv7(seen) {
				t.Errorf("handler saw %q, want a fresh UUIDv7", seen)
			}
		})
	}
}

// FuzzValid checks that Valid never panics and that whatever it accepts is
// safe to write into a log line unquoted.
func FuzzValid(f *testing.F) {
	for _, seed := range []string{
		"", "partner-req-42", "0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f", "a b", `a"b`, `a\b`,
		"\x00", "\x7f", "é", "\xff\xfe", strings.Repeat("z", 128), strings.Repeat("z", 129),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if !requestid.Valid(id) {
			return
		}
		if id == "" || len(id) > 128 {
			t.Fatalf("Valid accepted an id of length %d", len(id))
		}
		for i := 0; i < len(id); i++ {
			if c := id[i]; c <= ' ' || c > '~' || c == '"' || c == '\\' {
				t.Fatalf("Valid accepted %q with byte %#x at %d", id, c, i)
			}
		}
	})
}
