package eventaccess_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/testing/protocmp"

	auditv1 "github.com/ariesone/ariesone/gen/go/ariesone/audit/v1"
	authv1 "github.com/ariesone/ariesone/gen/go/ariesone/auth/v1"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	testingv1 "github.com/ariesone/ariesone/gen/go/ariesone/testing/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/eventaccess"
)

func policy() *eventaccess.Policy {
	return eventaccess.NewPolicy(protoregistry.GlobalFiles, protoregistry.GlobalTypes)
}

func marshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func noted() *testingv1.WidgetNoted {
	return &testingv1.WidgetNoted{
		CompanyId:     "c1",
		WidgetId:      "w1",
		SecretCode:    "1EG4TE5MK73",
		PreviousCodes: []string{"ABCDEFGH", "XY"},
		HolderId:      "h1",
		ClientIp:      "203.0.113.7",
		Detail:        &testingv1.WidgetNoteDetail{HolderName: "Margaret", Label: "blue"},
		Quantity:      3,
	}
}

// TestFieldRulesPerRole shows one event to each role: the event rule
// decides whether it is seen at all, field rules clear, mask or withhold.
func TestFieldRulesPerRole(t *testing.T) {
	p := policy()
	tests := []struct {
		role string
		want *testingv1.WidgetNoted // nil: not visible
	}{
		{auth.RoleOwner, &testingv1.WidgetNoted{
			CompanyId: "c1", WidgetId: "w1", SecretCode: "1EG4TE5MK73", PreviousCodes: []string{"ABCDEFGH", "XY"},
			HolderId: "h1", Detail: &testingv1.WidgetNoteDetail{HolderName: "Margaret", Label: "blue"}, Quantity: 3,
		}},
		// *.read: sees the widget and its holder, not the secret.
		{auth.RoleAuditor, &testingv1.WidgetNoted{
			CompanyId: "c1", WidgetId: "w1", SecretCode: "****MK73", PreviousCodes: []string{"****EFGH", "****"},
			HolderId: "h1", Detail: &testingv1.WidgetNoteDetail{HolderName: "Margaret", Label: "blue"}, Quantity: 3,
		}},
		{auth.RolePartner, nil},
		{auth.RoleIntake, nil},
	}
	e := p.Prepare("ariesone.testing.v1.WidgetNoted", marshal(t, noted()))
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			b, ok := e.For([]string{tt.role})
			if ok != (tt.want != nil) {
				t.Fatalf("visible = %v, want %v", ok, tt.want != nil)
			}
			if !ok {
				return
			}
			got := &testingv1.WidgetNoted{}
			if err := proto.Unmarshal(b, got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("view (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNestedRuleWithoutParentPermission proves rules apply at depth: a
// role that may see the event but not holders loses the nested name too.
func TestNestedRuleWithoutParentPermission(t *testing.T) {
	p := policy()
	m := noted()
	// Redact with a role set granting widgets.read only: auth has no such
	// role, so use the policy's Redact with a role whose grants we know:
	// none of holders.read or widgets.secret.
	p.Redact(m, []string{"no-such-role"})
	want := &testingv1.WidgetNoted{
		CompanyId: "c1", WidgetId: "w1", SecretCode: "****MK73", PreviousCodes: []string{"****EFGH", "****"},
		Detail: &testingv1.WidgetNoteDetail{Label: "blue"}, Quantity: 3,
	}
	if diff := cmp.Diff(want, m, protocmp.Transform()); diff != "" {
		t.Errorf("redacted (-want +got):\n%s", diff)
	}
}

func TestFailsClosed(t *testing.T) {
	p := policy()
	tests := []struct {
		name, payloadType string
		payload           []byte
	}{
		{"message without a rule", "ariesone.testing.v1.WidgetUnruled", marshal(t, &testingv1.WidgetUnruled{CompanyId: "c1"})},
		{"unknown payload type", "ariesone.nowhere.v1.Thing", []byte{}},
		{"empty payload type", "", []byte{}},
		{"payload that does not decode", "ariesone.testing.v1.WidgetNoted", []byte{0xff, 0xff, 0xff}},
		{"not an event message", "ariesone.testing.v1.Widget", marshal(t, &testingv1.Widget{Id: "w"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if b, ok := p.Prepare(tt.payloadType, tt.payload).For([]string{auth.RoleOwner}); ok {
				t.Errorf("owner sees %q = %x, want nothing", tt.payloadType, b)
			}
		})
	}
}

// TestUnrestrictedEventKeepsItsBytes: an event with no field rule reaches
// every permitted subscriber byte for byte as it was published.
func TestUnrestrictedEventKeepsItsBytes(t *testing.T) {
	payload := marshal(t, &companyv1.LocationCreated{CompanyId: "c1", LocationId: "l1", Code: "ATL-01", Name: "Atlanta"})
	b, ok := policy().Prepare("ariesone.company.v1.LocationCreated", payload).For([]string{auth.RolePartner})
	if !ok || string(b) != string(payload) {
		t.Fatalf("partner's LocationCreated = %x, %v; want the published bytes", b, ok)
	}
}

// TestUnitPatientIsShownOnlyToWhoMayReadPatients: the leak a partner had.
func TestUnitPatientIsShownOnlyToWhoMayReadPatients(t *testing.T) {
	payload := marshal(t, &serialsv1.UnitTransitioned{CompanyId: "c1", UnitId: "u1", SerialNumber: "S1", PatientId: "p1"})
	e := policy().Prepare("ariesone.serials.v1.UnitTransitioned", payload)
	for role, wantPatient := range map[string]string{auth.RolePartner: "", auth.RoleWarehouse: "", auth.RoleAdmin: "p1", auth.RoleAuditor: "p1"} {
		b, ok := e.For([]string{role})
		if !ok {
			t.Errorf("%s does not see UnitTransitioned", role)
			continue
		}
		got := &serialsv1.UnitTransitioned{}
		if err := proto.Unmarshal(b, got); err != nil {
			t.Fatal(err)
		}
		if got.GetPatientId() != wantPatient || got.GetSerialNumber() != "S1" {
			t.Errorf("%s sees patient %q serial %q, want %q and S1", role, got.GetPatientId(), got.GetSerialNumber(), wantPatient)
		}
	}
}

// TestSignInAddressIsWithheldFromEveryone, owners included.
func TestSignInAddressIsWithheldFromEveryone(t *testing.T) {
	payload := marshal(t, &companyv1.SessionStarted{CompanyId: "c1", SessionId: "s1", ActorId: "u1", ClientIp: "203.0.113.7", UserAgent: "curl/8"})
	b, ok := policy().Prepare("ariesone.company.v1.SessionStarted", payload).For([]string{auth.RoleOwner})
	if !ok {
		t.Fatal("owner does not see SessionStarted")
	}
	got := &companyv1.SessionStarted{}
	if err := proto.Unmarshal(b, got); err != nil {
		t.Fatal(err)
	}
	if got.GetClientIp() != "" || got.GetUserAgent() != "" || got.GetSessionId() != "s1" {
		t.Errorf("owner sees %v; want the session without address or user agent", got)
	}
}

// TestEveryEventMessageDeclaresARule walks every events.proto the API
// has: an event without a rule would silently be delivered to nobody, and
// a protected identifier without a field rule would leak.
func TestEveryEventMessageDeclaresARule(t *testing.T) {
	_ = clinicalv1.File_ariesone_clinical_v1_events_proto // linked for the registry
	_ = auditv1.File_ariesone_audit_v1_audit_recorded_proto
	var files, events int
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		path := fd.Path()
		if !strings.HasPrefix(path, "ariesone/") || !(strings.HasSuffix(path, "/events.proto") || strings.HasSuffix(path, "/audit_recorded.proto")) {
			return true
		}
		files++
		msgs := fd.Messages()
		for i := range msgs.Len() {
			md := msgs.Get(i)
			events++
			if _, ok := eventaccess.EventRuleOf(md); !ok {
				t.Errorf("%s declares no (ariesone.auth.v1.event) rule", md.FullName())
			}
			fields := md.Fields()
			for j := range fields.Len() {
				fd := fields.Get(j)
				if slices.Contains([]protoreflect.Name{"mbi", "ssn", "medicaid_id", "member_id"}, fd.Name()) &&
					!proto.HasExtension(fd.Options(), authv1.E_EventField) {
					t.Errorf("%s carries a protected identifier without an event_field rule", fd.FullName())
				}
				if fd.Name() == "patient_id" && !proto.HasExtension(fd.Options(), authv1.E_EventField) {
					t.Errorf("%s names a patient without an event_field rule", fd.FullName())
				}
			}
		}
		return true
	})
	if files < 4 || events < 45 {
		t.Errorf("walked %d event files and %d messages; the API's events are not all linked in", files, events)
	}
}

// TestPartnerSeesNoStaffPatientOrCoverageEvents lists what the partner
// role may see at all.
func TestPartnerSeesNoStaffPatientOrCoverageEvents(t *testing.T) {
	visible := policy().VisibleTypes([]string{auth.RolePartner})
	for _, name := range visible {
		for _, forbidden := range []string{".User", ".Session", ".ApiKey", ".Patient", ".Coverage", ".Eligibility", ".WrittenOrder", ".Usage", "Audit"} {
			if strings.Contains(name, forbidden) {
				t.Errorf("partner may see %s", name)
			}
		}
	}
	for _, want := range []string{"ariesone.company.v1.LocationCreated", "ariesone.serials.v1.ItemCreated", "ariesone.serials.v1.UnitTransitioned"} {
		if !slices.Contains(visible, want) {
			t.Errorf("partner may not see %s; visible: %v", want, visible)
		}
	}
}
