// Package pagetest checks the page tokens of a service's List RPCs from
// the outside, the way an access log sees them: a test lists through
// several pages and pagetest fails it when a token, base64-decoded, holds a
// field value of a listed row as text, or when a tampered token is not
// refused as an invalid pageToken.
package pagetest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/page"
)

// MinValueLen is the shortest field value looked for in a token. A token
// is mostly random ciphertext: a value of n bytes turns up in it by chance
// with odds of about length/256ⁿ, so short values (a state code, a small
// count) would make the check flaky and are skipped; from five bytes on
// the odds are below one in ten billion per value and token.
const MinValueLen = 5

// maxPages bounds a walk through a listing whose tokens never end.
const maxPages = 50

// nextPageTokenField is the response field that carries the token; its
// value is not row data.
const nextPageTokenField = "next_page_token"

// CheckListing walks a listing from its first page: list runs the List RPC
// with the given page_token (and a page_size small enough for two pages or
// more). It fails t unless the listing has at least two pages, when any
// next_page_token holds a field value of any response as text (see Values),
// and unless tampered versions of a token (a bit flipped at the start,
// middle or end, a byte cut or added, a token of garbage) are each refused
// with INVALID_ARGUMENT naming field pageToken. It returns the responses,
// page by page.
func CheckListing[R proto.Message](t *testing.T, list func(pageToken string) (R, error)) []R {
	t.Helper()
	var (
		pages  []R
		tokens []string
		values []string
	)
	token := ""
	for {
		resp, err := list(token)
		if err != nil {
			t.Fatalf("page %d: %v", len(pages)+1, err)
		}
		pages = append(pages, resp)
		values = append(values, Values(resp)...)
		token = nextToken(resp)
		if token == "" {
			break
		}
		tokens = append(tokens, token)
		if len(pages) == maxPages {
			t.Fatalf("the listing still has a next page after %d pages", maxPages)
		}
	}
	if len(tokens) == 0 {
		t.Fatalf("the listing fits on one page; a token check needs two or more")
	}
	for i, tok := range tokens {
		if carried := Carried(tok, values); len(carried) > 0 {
			t.Errorf("the token after page %d carries field values %q", i+1, carried)
		}
	}
	for name, bad := range Tampered(t, tokens[0]) {
		_, err := list(bad)
		if err == nil {
			t.Errorf("%s token: accepted; want INVALID_ARGUMENT on %s", name, page.TokenField)
			continue
		}
		t.Run("tampered "+name, func(t *testing.T) { grpcerrtest.WantInvalid(t, err, page.TokenField) })
	}
	return pages
}

// nextToken reads a response's next_page_token.
func nextToken(m proto.Message) string {
	r := m.ProtoReflect()
	fd := r.Descriptor().Fields().ByName(nextPageTokenField)
	if fd == nil || fd.Kind() != protoreflect.StringKind {
		panic(fmt.Sprintf("pagetest: %s has no string field %s", r.Descriptor().FullName(), nextPageTokenField))
	}
	return r.Get(fd).String()
}

// Carried returns the values (of MinValueLen bytes or more) that token
// holds: in its text, or in its bytes once base64-decoded. A token that is
// not unpadded URL-safe base64 is reported whole.
func Carried(token string, values []string) []string {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return []string{token}
	}
	var out []string
	seen := map[string]bool{}
	for _, v := range values {
		if len(v) < MinValueLen || seen[v] {
			continue
		}
		seen[v] = true
		if bytes.Contains(raw, []byte(v)) || strings.Contains(token, v) {
			out = append(out, v)
		}
	}
	return out
}

// Tampered returns altered versions of a valid token, by what was done to
// it. Each is still unpadded URL-safe base64, so only the token's own
// checks can refuse it.
func Tampered(t testing.TB, token string) map[string]string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < 3 {
		t.Fatalf("token %q is not the base64 of a sealed token", token)
	}
	enc := base64.RawURLEncoding.EncodeToString
	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 0x01
		return enc(b)
	}
	return map[string]string{
		"first byte flipped":  flip(0),
		"middle byte flipped": flip(len(raw) / 2),
		"last byte flipped":   flip(len(raw) - 1),
		"truncated":           enc(raw[:len(raw)-1]),
		"extended":            enc(append(bytes.Clone(raw), 0)),
		"garbage":             enc([]byte("not a page token at all")),
	}
}

