package domain

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usformat"
)

// Sex is the patient's sex as claims report it.
type Sex string

// Sexes; the empty value means not specified and is refused.
const (
	SexUnspecified Sex = ""
	SexFemale      Sex = "female"
	SexMale        Sex = "male"
	SexUnknown     Sex = "unknown"
)

// Reasons of patient errors.
const (
	// ReasonPossibleDuplicatePatient: a patient of the company has the same
	// first name, last name and birth date; creating another needs the
	// caller's explicit confirmation.
	ReasonPossibleDuplicatePatient = "POSSIBLE_DUPLICATE_PATIENT"
	// ReasonAccountNumbersExhausted: the company has issued every account
	// number the PT + 7 digits form can hold.
	ReasonAccountNumbersExhausted = "ACCOUNT_NUMBERS_EXHAUSTED"
)

// Patient is a person the supplier serves. Names, birth date and the PHI
// identifiers are what claims carry; the addresses say where to bill and
// where to deliver.
type Patient struct {
	ID        string
	CompanyID string
	// AccountNumber is the company's own number for the patient, "PT0000042"
	// (see FormatAccountNumber), issued from a counter when the patient is
	// created and never changed.
	AccountNumber string
	FirstName     string
	MiddleName    string
	LastName      string
	Suffix        string
	BirthDate     civil.Date
	Sex           Sex
	HomeAddress   contact.Address
	// BillingAddress and ShippingAddress are zero when they are the home
	// address.
	BillingAddress  contact.Address
	ShippingAddress contact.Address
	// Phones are in E.164, at most MaxPatientPhones, no number twice.
	Phones []contact.Phone
	// Email is "" when none is on file.
	Email string
	// MBI is the Medicare Beneficiary Identifier, 11 upper-case characters
	// without dashes; MedicaidID is upper-case letters and digits; SSN is 9
	// digits. Each is "" when not on file, sealed at rest by the store and
	// masked in responses (MBIVisible, MedicaidIDVisible, SSNVisible).
	MBI        PHI
	MedicaidID PHI
	SSN        PHI
	// BranchID is the company location (a branch) that serves the patient.
	BranchID string
	// Diagnoses are ICD-10-CM codes stored without the dot, in the order
	// given, none twice, at most usformat.MaxDiagnoses.
	Diagnoses []string
	// SignatureOnFile says the patient (or a representative) signed the
	// authorization to bill on their behalf, on SignatureOnFileDate.
	SignatureOnFile     bool
	SignatureOnFileDate civil.Date
	// InactiveDate is the first day the patient is no longer served; zero
	// while active. DeceasedDate is the date of death; the patient is
	// inactive from that day too (see InactiveFrom).
	InactiveDate civil.Date
	DeceasedDate civil.Date
	// Version increases by one with every change; the etag is made from it.
	Version    int64
	CreateTime time.Time
	UpdateTime time.Time
}

// PatientField names a writable field of a patient by its API (proto) name.
// Besides the constants, the parts of an address may be named alone:
// "home_address.city", "shipping_address.postal_code". Phones are replaced
// as a list.
type PatientField string

// The writable fields of a patient.
const (
	PatientFirstName           PatientField = "first_name"
	PatientMiddleName          PatientField = "middle_name"
	PatientLastName            PatientField = "last_name"
	PatientSuffix              PatientField = "suffix"
	PatientBirthDate           PatientField = "birth_date"
	PatientSex                 PatientField = "sex"
	PatientHomeAddress         PatientField = "home_address"
	PatientBillingAddress      PatientField = "billing_address"
	PatientShippingAddress     PatientField = "shipping_address"
	PatientPhones              PatientField = "phones"
	PatientEmail               PatientField = "email"
	PatientMBI                 PatientField = "mbi"
	PatientMedicaidID          PatientField = "medicaid_id"
	PatientSSN                 PatientField = "ssn"
	PatientBranchID            PatientField = "branch_id"
	PatientDiagnoses           PatientField = "diagnoses"
	PatientSignatureOnFile     PatientField = "signature_on_file"
	PatientSignatureOnFileDate PatientField = "signature_on_file_date"
	PatientInactiveDate        PatientField = "inactive_date"
	PatientDeceasedDate        PatientField = "deceased_date"
)

// PatientFields lists every writable field of a patient, in API order.
var PatientFields = []PatientField{
	PatientFirstName, PatientMiddleName, PatientLastName, PatientSuffix, PatientBirthDate, PatientSex,
	PatientHomeAddress, PatientBillingAddress, PatientShippingAddress, PatientPhones, PatientEmail,
	PatientMBI, PatientMedicaidID, PatientSSN, PatientBranchID, PatientDiagnoses,
	PatientSignatureOnFile, PatientSignatureOnFileDate, PatientInactiveDate, PatientDeceasedDate,
}

