package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// companyColumns is the select list scanCompany reads.
const companyColumns = `id::text, code, legal_name, display_name, npi, tax_id_ciphertext, tax_id_last4,
	taxonomy_code, address_line1, address_line2, address_city, address_state, address_postal_code,
	phone_e164, phone_extension, phone_kind, status, version, create_time, update_time`

func scanCompany(row pgx.Row) (*domain.Company, error) {
	var c domain.Company
	var kind, status string
	err := row.Scan(&c.ID, &c.Code, &c.LegalName, &c.DisplayName, &c.NPI, &c.TaxIDCiphertext, &c.TaxIDLast4,
		&c.TaxonomyCode, &c.Address.Line1, &c.Address.Line2, &c.Address.City, &c.Address.State, &c.Address.PostalCode,
		&c.Phone.Number, &c.Phone.Extension, &kind, &status, &c.Version, &c.CreateTime, &c.UpdateTime)
	if err != nil {
		return nil, err
	}
	c.Phone.Kind = contact.PhoneKind(kind)
	c.Status = domain.CompanyStatus(status)
	return &c, nil
}

// GetCompany returns company id, which must be the caller's own: row-level
// security shows a transaction only its tenant's company.
func (s *Store) GetCompany(ctx context.Context, id string) (*domain.Company, error) {
	var c *domain.Company
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		var err error
		c, err = getCompany(ctx, tx, id, "")
		return err
	})
	return c, postgres.Wrap("get company", err)
}

func getCompany(ctx context.Context, tx pgx.Tx, id, lock string) (*domain.Company, error) {
	c, err := scanCompany(tx.QueryRow(ctx, `select `+companyColumns+` from companies where id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("company", id)
	}
	return c, err
}

// UpdateCompany loads the caller's company id for update, lets fn change
// it, and saves it with its version advanced by one. Nothing is written
// when fn returns an error.
func (s *Store) UpdateCompany(ctx context.Context, id string, fn func(*domain.Company) error) (*domain.Company, error) {
	var c *domain.Company
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		if c, err = getCompany(ctx, tx, id, " for no key update"); err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
		c.Version++
		_, err = tx.Exec(ctx, `
			update companies set
				legal_name = $2, display_name = $3, npi = $4, tax_id_ciphertext = $5, tax_id_last4 = $6,
				taxonomy_code = $7, address_line1 = $8, address_line2 = $9, address_city = $10,
				address_state = $11, address_postal_code = $12, phone_e164 = $13, phone_extension = $14,
				phone_kind = $15, status = $16, version = $17, update_time = $18
			where id = $1`,
			c.ID, c.LegalName, c.DisplayName, c.NPI, nullable(c.TaxIDCiphertext), c.TaxIDLast4,
			c.TaxonomyCode, c.Address.Line1, c.Address.Line2, c.Address.City,
			c.Address.State, c.Address.PostalCode, c.Phone.Number, c.Phone.Extension,
			string(c.Phone.Kind), string(c.Status), c.Version, c.UpdateTime)
		return err
	})
	if err != nil {
		return nil, postgres.Wrap("update company", err)
	}
	return c, nil
}

// CompanyIDForCode resolves a sign-in code to its company id without a
// tenant, through the schema's security-definer function; found is false
// when no company has the code.
func (s *Store) CompanyIDForCode(ctx context.Context, code string) (id string, found bool, err error) {
	var got *string
	err = s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `select company_id_for_code($1)::text`, code).Scan(&got)
	})
	if err != nil {
		return "", false, postgres.Wrap("company id for code", err)
	}
	if got == nil {
		return "", false, nil
	}
	return *got, true, nil
}

// CreateCompanyWithOwner inserts a new company and its first user in one
// transaction scoped to the new company. A code already taken is
// ALREADY_EXISTS.
func (s *Store) CreateCompanyWithOwner(ctx context.Context, c *domain.Company, owner *domain.User, passwordHash string) error {
	err := s.db.WithTenantTx(ctx, c.ID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			insert into companies (id, code, legal_name, display_name, npi, tax_id_ciphertext, tax_id_last4,
				taxonomy_code, address_line1, address_line2, address_city, address_state, address_postal_code,
				phone_e164, phone_extension, phone_kind, status, version, create_time, update_time)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
			c.ID, c.Code, c.LegalName, c.DisplayName, c.NPI, nullable(c.TaxIDCiphertext), c.TaxIDLast4,
			c.TaxonomyCode, c.Address.Line1, c.Address.Line2, c.Address.City, c.Address.State, c.Address.PostalCode,
			c.Phone.Number, c.Phone.Extension, string(c.Phone.Kind), string(c.Status), c.Version, c.CreateTime, c.UpdateTime)
		if err != nil {
			return classify(err, c.Code)
		}
		if err := insertUser(ctx, tx, owner, passwordHash); err != nil {
			return err
		}
		// The bootstrap password went through an operator's hands: the
		// owner chooses their own at the first sign-in.
		_, err = tx.Exec(ctx, `update users set must_change_password = true where id = $1`, owner.ID)
		return err
	})
	return postgres.Wrap("create company", err)
}

// FindUserByEmail returns the user of company companyID with email
// (compared case-insensitively), for operator paths that act for a tenant
// without a request; found is false when there is none.
func (s *Store) FindUserByEmail(ctx context.Context, companyID, email string) (u *domain.User, found bool, err error) {
	err = s.db.WithTenantTx(ctx, companyID, func(tx pgx.Tx) error {
		u, err = scanUser(tx.QueryRow(ctx, `select `+userColumns+` from users where lower(email) = lower($1)`, email))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, postgres.Wrap("find user by email", err)
	}
	return u, true, nil
}
