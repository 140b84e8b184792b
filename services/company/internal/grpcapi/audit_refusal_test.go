package grpcapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	auditv1 "github.com/ariesone/ariesone/gen/go/ariesone/audit/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/auditsink"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/authn/authntest"
)

// auditedRecord is what the test reads of one audit record.
type auditedRecord struct {
	Method, Code string
	Resources    map[string]string
}

// Every refused credential is audited as refused, naming what it targeted,
// through the real audit sink (records committed in the outbox, some in the
// call's own transaction): a revoked, an expired and a wrong-secret key
// exchange, a wrong password and a replayed refresh token. Refusals whose
// transaction commits (a failure count, a replay's revocation, a key's use
// check) used to be recorded as OK.
func TestRefusalsAreAuditedAsRefused(t *testing.T) {
	h := newSinkAuditedAuthHarness(t)
	owner := authtest.Bearer(h.login(t).GetAccessToken())
	newKey := func(name string, expire *timestamppb.Timestamp) (id, secret string) {
		t.Helper()
		k, err := h.keys.CreateApiKey(owner, &companyv1.CreateApiKeyRequest{ApiKey: &companyv1.ApiKey{
			ClientName: name, Roles: []companyv1.Role{companyv1.Role_ROLE_PARTNER}, ExpireTime: expire,
		}})
		if err != nil {
			t.Fatalf("CreateApiKey %s: %v", name, err)
		}
		return k.GetApiKey().GetId(), k.GetSecret()
	}
	exchange := func(what, secret string) {
		t.Helper()
		_, err := h.auth.ExchangeApiKey(context.Background(), &companyv1.ExchangeApiKeyRequest{ApiKey: secret})
		wantAuthCode(t, what, err, codes.Unauthenticated)
	}

	revokedID, revokedSecret := newKey("revoked", nil)
	if _, err := h.keys.RevokeApiKey(owner, &companyv1.RevokeApiKeyRequest{Id: revokedID}); err != nil {
		t.Fatal(err)
	}
	exchange("revoked key", revokedSecret)

	expiredID, expiredSecret := newKey("expired", timestamppb.New(h.env.Clock.Now().Add(time.Hour)))
	wrongID, wrongSecret := newKey("wrong secret", nil)
	_, otherSecret := newKey("other", nil)
	// The wrong secret: this key's id with another key's secret.
	split := strings.LastIndex(wrongSecret, "_") + 1
	exchange("wrong secret", wrongSecret[:split]+otherSecret[split:])
	h.env.Clock.Advance(2 * time.Hour)
	exchange("expired key", expiredSecret)

	_, err := h.auth.Login(context.Background(), &companyv1.LoginRequest{CompanyCode: rpcCompanyCode, Email: rpcOwnerEmail, Password: "not the password"})
	wantAuthCode(t, "wrong password", err, codes.Unauthenticated)

	first := h.login(t)
	if _, err := h.auth.Refresh(context.Background(), &companyv1.RefreshRequest{RefreshToken: first.GetRefreshToken()}); err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	_, err = h.auth.Refresh(context.Background(), &companyv1.RefreshRequest{RefreshToken: first.GetRefreshToken()})
	wantAuthCode(t, "replayed refresh token", err, codes.Unauthenticated)

	want := []auditedRecord{
		{"/ariesone.company.v1.AuthService/ExchangeApiKey", "UNAUTHENTICATED", map[string]string{app.AuditAPIKeyID: revokedID}},
		{"/ariesone.company.v1.AuthService/ExchangeApiKey", "UNAUTHENTICATED", map[string]string{app.AuditAPIKeyID: wrongID}},
		{"/ariesone.company.v1.AuthService/ExchangeApiKey", "UNAUTHENTICATED", map[string]string{app.AuditAPIKeyID: expiredID}},
		{"/ariesone.company.v1.AuthService/Login", "UNAUTHENTICATED", map[string]string{app.AuditUserID: h.ownerID}},
		{"/ariesone.company.v1.AuthService/Refresh", "UNAUTHENTICATED", map[string]string{app.AuditUserID: h.ownerID, app.AuditSessionID: first.GetSessionId()}},
	}
	var got []auditedRecord
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		got = refusals(t, h)
		if len(got) >= len(want) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	byCall := cmpopts.SortSlices(func(a, b auditedRecord) bool { return fmt.Sprint(a) < fmt.Sprint(b) })
	if diff := cmp.Diff(want, got, byCall); diff != "" {
		t.Errorf("audit records of the refusals (-want +got):\n%s", diff)
	}
}

// newSinkAuditedAuthHarness is the harness with the service's real audit
// sink: records committed to company's outbox, those of calls that commit
// a change in the call's own transaction.
func newSinkAuditedAuthHarness(t *testing.T) *authHarness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return newAuthHarnessWith(t, authHarnessConfig{sink: func(env *authntest.Env) audit.Sink {
		sink, err := auditsink.New(auditsink.Config{DB: env.DB, Service: "company", FlushInterval: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = sink.Run(ctx) }()
		return sink
	}})
}

// refusals returns the committed audit records of sign-in, refresh and key
// exchange calls that did not succeed, in the order they were written.
func refusals(t *testing.T, h *authHarness) []auditedRecord {
	t.Helper()
	rows, err := h.env.Super.Query(context.Background(), `select payload from outbox where type = 'company.audit.recorded.v2' order by seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []auditedRecord
	for rows.Next() {
		var payload []byte
		if err := rows.Scan(&payload); err != nil {
			t.Fatal(err)
		}
		var batch auditv1.AuditRecordBatch
		if err := proto.Unmarshal(payload, &batch); err != nil {
			t.Fatal(err)
		}
		for _, r := range batch.GetRecords() {
			switch r.GetMethod() {
			case "/ariesone.company.v1.AuthService/ExchangeApiKey", "/ariesone.company.v1.AuthService/Login", "/ariesone.company.v1.AuthService/Refresh":
			default:
				continue
			}
			if r.GetCode() == "OK" {
				continue
			}
			out = append(out, auditedRecord{Method: r.GetMethod(), Code: r.GetCode(), Resources: r.GetResources()})
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
