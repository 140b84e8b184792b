// Package patient maps clinical's patients to FHIR Patient and serves
// read and search over PatientService.
package patient

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/type/date"

	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
)

// Patient is FHIR R4 Patient, as far as clinical's Patient fills it.
type Patient struct {
	r4.Base
	Identifier           []r4.Identifier   `json:"identifier,omitempty"`
	Active               *bool             `json:"active,omitempty"`
	Name                 []r4.HumanName    `json:"name,omitempty"`
	Telecom              []r4.ContactPoint `json:"telecom,omitempty"`
	Gender               string            `json:"gender,omitempty"`
	BirthDate            string            `json:"birthDate,omitempty"`
	DeceasedDateTime     string            `json:"deceasedDateTime,omitempty"`
	Address              []r4.Address      `json:"address,omitempty"`
	ManagingOrganization *r4.Reference     `json:"managingOrganization,omitempty"`
}

// FromProto maps a clinical Patient. Identifiers are shown as the
// service answered them: MBI, Medicaid id and SSN arrive masked
// ("****TE5MK73") for callers without the PHI permission, and stay so.
// companyID, the supplier caring for the patient, becomes
// managingOrganization.
//
// Not mapped, having no place in FHIR Patient: branch, diagnoses (Condition),
// signature on file (Consent), create time. clinical's Patient names no
// prescriber, so generalPractitioner is never set.
func FromProto(p *clinicalv1.Patient, companyID string) *Patient {
	out := &Patient{
		Base:                 r4.Base{ResourceType: "Patient", ID: p.GetId(), Meta: r4.NewMeta(p.GetEtag(), p.GetUpdateTime(), p.GetCreateTime())},
		Gender:               gender(p.GetSex()),
		BirthDate:            r4.Date(p.GetBirthDate()),
		DeceasedDateTime:     r4.Date(p.GetDeceasedDate()),
		ManagingOrganization: r4.Ref("Organization", companyID),
	}
	if v := p.GetAccountNumber(); v != "" {
		out.Identifier = append(out.Identifier, r4.Identifier{Use: "usual", Type: r4.IdentifierType("MR", "Medical record number"), System: r4.SystemAccountNumber, Value: v})
	}
	if v := p.GetMbi(); v != "" {
		out.Identifier = append(out.Identifier, r4.Identifier{Type: r4.IdentifierType("MC", "Patient's Medicare number"), System: r4.SystemMBI, Value: v})
	}
	if v := p.GetMedicaidId(); v != "" {
		// Medicaid ids are issued per state and the state is not recorded,
		// so there is no system to name.
		out.Identifier = append(out.Identifier, r4.Identifier{Type: r4.IdentifierType("MA", "Patient Medicaid number"), Value: v})
	}
	if v := p.GetSsn(); v != "" {
		out.Identifier = append(out.Identifier, r4.Identifier{Type: r4.IdentifierType("SS", "Social Security number"), System: r4.SystemSSN, Value: v})
	}
	// A patient is active until an inactive date is recorded.
	active := p.GetInactiveDate() == nil
	out.Active = &active
	if p.GetFirstName() != "" || p.GetLastName() != "" {
		out.Name = []r4.HumanName{{
			Use:    "official",
			Family: p.GetLastName(),
			Given:  r4.NonEmpty(p.GetFirstName(), p.GetMiddleName()),
			Suffix: r4.NonEmpty(p.GetSuffix()),
		}}
	}
	var phones []*r4.ContactPoint
	for _, ph := range p.GetPhones() {
		phones = append(phones, r4.Phone(ph))
	}
	if e := p.GetEmail(); e != "" {
		phones = append(phones, &r4.ContactPoint{System: "email", Value: e})
	}
	out.Telecom = r4.ContactPoints(phones...)
	// The shipping address is where equipment is delivered: a physical
	// address with no FHIR use of its own.
	out.Address = r4.Addresses(
		r4.NewAddress(p.GetHomeAddress(), "home", ""),
		r4.NewAddress(p.GetBillingAddress(), "billing", "postal"),
		r4.NewAddress(p.GetShippingAddress(), "", "physical"),
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
var patientParams = []restful.SearchParam{
	{Name: "identifier", Type: "token", Documentation: "Account number (system " + r4.SystemAccountNumber + ") or MBI (system " + r4.SystemMBI + "), exact. Without a system, a value shaped like an account number (PT and 7 digits) is one, anything else an MBI."},
	{Name: "name", Type: "string", Documentation: "Start of the family name (other name parts are not searched)."},
	{Name: "family", Type: "string", Documentation: "Start of the family name."},
	{Name: "given", Type: "string", Documentation: "Start of the first given name."},
	{Name: "birthdate", Type: "date", Documentation: "Exact day, YYYY-MM-DD (prefix eq only)."},
}

// accountNumber is the shape of clinical's account numbers.
var accountNumber = regexp.MustCompile(`^PT[0-9]{7}$`)

// Resource serves Patient from clinical's PatientService. Searches
// include inactive patients, as FHIR searches do unless asked otherwise
// (Patient.active tells them apart).
func Resource(c clinicalv1.PatientServiceClient) restful.Resource {
	return restful.Resource{
		Type: "Patient",
		Read: func(ctx context.Context, id string) (r4.Object, error) {
			p, err := c.GetPatient(ctx, &clinicalv1.GetPatientRequest{Id: id}, restful.Header(ctx))
			if err != nil {
				return nil, err
			}
			return FromProto(p, restful.CompanyID(ctx)), nil
		},
		Search: &restful.Search{
			Params:   patientParams,
			BodyOnly: true,
			Run: func(ctx context.Context, q restful.Query) (restful.Page, error) {
				req, err := patientSearch(q)
				if err != nil {
					return restful.Page{}, err
				}
				var (
					patients []*clinicalv1.Patient
					next     string
				)
				if req == nil {
					resp, err := c.ListPatients(ctx, &clinicalv1.ListPatientsRequest{
						PageSize: int32(q.Count), PageToken: q.PageToken, ShowInactive: true,
					}, restful.Header(ctx))
					if err != nil {
						return restful.Page{}, err
					}
					patients, next = resp.GetPatients(), resp.GetNextPageToken()
				} else {
					resp, err := c.SearchPatients(ctx, req, restful.Header(ctx))
					if err != nil {
						return restful.Page{}, err
					}
					patients, next = resp.GetPatients(), resp.GetNextPageToken()
				}
				company := restful.CompanyID(ctx)
				page := restful.Page{NextPageToken: next}
				for _, p := range patients {
					page.Resources = append(page.Resources, FromProto(p, company))
				}
				return page, nil
			},
		},
	}
}

// patientSearch maps a Patient search onto SearchPatients; nil when it has
// no criteria, which is a listing.
func patientSearch(q restful.Query) (*clinicalv1.SearchPatientsRequest, error) {
	if len(q.Params) == 0 {
		return nil, nil
	}
	req := &clinicalv1.SearchPatientsRequest{PageSize: int32(q.Count), PageToken: q.PageToken, ShowInactive: true}
	if v, ok := q.Get("identifier"); ok {
		system, value := restful.SplitToken(v)
		switch {
		case system == r4.SystemAccountNumber, system == "" && accountNumber.MatchString(value):
			req.AccountNumber = value
		case system == r4.SystemMBI, system == "":
			req.Mbi = value
		default:
			return nil, restful.Invalid("identifier system " + system + " is not searchable; use " + r4.SystemAccountNumber + " or " + r4.SystemMBI)
		}
	}
	name, hasName := q.Get("name")
	family, hasFamily := q.Get("family")
	if hasName && hasFamily {
		return nil, restful.Invalid("give name or family, not both: both search the family name")
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

// day parses a date search value naming one day: YYYY-MM-DD, optionally
// with the eq prefix. Ranges and partial dates are refused, since the
// services match birth dates exactly.
func day(v string) (*date.Date, error) {
	v = strings.TrimPrefix(v, "eq")
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, restful.Invalid("birthdate must be one day, YYYY-MM-DD (prefix eq only): " + strconv.Quote(v))
	}
	return &date.Date{Year: int32(t.Year()), Month: int32(t.Month()), Day: int32(t.Day())}, nil
}
