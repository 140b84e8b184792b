package keyring_test

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/keyring"
)

// testKey returns a deterministic, valid base64 key derived from name, so
// tests can build rings whose keys they know.
func testKey(name string) string {
	sum := sha256.Sum256([]byte(name))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// mustParse builds a ring or stops the test.
func mustParse(t testing.TB, s string) *keyring.Keyring {
	t.Helper()
	k, err := keyring.Parse(s)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return k
}

var (
	indexKey = testKey("index")
	key1     = testKey("v1")
	key2     = testKey("v2")
	key3     = testKey("v3")
)

func TestParse(t *testing.T) {
	short := base64.StdEncoding.EncodeToString([]byte("sixteen byte key"))
	long := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 48)))
	zeros := base64.StdEncoding.EncodeToString(make([]byte, 32))
	unpadded := strings.TrimRight(key1, "=")
	urlSafe := base64.URLEncoding.EncodeToString([]byte(strings.Repeat("\xfb\xff", 16)))
	tests := []struct {
		name        string
		in          string
		wantPrimary int
		wantErr     string // substring of the error; "" means success
	}{
		{name: "index and one version", in: "index:" + indexKey + ",1:" + key1, wantPrimary: 1},
		{name: "highest version is primary whatever the order", in: "3:" + key3 + ",index:" + indexKey + ",1:" + key1, wantPrimary: 3},
		{name: "versions need not be contiguous", in: "index:" + indexKey + ",1:" + key1 + ",7:" + key2, wantPrimary: 7},
		{name: "whitespace around entries and colon", in: "  index : " + indexKey + " ,\n\t1:" + key1 + "\t, 2 :" + key2 + "  ", wantPrimary: 2},
		{name: "largest version", in: "index:" + indexKey + ",2147483647:" + key1, wantPrimary: keyring.MaxVersion},

		{name: "empty", in: "", wantErr: "is empty"},
		{name: "only whitespace", in: " \n\t", wantErr: "is empty"},
		{name: "missing index", in: "1:" + key1 + ",2:" + key2, wantErr: "no index entry"},
		{name: "index only", in: "index:" + indexKey, wantErr: "no encryption key version"},
		{name: "two index entries", in: "index:" + indexKey + ",1:" + key1 + ",index:" + key2, wantErr: "entry 3 repeats the index key of entry 1"},
		{name: "duplicate version", in: "index:" + indexKey + ",1:" + key1 + ",1:" + key2, wantErr: "entry 3 repeats version 1"},
		{name: "duplicate version via whitespace", in: "index:" + indexKey + ",2:" + key1 + ", 2 :" + key2, wantErr: "entry 3 repeats version 2"},
		{name: "version zero", in: "index:" + indexKey + ",0:" + key1, wantErr: "entry 2: version must be a positive integer"},
		{name: "leading zero", in: "index:" + indexKey + ",01:" + key1, wantErr: "entry 2: version must be a positive integer without leading zeros"},
		{name: "negative version", in: "index:" + indexKey + ",-1:" + key1, wantErr: "entry 2: label is neither"},
		{name: "plus sign", in: "index:" + indexKey + ",+1:" + key1, wantErr: "entry 2: label is neither"},
		{name: "non-number version", in: "index:" + indexKey + ",v1:" + key1, wantErr: "entry 2: label is neither"},
		{name: "version too large", in: "index:" + indexKey + ",2147483648:" + key1, wantErr: "entry 2: version is larger than 2147483647"},
		{name: "version overflows uint64", in: "index:" + indexKey + ",99999999999999999999999:" + key1, wantErr: "entry 2: version is larger"},
		{name: "empty label", in: "index:" + indexKey + ",:" + key1, wantErr: "entry 2: label is empty"},
		{name: "no colon", in: "index:" + indexKey + "," + key1, wantErr: "entry 2 has no ':'"},
		{name: "empty entry", in: "index:" + indexKey + ",,1:" + key1, wantErr: "entry 2 is empty"},
		{name: "trailing comma", in: "index:" + indexKey + ",1:" + key1 + ",", wantErr: "entry 3 is empty"},
		{name: "empty key", in: "index:" + indexKey + ",1:", wantErr: "entry 2 (version 1): key is empty"},
		{name: "key not base64", in: "index:" + indexKey + ",1:" + "not!base64$" + key1[11:], wantErr: "entry 2 (version 1): key is not valid standard base64"},
		{name: "key without padding", in: "index:" + indexKey + ",1:" + unpadded, wantErr: "entry 2 (version 1): key is not valid standard base64"},
		{name: "key in URL-safe alphabet", in: "index:" + indexKey + ",1:" + urlSafe, wantErr: "entry 2 (version 1): key is not valid standard base64"},
		{name: "index key not base64", in: "index:%%%%" + indexKey[4:] + ",1:" + key1, wantErr: "entry 1 (index): key is not valid"},
		{name: "key too short", in: "index:" + indexKey + ",1:" + short, wantErr: "entry 2 (version 1): key decodes to 16 bytes; want 32"},
		{name: "key too long", in: "index:" + indexKey + ",1:" + long, wantErr: "entry 2 (version 1): key decodes to 48 bytes; want 32"},
		{name: "placeholder key", in: "index:" + indexKey + ",1:" + zeros, wantErr: "entry 2 (version 1): key is one byte repeated"},
		{name: "index key reused as encryption key", in: "index:" + key1 + ",1:" + key1, wantErr: "entry 2 (version 1) has the same key as entry 1"},
		{name: "two versions share a key", in: "index:" + indexKey + ",1:" + key1 + ",2:" + key1, wantErr: "entry 3 (version 2) has the same key as entry 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := keyring.Parse(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if got := k.PrimaryVersion(); got != tt.wantPrimary {
					t.Errorf("PrimaryVersion() = %d, want %d", got, tt.wantPrimary)
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse succeeded, want error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse error = %q, want it to contain %q", err, tt.wantErr)
			}
			assertNoKeyMaterial(t, err.Error(), tt.in, 6)
		})
	}
}

