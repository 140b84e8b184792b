package domain

import (
	"errors"
	"strings"

	"github.com/ariesone/ariesone/platform/errs"
)

// ReasonUnitNotFound is UnitFulfillmentRefused's reason for a unit the
// company does not have.
const ReasonUnitNotFound = "UNIT_NOT_FOUND"

// FulfillmentRefusal names, as UnitFulfillmentRefused says it, why a unit
// in status could not make the move an order asked of it: UNIT_NOT_FOUND,
// UNIT_RECALLED, or UNIT_STATUS_<STATUS> for any other refusal (a status
// the move is not allowed from, a unit held for another line or patient).
// ok is false when err refuses nothing: a failure to retry.
func FulfillmentRefusal(err error, status UnitStatus) (reason string, ok bool) {
	var e *errs.Error
	if !errors.As(err, &e) {
		return "", false
	}
	switch {
	case e.Kind == errs.KindNotFound:
		return ReasonUnitNotFound, true
	case e.Reason == ReasonUnitRecalled:
		return ReasonUnitRecalled, true
	case e.Kind == errs.KindFailedPrecondition || e.Kind == errs.KindInvalid:
		return "UNIT_STATUS_" + strings.ToUpper(string(status)), true
	}
	return "", false
}
