package audit

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	testingv1 "github.com/ariesone/ariesone/gen/go/ariesone/testing/v1"
)

func TestCodeNameMatchesGoogleRPCCode(t *testing.T) {
	// Every canonical code, OK through UNAUTHENTICATED, must read exactly as
	// google.rpc.Code names it, so audit consumers can join on the enum.
	for c := codes.OK; c <= codes.Unauthenticated; c++ {
		want, ok := code.Code_name[int32(c)]
		if !ok {
			t.Fatalf("google.rpc.Code has no value %d", c)
		}
		if got := codeName(c); got != want {
			t.Errorf("codeName(%v) = %q, want %q", c, got, want)
		}
	}
	if len(code.Code_name) != int(codes.Unauthenticated)+1 {
		t.Errorf("google.rpc.Code has %d values; this test covers %d", len(code.Code_name), int(codes.Unauthenticated)+1)
	}
}

// idProbe is a message with identifier-looking fields of every shape, built
// at run time because no generated message has all of them.
func idProbe(t *testing.T) *dynamicpb.Message {
	t.Helper()
	field := func(name string, n int32, typ descriptorpb.FieldDescriptorProto_Type, label descriptorpb.FieldDescriptorProto_Label) *descriptorpb.FieldDescriptorProto {
		return &descriptorpb.FieldDescriptorProto{Name: proto.String(name), Number: proto.Int32(n), Type: typ.Enum(), Label: label.Enum(), JsonName: proto.String(name)}
	}
	const (
		str      = descriptorpb.FieldDescriptorProto_TYPE_STRING
		i64      = descriptorpb.FieldDescriptorProto_TYPE_INT64
		byt      = descriptorpb.FieldDescriptorProto_TYPE_BYTES
		optional = descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL
		repeated = descriptorpb.FieldDescriptorProto_LABEL_REPEATED
	)
	fdp := &descriptorpb.FileDescriptorProto{
		Name:    proto.String("audit_probe.proto"),
		Package: proto.String("audit.probe"),
		Syntax:  proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{{
			Name: proto.String("Probe"),
			Field: []*descriptorpb.FieldDescriptorProto{
				field("id", 1, str, optional),
				field("patient_id", 2, str, optional),
				field("request_id", 3, str, optional),
				field("line_id", 4, i64, optional),
				field("serial_ids", 5, str, repeated),
				field("blob_id", 6, byt, optional),
				field("note", 7, str, optional),
				field("paid", 8, str, optional),
				field("order_id", 9, str, optional),
				field("medicaid_id", 10, str, optional),
			},
		}},
	}
	fd, err := protodesc.NewFile(fdp, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := dynamicpb.NewMessage(fd.Messages().Get(0))
	for _, kv := range []struct {
		name string
		val  any
	}{
		{"id", "0195f3a2-0000-7000-8000-00000000b001"}, {"patient_id", "0195f3a2-0000-7000-8000-00000000b002"}, {"request_id", "idem-1"}, {"line_id", int64(7)},
		{"blob_id", []byte("b")}, {"note", "PHI: knee replacement"}, {"paid", "yes"},
		{"medicaid_id", "ABC1234567"}, {"order_id", "not-a-uuid"},
	} {
		f := m.Descriptor().Fields().ByName(protoreflect.Name(kv.name))
		m.Set(f, protoreflect.ValueOf(kv.val))
	}
	list := m.Mutable(m.Descriptor().Fields().ByName("serial_ids")).List()
	list.Append(protoreflect.ValueOfString("s-1"))
	return m
}

func TestResourceIDs(t *testing.T) {
	tests := []struct {
		name string
		msgs []any
		want map[string]string
	}{
		{name: "nothing", msgs: nil, want: nil},
		{name: "non-proto values", msgs: []any{"id", 42, nil}, want: nil},
		{name: "typed nil message", msgs: []any{(*testingv1.Widget)(nil)}, want: nil},
		{name: "empty message", msgs: []any{&testingv1.Widget{}}, want: nil},
		{
			name: "request id of GetWidget",
			msgs: []any{&testingv1.GetWidgetRequest{Id: "0195f3a2-0000-7000-8000-00000000a001"}},
			want: map[string]string{"id": "0195f3a2-0000-7000-8000-00000000a001"},
		},
		{
			name: "widget response: id and company_id, never other values",
			msgs: []any{&testingv1.Widget{Id: "0195f3a2-0000-7000-8000-00000000a001", CompanyId: "0195f3a2-0000-7000-8000-00000000c001", DisplayName: "Jane Doe's CPAP", Email: "jane@example.com", Quantity: 2}},
			want: map[string]string{"id": "0195f3a2-0000-7000-8000-00000000a001", "company_id": "0195f3a2-0000-7000-8000-00000000c001"},
		},
		{
			name: "request_id is an idempotency key, not a resource",
			msgs: []any{&testingv1.CreateWidgetRequest{RequestId: "0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f", Widget: &testingv1.Widget{Id: "nested"}}, &testingv1.PingResponse{RequestId: "r-1"}},
			want: nil,
		},
		{
			name: "request and response merge, request wins",
			msgs: []any{&testingv1.GetWidgetRequest{Id: "0195f3a2-0000-7000-8000-0000000000f1"}, &testingv1.Widget{Id: "0195f3a2-0000-7000-8000-0000000000f2", CompanyId: "0195f3a2-0000-7000-8000-00000000c001"}},
			want: map[string]string{"id": "0195f3a2-0000-7000-8000-0000000000f1", "company_id": "0195f3a2-0000-7000-8000-00000000c001"},
		},
		{
			name: "create: ids from the response only",
			msgs: []any{&testingv1.CreateWidgetRequest{Widget: &testingv1.Widget{DisplayName: "x"}}, &testingv1.Widget{Id: "0195f3a2-0000-7000-8000-00000000a002", CompanyId: "0195f3a2-0000-7000-8000-00000000c001"}},
			want: map[string]string{"id": "0195f3a2-0000-7000-8000-00000000a002", "company_id": "0195f3a2-0000-7000-8000-00000000c001"},
		},
		{
			name: "only singular string id fields holding UUIDs: PHI named like an id stays out",
			msgs: []any{idProbe(t)},
			want: map[string]string{"id": "0195f3a2-0000-7000-8000-00000000b001", "patient_id": "0195f3a2-0000-7000-8000-00000000b002"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, resourceIDs(tt.msgs...)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
