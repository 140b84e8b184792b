package domain

import (
	"strings"
	"time"

	"github.com/ariesone/ariesone/platform/errs"
)

// ManufacturerRule is how one manufacturer numbers its units, for the
// company's items of that manufacturer that carry no rule of their own.
type ManufacturerRule struct {
	CompanyID string
	// Manufacturer is as the company spells it; items match it by
	// ManufacturerKey.
	Manufacturer string
	Format       SerialFormat
	Version      int64
	UpdateTime   time.Time
}

// ManufacturerKey is what an item's manufacturer is matched on: trimmed
// and lower-cased, so "ResMed" and "RESMED " are one maker.
func ManufacturerKey(manufacturer string) string {
	return strings.ToLower(strings.TrimSpace(manufacturer))
}

// NewManufacturerRule checks a manufacturer's rule: a name of 1-100
// characters, and a format that compiles and says something (a pattern,
// a check digit scheme, or both). Violations name "manufacturer" and
// "rule.pattern", "rule.checkDigit" or "rule".
func NewManufacturerRule(companyID, manufacturer string, f SerialFormat, now time.Time) (*ManufacturerRule, error) {
	var v errs.Violations
	name := strings.TrimSpace(manufacturer)
	v.CheckLine("manufacturer", name, true, maxMakerOrModel)
	_, err := CompileSerialFormat(f)
	v.Merge("rule", err)
	if f == (SerialFormat{}) {
		v.Add("rule", "must have a pattern, a check digit scheme, or both")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &ManufacturerRule{CompanyID: companyID, Manufacturer: name, Format: f, Version: 1, UpdateTime: now}, nil
}

// EffectiveFormat is the rule units of it follow: its own when it has
// one, else its manufacturer's (maker, nil when the company keeps none),
// else none.
func (it *Item) EffectiveFormat(maker *ManufacturerRule) SerialFormat {
	if it.SerialFormat != (SerialFormat{}) || maker == nil {
		return it.SerialFormat
	}
	return maker.Format
}
