package e2e

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// PHI the intake flow sends, in every form it could be written in.
const (
	flowMBI        = "1EG4TE5MK73"
	flowMBIPrinted = "1EG4-TE5-MK73"
	flowSSN        = "287654321"
	flowSSNPrinted = "287-65-4321"
	flowMedicaidID = "GA77310245"
	flowMemberID1  = "ZQX884410297"
	flowMemberID2  = "KLM55102938A"
)

func date(y, m, d int) map[string]any { return map[string]any{"year": y, "month": m, "day": d} }

// intakePatient is the patient the flow registers.
func intakePatient(branchID string) map[string]any {
	return map[string]any{
		"firstName": "Margaret", "lastName": "Okafor", "birthDate": date(1948, 3, 14), "sex": "SEX_FEMALE",
		"homeAddress": map[string]any{"line1": "412 Ponce de Leon Ave NE", "city": "Atlanta", "state": "GA", "postalCode": "30308"},
		"phones":      []any{map[string]any{"number": "(404) 555-0142", "kind": "PHONE_KIND_MOBILE"}},
		"mbi":         flowMBIPrinted, "ssn": flowSSNPrinted, "medicaidId": flowMedicaidID,
		"branchId":        branchID,
		"diagnoses":       []any{"G47.33", "I10"},
		"signatureOnFile": true, "signatureOnFileDate": date(2026, 1, 5),
	}
}