// PatientValues are the values a client sends for a patient's writable
// fields, as sent: a change reads only the fields it names. The PHI
// identifiers arrive in clear; "" removes one.
type PatientValues struct {
	FirstName           string
	MiddleName          string
	LastName            string
	Suffix              string
	BirthDate           civil.Date
	Sex                 Sex
	HomeAddress         contact.Address
	BillingAddress      contact.Address
	ShippingAddress     contact.Address
	Phones              []contact.Phone
	Email               string
	MBI                 string
	MedicaidID          string
	SSN                 string
	BranchID            string
	Diagnoses           []string
	SignatureOnFile     bool
	SignatureOnFileDate civil.Date
	InactiveDate        civil.Date
	DeceasedDate        civil.Date
}

// Patient field limits, matching the API's.
const (
	maxPatientName   = 50
	maxSuffix        = 10
	MaxPatientPhones = 5
	maxMedicaidID    = 20
)

// EarliestBirthDate is the earliest birth date accepted: anything before
// is a typing mistake, not a patient.
var EarliestBirthDate = civil.Date{Year: 1900, Month: time.January, Day: 1}

// NewPatient returns a patient of company built from values, created at
// now; today is the date at the patient's branch, against which "not in
// the future" is judged. Every field is checked; violations name fields
// relative to the patient ("homeAddress.postalCode", "phones[1].number",
// "diagnoses[2]"). The account number is the caller's to assign (see
// FormatAccountNumber).
func NewPatient(id, companyID string, values PatientValues, today civil.Date, now time.Time) (*Patient, error) {
	p := &Patient{ID: id, CompanyID: companyID, Version: 1, CreateTime: now, UpdateTime: now}
	if err := p.apply(PatientFields, values, today); err != nil {
		return nil, err
	}
	return p, nil
}

// Update writes the named fields of values into p at now, checking the
// patient that results as a whole against today; all or nothing. Turning
// signature_on_file off without naming signature_on_file_date clears the
// date with it.
func (p *Patient) Update(fields []PatientField, values PatientValues, today civil.Date, now time.Time) error {
	if err := p.apply(fields, values, today); err != nil {
		return err
	}
	p.UpdateTime = now
	return nil
}

// apply checks and writes the named fields, all or none.
func (p *Patient) apply(fields []PatientField, values PatientValues, today civil.Date) error {
	var v errs.Violations
	next := *p
	var edit contactEdit
	edit.address(string(PatientHomeAddress), "homeAddress", &next.HomeAddress, values.HomeAddress, true)
	edit.address(string(PatientBillingAddress), "billingAddress", &next.BillingAddress, values.BillingAddress, false)
	edit.address(string(PatientShippingAddress), "shippingAddress", &next.ShippingAddress, values.ShippingAddress, false)
	for _, f := range fields {
		if edit.set(string(f)) {
			continue
		}
		switch f {
		case PatientFirstName:
			next.FirstName = personName(values.FirstName)
			v.CheckLine("firstName", next.FirstName, true, maxPatientName)
		case PatientMiddleName:
			next.MiddleName = personName(values.MiddleName)
			v.CheckLine("middleName", next.MiddleName, false, maxPatientName)
		case PatientLastName:
			next.LastName = personName(values.LastName)
			v.CheckLine("lastName", next.LastName, true, maxPatientName)
		case PatientSuffix:
			next.Suffix = personName(values.Suffix)
			checkSuffix(&v, next.Suffix)
		case PatientBirthDate:
			next.BirthDate = values.BirthDate
		case PatientSex:
			next.Sex = values.Sex
			if next.Sex != SexFemale && next.Sex != SexMale && next.Sex != SexUnknown {
				v.Add("sex", "must be female, male or unknown")
			}
		case PatientPhones:
			next.Phones = normalizePhones(&v, values.Phones)
		case PatientEmail:
			next.Email = strings.TrimSpace(values.Email)
			if next.Email != "" {
				email, err := contact.NormalizeEmail(next.Email)
				v.Merge("email", err)
				next.Email = email
			}
		case PatientMBI:
			next.MBI = normalizeMBI(&v, values.MBI)
		case PatientMedicaidID:
			next.MedicaidID = normalizeMedicaidID(&v, values.MedicaidID)
		case PatientSSN:
			next.SSN = ""
			if strings.TrimSpace(values.SSN) != "" {
				ssn, err := ParseSSN(values.SSN)
				v.Merge("ssn", err)
				next.SSN = PHI(ssn)
			}
		case PatientBranchID:
			next.BranchID = normalizeID(&v, "branchId", values.BranchID, true, "location")
		case PatientDiagnoses:
			next.Diagnoses = parseDiagnoses(&v, "diagnoses", values.Diagnoses)
		case PatientSignatureOnFile:
			next.SignatureOnFile = values.SignatureOnFile
			if !next.SignatureOnFile && !slices.Contains(fields, PatientSignatureOnFileDate) {
				next.SignatureOnFileDate = civil.Date{}
			}
		case PatientSignatureOnFileDate:
			next.SignatureOnFileDate = values.SignatureOnFileDate
		case PatientInactiveDate:
			next.InactiveDate = values.InactiveDate
		case PatientDeceasedDate:
			next.DeceasedDate = values.DeceasedDate
		default:
			v.Addf(string(f), "is not a writable field of a patient")
		}
	}
	edit.check(&v)
	next.checkDates(&v, today)
	if err := v.Err(); err != nil {
		return err
	}
	*p = next
	return nil
}

