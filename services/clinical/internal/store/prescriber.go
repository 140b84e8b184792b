package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// prescriberUniqueKeys maps the prescribers table's unique constraints to
// the resource a collision names: one prescriber per NPI and company.
var prescriberUniqueKeys = map[string]string{"prescribers_company_npi_key": "prescriber"}

// prescriberColumns is the select list scanPrescriber reads.
const prescriberColumns = `id::text, company_id::text, npi, first_name, last_name, credentials, pecos_enrolled,
	address_line1, address_line2, address_city, address_state, address_postal_code,
	phone_e164, phone_extension, phone_kind, fax_e164, active, version, create_time, update_time`

func scanPrescriber(row pgx.Row) (*domain.Prescriber, error) {
	var p domain.Prescriber
	var kind string
	err := row.Scan(&p.ID, &p.CompanyID, &p.NPI, &p.FirstName, &p.LastName, &p.Credentials, &p.PECOSEnrolled,
		&p.Address.Line1, &p.Address.Line2, &p.Address.City, &p.Address.State, &p.Address.PostalCode,
		&p.Phone.Number, &p.Phone.Extension, &kind, &p.Fax.Number, &p.Active, &p.Version, &p.CreateTime, &p.UpdateTime)
	if err != nil {
		return nil, err
	}
	p.Phone.Kind = contact.PhoneKind(kind)
	if p.Fax.Number != "" {
		p.Fax.Kind = contact.PhoneKindFax
	}
	return &p, nil
}

// GetPrescriber returns prescriber id of the caller's company. Another
// company's prescriber is NOT_FOUND, exactly like a missing one.
func (s *Store) GetPrescriber(ctx context.Context, id string) (*domain.Prescriber, error) {
	return postgres.ReadOne(ctx, s.db, "get prescriber "+id, func(tx pgx.Tx) (*domain.Prescriber, error) { return getPrescriber(ctx, tx, id, "") })
}

func getPrescriber(ctx context.Context, tx pgx.Tx, id, lock string) (*domain.Prescriber, error) {
	p, err := scanPrescriber(tx.QueryRow(ctx, `select `+prescriberColumns+` from prescribers where id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("prescriber", id)
	}
	return p, err
}

// ListPrescribers returns up to q.Limit of the caller's prescribers that q
// selects, ordered by last name, first name (case-insensitive) and id,
// after q.After (the previous page's last lower-cased last name, first
// name and id).
func (s *Store) ListPrescribers(ctx context.Context, q app.PrescriberQuery) ([]*domain.Prescriber, error) {
	prefix := ""
	if q.LastNamePrefix != "" {
		prefix = likePrefix(q.LastNamePrefix)
	}
	return postgres.ReadMany(ctx, s.db, "list prescribers", `
		select `+prescriberColumns+` from prescribers
		where ($1 or active)
		  and ($2 = '' or lower(last_name) like $2)
		  and ($3 = '' or npi = $3)
		  and ($4::text is null or (lower(last_name), lower(first_name), id) > ($4, $5, $6::uuid))
		order by lower(last_name), lower(first_name), id
		limit $7`,
		scanPrescriber, q.ShowInactive, prefix, q.NPI, postgres.AfterKey(q.After, 0), postgres.AfterKey(q.After, 1), postgres.AfterKey(q.After, 2), q.Limit)
}

// CreatePrescriber inserts p under the AIP-155 key requestID. An NPI the
// company already has a prescriber for is ALREADY_EXISTS. A repeated
// request returns the prescriber created the first time, as it is now,
// with replayed true.
func (s *Store) CreatePrescriber(ctx context.Context, p *domain.Prescriber, requestID string, requestHash []byte) (*domain.Prescriber, bool, error) {
	return postgres.CreateResource(ctx, s.db, "CreatePrescriber", requestID, requestHash, p.ID, p,
		func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `
				insert into prescribers (id, company_id, npi, first_name, last_name, credentials, pecos_enrolled,
					address_line1, address_line2, address_city, address_state, address_postal_code,
					phone_e164, phone_extension, phone_kind, fax_e164, active, version, create_time, update_time)
				values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
				p.ID, p.CompanyID, p.NPI, p.FirstName, p.LastName, p.Credentials, p.PECOSEnrolled,
				p.Address.Line1, p.Address.Line2, p.Address.City, p.Address.State, p.Address.PostalCode,
				p.Phone.Number, p.Phone.Extension, string(p.Phone.Kind), p.Fax.Number, p.Active, p.Version,
				p.CreateTime, p.UpdateTime)
			return postgres.AlreadyExists(err, prescriberUniqueKeys, p.NPI)
		},
		func(tx pgx.Tx, id string) (*domain.Prescriber, error) { return getPrescriber(ctx, tx, id, "") })
}

// UpdatePrescriber loads prescriber id for update, lets fn change it, and
// saves it with its version advanced by one. An NPI another prescriber of
// the company has is ALREADY_EXISTS. Nothing is written when fn returns an
// error.
func (s *Store) UpdatePrescriber(ctx context.Context, id string, fn func(*domain.Prescriber) error) (*domain.Prescriber, error) {
	return postgres.UpdateResource(ctx, s.db, "update prescriber",
		func(tx pgx.Tx) (*domain.Prescriber, error) { return getPrescriber(ctx, tx, id, " for update") },
		fn, func(p *domain.Prescriber) { p.Version++ },
		func(tx pgx.Tx, p *domain.Prescriber) error {
			_, err := tx.Exec(ctx, `
				update prescribers set npi = $2, first_name = $3, last_name = $4, credentials = $5, pecos_enrolled = $6,
					address_line1 = $7, address_line2 = $8, address_city = $9, address_state = $10,
					address_postal_code = $11, phone_e164 = $12, phone_extension = $13, phone_kind = $14,
					fax_e164 = $15, active = $16, version = $17, update_time = $18
				where id = $1`,
				p.ID, p.NPI, p.FirstName, p.LastName, p.Credentials, p.PECOSEnrolled,
				p.Address.Line1, p.Address.Line2, p.Address.City, p.Address.State, p.Address.PostalCode,
				p.Phone.Number, p.Phone.Extension, string(p.Phone.Kind), p.Fax.Number, p.Active, p.Version, p.UpdateTime)
			return postgres.AlreadyExists(err, prescriberUniqueKeys, p.NPI)
		})
}