// TestClinicalIntakeFlow is issue 5's intake flow over REST, as a partner
// would drive it: payers and plans, a patient with the duplicate warning, two
// coverages, a prescriber, a signed written order, readiness for the ordered
// HCPCS, and readiness naming the coverage once it is removed. Along the way
// it checks PHI masking by role, tenant isolation for every resource, that
// notify's audit trail names every patient read without any PHI value, and
// that no PHI value reaches a log line or a plaintext column.
func TestClinicalIntakeFlow(t *testing.T) {
	m := startMesh(t)
	m.bootstrap("acme", "owner@acme.test", ownerPassword)
	m.bootstrap("globex", "owner@globex.test", ownerPassword)
	owner := login(t, m, "acme", "owner@acme.test", ownerPassword).str("accessToken")
	branchID := m.call(http.MethodPost, "/api/v1/locations", owner, newLocation("ATL-01")).
		expect(t, http.StatusOK, "create branch").str("id")
	token := func(role, email string) string {
		m.call(http.MethodPost, "/api/v1/users", owner, map[string]any{
			"user":     map[string]any{"email": email, "givenName": "Test", "familyName": role},
			"roles":    []string{"ROLE_" + strings.ToUpper(role)},
			"password": userPassword,
		}).expect(t, http.StatusOK, "create "+role+" user")
		return login(t, m, "acme", email, userPassword).str("accessToken")
	}
	intake, billing, auditor := token("intake", "intake@acme.test"), token("billing", "billing@acme.test"), token("auditor", "auditor@acme.test")
	globex := login(t, m, "globex", "owner@globex.test", ownerPassword).str("accessToken")

	// Payers and plans are billing's.
	medicare := m.call(http.MethodPost, "/api/v1/payers?requestId="+uuid.NewString(), billing, map[string]any{
		"name": "Medicare Part B (Jurisdiction C)", "payerCode": "18003", "type": "PAYER_TYPE_MEDICARE",
	}).expect(t, http.StatusOK, "create Medicare payer").str("id")
	partB := m.call(http.MethodPost, "/api/v1/payers/"+medicare+"/plans", billing, map[string]any{"name": "Part B"}).
		expect(t, http.StatusOK, "create Part B plan").str("id")
	commercial := m.call(http.MethodPost, "/api/v1/payers", billing, map[string]any{
		"name": "Peach State Health", "payerCode": "PSH01", "type": "PAYER_TYPE_COMMERCIAL",
	}).expect(t, http.StatusOK, "create commercial payer").str("id")
	supplement := m.call(http.MethodPost, "/api/v1/payers/"+commercial+"/plans", billing, map[string]any{"name": "Medigap Plan G"}).
		expect(t, http.StatusOK, "create supplement plan").str("id")
	m.call(http.MethodPost, "/api/v1/payers", intake, map[string]any{"name": "X", "payerCode": "X1", "type": "PAYER_TYPE_OTHER"}).
		expect(t, http.StatusForbidden, "intake creates a payer")

	// The patient, then the same person again: a duplicate warning naming
	// the first by id only, until the second registration confirms it.
	created := m.call(http.MethodPost, "/api/v1/patients?requestId="+uuid.NewString(), intake, intakePatient(branchID)).
		expect(t, http.StatusOK, "register patient")
	patientID := created.str("id")
	if created.str("mbi") != flowMBI || !strings.HasPrefix(created.str("accountNumber"), "PT") {
		t.Fatalf("registered patient: %s", created.raw)
	}
	dup := m.call(http.MethodPost, "/api/v1/patients?requestId="+uuid.NewString(), intake, intakePatient(branchID)).
		expect(t, http.StatusBadRequest, "register the same patient again")
	if dup.str("reason") != "POSSIBLE_DUPLICATE_PATIENT" || !strings.Contains(string(dup.raw), "patients/"+patientID) {
		t.Fatalf("duplicate warning: %s", dup.raw)
	}
	for _, secret := range []string{"Okafor", "Margaret", "1948", flowMBI, flowSSN} {
		if strings.Contains(string(dup.raw), secret) {
			t.Errorf("the duplicate warning repeats %q: %s", secret, dup.raw)
		}
	}
	twin := m.call(http.MethodPost, "/api/v1/patients?confirmDuplicate=true", intake, func() map[string]any {
		p := intakePatient(branchID)
		p["mbi"], p["ssn"], p["medicaidId"] = "", "", ""
		return p
	}()).expect(t, http.StatusOK, "register the confirmed duplicate").str("id")
	if twin == patientID {
		t.Fatal("the confirmed duplicate got the first patient's id")
	}

	// Two coverages: Medicare primary, the supplement secondary.
	coverage := func(plan, member string, rank int) string {
		return m.call(http.MethodPost, "/api/v1/patients/"+patientID+"/coverages?requestId="+uuid.NewString(), intake, map[string]any{
			"planId": plan, "memberId": member, "rank": rank, "relationship": "RELATIONSHIP_SELF", "effectiveDate": date(2026, 1, 1),
		}).expect(t, http.StatusOK, fmt.Sprintf("add coverage of rank %d", rank)).str("id")
	}
	primary, secondary := coverage(partB, flowMemberID1, 1), coverage(supplement, flowMemberID2, 2)
	m.call(http.MethodPost, "/api/v1/patients/"+patientID+"/coverages/"+primary+":checkEligibility", billing,
		map[string]any{"dateOfService": date(2026, 3, 2)}).expect(t, http.StatusOK, "check eligibility")

	prescriber := m.call(http.MethodPost, "/api/v1/prescribers?requestId="+uuid.NewString(), intake, map[string]any{
		"npi": "1234567893", "firstName": "Adaeze", "lastName": "Nwosu", "credentials": "MD", "pecosEnrolled": true,
	}).expect(t, http.StatusOK, "register prescriber").str("id")
	m.call(http.MethodPost, "/api/v1/prescribers", intake, map[string]any{"npi": "1234567890", "firstName": "A", "lastName": "B"}).
		expect(t, http.StatusBadRequest, "prescriber with a bad NPI check digit")

	order := m.call(http.MethodPost, "/api/v1/written-orders?requestId="+uuid.NewString(), intake, map[string]any{
		"patientId": patientID, "prescriberId": prescriber, "orderDate": date(2026, 2, 20), "lengthOfNeedMonths": 99,
		"items":     []any{map[string]any{"hcpcs": "E0601", "description": "CPAP device", "quantity": 1}},
		"diagnoses": []any{"G47.33"},
	}).expect(t, http.StatusOK, "write the order")
	orderID := order.str("id")
	signed := m.call(http.MethodPost, "/api/v1/written-orders/"+orderID+":sign", intake, map[string]any{
		"signatureDate": date(2026, 2, 21), "etag": order.str("etag"),
	}).expect(t, http.StatusOK, "sign the order")
	if signed.str("status") != "WRITTEN_ORDER_STATUS_SIGNED" {
		t.Fatalf("signed order: %s", signed.raw)
	}

	readiness := func(what string) (bool, []string) {
		r := m.call(http.MethodPost, "/api/v1/patients/"+patientID+":checkReadiness", intake, map[string]any{
			"hcpcsCodes": []any{"E0601"}, "dateOfService": date(2026, 3, 2),
		}).expect(t, http.StatusOK, what)
		var codes []string
		missing, _ := r.body["missing"].([]any)
		for _, x := range missing {
			req, _ := x.(map[string]any)
			code, _ := req["code"].(string)
			codes = append(codes, code)
		}
		ready, _ := r.body["ready"].(bool)
		return ready, codes
	}
	if ready, missing := readiness("readiness with coverage and a signed order"); !ready || len(missing) != 0 {
		t.Fatalf("readiness = %v %v, want ready with nothing missing", ready, missing)
	}
	m.call(http.MethodDelete, "/api/v1/patients/"+patientID+"/coverages/"+primary, intake, nil).
		expect(t, http.StatusOK, "remove the primary coverage")
	if ready, missing := readiness("readiness without the primary coverage"); ready || !slices.Equal(missing, []string{"REQUIREMENT_CODE_NO_PRIMARY_COVERAGE"}) {
		t.Fatalf("readiness after removing the primary coverage = %v %v, want one coverage requirement", ready, missing)
	}

	// PHI by role: intake and billing see it, the auditor sees it masked.
	for _, c := range []struct {
		who, token string
		clear      bool
	}{{"intake", intake, true}, {"billing", billing, true}, {"auditor", auditor, false}} {
		p := m.call(http.MethodGet, "/api/v1/patients/"+patientID, c.token, nil).expect(t, http.StatusOK, c.who+" reads the patient")
		cov := m.call(http.MethodGet, "/api/v1/patients/"+patientID+"/coverages/"+secondary, c.token, nil).
			expect(t, http.StatusOK, c.who+" reads the coverage")
		got := []string{p.str("mbi"), p.str("ssn"), p.str("medicaidId"), cov.str("memberId")}
		want := []string{flowMBI, flowSSN, flowMedicaidID, flowMemberID2}
		if !c.clear {
			want = []string{"****TE5MK73", "****4321", "****0245", "****938A"}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s sees mbi, ssn, medicaid id, member id = %q, want %q", c.who, got, want)
		}
	}
	list := m.call(http.MethodGet, "/api/v1/patients", auditor, nil).expect(t, http.StatusOK, "auditor lists patients")
	if strings.Contains(string(list.raw), flowMBI) || !strings.Contains(string(list.raw), patientID) {
		t.Errorf("auditor's patient list: %s", list.raw)
	}

	// Tenant isolation: globex's owner finds none of acme's resources.
	for _, path := range []string{
		"/api/v1/patients/" + patientID,
		"/api/v1/patients/" + patientID + "/coverages",
		"/api/v1/patients/" + patientID + "/coverages/" + secondary,
		"/api/v1/patients/" + patientID + "/coverages/" + primary + "/eligibility-checks",
		"/api/v1/payers/" + medicare,
		"/api/v1/payers/" + medicare + "/plans/" + partB,
		"/api/v1/prescribers/" + prescriber,
		"/api/v1/written-orders/" + orderID,
	} {
		m.call(http.MethodGet, path, globex, nil).expect(t, http.StatusNotFound, "globex reads "+path)
	}
	m.call(http.MethodPatch, "/api/v1/patients/"+patientID, globex, map[string]any{"firstName": "Mallory"}).
		expect(t, http.StatusNotFound, "globex updates acme's patient")
	m.call(http.MethodPost, "/api/v1/patients/"+patientID+":checkReadiness", globex, map[string]any{
		"hcpcsCodes": []any{"E0601"}, "dateOfService": date(2026, 3, 2),
	}).expect(t, http.StatusNotFound, "globex checks readiness of acme's patient")
	m.call(http.MethodPost, "/api/v1/written-orders/"+orderID+":revoke", globex, map[string]any{"reason": "mine"}).
		expect(t, http.StatusNotFound, "globex revokes acme's order")
	for _, path := range []string{"/api/v1/patients", "/api/v1/payers", "/api/v1/prescribers", "/api/v1/written-orders"} {
		r := m.call(http.MethodGet, path+"?pageSize=1000", globex, nil).expect(t, http.StatusOK, "globex lists "+path)
		for _, id := range []string{patientID, twin, medicare, commercial, prescriber, orderID} {
			if strings.Contains(string(r.raw), id) {
				t.Errorf("globex's %s lists acme's %s", path, id)
			}
		}
	}
	search := m.call(http.MethodPost, "/api/v1/patients:search", globex, map[string]any{"mbi": flowMBIPrinted}).
		expect(t, http.StatusOK, "globex searches by acme's MBI")
	if strings.Contains(string(search.raw), patientID) {
		t.Error("globex found acme's patient by MBI")
	}

	// Every read of the patient reaches notify's audit trail with the
	// actor, the patient's id and the outcome, and without any PHI value.
	auditorID := m.call(http.MethodGet, "/api/v1/auth/whoami", auditor, nil).expect(t, http.StatusOK, "whoami").str("subject")
	records := waitForAudit(t, m, owner, patientID, auditorID, []string{"GetPatient", "ListPatients"})
	for _, secret := range phiValues() {
		if strings.Contains(records, secret) {
			t.Errorf("notify's audit trail holds %q", secret)
		}
	}

	// A page token travels in the URL, which proxies log: it holds none
	// of the listed patients' values, and it still opens after clinical
	// restarts, sealed under the same ENCRYPTION_KEY.
	first := m.call(http.MethodGet, "/api/v1/patients?pageSize=1", intake, nil).expect(t, http.StatusOK, "first page of patients")
	pageToken := first.str("nextPageToken")
	raw, err := base64.RawURLEncoding.DecodeString(pageToken)
	if err != nil {
		t.Fatalf("page token %q is not unpadded URL-safe base64: %v", pageToken, err)
	}
	for _, value := range []string{"okafor", "Okafor", "margaret", "Margaret", "1948-03-14", patientID, twin} {
		if strings.Contains(string(raw), value) || strings.Contains(pageToken, value) {
			t.Errorf("page token %q holds %q", pageToken, value)
		}
	}
	m.stop(m.procs["clinical"])
	m.restart("clinical")
	second := m.waitCall(http.MethodGet, "/api/v1/patients?pageSize=1&pageToken="+pageToken, intake).
		expect(t, http.StatusOK, "second page of patients after clinical restarts")
	if ids := fmt.Sprint(second.body["patients"]); !strings.Contains(ids, patientID) && !strings.Contains(ids, twin) {
		t.Errorf("second page after the restart: %s", second.raw)
	}
	m.call(http.MethodGet, "/api/v1/patients?pageSize=1&pageToken="+pageToken[:len(pageToken)-2], intake, nil).
		expect(t, http.StatusBadRequest, "a truncated page token")

	// At rest and in the logs, no PHI value appears anywhere.
	checkNoPHIAtRest(t, m)
	for name, p := range m.procs {
		out, err := os.ReadFile(p.logPath)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range phiValues() {
			if strings.Contains(string(out), secret) {
				t.Errorf("%s's log holds %q", name, secret)
			}
		}
	}
}

