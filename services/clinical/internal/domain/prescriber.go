package domain

import (
	"strings"
	"time"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usformat"
)

// Prescriber is a practitioner who orders equipment for patients: the
// physician, nurse practitioner or physician assistant whose NPI goes on
// the written order and the claim.
type Prescriber struct {
	ID        string
	CompanyID string
	// NPI is the individual (type 1) NPI, unique within the company.
	NPI       string
	FirstName string
	LastName  string
	// Credentials are as the practitioner signs them: "MD", "DO", "NP",
	// "PA-C", or "".
	Credentials string
	// PECOSEnrolled says the practitioner is enrolled in Medicare's PECOS,
	// without which Medicare denies the equipment they order.
	PECOSEnrolled bool
	Address       contact.Address
	Phone         contact.Phone
	// Fax is where orders are faxed for signature; its kind is always fax
	// and it has no extension.
	Fax contact.Phone
	// Active prescribers may be named on new written orders.
	Active bool
	// Version increases by one with every change; the etag is made from it.
	Version    int64
	CreateTime time.Time
	UpdateTime time.Time
}

// PrescriberField names a writable field of a prescriber by its API
// (proto) name. Besides the constants, the parts of the address, phone and
// fax may be named alone: "address.city", "fax.number".
type PrescriberField string

// The writable fields of a prescriber.
const (
	PrescriberNPI           PrescriberField = "npi"
	PrescriberFirstName     PrescriberField = "first_name"
	PrescriberLastName      PrescriberField = "last_name"
	PrescriberCredentials   PrescriberField = "credentials"
	PrescriberPECOSEnrolled PrescriberField = "pecos_enrolled"
	PrescriberAddress       PrescriberField = "address"
	PrescriberPhone         PrescriberField = "phone"
	PrescriberFax           PrescriberField = "fax"
	PrescriberActive        PrescriberField = "active"
)

// PrescriberFields lists every writable field of a prescriber, in API
// order.
var PrescriberFields = []PrescriberField{
	PrescriberNPI, PrescriberFirstName, PrescriberLastName, PrescriberCredentials, PrescriberPECOSEnrolled,
	PrescriberAddress, PrescriberPhone, PrescriberFax, PrescriberActive,
}

// PrescriberValues are the values a client sends for a prescriber.
type PrescriberValues struct {
	NPI           string
	FirstName     string
	LastName      string
	Credentials   string
	PECOSEnrolled bool
	Address       contact.Address
	Phone         contact.Phone
	Fax           contact.Phone
	Active        bool
}

// Prescriber field limits, matching the API's.
const (
	maxPrescriberName = 50
	maxCredentials    = 20
)

// NewPrescriber returns an active prescriber of company built from values,
// created at now. Active is not read: a prescriber starts active. Whether
// the NPI is already the company's is the store's question (a unique key,
// ALREADY_EXISTS). Violations name fields relative to the prescriber
// ("npi", "fax.number").
func NewPrescriber(id, companyID string, values PrescriberValues, now time.Time) (*Prescriber, error) {
	p := &Prescriber{ID: id, CompanyID: companyID, Active: true, Version: 1, CreateTime: now, UpdateTime: now}
	fields := []PrescriberField{PrescriberNPI, PrescriberFirstName, PrescriberLastName, PrescriberCredentials,
		PrescriberPECOSEnrolled, PrescriberAddress, PrescriberPhone, PrescriberFax}
	if err := p.apply(fields, values); err != nil {
		return nil, err
	}
	return p, nil
}

// Update writes the named fields of values into p at now; all or nothing.
func (p *Prescriber) Update(fields []PrescriberField, values PrescriberValues, now time.Time) error {
	if err := p.apply(fields, values); err != nil {
		return err
	}
	p.UpdateTime = now
	return nil
}

// apply checks and writes the named fields, all or none.
func (p *Prescriber) apply(fields []PrescriberField, values PrescriberValues) error {
	var v errs.Violations
	next := *p
	var edit contactEdit
	edit.address(string(PrescriberAddress), "address", &next.Address, values.Address, false)
	edit.phone(string(PrescriberPhone), "phone", &next.Phone, values.Phone)
	edit.phone(string(PrescriberFax), "fax", &next.Fax, values.Fax)
	for _, f := range fields {
		if edit.set(string(f)) {
			continue
		}
		switch f {
		case PrescriberNPI:
			npi, err := NormalizeNPI(values.NPI)
			v.Merge("npi", err)
			next.NPI = npi
		case PrescriberFirstName:
			next.FirstName = personName(values.FirstName)
			v.CheckLine("firstName", next.FirstName, true, maxPrescriberName)
		case PrescriberLastName:
			next.LastName = personName(values.LastName)
			v.CheckLine("lastName", next.LastName, true, maxPrescriberName)
		case PrescriberCredentials:
			next.Credentials = strings.Join(strings.Fields(values.Credentials), " ")
			checkCredentials(&v, next.Credentials)
		case PrescriberPECOSEnrolled:
			next.PECOSEnrolled = values.PECOSEnrolled
		case PrescriberActive:
			next.Active = values.Active
		default:
			v.Addf(string(f), "is not a writable field of a prescriber")
		}
	}
	edit.check(&v)
	if !next.Fax.IsZero() {
		next.Fax.Kind = contact.PhoneKindFax
		if next.Fax.Extension != "" {
			v.Add("fax.extension", "must be empty: a fax number has no extension")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	*p = next
	return nil
}

// NormalizeNPI trims a National Provider Identifier and checks it with
// usformat.ValidNPI: 10 digits, the first 1 or 2, the last the Luhn check
// digit over "80840" and the first nine. The violation names field "".
func NormalizeNPI(raw string) (string, error) {
	npi := strings.TrimSpace(raw)
	if npi == "" {
		return "", errs.Invalid(errs.FieldViolation{Description: "is required"})
	}
	if !usformat.ValidNPI(npi) {
		return "", errs.Invalid(errs.FieldViolation{Description: "must be a 10-digit NPI starting with 1 or 2 with a valid check digit"})
	}
	return npi, nil
}

// checkCredentials checks a practitioner's credentials as signed: at most
// maxCredentials letters, digits, spaces and the punctuation degrees are
// written with ("PA-C", "M.D.", "MD, PhD", "MD/MPH").
func checkCredentials(v *errs.Violations, credentials string) {
	bad := strings.IndexFunc(credentials, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(" .,-/", r))
	})
	switch {
	case bad >= 0:
		v.Add("credentials", "must be letters, digits, spaces and . , - /, such as MD or PA-C")
	case len(credentials) > maxCredentials:
		v.Addf("credentials", "must be at most %d characters", maxCredentials)
	}
}
