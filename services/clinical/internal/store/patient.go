package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// MBIIndexPurpose names the MBI's blind index (keyring.BlindIndex): an
// exact MBI lookup compares these keyed digests, never the MBI.
const MBIIndexPurpose = "patients.mbi"

// patientUniqueKeys maps the patients table's unique constraints to the
// resource a collision names.
var patientUniqueKeys = map[string]string{
	"patients_company_mbi_key":     "patient",
	"patients_company_account_key": "patient",
}

// patientColumns is the select list scanPatient reads.
const patientColumns = `id::text, company_id::text, account_number, first_name, middle_name, last_name, suffix,
	birth_date, sex, home_line1, home_line2, home_city, home_state, home_postal_code,
	billing_line1, billing_line2, billing_city, billing_state, billing_postal_code,
	shipping_line1, shipping_line2, shipping_city, shipping_state, shipping_postal_code,
	phones, email, mbi_ciphertext, medicaid_id_ciphertext, ssn_ciphertext, branch_id::text, diagnoses,
	signature_on_file, signature_on_file_date, inactive_date, deceased_date, version, create_time, update_time`

// scanPatient reads one patient row and opens its PHI.
func (s *Store) scanPatient(row pgx.Row) (*domain.Patient, error) {
	var p domain.Patient
	var sex string
	var phones, mbi, medicaid, ssn []byte
	targets := []any{&p.ID, &p.CompanyID, &p.AccountNumber, &p.FirstName, &p.MiddleName, &p.LastName, &p.Suffix,
		(*date)(&p.BirthDate), &sex,
		&p.HomeAddress.Line1, &p.HomeAddress.Line2, &p.HomeAddress.City, &p.HomeAddress.State, &p.HomeAddress.PostalCode,
		&p.BillingAddress.Line1, &p.BillingAddress.Line2, &p.BillingAddress.City, &p.BillingAddress.State, &p.BillingAddress.PostalCode,
		&p.ShippingAddress.Line1, &p.ShippingAddress.Line2, &p.ShippingAddress.City, &p.ShippingAddress.State, &p.ShippingAddress.PostalCode,
		&phones, &p.Email, &mbi, &medicaid, &ssn, &p.BranchID, &p.Diagnoses, &p.SignatureOnFile}
	targets = append(targets, dates(&p.SignatureOnFileDate, &p.InactiveDate, &p.DeceasedDate)...)
	targets = append(targets, &p.Version, &p.CreateTime, &p.UpdateTime)
	if err := row.Scan(targets...); err != nil {
		return nil, err
	}
	p.Sex = domain.Sex(sex)
	var err error
	if p.Phones, err = phonesFromJSON(phones); err != nil {
		return nil, err
	}
	if p.MBI, err = s.open(mbi, p.ID, domain.PHIColumnMBI); err != nil {
		return nil, err
	}
	if p.MedicaidID, err = s.open(medicaid, p.ID, domain.PHIColumnMedicaidID); err != nil {
		return nil, err
	}
	if p.SSN, err = s.open(ssn, p.ID, domain.PHIColumnSSN); err != nil {
		return nil, err
	}
	if len(p.Diagnoses) == 0 {
		p.Diagnoses = nil
	}
	return &p, nil
}

// sealedPatient is a patient's PHI as stored: ciphertexts bound to the
// patient's id and column, and the MBI's blind index.
type sealedPatient struct {
	mbi, mbiIndex, medicaidID, ssn []byte
	phones                         []byte
}

func (s *Store) sealPatient(p *domain.Patient) (sealedPatient, error) {
	var out sealedPatient
	var err error
	if out.mbi, err = s.seal(p.MBI, p.ID, domain.PHIColumnMBI); err != nil {
		return out, err
	}
	if !p.MBI.IsZero() {
		out.mbiIndex = s.ring.BlindIndex(MBIIndexPurpose, p.MBI.Reveal())
	}
	if out.medicaidID, err = s.seal(p.MedicaidID, p.ID, domain.PHIColumnMedicaidID); err != nil {
		return out, err
	}
	if out.ssn, err = s.seal(p.SSN, p.ID, domain.PHIColumnSSN); err != nil {
		return out, err
	}
	out.phones, err = phonesJSON(p.Phones)
	return out, err
}

// GetPatient returns patient id of the caller's company with its PHI in
// clear. Another company's patient is NOT_FOUND, exactly like a missing
// one.
func (s *Store) GetPatient(ctx context.Context, id string) (*domain.Patient, error) {
	return postgres.ReadOne(ctx, s.db, "get patient "+id, func(tx pgx.Tx) (*domain.Patient, error) { return s.getPatient(ctx, tx, id, "") })
}