// checkDates checks the patient's dates together: each is a calendar date,
// the birth date is between EarliestBirthDate and today, no other date is
// before birth, the dates of death and of the signature on file are not in
// the future, and a signature date goes with a signature on file.
func (p *Patient) checkDates(v *errs.Violations, today civil.Date) {
	born := checkDate(v, "birthDate", p.BirthDate, true)
	if born {
		switch {
		case p.BirthDate.After(today):
			v.Add("birthDate", "must not be in the future")
		case p.BirthDate.Before(EarliestBirthDate):
			v.Addf("birthDate", "must not be before %s", EarliestBirthDate)
		}
	}
	notBeforeBirth := func(field string, d civil.Date) {
		if born && d.Before(p.BirthDate) {
			v.Add(field, "must not be before birthDate")
		}
	}
	if checkDate(v, "signatureOnFileDate", p.SignatureOnFileDate, p.SignatureOnFile) {
		switch {
		case !p.SignatureOnFile:
			v.Add("signatureOnFileDate", "must be empty unless signatureOnFile is true")
		case p.SignatureOnFileDate.After(today):
			v.Add("signatureOnFileDate", "must not be in the future")
		default:
			notBeforeBirth("signatureOnFileDate", p.SignatureOnFileDate)
		}
	}
	if checkDate(v, "inactiveDate", p.InactiveDate, false) {
		notBeforeBirth("inactiveDate", p.InactiveDate)
	}
	if checkDate(v, "deceasedDate", p.DeceasedDate, false) {
		if p.DeceasedDate.After(today) {
			v.Add("deceasedDate", "must not be in the future")
		} else {
			notBeforeBirth("deceasedDate", p.DeceasedDate)
		}
	}
}

// InactiveFrom returns the first day the patient is not served: the
// earlier of the inactive date and the date of death, or the zero Date
// when neither is set.
func (p *Patient) InactiveFrom() civil.Date {
	switch {
	case p.DeceasedDate.IsZero():
		return p.InactiveDate
	case p.InactiveDate.IsZero() || p.DeceasedDate.Before(p.InactiveDate):
		return p.DeceasedDate
	}
	return p.InactiveDate
}

// Active reports whether the patient is served on asOf: before the
// inactive date and before the date of death.
func (p *Patient) Active(asOf civil.Date) bool {
	from := p.InactiveFrom()
	return from.IsZero() || asOf.Before(from)
}

// Deceased reports whether the patient has died on or before asOf.
func (p *Patient) Deceased(asOf civil.Date) bool {
	return !p.DeceasedDate.IsZero() && !asOf.Before(p.DeceasedDate)
}

// DuplicateKey returns the patient's key under the duplicate rule (see
// the function DuplicateKey).
func (p *Patient) DuplicateKey() string {
	return DuplicateKey(p.FirstName, p.LastName, p.BirthDate)
}

// DuplicateKey returns what two patients of a company share when they may
// be the same person: the same first and last name, compared without
// surrounding spaces, with runs of inner white space as one space and
// regardless of case, and the same birth date. The key is
// "last␟first␟YYYY-MM-DD" (␟ the ASCII unit separator, which names never
// hold), so a store can keep it in an indexed column and find matches with
// one equality. It holds names and a birth date: it is PHI and stays in the
// database, out of errors, events and logs.
func DuplicateKey(firstName, lastName string, birthDate civil.Date) string {
	return foldName(lastName) + keySeparator + foldName(firstName) + keySeparator + birthDate.String()
}

