package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// decodePayload decodes e's payload as its declared type, resolved through
// the global registry (the event packages event_visibility.go links in). A type this build does not know yields nil and no
// error (forward compatible: the event is still logged and forwarded); a
// known type whose bytes do not decode is an error.
func decodePayload(e domain.Event) (proto.Message, error) {
	if e.PayloadType == "" {
		return nil, nil
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(e.PayloadType))
	if errors.Is(err, protoregistry.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("event %s: payload type %q: %w", e.ID, e.PayloadType, err)
	}
	msg := mt.New().Interface()
	if err := proto.Unmarshal(e.Payload, msg); err != nil {
		return nil, fmt.Errorf("event %s: decoding %s payload: %w", e.ID, e.PayloadType, err)
	}
	return msg, nil
}

// locationFields are the payload fields that name the location an event
// happened at, for rules that notify the users working there: a company
// location, a serials warehouse, the branch of a patient or an order.
var locationFields = []protoreflect.Name{"location_id", "warehouse_id", "branch_id"}

// contextIDFields name who and for whom, never what an event is about.
var contextIDFields = []protoreflect.Name{"company_id", "actor_id"}

// eventFacts reads what notification rules need from a decoded payload:
// the locations it names (its location_id, warehouse_id and branch_id
// fields) and the resource it is about (its first "..._id" field, by field
// number, other than company_id and actor_id: location_id of a
// LocationCreated, user_id of a UserRolesChanged, order_id of an
// OrderLineFlagged). An undecoded payload names nothing.
func eventFacts(msg proto.Message) domain.EventFacts {
	var facts domain.EventFacts
	if msg == nil {
		return facts
	}
	m := msg.ProtoReflect()
	fields := m.Descriptor().Fields()
	resourceNumber := protoreflect.FieldNumber(0)
	for i := range fields.Len() {
		f := fields.Get(i)
		if f.Kind() != protoreflect.StringKind || f.IsList() || f.IsMap() {
			continue
		}
		v := m.Get(f).String()
		if v == "" {
			continue
		}
		if slices.Contains(locationFields, f.Name()) && !slices.Contains(facts.LocationIDs, v) {
			facts.LocationIDs = append(facts.LocationIDs, v)
		}
		if strings.HasSuffix(string(f.Name()), "_id") && !slices.Contains(contextIDFields, f.Name()) &&
			(resourceNumber == 0 || f.Number() < resourceNumber) {
			facts.ResourceID, resourceNumber = v, f.Number()
		}
	}
	return facts
}