func (s *Store) getPatient(ctx context.Context, tx pgx.Tx, id, lock string) (*domain.Patient, error) {
	p, err := s.scanPatient(tx.QueryRow(ctx, `select `+patientColumns+` from patients where id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("patient", id)
	}
	return p, err
}

// CreatePatient inserts p under the AIP-155 key requestID, issuing its
// account number from the company's counter. Unless confirmDuplicate, a
// patient of the company with the same duplicate key (first and last name,
// birth date) refuses the create with domain.PossibleDuplicate. The counter
// row is locked first, so creates of one company are serialized and two
// concurrent registrations of the same person cannot both miss each other.
// A repeated request returns the patient created the first time with
// replayed true.
func (s *Store) CreatePatient(ctx context.Context, p *domain.Patient, confirmDuplicate bool, requestID string, requestHash []byte) (*domain.Patient, bool, error) {
	return postgres.CreateResource(ctx, s.db, "CreatePatient", requestID, requestHash, p.ID, p,
		func(tx pgx.Tx) error { return s.insertPatient(ctx, tx, p, confirmDuplicate) },
		func(tx pgx.Tx, id string) (*domain.Patient, error) { return s.getPatient(ctx, tx, id, "") })
}

func (s *Store) insertPatient(ctx context.Context, tx pgx.Tx, p *domain.Patient, confirmDuplicate bool) error {
	var n int64
	err := tx.QueryRow(ctx, `
		insert into patient_account_counters (company_id, last_number) values ($1, 1)
		on conflict (company_id) do update set last_number = patient_account_counters.last_number + 1
		returning last_number`, p.CompanyID).Scan(&n)
	if err != nil {
		return fmt.Errorf("issuing an account number: %w", err)
	}
	if !confirmDuplicate {
		rows, err := tx.Query(ctx, `
			select id::text from patients
			where birth_date = $1 and lower(last_name) = lower($2) and lower(first_name) = lower($3)
			order by id`, date(p.BirthDate), p.LastName, p.FirstName)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if err := domain.PossibleDuplicate(ids); err != nil {
			return err
		}
	}
	if p.AccountNumber, err = domain.FormatAccountNumber(n); err != nil {
		return err
	}
	sealed, err := s.sealPatient(p)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		insert into patients (id, company_id, account_number, first_name, middle_name, last_name, suffix,
			birth_date, sex, home_line1, home_line2, home_city, home_state, home_postal_code,
			billing_line1, billing_line2, billing_city, billing_state, billing_postal_code,
			shipping_line1, shipping_line2, shipping_city, shipping_state, shipping_postal_code,
			phones, email, mbi_ciphertext, mbi_index, medicaid_id_ciphertext, ssn_ciphertext, branch_id, diagnoses,
			signature_on_file, signature_on_file_date, inactive_date, deceased_date, version, create_time, update_time)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
			$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39)`,
		p.ID, p.CompanyID, p.AccountNumber, p.FirstName, p.MiddleName, p.LastName, p.Suffix,
		date(p.BirthDate), string(p.Sex),
		p.HomeAddress.Line1, p.HomeAddress.Line2, p.HomeAddress.City, p.HomeAddress.State, p.HomeAddress.PostalCode,
		p.BillingAddress.Line1, p.BillingAddress.Line2, p.BillingAddress.City, p.BillingAddress.State, p.BillingAddress.PostalCode,
		p.ShippingAddress.Line1, p.ShippingAddress.Line2, p.ShippingAddress.City, p.ShippingAddress.State, p.ShippingAddress.PostalCode,
		sealed.phones, p.Email, nullable(sealed.mbi), nullable(sealed.mbiIndex), nullable(sealed.medicaidID), nullable(sealed.ssn),
		p.BranchID, diagnosesArg(p.Diagnoses), p.SignatureOnFile, date(p.SignatureOnFileDate), date(p.InactiveDate),
		date(p.DeceasedDate), p.Version, p.CreateTime, p.UpdateTime)
	return postgres.AlreadyExists(err, patientUniqueKeys, "")
}

// diagnosesArg sends an empty list as {} (the column is not null).
func diagnosesArg(codes []string) []string {
	if codes == nil {
		return []string{}
	}
	return codes
}

// UpdatePatient loads patient id for update, lets fn change it, and saves
// it with its version advanced by one, its PHI sealed afresh. Nothing is
// written when fn returns an error.
func (s *Store) UpdatePatient(ctx context.Context, id string, fn func(*domain.Patient) error) (*domain.Patient, error) {
	return postgres.UpdateResource(ctx, s.db, "update patient",
		func(tx pgx.Tx) (*domain.Patient, error) { return s.getPatient(ctx, tx, id, " for update") },
		fn, func(p *domain.Patient) { p.Version++ },
		func(tx pgx.Tx, p *domain.Patient) error {
			sealed, err := s.sealPatient(p)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `
				update patients set first_name = $2, middle_name = $3, last_name = $4, suffix = $5, birth_date = $6, sex = $7,
					home_line1 = $8, home_line2 = $9, home_city = $10, home_state = $11, home_postal_code = $12,
					billing_line1 = $13, billing_line2 = $14, billing_city = $15, billing_state = $16, billing_postal_code = $17,
					shipping_line1 = $18, shipping_line2 = $19, shipping_city = $20, shipping_state = $21, shipping_postal_code = $22,
					phones = $23, email = $24, mbi_ciphertext = $25, mbi_index = $26, medicaid_id_ciphertext = $27,
					ssn_ciphertext = $28, branch_id = $29, diagnoses = $30, signature_on_file = $31,
					signature_on_file_date = $32, inactive_date = $33, deceased_date = $34, version = $35, update_time = $36
				where id = $1`,
				p.ID, p.FirstName, p.MiddleName, p.LastName, p.Suffix, date(p.BirthDate), string(p.Sex),
				p.HomeAddress.Line1, p.HomeAddress.Line2, p.HomeAddress.City, p.HomeAddress.State, p.HomeAddress.PostalCode,
				p.BillingAddress.Line1, p.BillingAddress.Line2, p.BillingAddress.City, p.BillingAddress.State, p.BillingAddress.PostalCode,
				p.ShippingAddress.Line1, p.ShippingAddress.Line2, p.ShippingAddress.City, p.ShippingAddress.State, p.ShippingAddress.PostalCode,
				sealed.phones, p.Email, nullable(sealed.mbi), nullable(sealed.mbiIndex), nullable(sealed.medicaidID), nullable(sealed.ssn),
				p.BranchID, diagnosesArg(p.Diagnoses), p.SignatureOnFile, date(p.SignatureOnFileDate), date(p.InactiveDate),
				date(p.DeceasedDate), p.Version, p.UpdateTime)
			return postgres.AlreadyExists(err, patientUniqueKeys, "")
		})
}

