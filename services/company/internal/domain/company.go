package domain

import (
	"regexp"
	"strings"
	"time"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usformat"
)

// DefaultTaxonomyCode is the NUCC taxonomy of a Durable Medical Equipment &
// Medical Supplies supplier, which companies get unless they say otherwise.
const DefaultTaxonomyCode = "332B00000X"

// CompanyStatus is the lifecycle state of a tenant.
type CompanyStatus string

// Company statuses.
const (
	// CompanyActive: users may sign in and work.
	CompanyActive CompanyStatus = "active"
	// CompanySuspended: the platform operator stopped sign-ins.
	CompanySuspended CompanyStatus = "suspended"
	// CompanyClosed: kept for the record-retention period, read-only.
	CompanyClosed CompanyStatus = "closed"
)

// ReasonCompanyClosed: a closed company's records are read-only.
const ReasonCompanyClosed = "COMPANY_CLOSED"

// Company is a DME supplier: the tenant that owns every other record.
type Company struct {
	ID string
	// Code is the sign-in code, unique across AriesOne, such as
	// "acme-medical". It never changes.
	Code        string
	LegalName   string
	DisplayName string
	// NPI is the organisational (type 2) NPI, or "".
	NPI string
	// TaxIDCiphertext is the EIN sealed under the key ring with associated
	// data (ID, "tax_id"); nil when no tax id is on file. The clear EIN is
	// never kept.
	TaxIDCiphertext []byte
	// TaxIDLast4 is the last four digits of the EIN, for display.
	TaxIDLast4   string
	TaxonomyCode string
	Address      contact.Address
	Phone        contact.Phone
	Status       CompanyStatus
	// Version increases by one with every change; the etag is made from it.
	Version    int64
	CreateTime time.Time
	UpdateTime time.Time
}

// Sealer encrypts a value bound to its place (associated data), so a
// ciphertext copied to another row or column no longer opens. The service's
// key ring implements it.
type Sealer interface {
	EncryptString(plain string, associatedData ...string) ([]byte, error)
}

// companyCodePattern is the shape of a sign-in code.
var companyCodePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

// NormalizeCompanyCode trims and lower-cases a sign-in code and checks its
// shape: 2-40 lower-case letters, digits and dashes, not starting with a
// dash. The violation names field "" (the code itself).
func NormalizeCompanyCode(code string) (string, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	if !companyCodePattern.MatchString(code) {
		return "", errs.Invalid(errs.FieldViolation{Description: "must be 2-40 lower-case letters, digits and dashes, starting with a letter or digit"})
	}
	return code, nil
}

// Company field limits, matching the API's.
const maxCompanyName = 200

// NewCompany returns an active company with the default taxonomy, created
// at now. Violations name "code" and "legalName".
func NewCompany(id, code, legalName string, now time.Time) (*Company, error) {
	var v errs.Violations
	code, err := NormalizeCompanyCode(code)
	v.Merge("code", err)
	legalName = strings.TrimSpace(legalName)
	v.CheckText("legalName", legalName, true, maxCompanyName)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &Company{
		ID:           id,
		Code:         code,
		LegalName:    legalName,
		TaxonomyCode: DefaultTaxonomyCode,
		Status:       CompanyActive,
		Version:      1,
		CreateTime:   now,
		UpdateTime:   now,
	}, nil
}

// CompanyField names a field of a company a client may change, by its API
// (proto) name. Besides the constants, the parts of the address and phone
// may be named alone: "address.city", "phone.number".
type CompanyField string

// The writable fields of a company.
const (
	CompanyLegalName    CompanyField = "legal_name"
	CompanyDisplayName  CompanyField = "display_name"
	CompanyNPI          CompanyField = "npi"
	CompanyTaxID        CompanyField = "tax_id"
	CompanyTaxonomyCode CompanyField = "taxonomy_code"
	CompanyAddress      CompanyField = "address"
	CompanyPhone        CompanyField = "phone"
)

// CompanyFields lists every writable field of a company, in API order.
var CompanyFields = []CompanyField{CompanyLegalName, CompanyDisplayName, CompanyNPI, CompanyTaxID, CompanyTaxonomyCode, CompanyAddress, CompanyPhone}

// CompanyValues are the values a client sends for a company's writable
// fields; a change reads only the fields it names.
type CompanyValues struct {
	LegalName   string
	DisplayName string
	NPI         string
	// TaxID is the EIN in clear, "12-3456789" or "123456789"; "" clears it.
	TaxID        string
	TaxonomyCode string
	Address      contact.Address
	Phone        contact.Phone
}

// Update writes the named fields of values into c, checking each, and
// seals a new tax id with s. It refuses a closed company. The version and
// update time are the caller's (the store's) to advance. Violations name
// fields relative to the company ("npi", "address.state").
func (c *Company) Update(fields []CompanyField, values CompanyValues, s Sealer) error {
	if c.Status == CompanyClosed {
		return errs.FailedPrecondition(ReasonCompanyClosed, "the company is closed; its records are read-only")
	}
	var v errs.Violations
	var edit contactEdit
	next := *c
	for _, f := range fields {
		if edit.set(string(f), &next.Address, &next.Phone, values.Address, values.Phone) {
			continue
		}
		switch f {
		case CompanyLegalName:
			next.LegalName = strings.TrimSpace(values.LegalName)
			v.CheckText("legalName", next.LegalName, true, maxCompanyName)
		case CompanyDisplayName:
			next.DisplayName = strings.TrimSpace(values.DisplayName)
			v.CheckText("displayName", next.DisplayName, false, maxCompanyName)
		case CompanyNPI:
			next.NPI = normalizeNPI(&v, "npi", values.NPI)
		case CompanyTaxID:
			if err := next.setTaxID(values.TaxID, s); err != nil {
				if errs.KindOf(err) != errs.KindInvalid {
					return err
				}
				v.Merge("taxId", err)
			}
		case CompanyTaxonomyCode:
			next.TaxonomyCode = strings.ToUpper(strings.TrimSpace(values.TaxonomyCode))
			if next.TaxonomyCode == "" {
				next.TaxonomyCode = DefaultTaxonomyCode
			} else if !usformat.ValidTaxonomy(next.TaxonomyCode) {
				v.Add("taxonomyCode", "must be a provider taxonomy code such as 332B00000X")
			}
		default:
			v.Addf(string(f), "is not a writable field of a company")
		}
	}
	edit.check(&v, &next.Address, &next.Phone, false)
	if err := v.Err(); err != nil {
		return err
	}
	*c = next
	return nil
}

// setTaxID seals an EIN under the company's id, keeping its last four
// digits in clear; "" removes the tax id.
func (c *Company) setTaxID(raw string, s Sealer) error {
	if strings.TrimSpace(raw) == "" {
		c.TaxIDCiphertext, c.TaxIDLast4 = nil, ""
		return nil
	}
	ein, ok := usformat.NormalizeEIN(raw)
	if !ok {
		return errs.Invalid(errs.FieldViolation{Description: "must be an employer identification number: 9 digits, such as 12-3456789"})
	}
	sealed, err := s.EncryptString(ein, c.ID, TaxIDAssociatedData)
	if err != nil {
		return err
	}
	c.TaxIDCiphertext, c.TaxIDLast4 = sealed, ein[len(ein)-4:]
	return nil
}

// TaxIDAssociatedData is the column part of a tax id's associated data; the
// company id is the other.
const TaxIDAssociatedData = "tax_id"
