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

var payerUniqueKeys = map[string]string{"payers_company_code_key": "payer"}

const payerColumns = `id::text, company_id::text, name, payer_code, type, address_line1, address_line2, address_city,
	address_state, address_postal_code, phone_e164, phone_extension, phone_kind, active, version, create_time, update_time`

func scanPayer(row pgx.Row) (*domain.Payer, error) {
	var p domain.Payer
	var typ, kind string
	err := row.Scan(&p.ID, &p.CompanyID, &p.Name, &p.PayerCode, &typ, &p.Address.Line1, &p.Address.Line2, &p.Address.City,
		&p.Address.State, &p.Address.PostalCode, &p.Phone.Number, &p.Phone.Extension, &kind, &p.Active,
		&p.Version, &p.CreateTime, &p.UpdateTime)
	p.Type, p.Phone.Kind = domain.PayerType(typ), contact.PhoneKind(kind)
	return &p, err
}

// GetPayer returns payer id of the caller's company.
func (s *Store) GetPayer(ctx context.Context, id string) (*domain.Payer, error) {
	return postgres.ReadOne(ctx, s.db, "get payer "+id, func(tx pgx.Tx) (*domain.Payer, error) { return getPayer(ctx, tx, id, "") })
}

func getPayer(ctx context.Context, tx pgx.Tx, id, lock string) (*domain.Payer, error) {
	p, err := scanPayer(tx.QueryRow(ctx, `select `+payerColumns+` from payers where id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("payer", id)
	}
	return p, err
}

// ListPayers returns up to limit payers ordered by name (case-insensitive)
// and id, after the keys (lower-cased name, id) of the previous page's last.
func (s *Store) ListPayers(ctx context.Context, q app.PayerQuery) ([]*domain.Payer, error) {
	return postgres.ReadMany(ctx, s.db, "list payers", `
		select `+payerColumns+` from payers
		where ($1 = '' or type = $1) and ($2 or active)
		  and ($3::text is null or (lower(name), id) > ($3, $4::uuid))
		order by lower(name), id limit $5`,
		scanPayer, string(q.Type), q.ShowInactive, postgres.AfterKey(q.After, 0), postgres.AfterKey(q.After, 1), q.Limit)
}

// CreatePayer inserts p under the AIP-155 key requestID; a payer code the
// company already uses is ALREADY_EXISTS.
func (s *Store) CreatePayer(ctx context.Context, p *domain.Payer, requestID string, requestHash []byte) (*domain.Payer, bool, error) {
	return postgres.CreateResource(ctx, s.db, "CreatePayer", requestID, requestHash, p.ID, p,
		func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `
				insert into payers (id, company_id, name, payer_code, type, address_line1, address_line2, address_city,
					address_state, address_postal_code, phone_e164, phone_extension, phone_kind, active, version,
					create_time, update_time)
				values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
				p.ID, p.CompanyID, p.Name, p.PayerCode, string(p.Type), p.Address.Line1, p.Address.Line2, p.Address.City,
				p.Address.State, p.Address.PostalCode, p.Phone.Number, p.Phone.Extension, string(p.Phone.Kind), p.Active,
				p.Version, p.CreateTime, p.UpdateTime)
			return postgres.AlreadyExists(err, payerUniqueKeys, p.PayerCode)
		},
		func(tx pgx.Tx, id string) (*domain.Payer, error) { return getPayer(ctx, tx, id, "") })
}