// FindPatients returns up to q.Limit patients of the caller's company
// matching every criterion of q, ordered by last name, first name
// (case-insensitive) and id, after q.After. An MBI criterion matches
// through the blind index.
func (s *Store) FindPatients(ctx context.Context, q app.PatientQuery) ([]*domain.Patient, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if q.BranchID != "" {
		add("branch_id = $%d", q.BranchID)
	}
	if !q.ShowInactive {
		add("coalesce(least(inactive_date, deceased_date) > $%d, true)", date(q.Today))
	}
	if q.LastNamePrefix != "" {
		add("lower(last_name) like $%d", likePrefix(q.LastNamePrefix))
	}
	if q.FirstNamePrefix != "" {
		add("lower(first_name) like $%d", likePrefix(q.FirstNamePrefix))
	}
	if !q.BirthDate.IsZero() {
		add("birth_date = $%d", date(q.BirthDate))
	}
	if q.AccountNumber != "" {
		add("account_number = $%d", q.AccountNumber)
	}
	if q.MBI != "" {
		add("mbi_index = $%d", s.ring.BlindIndex(MBIIndexPurpose, q.MBI))
	}
	if a := q.After; a != nil {
		args = append(args, a.LastName, a.FirstName, a.ID)
		n := len(args)
		where = append(where, fmt.Sprintf("(lower(last_name), lower(first_name), id) > ($%d, $%d, $%d::uuid)", n-2, n-1, n))
	}
	sql := `select ` + patientColumns + ` from patients`
	if len(where) > 0 {
		sql += ` where ` + strings.Join(where, " and ")
	}
	args = append(args, q.Limit)
	sql += fmt.Sprintf(` order by lower(last_name), lower(first_name), id limit $%d`, len(args))
	return postgres.ReadMany(ctx, s.db, "find patients", sql, s.scanPatient, args...)
}

// likePrefix is a LIKE pattern matching strings that start with prefix
// (lower-cased), its wildcards escaped.
func likePrefix(prefix string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(strings.ToLower(prefix)) + "%"
}
