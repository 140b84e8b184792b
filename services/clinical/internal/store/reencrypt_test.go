package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
	"github.com/ariesone/ariesone/services/clinical/internal/store"
)

// rotation holds the rings of one key rotation: v1 alone, then v1 and v2
// with v2 primary, then v2 alone; all share one index key, which never
// rotates.
type rotation struct {
	before, during, after *keyring.Keyring
}

func newRotation(t *testing.T) rotation {
	t.Helper()
	index, k1, k2 := randomKey(t), randomKey(t), randomKey(t)
	return rotation{
		before: parseRing(t, "index:"+index+",1:"+k1),
		during: parseRing(t, "index:"+index+",1:"+k1+",2:"+k2),
		after:  parseRing(t, "index:"+index+",2:"+k2),
	}
}

func randomKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, keyring.KeySize)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func parseRing(t *testing.T, raw string) *keyring.Keyring {
	t.Helper()
	ring, err := keyring.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return ring
}

// phiPatient is the PHI a test patient is created with.
type phiPatient struct {
	mbi, medicaidID, ssn string
}

// createPHIPatient registers a patient with phi through s, in the caller's
// company.
func createPHIPatient(t *testing.T, ctx context.Context, s *store.Store, company, lastName string, phi phiPatient) *domain.Patient {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	p, err := domain.NewPatient(uuid.NewString(), company, domain.PatientValues{
		FirstName: "Ada", LastName: lastName, BirthDate: civil.Date{Year: 1950, Month: time.March, Day: 4}, Sex: domain.SexFemale,
		HomeAddress: contact.Address{Line1: "1 Main St", City: "Atlanta", State: "GA", PostalCode: "30303"},
		MBI:         phi.mbi, MedicaidID: phi.medicaidID, SSN: phi.ssn, BranchID: uuid.NewString(),
	}, civil.Of(now), now)
	if err != nil {
		t.Fatal(err)
	}
	created, _, err := s.CreatePatient(ctx, p, true, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return created
}

// createCoverage gives patient a primary coverage with memberID under a
// new payer and plan, through s.
func createCoverage(t *testing.T, ctx context.Context, s *store.Store, patient *domain.Patient, memberID string) *domain.Coverage {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	payer, err := domain.NewPayer(uuid.NewString(), patient.CompanyID, domain.PayerValues{
		Name: "Medicare Jurisdiction C", PayerCode: "MCR" + strings.ToUpper(uuid.NewString()[:8]), Type: domain.PayerMedicare,
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreatePayer(ctx, payer, "", nil); err != nil {
		t.Fatal(err)
	}
	plan, err := domain.NewPlan(uuid.NewString(), payer, domain.PlanValues{Name: "Part B"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreatePlan(ctx, plan, "", nil); err != nil {
		t.Fatal(err)
	}
	c, err := domain.NewCoverage(uuid.NewString(), patient.CompanyID, patient.ID, domain.CoverageValues{
		PlanID: plan.ID, MemberID: memberID, Rank: domain.PrimaryRank, Relationship: domain.RelationshipSelf,
		EffectiveDate: civil.Date{Year: 2024, Month: time.January, Day: 1},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	c.PayerID = payer.ID
	created, _, err := s.CreateCoverage(ctx, c, "", nil, func() error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return created
}

// sealedRow is a row's sealed columns and what a re-seal must leave alone,
// as stored.
type sealedRow struct {
	table, id  string
	sealed     map[string][]byte
	version    int64
	updateTime time.Time
}

// readSealed reads every sealed value of the schema behind row-level
// security's back.
func readSealed(t *testing.T, db pgtest.Schema) map[string]sealedRow {
	t.Helper()
	ctx := context.Background()
	out := map[string]sealedRow{}
	for _, q := range []struct {
		table   string
		columns []string
	}{
		{"patients", []string{"mbi_ciphertext", "medicaid_id_ciphertext", "ssn_ciphertext"}},
		{"coverages", []string{"member_id_ciphertext"}},
	} {
		rows, err := db.Super.Query(ctx, `select id::text, version, update_time, `+strings.Join(q.columns, ", ")+` from clinical.`+q.table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			r := sealedRow{table: q.table, sealed: map[string][]byte{}}
			values := make([][]byte, len(q.columns))
			targets := []any{&r.id, &r.version, &r.updateTime}
			for i := range values {
				targets = append(targets, &values[i])
			}
			if err := rows.Scan(targets...); err != nil {
				t.Fatal(err)
			}
			for i, c := range q.columns {
				if values[i] != nil {
					r.sealed[c] = values[i]
				}
			}
			out[r.id] = r
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// sealedVersion is the key version in a ciphertext's header (bytes 1-4).
func sealedVersion(t *testing.T, ciphertext []byte) uint32 {
	t.Helper()
	if len(ciphertext) < keyring.Overhead || ciphertext[0] != 1 {
		t.Fatalf("not a ciphertext: %d bytes", len(ciphertext))
	}
	return binary.BigEndian.Uint32(ciphertext[1:5])
}

func counts(columns ...store.ReencryptCount) []store.ReencryptCount { return columns }

// TestKeyRotation is the rotation's acceptance: rows written under key 1
// stay readable once key 2 is primary, the job moves each of them to key
// 2 (and nothing the second time), and a ring without key 1 then reads
// every row and still finds a patient by MBI.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	db, _, _ := clinicaltest.NewStore(t)
	keys := newRotation(t)
	before, during, after := store.New(db.App, keys.before), store.New(db.App, keys.during), store.New(db.App, keys.after)
	ctxA, companyA := tenantContext()
	ctxB, companyB := tenantContext()

	// Company A: three patients (two batches of two), one without a
	// Medicaid id or SSN; company B: one. Each A patient has a coverage,
	// one of them deleted (its member id is kept, so it must move too).
	phiA := []phiPatient{
		{mbi: "1EG4TE5MK73", medicaidID: "AB12345", ssn: "123-45-6789"},
		{mbi: "2FH5UF6NJ84"},
		{mbi: "3GJ6VG7PK95", medicaidID: "CD67890", ssn: "234-56-7890"},
	}
	var patients []*domain.Patient
	var coverages []*domain.Coverage
	for i, phi := range phiA {
		p := createPHIPatient(t, ctxA, before, companyA, fmt.Sprintf("Lovelace%d", i), phi)
		patients = append(patients, p)
		coverages = append(coverages, createCoverage(t, ctxA, before, p, fmt.Sprintf("XQZ12345%d", i)))
	}
	deleted, err := before.UpdateCoverage(ctxA, patients[1].ID, coverages[1].ID, func(c *domain.Coverage) error {
		return c.Delete(time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	coverages[1] = deleted
	patientB := createPHIPatient(t, ctxB, before, companyB, "Hopper", phiPatient{mbi: "1EG4TE5MK73", ssn: "345-67-8901"})
	ctxOf := func(p *domain.Patient) context.Context {
		if p.CompanyID == companyB {
			return ctxB
		}
		return ctxA
	}
	patients = append(patients, patientB)

	// readsEverything checks that s opens every row as it was created.
	readsEverything := func(t *testing.T, s *store.Store) {
		t.Helper()
		for _, want := range patients {
			got, err := s.GetPatient(ctxOf(want), want.ID)
			if err != nil {
				t.Fatalf("GetPatient: %v", err)
			}
			if got.MBI != want.MBI || got.MedicaidID != want.MedicaidID || got.SSN != want.SSN {
				t.Errorf("patient %s opens with other PHI than it was created with", want.ID)
			}
		}
		for _, want := range coverages {
			got, err := s.GetCoverage(ctxA, want.PatientID, want.ID)
			if err != nil {
				t.Fatalf("GetCoverage: %v", err)
			}
			if got.MemberID != want.MemberID {
				t.Errorf("coverage %s opens with another member id", want.ID)
			}
		}
	}

	// Before the job: key 2 is primary, key 1 still opens the old rows;
	// a ring without key 1 cannot.
	readsEverything(t, during)
	if _, err := after.GetPatient(ctxA, patients[0].ID); !errors.Is(err, keyring.ErrUnknownKeyVersion) {
		t.Fatalf("a ring without key 1 read a row sealed under it before the job: %v", err)
	}
	stored := readSealed(t, db)
	for _, r := range stored {
		for column, c := range r.sealed {
			if v := sealedVersion(t, c); v != 1 {
				t.Fatalf("%s.%s of %s sealed under version %d before the job, want 1", r.table, column, r.id, v)
			}
		}
	}

	report, err := during.ReencryptPHI(context.Background(), 2)
	if err != nil {
		t.Fatalf("ReencryptPHI: %v", err)
	}
	want := store.ReencryptReport{PrimaryVersion: 2, Tenants: 2, Columns: counts(
		store.ReencryptCount{Column: "patients.mbi_ciphertext", Sealed: 4, Moved: 4},
		store.ReencryptCount{Column: "patients.medicaid_id_ciphertext", Sealed: 2, Moved: 2},
		store.ReencryptCount{Column: "patients.ssn_ciphertext", Sealed: 3, Moved: 3},
		store.ReencryptCount{Column: "coverages.member_id_ciphertext", Sealed: 3, Moved: 3},
	)}
	if diff := cmp.Diff(want, report); diff != "" {
		t.Errorf("first run (-want +got):\n%s", diff)
	}
	if report.Moved() != 12 {
		t.Errorf("Moved() = %d, want 12", report.Moved())
	}

	// Every value is now under version 2, new ciphertext, and nothing else
	// of its row changed.
	resealed := readSealed(t, db)
	if len(resealed) != len(stored) {
		t.Fatalf("%d sealed rows after the job, %d before", len(resealed), len(stored))
	}
	for id, was := range stored {
		now := resealed[id]
		if now.version != was.version || !now.updateTime.Equal(was.updateTime) {
			t.Errorf("%s %s: version %d→%d, update_time %v→%v; a re-seal must change neither",
				was.table, id, was.version, now.version, was.updateTime, now.updateTime)
		}
		if len(now.sealed) != len(was.sealed) {
			t.Errorf("%s %s: %d sealed values after, %d before", was.table, id, len(now.sealed), len(was.sealed))
		}
		for column, c := range now.sealed {
			if v := sealedVersion(t, c); v != 2 {
				t.Errorf("%s.%s of %s under version %d after the job, want 2", was.table, column, id, v)
			}
			if bytes.Equal(c, was.sealed[column]) {
				t.Errorf("%s.%s of %s unchanged", was.table, column, id)
			}
		}
	}

	// A second run finds nothing to move and writes nothing.
	again, err := during.ReencryptPHI(context.Background(), 0)
	if err != nil {
		t.Fatalf("second ReencryptPHI: %v", err)
	}
	for i := range want.Columns {
		want.Columns[i].Moved = 0
	}
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("second run (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(resealed, readSealed(t, db), cmp.AllowUnexported(sealedRow{})); diff != "" {
		t.Errorf("the second run changed rows (-before +after):\n%s", diff)
	}

	// Key 1 removed: everything still opens, and the MBI's blind index,
	// whose key never rotates, still finds each patient.
	readsEverything(t, after)
	for _, p := range []*domain.Patient{patients[0], patientB} {
		found, err := after.FindPatients(ctxOf(p), app.PatientQuery{MBI: p.MBI.Reveal(), ShowInactive: true, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 1 || found[0].ID != p.ID {
			t.Errorf("MBI search after the rotation found %d patients, want %s", len(found), p.ID)
		}
	}
	current, err := after.PatientCoverages(ctxA, patients[0].ID)
	if err != nil || len(current) != 1 || current[0].MemberID != coverages[0].MemberID {
		t.Errorf("PatientCoverages after the rotation: %d coverages, %v", len(current), err)
	}
}

// TestReencryptReportsValuesItCannotOpen runs the job with a ring that
// has lost the version the rows were sealed under: it moves nothing,
// counts every such value as failed, and returns an error that says which
// row and column without any value.
func TestReencryptReportsValuesItCannotOpen(t *testing.T) {
	t.Parallel()
	db, _, _ := clinicaltest.NewStore(t)
	keys := newRotation(t)
	before := store.New(db.App, keys.before)
	ctx, company := tenantContext()
	const mbi, ssn = "1EG4TE5MK73", "123-45-6789"
	p := createPHIPatient(t, ctx, before, company, "Lovelace", phiPatient{mbi: mbi, ssn: ssn})
	stored := readSealed(t, db)

	report, err := store.New(db.App, keys.after).ReencryptPHI(context.Background(), 0)
	if !errors.Is(err, keyring.ErrUnknownKeyVersion) {
		t.Fatalf("ReencryptPHI without the rows' key = %v, want ErrUnknownKeyVersion", err)
	}
	for _, part := range []string{p.ID, "patients.mbi_ciphertext", "2 sealed value(s)"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not say %q", err, part)
		}
	}
	for _, secret := range []string{mbi, ssn, "123456789", "Lovelace"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q holds PHI", err)
		}
	}
	want := store.ReencryptReport{PrimaryVersion: 2, Tenants: 1, Columns: counts(
		store.ReencryptCount{Column: "patients.mbi_ciphertext", Sealed: 1, Failed: 1},
		store.ReencryptCount{Column: "patients.medicaid_id_ciphertext"},
		store.ReencryptCount{Column: "patients.ssn_ciphertext", Sealed: 1, Failed: 1},
		store.ReencryptCount{Column: "coverages.member_id_ciphertext"},
	)}
	if diff := cmp.Diff(want, report); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(stored, readSealed(t, db), cmp.AllowUnexported(sealedRow{})); diff != "" {
		t.Errorf("a failed run changed rows (-before +after):\n%s", diff)
	}
	// The rows are intact: the ring that sealed them still opens them.
	if got, err := before.GetPatient(ctx, p.ID); err != nil || got.MBI.Reveal() != mbi {
		t.Errorf("GetPatient after the failed run: %v", err)
	}
}

// TestReencryptCoversEverySealedColumn reads the catalog for every column
// holding a ciphertext, so a sealed column added later without teaching
// the job about it fails here instead of staying under a retired key.
func TestReencryptCoversEverySealedColumn(t *testing.T) {
	t.Parallel()
	db, s, _ := clinicaltest.NewStore(t)
	rows, err := db.Super.Query(context.Background(), `
		select table_name || '.' || column_name from information_schema.columns
		where table_schema = 'clinical' and data_type = 'bytea' and column_name like '%ciphertext%'
		order by 1`)
	if err != nil {
		t.Fatal(err)
	}
	var inCatalog []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		inCatalog = append(inCatalog, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	report, err := s.ReencryptPHI(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var walked []string
	for _, c := range report.Columns {
		walked = append(walked, c.Column)
	}
	if diff := cmp.Diff(inCatalog, walked, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("sealed columns (-catalog +walked by the job):\n%s", diff)
	}
	if report.Tenants != 0 || report.Moved() != 0 {
		t.Errorf("empty schema: %+v", report)
	}
}

// TestSealedTenantsIsTheOwnersOnly checks the function's grants: the
// runtime role may call it, PUBLIC may not, and it lists company
// ids across tenants even though the runtime role sees none of their
// rows outside a tenant transaction.
func TestSealedTenantsIsTheOwnersOnly(t *testing.T) {
	t.Parallel()
	db, s, _ := clinicaltest.NewStore(t)
	ctx, company := tenantContext()
	createPHIPatient(t, ctx, s, company, "Lovelace", phiPatient{mbi: "1EG4TE5MK73"})
	var got []string
	rows, err := db.AppPool.Query(context.Background(), `select t::text from sealed_tenants() t`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		got = append(got, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != company {
		t.Errorf("sealed_tenants() = %v, want [%s]", got, company)
	}
	var visible int
	if err := db.AppPool.QueryRow(context.Background(), `select count(*) from patients`).Scan(&visible); err != nil || visible != 0 {
		t.Errorf("runtime role without a tenant sees %d patients (%v), want 0", visible, err)
	}
	var publicCan bool
	if err := db.Super.QueryRow(context.Background(),
		`select has_function_privilege('public', 'clinical.sealed_tenants()', 'execute')`).Scan(&publicCan); err != nil || publicCan {
		t.Errorf("PUBLIC may execute sealed_tenants: %v, %v", publicCan, err)
	}
}

// TestReencryptYieldsToAConcurrentUpdate holds a patient's row while the
// job runs: the job reads the old value and waits to replace it; the
// holder writes a new value (as an update would, sealed under the primary)
// and commits. The job must then leave the new value alone rather than
// put back a re-seal of the old one.
func TestReencryptYieldsToAConcurrentUpdate(t *testing.T) {
	t.Parallel()
	db, _, _ := clinicaltest.NewStore(t)
	keys := newRotation(t)
	during := store.New(db.App, keys.during)
	ctx, company := tenantContext()
	p := createPHIPatient(t, ctx, store.New(db.App, keys.before), company, "Lovelace", phiPatient{mbi: "1EG4TE5MK73"})

	bg := context.Background()
	holder, err := db.AppPool.Begin(bg)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(bg)
	if _, err := holder.Exec(bg, `select set_config('ariesone.company_id', $1, true)`, company); err != nil {
		t.Fatal(err)
	}
	if _, err := holder.Exec(bg, `update patients set email = email where id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}

	type result struct {
		report store.ReencryptReport
		err    error
	}
	done := make(chan result, 1)
	go func() {
		r, err := during.ReencryptPHI(bg, 0)
		done <- result{r, err}
	}()
	// Wait until the job's update waits for the row.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting bool
		err := db.Super.QueryRow(bg, `
			select exists (select 1 from pg_stat_activity
			               where datname = current_database() and wait_event_type = 'Lock'
			                 and query like 'update patients set mbi_ciphertext%')`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("the job finished without waiting for the held row: %+v, %v", r.report, r.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the job never waited for the held row")
		}
		time.Sleep(10 * time.Millisecond)
	}
	const newMBI = "2FH5UF6NJ84"
	sealed, err := keys.during.EncryptString(newMBI, p.ID, domain.PHIColumnMBI)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := holder.Exec(bg, `update patients set mbi_ciphertext = $2, mbi_index = $3 where id = $1`,
		p.ID, sealed, keys.during.BlindIndex(store.MBIIndexPurpose, newMBI)); err != nil {
		t.Fatal(err)
	}
	if err := holder.Commit(bg); err != nil {
		t.Fatal(err)
	}

	r := <-done
	if r.err != nil {
		t.Fatalf("ReencryptPHI: %v", r.err)
	}
	if c := r.report.Columns[0]; c.Column != "patients.mbi_ciphertext" || c.Sealed != 1 || c.Moved != 0 {
		t.Errorf("MBI count = %+v, want 1 sealed, 0 moved (the update got there first)", c)
	}
	got, err := store.New(db.App, keys.after).GetPatient(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.MBI.Reveal() != newMBI {
		t.Error("the job overwrote the concurrent update's MBI")
	}
}
