package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
	"github.com/ariesone/ariesone/services/clinical/internal/store"
)

// rotationKeys are the ENCRYPTION_KEY values of one rotation, all with
// one index key: v1 alone, v1 and v2 (v2 primary), v2 alone.
type rotationKeys struct{ before, during, after string }

func newRotationKeys(t *testing.T) rotationKeys {
	t.Helper()
	key := func() string {
		b := make([]byte, keyring.KeySize)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(b)
	}
	index, k1, k2 := key(), key(), key()
	return rotationKeys{
		before: "index:" + index + ",1:" + k1,
		during: "index:" + index + ",1:" + k1 + ",2:" + k2,
		after:  "index:" + index + ",2:" + k2,
	}
}

func ring(t *testing.T, raw string) *keyring.Keyring {
	t.Helper()
	r, err := keyring.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// commandEnv is the environment `clinical reencrypt` runs with against
// db: its runtime and owner logins, and the given variables.
func commandEnv(db pgtest.Schema, vars map[string]string) func(string) (string, bool) {
	all := map[string]string{"DATABASE_URL": db.AppURL, "DB_MIGRATE_URL": db.OwnerURL}
	for k, v := range vars {
		all[k] = v
	}
	return func(name string) (string, bool) { v, ok := all[name]; return v, ok }
}

const (
	testMBI = "1EG4TE5MK73"
	testSSN = "123-45-6789"
)

// patientUnder registers a patient with an MBI and SSN, sealed under
// ring raw, and returns a caller of its company and its id.
func patientUnder(t *testing.T, db pgtest.Schema, raw string) (context.Context, string) {
	t.Helper()
	company := uuid.NewString()
	ctx := identity.NewContext(context.Background(), identity.Principal{Subject: uuid.NewString(), CompanyID: company})
	now := time.Now().UTC().Truncate(time.Microsecond)
	p, err := domain.NewPatient(uuid.NewString(), company, domain.PatientValues{
		FirstName: "Ada", LastName: "Lovelace", BirthDate: civil.Date{Year: 1950, Month: time.March, Day: 4}, Sex: domain.SexFemale,
		HomeAddress: contact.Address{Line1: "1 Main St", City: "Atlanta", State: "GA", PostalCode: "30303"},
		MBI:         testMBI, SSN: testSSN, BranchID: uuid.NewString(),
	}, civil.Of(now), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.New(db.App, ring(t, raw)).CreatePatient(ctx, p, false, "", nil); err != nil {
		t.Fatal(err)
	}
	return ctx, p.ID
}

// countLine matches the command's line for one column.
func countLine(column string, sealed, moved, failed int) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(column) + `\s+` + strconv.Itoa(sealed) + ` sealed\s+` + strconv.Itoa(moved) + ` moved\s+` + strconv.Itoa(failed) + ` failed$`)
}