// Values returns every field value of the messages as the text a token
// might hold it in: strings as they are and in lower and upper case (sort
// keys are often lowered names), UUIDs also as their 16 bytes, numbers in
// decimal, enums by name, timestamps in RFC 3339 (with and without
// fractions), as their date alone and as Unix seconds, microseconds and
// nanoseconds, dates as YYYY-MM-DD. It walks nested messages, lists, maps
// and the messages packed in Any. The next_page_token of a response is
// not a value.
func Values(msgs ...proto.Message) []string {
	var out []string
	for _, m := range msgs {
		out = walk(m.ProtoReflect(), out)
	}
	return out
}

func walk(m protoreflect.Message, out []string) []string {
	if !m.IsValid() {
		return out
	}
	switch m.Descriptor().FullName() {
	case "google.protobuf.Timestamp":
		ts := m.Interface().(*timestamppb.Timestamp)
		return append(out, timeTexts(ts.AsTime())...)
	case "google.type.Date":
		f := m.Descriptor().Fields()
		y, mo, d := m.Get(f.ByName("year")).Int(), m.Get(f.ByName("month")).Int(), m.Get(f.ByName("day")).Int()
		return append(out, fmt.Sprintf("%04d-%02d-%02d", y, mo, d))
	case "google.protobuf.Any":
		if inner, err := anypb.UnmarshalNew(m.Interface().(*anypb.Any), proto.UnmarshalOptions{}); err == nil {
			return walk(inner.ProtoReflect(), out)
		}
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Name() == nextPageTokenField {
			return true
		}
		switch {
		case fd.IsList():
			l := v.List()
			for i := range l.Len() {
				out = value(fd, l.Get(i), out)
			}
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				out = value(fd.MapKey(), k.Value(), out)
				out = value(fd.MapValue(), mv, out)
				return true
			})
		default:
			out = value(fd, v, out)
		}
		return true
	})
	return out
}

// value appends the texts of one scalar or message value of field fd.
func value(fd protoreflect.FieldDescriptor, v protoreflect.Value, out []string) []string {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return walk(v.Message(), out)
	case protoreflect.StringKind:
		s := v.String()
		out = append(out, s, strings.ToLower(s), strings.ToUpper(s))
		if id, err := uuid.Parse(s); err == nil {
			out = append(out, string(id[:]))
		}
		return out
	case protoreflect.BytesKind:
		return append(out, string(v.Bytes()))
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			name := string(ev.Name())
			return append(out, name, strings.ToLower(name))
		}
		return out
	case protoreflect.BoolKind:
		return append(out, strconv.FormatBool(v.Bool()))
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return append(out, strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return append(out, strconv.FormatUint(v.Uint(), 10))
	default:
		return append(out, strconv.FormatInt(v.Int(), 10))
	}
}

// timeTexts are the spellings of a time a sort key may use.
func timeTexts(t time.Time) []string {
	t = t.UTC()
	return []string{
		t.Format(time.RFC3339Nano),
		t.Format(time.RFC3339),
		t.Format("2006-01-02T15:04:05.000000Z07:00"),
		t.Format(time.DateOnly),
		t.Format(time.TimeOnly),
		strconv.FormatInt(t.Unix(), 10),
		strconv.FormatInt(t.UnixMicro(), 10),
		strconv.FormatInt(t.UnixNano(), 10),
	}
}

// Sealer returns the page token sealer a service builds from ring, its
// ENCRYPTION_KEY, for tests that wire use cases by hand.
func Sealer(t testing.TB, ring *keyring.Keyring) *page.Sealer {
	t.Helper()
	s, err := page.NewSealer(ring)
	if err != nil {
		t.Fatalf("pagetest: %v", err)
	}
	return s
}
