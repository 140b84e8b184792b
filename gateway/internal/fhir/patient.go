package fhir

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/type/date"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
)

// Patient is FHIR R4 Patient, as far as clinical's Patient fills it.
type Patient struct {
	Base
	Identifier           []Identifier   `json:"identifier,omitempty"`
	Active               *bool          `json:"active,omitempty"`
	Name                 []HumanName    `json:"name,omitempty"`
	Telecom              []ContactPoint `json:"telecom,omitempty"`
	Gender               string         `json:"gender,omitempty"`
	BirthDate            string         `json:"birthDate,omitempty"`
	DeceasedDateTime     string         `json:"deceasedDateTime,omitempty"`
	Address              []Address      `json:"address,omitempty"`
	ManagingOrganization *Reference     `json:"managingOrganization,omitempty"`
}

// PatientFromProto maps a clinical Patient. Identifiers are shown as the
// service answered them: MBI, Medicaid id and SSN arrive masked
// ("****TE5MK73") for callers without the PHI permission, and stay so.
// companyID, the supplier caring for the patient, becomes
// managingOrganization.
//
// Not mapped, having no place in FHIR Patient: branch, diagnoses (Condition),
// signature on file (Consent), create time. clinical's Patient names no
// prescriber, so generalPractitioner is never set.
func PatientFromProto(p *clinicalv1.Patient, companyID string) *Patient {
	out := &Patient{
		Base:                 Base{ResourceType: "Patient", ID: p.GetId(), Meta: meta(p.GetEtag(), p.GetUpdateTime(), p.GetCreateTime())},
		Gender:               gender(p.GetSex()),
		BirthDate:            fhirDate(p.GetBirthDate()),
		DeceasedDateTime:     fhirDate(p.GetDeceasedDate()),
		ManagingOrganization: reference("Organization", companyID),
	}
	if v := p.GetAccountNumber(); v != "" {
		out.Identifier = append(out.Identifier, Identifier{Use: "usual", Type: identifierType("MR", "Medical record number"), System: SystemAccountNumber, Value: v})
	}
	if v := p.GetMbi(); v != "" {
		out.Identifier = append(out.Identifier, Identifier{Type: identifierType("MC", "Patient's Medicare number"), System: SystemMBI, Value: v})
	}
	if v := p.GetMedicaidId(); v != "" {
		// Medicaid ids are issued per state and the state is not recorded,
		// so there is no system to name.
		out.Identifier = append(out.Identifier, Identifier{Type: identifierType("MA", "Patient Medicaid number"), Value: v})
	}
	if v := p.GetSsn(); v != "" {
		out.Identifier = append(out.Identifier, Identifier{Type: identifierType("SS", "Social Security number"), System: SystemSSN, Value: v})
	}
	// A patient is active until an inactive date is recorded.
	active := p.GetInactiveDate() == nil
	out.Active = &active
	if p.GetFirstName() != "" || p.GetLastName() != "" {
		out.Name = []HumanName{{
			Use:    "official",
			Family: p.GetLastName(),
			Given:  nonEmpty(p.GetFirstName(), p.GetMiddleName()),
			Suffix: nonEmpty(p.GetSuffix()),
		}}
	}
	var phones []*ContactPoint
	for _, ph := range p.GetPhones() {
		phones = append(phones, phone(ph))
	}
	if e := p.GetEmail(); e != "" {
		phones = append(phones, &ContactPoint{System: "email", Value: e})
	}
	out.Telecom = contactPoints(phones...)
	// The shipping address is where equipment is delivered: a physical
	// address with no FHIR use of its own.
	out.Address = addresses(
		address(p.GetHomeAddress(), "home", ""),
		address(p.GetBillingAddress(), "billing", "postal"),
		address(p.GetShippingAddress(), "", "physical"),
	)
	return out
}

func gender(s clinicalv1.Sex) string {
	switch s {
	case clinicalv1.Sex_SEX_FEMALE:
		return "female"
	case clinicalv1.Sex_SEX_MALE:
		return "male"
	case clinicalv1.Sex_SEX_UNKNOWN:
		return "unknown"
	}
	return ""
}

