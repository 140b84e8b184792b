package e2e

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
)

// TestPHIAnswersSurviveAKill reads a patient over REST from eight clients
// at once and SIGKILLs clinical in the middle: every GetPatient answer a
// client received has its record in notify's trail once clinical is back,
// because a PHI answer leaves only after its record is committed to the
// outbox (a crash loses answers, never the record of one).
func TestPHIAnswersSurviveAKill(t *testing.T) {
	m := startMesh(t, "LOG_LEVEL=warn", "RATE_LIMIT_READ=100000/s:100000", "RATE_LIMIT_EDGE=100000/s:100000")
	m.bootstrap("acme", "owner@acme.test", ownerPassword)
	token := login(t, m, "acme", "owner@acme.test", ownerPassword).str("accessToken")
	branch := m.call(http.MethodPost, "/api/v1/locations", token, newLocation("ATL-01")).expect(t, http.StatusOK, "create branch").str("id")
	patient := m.call(http.MethodPost, "/api/v1/patients", token, intakePatient(branch)).expect(t, http.StatusOK, "create patient").str("id")

	const clients = 8
	ctx, stop := context.WithCancel(context.Background())
	var (
		mu       sync.Mutex
		answered []string // X-Request-Id of every 200
		refused  int
		wg       sync.WaitGroup
	)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, m.rest+"/api/v1/patients/"+patient, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					continue
				}
				resp.Body.Close()
				mu.Lock()
				if resp.StatusCode == http.StatusOK {
					answered = append(answered, resp.Header.Get("X-Request-Id"))
				} else {
					refused++
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(2 * time.Second)
	m.kill("clinical")
	time.Sleep(500 * time.Millisecond)
	stop()
	wg.Wait()
	m.restart("clinical")
	if len(answered) == 0 {
		t.Fatal("no GetPatient call was answered before the kill")
	}

	db := pgtest.OpenPool(t, postgres.Config{URL: m.adminURL})
	var missing int
	deadline := time.Now().Add(eventWait)
	for {
		err := db.QueryRow(context.Background(), `
			select count(*) from unnest($1::text[]) as answered (request_id)
			where not exists (select 1 from notify.audit_records r
				where r.request_id = answered.request_id
				and r.method = '/ariesone.clinical.v1.PatientService/GetPatient' and r.code = 'OK')`,
			answered).Scan(&missing)
		if err != nil {
			t.Fatal(err)
		}
		if missing == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("%d GetPatient answers received (%d other outcomes) around a SIGKILL of clinical; %d without a record", len(answered), refused, missing)
	if missing != 0 {
		t.Errorf("%d of %d GetPatient answers have no record in the audit trail", missing, len(answered))
	}
}
