package protoconv

import (
	"time"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ariesone/ariesone/platform/civil"
)

// Time renders an instant; the zero time is unset (nil).
func Time(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// OptionalTime renders an optional instant.
func OptionalTime(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return timestamppb.New(*t)
}

// Date converts an API date; unset is the zero date. The result is not
// checked: an impossible day (February 30) is the domain's to refuse,
// with the field's name.
func Date(d *date.Date) civil.Date {
	if d == nil {
		return civil.Date{}
	}
	return civil.Date{Year: int(d.GetYear()), Month: time.Month(d.GetMonth()), Day: int(d.GetDay())}
}

// OptionalDate converts an optional API date: nil when unset.
func OptionalDate(d *date.Date) *civil.Date {
	if d == nil {
		return nil
	}
	c := Date(d)
	return &c
}

// DateProto renders a date; the zero date is unset (nil).
func DateProto(d civil.Date) *date.Date {
	if d.IsZero() {
		return nil
	}
	return &date.Date{Year: int32(d.Year), Month: int32(d.Month), Day: int32(d.Day)}
}

// OptionalDateProto renders an optional date.
func OptionalDateProto(d *civil.Date) *date.Date {
	if d == nil {
		return nil
	}
	return DateProto(*d)
}