// UpdatePayer loads payer id for update, lets fn change it and saves it
// with its version advanced.
func (s *Store) UpdatePayer(ctx context.Context, id string, fn func(*domain.Payer) error) (*domain.Payer, error) {
	return postgres.UpdateResource(ctx, s.db, "update payer",
		func(tx pgx.Tx) (*domain.Payer, error) { return getPayer(ctx, tx, id, " for update") },
		fn, func(p *domain.Payer) { p.Version++ },
		func(tx pgx.Tx, p *domain.Payer) error {
			_, err := tx.Exec(ctx, `
				update payers set name = $2, payer_code = $3, type = $4, address_line1 = $5, address_line2 = $6,
					address_city = $7, address_state = $8, address_postal_code = $9, phone_e164 = $10,
					phone_extension = $11, phone_kind = $12, active = $13, version = $14, update_time = $15
				where id = $1`,
				p.ID, p.Name, p.PayerCode, string(p.Type), p.Address.Line1, p.Address.Line2, p.Address.City,
				p.Address.State, p.Address.PostalCode, p.Phone.Number, p.Phone.Extension, string(p.Phone.Kind),
				p.Active, p.Version, p.UpdateTime)
			return postgres.AlreadyExists(err, payerUniqueKeys, p.PayerCode)
		})
}

const planColumns = `id::text, company_id::text, payer_id::text, name, plan_code, active, version, create_time, update_time`

func scanPlan(row pgx.Row) (*domain.Plan, error) {
	var p domain.Plan
	err := row.Scan(&p.ID, &p.CompanyID, &p.PayerID, &p.Name, &p.PlanCode, &p.Active, &p.Version, &p.CreateTime, &p.UpdateTime)
	return &p, err
}

// GetPlan returns plan id of payer payerID of the caller's company.
func (s *Store) GetPlan(ctx context.Context, payerID, id string) (*domain.Plan, error) {
	return postgres.ReadOne(ctx, s.db, "get plan "+id, func(tx pgx.Tx) (*domain.Plan, error) { return getPlan(ctx, tx, payerID, id, "") })
}

// getPlan reads a plan; payerID "" accepts any payer of the company.
func getPlan(ctx context.Context, tx pgx.Tx, payerID, id, lock string) (*domain.Plan, error) {
	p, err := scanPlan(tx.QueryRow(ctx, `select `+planColumns+` from plans where id = $1 and ($2 = '' or payer_id::text = $2)`+lock, id, payerID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("plan", id)
	}
	return p, err
}

// ListPlans returns up to limit plans of a payer ordered by name and id.
func (s *Store) ListPlans(ctx context.Context, q app.PlanQuery) ([]*domain.Plan, error) {
	return postgres.ReadMany(ctx, s.db, "list plans", `
		select `+planColumns+` from plans
		where payer_id = $1 and ($2 or active)
		  and ($3::text is null or (lower(name), id) > ($3, $4::uuid))
		order by lower(name), id limit $5`,
		scanPlan, q.PayerID, q.ShowInactive, postgres.AfterKey(q.After, 0), postgres.AfterKey(q.After, 1), q.Limit)
}

// CreatePlan inserts p under the AIP-155 key requestID.
func (s *Store) CreatePlan(ctx context.Context, p *domain.Plan, requestID string, requestHash []byte) (*domain.Plan, bool, error) {
	return postgres.CreateResource(ctx, s.db, "CreatePlan", requestID, requestHash, p.ID, p,
		func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `
				insert into plans (id, company_id, payer_id, name, plan_code, active, version, create_time, update_time)
				values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				p.ID, p.CompanyID, p.PayerID, p.Name, p.PlanCode, p.Active, p.Version, p.CreateTime, p.UpdateTime)
			return err
		},
		func(tx pgx.Tx, id string) (*domain.Plan, error) { return getPlan(ctx, tx, "", id, "") })
}

// UpdatePlan loads plan id of payer payerID for update, lets fn change it
// and saves it with its version advanced.
func (s *Store) UpdatePlan(ctx context.Context, payerID, id string, fn func(*domain.Plan) error) (*domain.Plan, error) {
	return postgres.UpdateResource(ctx, s.db, "update plan",
		func(tx pgx.Tx) (*domain.Plan, error) { return getPlan(ctx, tx, payerID, id, " for update") },
		fn, func(p *domain.Plan) { p.Version++ },
		func(tx pgx.Tx, p *domain.Plan) error {
			_, err := tx.Exec(ctx, `update plans set name = $2, plan_code = $3, active = $4, version = $5, update_time = $6 where id = $1`,
				p.ID, p.Name, p.PlanCode, p.Active, p.Version, p.UpdateTime)
			return err
		})
}