// keySeparator separates the parts of a duplicate key.
const keySeparator = "\x1f"

// foldName is a name as the duplicate rule compares it: trimmed, inner
// white space collapsed (as stored names already are, see personName), and
// lower-cased, which is what lower() in the patients_company_duplicate
// index of the schema computes, so a store may find the candidates through
// that index.
func foldName(s string) string {
	return strings.ToLower(personName(s))
}

// personName is a person's name as stored: trimmed, each run of inner white
// space one space ("Mary  Ann" is "Mary Ann"), so that names compare and
// print the same however they were typed.
func personName(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// PossibleDuplicate returns the error that refuses to create a patient who
// may be one of patientIDs (the patients with the same duplicate key), or
// nil when there are none. The error names ids only, never the names or
// the birth date that matched: FAILED_PRECONDITION with reason
// ReasonPossibleDuplicatePatient, metadata "patient_ids" (comma-separated)
// and one precondition violation of type "DUPLICATE" and subject
// "patients/{id}" per match.
func PossibleDuplicate(patientIDs []string) error {
	if len(patientIDs) == 0 {
		return nil
	}
	matches := make([]errs.PreconditionViolation, len(patientIDs))
	for i, id := range patientIDs {
		matches[i] = errs.PreconditionViolation{
			Type:        "DUPLICATE",
			Subject:     "patients/" + id,
			Description: "has the same first name, last name and birth date",
		}
	}
	e := errs.Unmet(ReasonPossibleDuplicatePatient,
		"a patient with the same first name, last name and birth date already exists; set confirm_duplicate to create this one anyway",
		matches...)
	return e.With("patient_ids", strings.Join(patientIDs, ","))
}

// Account numbers are "PT" and 7 digits, zero padded.
const (
	accountNumberPrefix = "PT"
	accountNumberDigits = 7
	// MaxAccountNumber is the highest counter value an account number holds.
	MaxAccountNumber = 9_999_999
)

// FormatAccountNumber returns the account number issued from the
// company's counter value n (1, 2, ...): FormatAccountNumber(42) is
// "PT0000042". A counter past MaxAccountNumber is RESOURCE_EXHAUSTED with
// ReasonAccountNumbersExhausted; one below 1 is a bug (an internal error).
func FormatAccountNumber(n int64) (string, error) {
	switch {
	case n < 1:
		return "", fmt.Errorf("domain: account number counter %d is below 1", n)
	case n > MaxAccountNumber:
		return "", &errs.Error{Kind: errs.KindResourceExhausted, Reason: ReasonAccountNumbersExhausted,
			Message: "the company has issued every patient account number"}
	}
	return fmt.Sprintf("%s%0*d", accountNumberPrefix, accountNumberDigits, n), nil
}

// ParseAccountNumber reads an account number as a person types it (white
// space around it and a lower-case "pt" are accepted) and returns its
// counter value: ParseAccountNumber("pt0000042") is 42. Anything other
// than "PT" and exactly 7 digits, or "PT0000000", is an invalid-argument
// error naming field "" (the account number itself).
func ParseAccountNumber(s string) (int64, error) {
	s = strings.TrimSpace(s)
	bad := errs.Invalid(errs.FieldViolation{Description: "must be an account number: PT and 7 digits, such as PT0000042"})
	if len(s) != len(accountNumberPrefix)+accountNumberDigits || !strings.EqualFold(s[:2], accountNumberPrefix) {
		return 0, bad
	}
	digits := s[len(accountNumberPrefix):]
	if strings.Trim(digits, "0123456789") != "" {
		return 0, bad
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n < 1 {
		return 0, bad
	}
	return n, nil
}

// NormalizeAccountNumber returns an account number in the one form it is
// stored in, "PT0000042", for exact lookups.
func NormalizeAccountNumber(s string) (string, error) {
	n, err := ParseAccountNumber(s)
	if err != nil {
		return "", err
	}
	return FormatAccountNumber(n)
}

// ParseSSN accepts a Social Security number as 9 digits, alone
// ("123456789") or grouped as printed on the card ("123-45-6789"), with
// white space around it, and returns the 9 digits. It refuses numbers the
// SSA never issues: area (first three digits) 000, 666 or 900-999, group
// (next two) 00, serial (last four) 0000. The error is invalid-argument
// naming field "" (the SSN itself) and never repeats the number.
func ParseSSN(s string) (string, error) {
	s = strings.TrimSpace(s)
	bad := func(d string) error { return errs.Invalid(errs.FieldViolation{Description: d}) }
	if strings.IndexByte(s, '-') >= 0 {
		if len(s) != 11 || s[3] != '-' || s[6] != '-' {
			return "", bad("may have dashes only as printed on the card, after the 3rd and 5th digits: 123-45-6789")
		}
		s = s[:3] + s[4:6] + s[7:]
	}
	if len(s) != 9 || strings.Trim(s, "0123456789") != "" {
		return "", bad("must be a Social Security number: 9 digits, such as 123-45-6789")
	}
	area, group, serial := s[:3], s[3:5], s[5:]
	switch {
	case area == "000" || area == "666" || area[0] == '9':
		return "", bad("has an area (first three digits) the SSA never issues: 000, 666 or 900-999")
	case group == "00":
		return "", bad("has a group (fourth and fifth digits) of 00, which the SSA never issues")
	case serial == "0000":
		return "", bad("has a serial (last four digits) of 0000, which the SSA never issues")
	}
	return s, nil
}

// checkSuffix checks a name suffix ("Jr.", "III"): at most maxSuffix
// letters, dots and spaces.
func checkSuffix(v *errs.Violations, suffix string) {
	for _, r := range suffix {
		if !unicode.IsLetter(r) && r != '.' && r != ' ' {
			v.Add("suffix", "must be letters, dots and spaces, such as Jr. or III")
			return
		}
	}
	v.CheckLine("suffix", suffix, false, maxSuffix)
}

// normalizePhones checks a patient's phones: at most MaxPatientPhones, each
// a valid number, none twice. Empty entries are refused rather than
// dropped, so the indexes in violations match what the client sent.
func normalizePhones(v *errs.Violations, phones []contact.Phone) []contact.Phone {
	if len(phones) > MaxPatientPhones {
		v.Addf("phones", "must list at most %d phones", MaxPatientPhones)
		return nil
	}
	out := make([]contact.Phone, 0, len(phones))
	for i, raw := range phones {
		field := fmt.Sprintf("phones[%d]", i)
		p, err := contact.NormalizePhone(raw)
		switch {
		case err != nil:
			v.Merge(field, err)
		case p.IsZero():
			v.Add(field+".number", "is required")
		case containsPhone(out, p):
			v.Add(field, "repeats an earlier phone")
		default:
			out = append(out, p)
		}
	}
	return out
}

func containsPhone(phones []contact.Phone, p contact.Phone) bool {
	for _, q := range phones {
		if q.Number == p.Number && q.Extension == p.Extension {
			return true
		}
	}
	return false
}

// normalizeMBI checks an optional MBI with usformat.ParseMBI.
func normalizeMBI(v *errs.Violations, raw string) PHI {
	if strings.TrimSpace(raw) == "" {
		return ""
	}
	mbi, err := usformat.ParseMBI(raw)
	if err != nil {
		v.Add("mbi", formatDescription(err))
		return ""
	}
	return PHI(mbi)
}

// normalizeMedicaidID checks an optional Medicaid id: 1-20 letters and
// digits, stored upper-case so that exact lookups match however it was
// typed.
func normalizeMedicaidID(v *errs.Violations, raw string) PHI {
	id := strings.ToUpper(strings.TrimSpace(raw))
	if id == "" {
		return ""
	}
	if len(id) > maxMedicaidID || strings.IndexFunc(id, func(r rune) bool { return (r < 'A' || r > 'Z') && (r < '0' || r > '9') }) >= 0 {
		v.Addf("medicaidId", "must be 1-%d letters and digits", maxMedicaidID)
		return ""
	}
	return PHI(id)
}

// parseDiagnoses checks a list of ICD-10-CM codes with
// usformat.ParseDiagnoses, naming the entry at fault ("diagnoses[2]").
func parseDiagnoses(v *errs.Violations, field string, codes []string) []string {
	out, err := usformat.ParseDiagnoses(codes)
	if err != nil {
		v.Add(listEntryField(field, err), formatDescription(err))
		return nil
	}
	return out
}

// listEntryField is field, or field[i] when err is a usformat.FormatError
// about entry i of a list.
func listEntryField(field string, err error) string {
	var fe *usformat.FormatError
	if errors.As(err, &fe) && fe.Entry >= 0 {
		return fmt.Sprintf("%s[%d]", field, fe.Entry)
	}
	return field
}

// formatDescription is the client-facing description of a usformat error,
// which never repeats the input.
func formatDescription(err error) string {
	var fe *usformat.FormatError
	if errors.As(err, &fe) {
		return fe.Description
	}
	return "is not valid"
}
