package domain

import (
	"strings"
	"time"

	"github.com/ariesone/ariesone/platform/errs"
)

// PriceList is a set of prices: the company's default list, or one
// payer's. An order is priced from its primary payer's list, or from the
// default list when that payer has none, so a company has at most one
// default list and one list per payer.
type PriceList struct {
	ID, CompanyID string
	Name          string
	// PayerID is clinical's payer whose list it is; "" for the default
	// list.
	PayerID    string
	CreateTime time.Time
}

// Default reports whether l is the company's default list.
func (l *PriceList) Default() bool { return l.PayerID == "" }

// PriceListValues are what a list is created with.
type PriceListValues struct {
	Name string
	// PayerID is "" for the default list.
	PayerID string
}

// MaxPriceListName bounds a list's name, as the API does.
const MaxPriceListName = 100

// NewPriceList returns list id of company built from v, created at now.
// The name is trimmed; a list never changes afterwards. Violations name
// "name"; the payer is the app's to check with clinical.
func NewPriceList(id, companyID string, v PriceListValues, now time.Time) (*PriceList, error) {
	l := &PriceList{ID: id, CompanyID: companyID, Name: strings.TrimSpace(v.Name), PayerID: v.PayerID, CreateTime: now}
	var viol errs.Violations
	viol.CheckLine("name", l.Name, true, MaxPriceListName)
	if err := viol.Err(); err != nil {
		return nil, err
	}
	return l, nil
}
