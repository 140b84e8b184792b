package pagetest_test

import (
	"encoding/base64"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ariesone/ariesone/platform/grpcerr"
	"github.com/ariesone/ariesone/platform/keyring/keyringtest"
	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/page/pagetest"
)

// rowType is a message like a List response's: a row's fields and a
// next_page_token.
var rowType = func() protoreflect.MessageDescriptor {
	str := descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum()
	msg := descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum()
	opt := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum()
	rep := descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum()
	field := func(name string, n int32, label *descriptorpb.FieldDescriptorProto_Label, typ *descriptorpb.FieldDescriptorProto_Type, typeName string) *descriptorpb.FieldDescriptorProto {
		f := &descriptorpb.FieldDescriptorProto{Name: proto.String(name), Number: proto.Int32(n), Label: label, Type: typ, JsonName: proto.String(name)}
		if typeName != "" {
			f.TypeName = proto.String(typeName)
		}
		return f
	}
	fd, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name:       proto.String("pagetest/row.proto"),
		Package:    proto.String("pagetest"),
		Syntax:     proto.String("proto3"),
		Dependency: []string{"google/protobuf/timestamp.proto", "google/protobuf/any.proto"},
		MessageType: []*descriptorpb.DescriptorProto{{
			Name: proto.String("Row"),
			Field: []*descriptorpb.FieldDescriptorProto{
				field("names", 1, rep, str, ""),
				field("id", 2, opt, str, ""),
				field("create_time", 3, opt, msg, ".google.protobuf.Timestamp"),
				field("count", 4, opt, descriptorpb.FieldDescriptorProto_TYPE_INT64.Enum(), ""),
				field("detail", 5, opt, msg, ".google.protobuf.Any"),
				field("next_page_token", 6, opt, str, ""),
			},
		}},
	}, protoregistry.GlobalFiles)
	if err != nil {
		panic(err)
	}
	return fd.Messages().ByName("Row")
}()

// newRow returns a Row of names with a next_page_token.
func newRow(next string, names ...string) *dynamicpb.Message {
	m := dynamicpb.NewMessage(rowType)
	l := m.Mutable(rowType.Fields().ByName("names")).List()
	for _, n := range names {
		l.Append(protoreflect.ValueOfString(n))
	}
	m.Set(rowType.Fields().ByName("next_page_token"), protoreflect.ValueOfString(next))
	return m
}

func TestValues(t *testing.T) {
	id := uuid.MustParse("0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f")
	at := time.Date(2026, 3, 1, 10, 4, 5, 123456000, time.UTC)
	detail, err := anypb.New(wrapperspb.String("Packed Value"))
	if err != nil {
		t.Fatal(err)
	}
	m := newRow("TOKEN-NOT-A-VALUE", "Okafor")
	f := rowType.Fields()
	m.Set(f.ByName("id"), protoreflect.ValueOfString(id.String()))
	m.Set(f.ByName("create_time"), protoreflect.ValueOfMessage(timestamppb.New(at).ProtoReflect()))
	m.Set(f.ByName("count"), protoreflect.ValueOfInt64(123456))
	m.Set(f.ByName("detail"), protoreflect.ValueOfMessage(detail.ProtoReflect()))

	got := pagetest.Values(m)
	for _, want := range []string{
		"Okafor", "okafor", "OKAFOR",
		id.String(), string(id[:]),
		"2026-03-01T10:04:05.123456Z", "2026-03-01T10:04:05Z", "2026-03-01", "10:04:05",
		strconv.FormatInt(at.Unix(), 10), strconv.FormatInt(at.UnixMicro(), 10),
		"123456",
		"Packed Value", "packed value",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("Values lacks %q", want)
		}
	}
	if slices.Contains(got, "TOKEN-NOT-A-VALUE") {
		t.Error("Values holds the next_page_token")
	}
}

func TestCarried(t *testing.T) {
	leaky := base64.RawURLEncoding.EncodeToString([]byte("\x01okafor\x00" + "2026-03-01"))
	tests := []struct {
		name   string
		token  string
		values []string
		want   []string
	}{
		{name: "values in the decoded bytes", token: leaky, values: []string{"okafor", "2026-03-01", "chiamaka"}, want: []string{"okafor", "2026-03-01"}},
		{name: "short values are not looked for", token: leaky, values: []string{"oka", "2026"}},
		{name: "a value in the token's text", token: "AAokaforAA", values: []string{"okafor"}, want: []string{"okafor"}},
		{name: "not base64", token: "oka for", values: []string{"x"}, want: []string{"oka for"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, pagetest.Carried(tt.token, tt.values)); diff != "" {
			t.Errorf("%s: Carried (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestCheckListing walks a listing whose tokens a Sealer makes, as the
// services' do.
func TestCheckListing(t *testing.T) {
	sealer, err := page.NewSealer(keyringtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	rows := []string{"Adebayo", "Brennan", "Castillo", "Delacroix", "Esposito"}
	list := func(token string) (proto.Message, error) {
		after, err := sealer.Open(token, "ListRows")
		if err != nil {
			return nil, grpcerr.ToStatus(err).Err()
		}
		start := 0
		if after != nil {
			start = slices.Index(rows, after[0]) + 1
		}
		end := min(start+2, len(rows))
		next := ""
		if end < len(rows) {
			if next, err = sealer.Seal([]string{rows[end-1]}, "ListRows"); err != nil {
				return nil, err
			}
		}
		return newRow(next, rows[start:end]...), nil
	}
	if pages := pagetest.CheckListing(t, list); len(pages) != 3 {
		t.Errorf("CheckListing walked %d pages, want 3", len(pages))
	}
}
