package grpcapi_test

import (
	"encoding/hex"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
)

func TestAuditServiceRPC(t *testing.T) {
	t.Parallel()
	h := newRPCHarness(t, false)
	a, b := rpcID(t), rpcID(t)
	for i := range 3 {
		at := rpcT0.Add(time.Duration(i) * time.Minute)
		h.apply(t, rpcAuditEvent(t, a, "alice", map[string]string{"id": "loc-" + string(rune('1'+i))}, at), rpcAuditEvent(t, b, "bob", nil, at))
	}
	auditorA, auditorB := h.as(a, rpcID(t), "auditor"), h.as(b, rpcID(t), "auditor")

	resp, err := h.audits.ListAuditRecords(auditorA, &notifyv1.ListAuditRecordsRequest{PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetAuditRecords()) != 2 || resp.GetNextPageToken() == "" {
		t.Fatalf("first page = %v", resp)
	}
	newest := resp.GetAuditRecords()[0]
	if newest.GetSequence() != 3 || newest.GetActorId() != "alice" || newest.GetResources()["id"] != "loc-3" ||
		newest.GetService() != "company" || newest.GetCode() != "OK" || newest.GetDuration().AsDuration() != 1234*time.Microsecond ||
		!newest.GetCallTime().AsTime().Equal(rpcT0.Add(2*time.Minute)) || newest.GetRecordTime() == nil {
		t.Errorf("newest record = %v", newest)
	}
	if newest.GetPreviousHash() != resp.GetAuditRecords()[1].GetHash() || len(newest.GetHash()) != 64 {
		t.Errorf("hashes do not link: %v", resp.GetAuditRecords())
	}
	first, err := h.audits.ListAuditRecords(auditorA, &notifyv1.ListAuditRecordsRequest{PageSize: 2, PageToken: resp.GetNextPageToken()})
	if err != nil || len(first.GetAuditRecords()) != 1 || first.GetAuditRecords()[0].GetPreviousHash() != hex.EncodeToString(make([]byte, 32)) {
		t.Errorf("last page = %v, %v", first, err)
	}
	_, err = h.audits.ListAuditRecords(auditorA, &notifyv1.ListAuditRecordsRequest{PageSize: 2, PageToken: resp.GetNextPageToken(), ActorId: "alice"})
	expectFields(t, err, "pageToken")

	filtered, err := h.audits.ListAuditRecords(auditorA, &notifyv1.ListAuditRecordsRequest{ResourceId: "loc-2", StartTime: timestamppb.New(rpcT0)})
	if err != nil || len(filtered.GetAuditRecords()) != 1 || filtered.GetAuditRecords()[0].GetSequence() != 2 {
		t.Errorf("resource filter = %v, %v", filtered, err)
	}
	// Tenant B sees its own trail only: A's resource ids find nothing.
	other, err := h.audits.ListAuditRecords(auditorB, &notifyv1.ListAuditRecordsRequest{ResourceId: "loc-2"})
	if err != nil || len(other.GetAuditRecords()) != 0 {
		t.Errorf("tenant B lists %v, %v", other, err)
	}

	v, err := h.audits.VerifyAuditChain(auditorA, &notifyv1.VerifyAuditChainRequest{})
	if err != nil || !v.GetValid() || v.GetCheckedRecords() != 3 || v.GetProblem() != "" {
		t.Errorf("VerifyAuditChain = %v, %v", v, err)
	}
	if _, err := h.db.Super.Exec(t.Context(), `update audit_records set actor_id = 'mallory' where company_id = $1 and sequence = 2`, a); err != nil {
		t.Fatal(err)
	}
	v, err = h.audits.VerifyAuditChain(auditorA, &notifyv1.VerifyAuditChainRequest{})
	if err != nil || v.GetValid() || v.GetFirstBrokenSequence() != 2 || v.GetProblem() != "hash mismatch" || v.GetFirstBrokenId() == "" {
		t.Errorf("VerifyAuditChain after an edit = %v, %v", v, err)
	}
	if vb, err := h.audits.VerifyAuditChain(auditorB, &notifyv1.VerifyAuditChainRequest{}); err != nil || !vb.GetValid() || vb.GetCheckedRecords() != 3 {
		t.Errorf("tenant B's chain = %v, %v", vb, err)
	}

	_, err = h.audits.ListAuditRecords(h.as(a, rpcID(t), "intake"), &notifyv1.ListAuditRecordsRequest{})
	expectCode(t, err, codes.PermissionDenied)
	_, err = h.audits.VerifyAuditChain(t.Context(), &notifyv1.VerifyAuditChainRequest{})
	expectCode(t, err, codes.Unauthenticated)
	_, err = h.audits.ListAuditRecords(auditorA, &notifyv1.ListAuditRecordsRequest{PageSize: 1001})
	expectFields(t, err, "pageSize")
	_, err = h.audits.ListAuditRecords(auditorA, &notifyv1.ListAuditRecordsRequest{StartTime: timestamppb.New(rpcT0), EndTime: timestamppb.New(rpcT0)})
	expectFields(t, err, "endTime")
}
