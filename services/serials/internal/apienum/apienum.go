// Package apienum is the one mapping between the serials domain's unit
// statuses, transaction kinds and check-digit schemes and the API's enums.
// The app layer needs it for the events it records and the gRPC boundary
// for requests and responses; here neither calls back into the other.
package apienum

import (
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

var (
	statusProto = map[domain.UnitStatus]serialsv1.UnitStatus{
		domain.StatusOnHand:      serialsv1.UnitStatus_UNIT_STATUS_ON_HAND,
		domain.StatusReserved:    serialsv1.UnitStatus_UNIT_STATUS_RESERVED,
		domain.StatusRented:      serialsv1.UnitStatus_UNIT_STATUS_RENTED,
		domain.StatusSold:        serialsv1.UnitStatus_UNIT_STATUS_SOLD,
		domain.StatusMaintenance: serialsv1.UnitStatus_UNIT_STATUS_MAINTENANCE,
		domain.StatusInTransit:   serialsv1.UnitStatus_UNIT_STATUS_IN_TRANSIT,
		domain.StatusEmpty:       serialsv1.UnitStatus_UNIT_STATUS_EMPTY,
		domain.StatusSent:        serialsv1.UnitStatus_UNIT_STATUS_SENT,
		domain.StatusLost:        serialsv1.UnitStatus_UNIT_STATUS_LOST,
		domain.StatusJunked:      serialsv1.UnitStatus_UNIT_STATUS_JUNKED,
	}
	statusDomain = protoconv.Invert(statusProto)

	kindProto = map[domain.TransactionKind]serialsv1.UnitTransactionKind{
		domain.TxReceive:           serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RECEIVE,
		domain.TxReserve:           serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RESERVE,
		domain.TxCancelReservation: serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_CANCEL_RESERVATION,
		domain.TxRent:              serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RENT,
		domain.TxSell:              serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_SELL,
		domain.TxReturn:            serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RETURN,
		domain.TxMaintenanceOut:    serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_MAINTENANCE_OUT,
		domain.TxMaintenanceIn:     serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_MAINTENANCE_IN,
		domain.TxTransferOut:       serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_TRANSFER_OUT,
		domain.TxTransferIn:        serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_TRANSFER_IN,
		domain.TxLost:              serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_LOST,
		domain.TxJunked:            serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_JUNKED,
		domain.TxSendForFill:       serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_SEND_FOR_FILL,
		domain.TxReceiveFilled:     serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RECEIVE_FILLED,
	}
	kindDomain = protoconv.Invert(kindProto)

	checkDigitProto = map[domain.CheckDigitScheme]serialsv1.CheckDigitScheme{
		domain.CheckDigitNone:     serialsv1.CheckDigitScheme_CHECK_DIGIT_SCHEME_UNSPECIFIED,
		domain.CheckDigitLuhn:     serialsv1.CheckDigitScheme_CHECK_DIGIT_SCHEME_LUHN,
		domain.CheckDigitMod37_36: serialsv1.CheckDigitScheme_CHECK_DIGIT_SCHEME_ISO7064_MOD37_36,
	}
	checkDigitDomain = protoconv.Invert(checkDigitProto)
)

// CheckDigitProto is the API's value of a check digit scheme.
func CheckDigitProto(s domain.CheckDigitScheme) serialsv1.CheckDigitScheme { return checkDigitProto[s] }

// CheckDigitDomain is the domain's scheme of an API value; false for an
// undefined value.
func CheckDigitDomain(s serialsv1.CheckDigitScheme) (domain.CheckDigitScheme, bool) {
	d, ok := checkDigitDomain[s]
	return d, ok
}

// StatusProto is the API's value of a status (UNSPECIFIED for none).
func StatusProto(s domain.UnitStatus) serialsv1.UnitStatus { return statusProto[s] }

// StatusDomain is the domain's status of an API value; "" for
// UNSPECIFIED or an unknown value.
func StatusDomain(s serialsv1.UnitStatus) domain.UnitStatus { return statusDomain[s] }

// TransactionKindProto is the API's value of a transaction kind.
func TransactionKindProto(k domain.TransactionKind) serialsv1.UnitTransactionKind {
	return kindProto[k]
}

// TransactionKindDomain is the domain's kind of an API value; "" for
// UNSPECIFIED or an unknown value.
func TransactionKindDomain(k serialsv1.UnitTransactionKind) domain.TransactionKind {
	return kindDomain[k]
}