// patientParams are Patient's search parameters.
var patientParams = []SearchParam{
	{Name: "identifier", Type: "token", Documentation: "Account number (system " + SystemAccountNumber + ") or MBI (system " + SystemMBI + "), exact. Without a system, a value shaped like an account number (PT and 7 digits) is one, anything else an MBI."},
	{Name: "name", Type: "string", Documentation: "Start of the family name (other name parts are not searched)."},
	{Name: "family", Type: "string", Documentation: "Start of the family name."},
	{Name: "given", Type: "string", Documentation: "Start of the first given name."},
	{Name: "birthdate", Type: "date", Documentation: "Exact day, YYYY-MM-DD (prefix eq only)."},
}

// accountNumber is the shape of clinical's account numbers.
var accountNumber = regexp.MustCompile(`^PT[0-9]{7}$`)

// patientResource serves Patient from clinical's PatientService. Searches
// include inactive patients, as FHIR searches do unless asked otherwise
// (Patient.active tells them apart).
func patientResource(c clinicalv1.PatientServiceClient) Resource {
	return Resource{
		Type: "Patient",
		Read: func(ctx context.Context, id string) (Object, error) {
			p, err := c.GetPatient(ctx, &clinicalv1.GetPatientRequest{Id: id}, header(ctx))
			if err != nil {
				return nil, err
			}
			return PatientFromProto(p, CompanyID(ctx)), nil
		},
		Search: &Search{
			Params:   patientParams,
			BodyOnly: true,
			Run: func(ctx context.Context, q Query) (Page, error) {
				req, err := patientSearch(q)
				if err != nil {
					return Page{}, err
				}
				var (
					patients []*clinicalv1.Patient
					next     string
				)
				if req == nil {
					resp, err := c.ListPatients(ctx, &clinicalv1.ListPatientsRequest{
						PageSize: int32(q.Count), PageToken: q.PageToken, ShowInactive: true,
					}, header(ctx))
					if err != nil {
						return Page{}, err
					}
					patients, next = resp.GetPatients(), resp.GetNextPageToken()
				} else {
					resp, err := c.SearchPatients(ctx, req, header(ctx))
					if err != nil {
						return Page{}, err
					}
					patients, next = resp.GetPatients(), resp.GetNextPageToken()
				}
				company := CompanyID(ctx)
				page := Page{NextPageToken: next}
				for _, p := range patients {
					page.Resources = append(page.Resources, PatientFromProto(p, company))
				}
				return page, nil
			},
		},
	}
}

// patientSearch maps a Patient search onto SearchPatients; nil when it has
// no criteria, which is a listing.
func patientSearch(q Query) (*clinicalv1.SearchPatientsRequest, error) {
	if len(q.Params) == 0 {
		return nil, nil
	}
	req := &clinicalv1.SearchPatientsRequest{PageSize: int32(q.Count), PageToken: q.PageToken, ShowInactive: true}
	if v, ok := q.Get("identifier"); ok {
		system, value := splitToken(v)
		switch {
		case system == SystemAccountNumber, system == "" && accountNumber.MatchString(value):
			req.AccountNumber = value
		case system == SystemMBI, system == "":
			req.Mbi = value
		default:
			return nil, invalid("identifier system " + system + " is not searchable; use " + SystemAccountNumber + " or " + SystemMBI)
		}
	}
	name, hasName := q.Get("name")
	family, hasFamily := q.Get("family")
	if hasName && hasFamily {
		return nil, invalid("give name or family, not both: both search the family name")
	}
	if hasName {
		family = name
	}
	req.LastNamePrefix = family
	req.FirstNamePrefix, _ = q.Get("given")
	if v, ok := q.Get("birthdate"); ok {
		d, err := day(v)
		if err != nil {
			return nil, err
		}
		req.BirthDate = d
	}
	return req, nil
}

// splitToken splits a token search value "system|value"; a value with no
// bar, or with nothing before it, has no system.
func splitToken(v string) (system, value string) {
	if s, val, ok := strings.Cut(v, "|"); ok {
		return s, val
	}
	return "", v
}

// day parses a date search value naming one day: YYYY-MM-DD, optionally
// with the eq prefix. Ranges and partial dates are refused, since the
// services match birth dates exactly.
func day(v string) (*date.Date, error) {
	v = strings.TrimPrefix(v, "eq")
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, invalid("birthdate must be one day, YYYY-MM-DD (prefix eq only): " + strconv.Quote(v))
	}
	return &date.Date{Year: int32(t.Year()), Month: int32(t.Month()), Day: int32(t.Day())}, nil
}