// assertNoKeyMaterial fails if msg quotes any key-like part of an
// ENCRYPTION_KEY value: a label, key or entry of minLen characters or more.
// Shorter fragments such as "index" legitimately appear in messages, and so
// do numbers of up to ten digits (positions, versions, byte counts), which
// are never key material: a key is 44 base64 characters.
func assertNoKeyMaterial(t *testing.T, msg, in string, minLen int) {
	t.Helper()
	for _, entry := range strings.Split(in, ",") {
		label, key, _ := strings.Cut(entry, ":")
		for _, part := range []string{strings.TrimSpace(label), strings.TrimSpace(key), strings.TrimSpace(entry)} {
			if len(part) <= 10 && strings.Trim(part, "0123456789") == "" {
				continue
			}
			if len(part) >= minLen && strings.Contains(msg, part) {
				t.Errorf("error %q quotes input material %q", msg, part)
			}
		}
	}
}

func TestParseVersions(t *testing.T) {
	k := mustParse(t, "2:"+key2+",index:"+indexKey+",10:"+key3+",1:"+key1)
	if diff := cmp.Diff([]int{1, 2, 10}, k.Versions()); diff != "" {
		t.Errorf("Versions() mismatch (-want +got):\n%s", diff)
	}
}

func TestGenerate(t *testing.T) {
	s, err := keyring.Generate()
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	k := mustParse(t, s)
	if got := k.PrimaryVersion(); got != 1 {
		t.Errorf("PrimaryVersion() = %d, want 1", got)
	}
	other, err := keyring.Generate()
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if s == other {
		t.Error("two Generate calls returned the same key ring")
	}
}

func TestKeyringStringHidesKeys(t *testing.T) {
	in := "index:" + indexKey + ",1:" + key1 + ",2:" + key2
	k := mustParse(t, in)
	want := "keyring(primary=2 versions=[1 2] index=true)"
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{k, *k} {
			got := fmt.Sprintf(format, v)
			if got != want {
				t.Errorf("Sprintf(%q, %T) = %q, want %q", format, v, got, want)
			}
		}
	}
}