func phiValues() []string {
	return []string{flowMBI, flowMBIPrinted, flowSSN, flowSSNPrinted, flowMedicaidID, flowMemberID1, flowMemberID2}
}

// waitForAudit polls notify's audit trail until the calls by actor by
// each of methods naming resource (a patient, a unit) are there with
// outcome OK, and returns the raw listing.
func waitForAudit(t *testing.T, m *mesh, token, patientID, actor string, methods []string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := m.call(http.MethodGet, "/api/v1/audit-records?pageSize=1000&resourceId="+patientID+"&actorId="+actor, token, nil).
			expect(t, http.StatusOK, "list the patient's audit records")
		records, _ := r.body["auditRecords"].([]any)
		var seen []string
		for _, x := range records {
			rec, _ := x.(map[string]any)
			method, _ := rec["method"].(string)
			if code, _ := rec["code"].(string); code == "OK" {
				seen = append(seen, method[strings.LastIndex(method, "/")+1:])
			}
		}
		missing := slices.DeleteFunc(slices.Clone(methods), func(m string) bool { return slices.Contains(seen, m) })
		if len(missing) == 0 {
			return string(r.raw)
		}
		if time.Now().After(deadline) {
			t.Fatalf("audit trail of patient %s by %s lacks %v after 30s: %s", patientID, actor, missing, r.raw)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkNoPHIAtRest reads every row of every table of the clinical schema,
// its outbox and notify's event log and audit trail as text, and fails on
// any PHI value in clear.
func checkNoPHIAtRest(t *testing.T, m *mesh) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, m.adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `select table_schema, table_name from information_schema.tables
		where table_schema in ('clinical', 'notify') and table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var schema, name string
		err := r.Scan(&schema, &name)
		return pgx.Identifier{schema, name}.Sanitize(), err
	})
	if err != nil || len(tables) < 5 {
		t.Fatalf("tables: %v, %v", tables, err)
	}
	for _, table := range tables {
		var dump string
		if err := conn.QueryRow(ctx, `select coalesce(string_agg(t::text, E'\n'), '') from `+table+` t`).Scan(&dump); err != nil {
			t.Fatalf("reading %s: %v", table, err)
		}
		for _, secret := range phiValues() {
			// bytea columns print as hex: a value stored unsealed in one
			// would show as the hex of its bytes.
			if strings.Contains(dump, secret) || strings.Contains(dump, hex.EncodeToString([]byte(secret))) {
				t.Errorf("%s holds %q in clear", table, secret)
			}
		}
	}
}
