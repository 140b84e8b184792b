package page_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/keyring/keyringtest"
	"github.com/ariesone/ariesone/platform/page"
)

// newSealer returns a Sealer on a fresh key ring.
func newSealer(t testing.TB) *page.Sealer {
	t.Helper()
	s, err := page.NewSealer(keyringtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sealerOf returns the Sealer of an ENCRYPTION_KEY value, as a service
// starting with it would build.
func sealerOf(t testing.TB, raw string) *page.Sealer {
	t.Helper()
	ring, err := keyring.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	s, err := page.NewSealer(ring)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// randomKey returns the base64 of a fresh 32-byte key.
func randomKey(t testing.TB) string {
	t.Helper()
	b := make([]byte, keyring.KeySize)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// rawToken decodes a token to its bytes.
func rawToken(t testing.TB, token string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatalf("token %q is not unpadded URL-safe base64: %v", token, err)
	}
	return b
}

func TestTokenRoundTrip(t *testing.T) {
	s := newSealer(t)
	tests := []struct {
		name  string
		after []string
		scope []string
	}{
		{name: "time and id", after: []string{"2026-03-01T10:00:00.123456Z", "0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f"}, scope: []string{"ListPatients", "", "lastName asc"}},
		{name: "single key, no scope", after: []string{"42"}},
		{name: "empty key value", after: []string{""}, scope: []string{"x"}},
		{name: "binary and unicode", after: []string{"\x00\xff", "Zoë", strings.Repeat("k", 500)}, scope: []string{"filter=\"a\""}},
		{name: "most keys", after: []string{"1", "2", "3", "4", "5", "6", "7", "8"}},
		{name: "largest keys", after: []string{strings.Repeat("a", page.MaxKeysSize/2), strings.Repeat("b", page.MaxKeysSize/2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := s.Seal(tt.after, tt.scope...)
			if err != nil {
				t.Fatalf("Seal: %v", err)
			}
			if strings.ContainsAny(token, "+/=") {
				t.Errorf("token %q is not URL-safe unpadded base64", token)
			}
			if len(token) > page.MaxTokenLen {
				t.Errorf("token of %d characters exceeds %d", len(token), page.MaxTokenLen)
			}
			got, err := s.Open(token, tt.scope...)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if diff := cmp.Diff(tt.after, got); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTokenIsOpaque: no sort key value, nor any part of the scope, appears
// in a token's bytes, and its length does not tell short names from longer
// ones.
func TestTokenIsOpaque(t *testing.T) {
	s := newSealer(t)
	after := []string{"okafor", "chiamaka", "0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f"}
	scope := []string{"ListPatients", "0195f3a2-0000-7b3a-9d1f-1a2b3c4d5e6f", "lastName = \"Okafor\""}
	token, err := s.Seal(after, scope...)
	if err != nil {
		t.Fatal(err)
	}
	raw := rawToken(t, token)
	for _, v := range append(append([]string{}, after...), scope...) {
		for _, enc := range []string{v, strings.ToUpper(v), base64.RawURLEncoding.EncodeToString([]byte(v))} {
			if bytes.Contains(raw, []byte(enc)) || strings.Contains(token, enc) {
				t.Errorf("token %q carries %q", token, enc)
			}
		}
	}
	again, err := s.Seal(after, scope...)
	if err != nil {
		t.Fatal(err)
	}
	if again == token {
		t.Error("two tokens of the same position are equal; the nonce is not fresh")
	}
	short, err := s.Seal([]string{"li", "an", after[2]}, scope...)
	if err != nil {
		t.Fatal(err)
	}
	if len(short) != len(token) {
		t.Errorf("token lengths %d and %d differ with name lengths; the payload is not padded", len(short), len(token))
	}
}

func TestOpenEmptyTokenIsFirstPage(t *testing.T) {
	got, err := newSealer(t).Open("", "ListPatients")
	if err != nil || got != nil {
		t.Errorf("Open(\"\") = %v, %v; want nil, nil", got, err)
	}
}

func TestOpenRejects(t *testing.T) {
	s := newSealer(t)
	scope := []string{"ListOrders", "tenant-1", "status = \"OPEN\""}
	valid, err := s.Seal([]string{"2026-03-01T10:00:00Z", "id-1"}, scope...)
	if err != nil {
		t.Fatal(err)
	}
	raw := rawToken(t, valid)
	reencode := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	withByte := func(i int, v byte) string {
		b := bytes.Clone(raw)
		b[i] = v
		return reencode(b)
	}
	foreign, err := newSealer(t).Seal([]string{"2026-03-01T10:00:00Z", "id-1"}, scope...)
	if err != nil {
		t.Fatal(err)
	}
	// The unsealed layout tokens had before: format 1, a scope checksum,
	// then the keys in clear.
	unsealed := append([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 1}, binary.BigEndian.AppendUint16(nil, 4)...)
	unsealed = append(unsealed, "id-1"...)

	tests := []struct {
		name  string
		token string
		scope []string
	}{
		{name: "different filter", token: valid, scope: []string{"ListOrders", "tenant-1", "status = \"CLOSED\""}},
		{name: "different tenant", token: valid, scope: []string{"ListOrders", "tenant-2", "status = \"OPEN\""}},
		{name: "different method", token: valid, scope: []string{"ListDeliveries", "tenant-1", "status = \"OPEN\""}},
		{name: "scope parts shifted", token: valid, scope: []string{"ListOrder", "stenant-1", "status = \"OPEN\""}},
		{name: "scope missing", token: valid},
		{name: "another key ring", token: foreign, scope: scope},
		{name: "unsealed format 1", token: reencode(unsealed), scope: scope},
		{name: "not base64", token: "!!!not-a-token!!!", scope: scope},
		{name: "padded base64", token: valid + "==", scope: scope},
		{name: "standard base64 alphabet", token: base64.RawStdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb, 0xff}, 40)), scope: scope},
		{name: "truncated by a byte", token: reencode(raw[:len(raw)-1]), scope: scope},
		{name: "truncated to the header", token: reencode(raw[:1+keyring.Overhead-1]), scope: scope},
		{name: "trailing byte", token: reencode(append(bytes.Clone(raw), 0)), scope: scope},
		{name: "format only", token: reencode(raw[:1]), scope: scope},
		{name: "unknown format", token: withByte(0, 9), scope: scope},
		{name: "unknown key version", token: withByte(4, 0x7f), scope: scope},
		{name: "tag altered", token: withByte(len(raw)-1, raw[len(raw)-1]^1), scope: scope},
		{name: "garbage of a token's length", token: reencode(bytes.Repeat([]byte{2}, len(raw))), scope: scope},
		{name: "far too long", token: strings.Repeat("A", 20000), scope: scope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := s.Open(tt.token, tt.scope...)
			if err == nil {
				t.Fatalf("Open = %q, nil; want an error", keys)
			}
			if diff := cmp.Diff([]string{page.TokenField}, invalidFields(t, err)); diff != "" {
				t.Errorf("invalid fields (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOpenRefusesEveryTamperedByte flips each bit of a token in turn:
// nothing in it may be altered without the token being refused.
func TestOpenRefusesEveryTamperedByte(t *testing.T) {
	s := newSealer(t)
	valid, err := s.Seal([]string{"okafor", "0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f"}, "ListPatients", "tenant")
	if err != nil {
		t.Fatal(err)
	}
	raw := rawToken(t, valid)
	for i := range raw {
		for bit := range 8 {
			b := bytes.Clone(raw)
			b[i] ^= 1 << bit
			keys, err := s.Open(base64.RawURLEncoding.EncodeToString(b), "ListPatients", "tenant")
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("byte %d bit %d flipped: Open = %q, %v; want an invalid pageToken", i, bit, keys, err)
			}
		}
	}
}

// TestTokensAcrossReplicasAndRotation: every replica started with the same
// ENCRYPTION_KEY opens the others' tokens; after a new version is added
// the old tokens still open, and once it is dropped they are refused as
// invalid, never as a server error.
func TestTokensAcrossReplicasAndRotation(t *testing.T) {
	index, v1, v2 := randomKey(t), randomKey(t), randomKey(t)
	before := "index:" + index + ",1:" + v1
	during := before + ",2:" + v2
	after := "index:" + index + ",2:" + v2
	scope := []string{"ListUnits", "tenant"}
	keys := []string{"SN-0001", "0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f"}

	old, err := sealerOf(t, before).Seal(keys, scope...)
	if err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string]string{"another replica": before, "a replica after adding version 2": during} {
		if got, err := sealerOf(t, raw).Open(old, scope...); err != nil || !cmp.Equal(got, keys) {
			t.Errorf("%s opens a version 1 token as %q, %v; want %q", name, got, err, keys)
		}
	}
	if _, err := sealerOf(t, after).Open(old, scope...); errs.KindOf(err) != errs.KindInvalid {
		t.Errorf("a ring without version 1 on a version 1 token: %v; want an invalid pageToken", err)
	}
	newer, err := sealerOf(t, during).Seal(keys, scope...)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := sealerOf(t, after).Open(newer, scope...); err != nil || !cmp.Equal(got, keys) {
		t.Errorf("a ring of version 2 opens a version 2 token as %q, %v", got, err)
	}
}

func TestSealRejectsOversizedKeys(t *testing.T) {
	s := newSealer(t)
	tests := []struct {
		name  string
		after []string
	}{
		{name: "no keys", after: nil},
		{name: "too many keys", after: make([]string, page.MaxKeys+1)},
		{name: "key too long", after: []string{strings.Repeat("k", page.MaxKeysSize+1)}},
		{name: "keys too long together", after: []string{strings.Repeat("k", page.MaxKeysSize/2+1), strings.Repeat("k", page.MaxKeysSize/2)}},
	}
	for _, tt := range tests {
		if token, err := s.Seal(tt.after); err == nil {
			t.Errorf("%s: Seal = %q, nil; want an error", tt.name, token)
		}
	}
}

// TestLargestTokenFitsTheRequestCap: the most and longest keys a token may
// carry still make a token the List requests accept.
func TestLargestTokenFitsTheRequestCap(t *testing.T) {
	after := make([]string, page.MaxKeys)
	for i := range after {
		after[i] = strings.Repeat("k", page.MaxKeysSize/page.MaxKeys)
	}
	token, err := newSealer(t).Seal(after, "scope")
	if err != nil {
		t.Fatal(err)
	}
	if len(token) > page.MaxTokenLen {
		t.Errorf("largest token is %d characters; the requests accept %d", len(token), page.MaxTokenLen)
	}
}

// TestNilSealerIsAWiringError: a service built without a Sealer fails its
// listings as a server error, not as the client's bad token.
func TestNilSealerIsAWiringError(t *testing.T) {
	var s *page.Sealer
	if _, err := s.Seal([]string{"k"}); err == nil || errs.KindOf(err) == errs.KindInvalid {
		t.Errorf("nil Seal error = %v; want a non-invalid error", err)
	}
	for _, token := range []string{"", "AQ"} {
		if _, err := s.Open(token); err == nil || errs.KindOf(err) == errs.KindInvalid {
			t.Errorf("nil Open(%q) error = %v; want a non-invalid error", token, err)
		}
	}
	if _, err := page.NewSealer(nil); err == nil {
		t.Error("NewSealer(nil) succeeded")
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