func TestReencryptCommandMovesEveryValueOnce(t *testing.T) {
	t.Parallel()
	db, _, _ := clinicaltest.NewStore(t)
	keys := newRotationKeys(t)
	ctx, id := patientUnder(t, db, keys.before)
	env := commandEnv(db, map[string]string{"ENCRYPTION_KEY": keys.during})

	var out, logs bytes.Buffer
	if err := run(context.Background(), []string{"reencrypt", "-batch", "1"}, env, &out, &logs); err != nil {
		t.Fatalf("first run: %v\n%s", err, out.String())
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^re-sealing PHI under key version 2 \(the ring holds versions \[1 2\]\)$`),
		countLine("patients.mbi_ciphertext", 1, 1, 0),
		countLine("patients.medicaid_id_ciphertext", 0, 0, 0),
		countLine("patients.ssn_ciphertext", 1, 1, 0),
		countLine("coverages.member_id_ciphertext", 0, 0, 0),
		regexp.MustCompile(`(?m)^moved 2 value\(s\) in 1 tenant\(s\)$`),
	} {
		if !want.MatchString(out.String()) {
			t.Errorf("first run's output lacks %s:\n%s", want, out.String())
		}
	}

	out.Reset()
	if err := run(context.Background(), []string{"reencrypt"}, env, &out, &logs); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if !strings.Contains(out.String(), "moved 0 value(s) in 1 tenant(s)") || !countLine("patients.mbi_ciphertext", 1, 0, 0).MatchString(out.String()) {
		t.Errorf("second run's output:\n%s", out.String())
	}

	// Version 1 can go: a ring of version 2 alone reads the patient.
	got, err := store.New(db.App, ring(t, keys.after)).GetPatient(ctx, id)
	if err != nil {
		t.Fatalf("GetPatient without version 1: %v", err)
	}
	if got.MBI.Reveal() != testMBI || got.SSN.Reveal() != "123456789" {
		t.Error("the patient's PHI changed through the re-seal")
	}
	for _, secret := range []string{testMBI, "123456789", testSSN, keys.during[6:50]} {
		if strings.Contains(out.String()+logs.String(), secret) {
			t.Errorf("the output or logs hold a secret (%d characters)", len(secret))
		}
	}
}

// TestReencryptCommandFailsOnValuesItCannotOpen runs the command with a
// ring that lacks the version the rows are under, as if the old version
// were dropped before re-encrypting: it must fail (non-zero exit), and say
// how many values and which row.
func TestReencryptCommandFailsOnValuesItCannotOpen(t *testing.T) {
	t.Parallel()
	db, _, _ := clinicaltest.NewStore(t)
	keys := newRotationKeys(t)
	_, id := patientUnder(t, db, keys.before)
	var out, logs bytes.Buffer
	err := run(context.Background(), []string{"reencrypt"}, commandEnv(db, map[string]string{"ENCRYPTION_KEY": keys.after}), &out, &logs)
	if !errors.Is(err, keyring.ErrUnknownKeyVersion) {
		t.Fatalf("run = %v, want an unknown key version", err)
	}
	if !strings.Contains(err.Error(), id) {
		t.Errorf("error %q does not name the row", err)
	}
	if !countLine("patients.mbi_ciphertext", 1, 0, 1).MatchString(out.String()) || !strings.Contains(out.String(), "moved 0 value(s)") {
		t.Errorf("output:\n%s", out.String())
	}
	if strings.Contains(err.Error()+out.String()+logs.String(), testMBI) {
		t.Error("the MBI reached the error, the output or the logs")
	}
}

// TestReencryptCommandRefusesBadInput covers what stops the command before
// it touches a row: flags, arguments, and a missing or malformed key ring.
// None of it needs the database, which is not reachable at this URL.
func TestReencryptCommandRefusesBadInput(t *testing.T) {
	t.Parallel()
	valid, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	unreachable := "postgres://nobody@127.0.0.1:1/none?sslmode=disable"
	malformed := "index:c2VjcmV0LXNlY3JldA==,1:c2VjcmV0LXNlY3JldC1zZWNyZXQ="
	tests := []struct {
		name string
		args []string
		key  *string
		want string
	}{
		{name: "no key", args: []string{"reencrypt"}, want: "ENCRYPTION_KEY"},
		{name: "malformed key", args: []string{"reencrypt"}, key: &malformed, want: "ENCRYPTION_KEY"},
		{name: "zero batch", args: []string{"reencrypt", "-batch", "0"}, key: &valid, want: "-batch"},
		{name: "unknown flag", args: []string{"reencrypt", "-fast"}, key: &valid, want: "-fast"},
		{name: "extra argument", args: []string{"reencrypt", "now"}, key: &valid, want: `"now"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			vars := map[string]string{"DATABASE_URL": unreachable}
			if tt.key != nil {
				vars["ENCRYPTION_KEY"] = *tt.key
			}
			env := func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
			var out, logs bytes.Buffer
			err := run(context.Background(), tt.args, env, &out, &logs)
			if err == nil {
				t.Fatal("run succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name %s", err, tt.want)
			}
			if strings.Contains(err.Error(), "c2VjcmV0") || strings.Contains(err.Error(), valid) {
				t.Errorf("error %q shows key material", err)
			}
			if strings.Contains(out.String(), "re-sealing") {
				t.Error("the command started re-sealing")
			}
		})
	}
}
