package page_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/page"
)

func TestTokenRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		after []string
		scope []string
	}{
		{name: "time and id", after: []string{"2026-03-01T10:00:00.123456Z", "0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f"}, scope: []string{"ListPatients", "", "lastName asc"}},
		{name: "single key, no scope", after: []string{"42"}},
		{name: "empty key value", after: []string{""}, scope: []string{"x"}},
		{name: "binary and unicode", after: []string{"\x00\xff", "Zoë", strings.Repeat("k", page.MaxKeyLen)}, scope: []string{"filter=\"a\""}},
		{name: "most keys", after: []string{"1", "2", "3", "4", "5", "6", "7", "8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := page.Encode(tt.after, tt.scope...)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if strings.ContainsAny(token, "+/=") {
				t.Errorf("token %q is not URL-safe unpadded base64", token)
			}
			got, err := page.Decode(token, tt.scope...)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tt.after, got); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeEmptyTokenIsFirstPage(t *testing.T) {
	got, err := page.Decode("", "ListPatients")
	if err != nil || got != nil {
		t.Errorf("Decode(\"\") = %v, %v; want nil, nil", got, err)
	}
}

func TestDecodeRejects(t *testing.T) {
	valid, err := page.Encode([]string{"2026-03-01T10:00:00Z", "id-1"}, "ListOrders", "status = \"OPEN\"")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(valid)
	if err != nil {
		t.Fatal(err)
	}
	reencode := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	withByte := func(i int, v byte) string {
		b := append([]byte(nil), raw...)
		b[i] = v
		return reencode(b)
	}

	tests := []struct {
		name  string
		token string
		scope []string
	}{
		{name: "different filter", token: valid, scope: []string{"ListOrders", "status = \"CLOSED\""}},
		{name: "different method", token: valid, scope: []string{"ListDeliveries", "status = \"OPEN\""}},
		{name: "scope parts shifted", token: valid, scope: []string{"ListOrder", "sstatus = \"OPEN\""}},
		{name: "scope missing", token: valid},
		{name: "not base64", token: "!!!not-a-token!!!", scope: []string{"ListOrders", "status = \"OPEN\""}},
		{name: "padded base64", token: valid + "==", scope: []string{"ListOrders", "status = \"OPEN\""}},
		{name: "standard base64 alphabet", token: base64.RawStdEncoding.EncodeToString([]byte{0xfb, 0xff}), scope: nil},
		{name: "truncated", token: reencode(raw[:len(raw)-1]), scope: []string{"ListOrders", "status = \"OPEN\""}},
		{name: "trailing bytes", token: reencode(append(append([]byte(nil), raw...), 'x')), scope: []string{"ListOrders", "status = \"OPEN\""}},
		{name: "header only", token: reencode(raw[:5]), scope: []string{"ListOrders", "status = \"OPEN\""}},
		{name: "unknown format", token: withByte(0, 9), scope: []string{"ListOrders", "status = \"OPEN\""}},
		{name: "zero keys", token: withByte(9, 0), scope: []string{"ListOrders", "status = \"OPEN\""}},
		{name: "too many keys", token: withByte(9, page.MaxKeys+1), scope: []string{"ListOrders", "status = \"OPEN\""}},
		{name: "key length past end", token: withByte(10, 0xff), scope: []string{"ListOrders", "status = \"OPEN\""}},
		{name: "far too long", token: strings.Repeat("A", 20000), scope: []string{"ListOrders", "status = \"OPEN\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := page.Decode(tt.token, tt.scope...)
			if err == nil {
				t.Fatalf("Decode = %q, nil; want an error", keys)
			}
			if diff := cmp.Diff([]string{page.TokenField}, invalidFields(t, err)); diff != "" {
				t.Errorf("invalid fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEncodeRejectsOversizedKeys(t *testing.T) {
	tests := []struct {
		name  string
		after []string
	}{
		{name: "no keys", after: nil},
		{name: "too many keys", after: make([]string, page.MaxKeys+1)},
		{name: "key too long", after: []string{strings.Repeat("k", page.MaxKeyLen+1)}},
	}
	for _, tt := range tests {
		if token, err := page.Encode(tt.after); err == nil {
			t.Errorf("%s: Encode = %q, nil; want an error", tt.name, token)
		}
	}
}

func TestInvalidToken(t *testing.T) {
	err := page.InvalidToken("create time does not parse")
	if errs.KindOf(err) != errs.KindInvalid {
		t.Fatalf("kind = %v, want invalid", errs.KindOf(err))
	}
	if diff := cmp.Diff([]string{page.TokenField}, invalidFields(t, err)); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

// FuzzDecode checks that no input makes Decode panic, that every rejection
// is an invalid pageToken, and that whatever it accepts is exactly what
// Encode produces for those keys (one spelling per token).
func FuzzDecode(f *testing.F) {
	seed, _ := page.Encode([]string{"2026-03-01T10:00:00Z", "id-1"}, "scope")
	for _, s := range []string{seed, "", "AQ", "AQAAAAAAAAAAAQAA", "====", strings.Repeat("_", 64), seed[:len(seed)-1]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		keys, err := page.Decode(token, "scope")
		if err != nil {
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("Decode(%q) kind = %v, want invalid", token, errs.KindOf(err))
			}
			return
		}
		if token == "" {
			return
		}
		again, err := page.Encode(keys, "scope")
		if err != nil {
			t.Fatalf("Decode(%q) = %q, which Encode rejects: %v", token, keys, err)
		}
		if again != token {
			t.Fatalf("Decode(%q) = %q, which encodes as %q", token, keys, again)
		}
	})
}
