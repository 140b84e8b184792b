package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// eligibilityCheckColumns is the select list scanEligibilityCheck reads.
const eligibilityCheckColumns = `id::text, company_id::text, coverage_id::text, date_of_service, checker, outcome,
	request, response, reasons, check_time`

func scanEligibilityCheck(row pgx.Row) (*domain.EligibilityCheck, error) {
	var c domain.EligibilityCheck
	var outcome string
	err := row.Scan(&c.ID, &c.CompanyID, &c.CoverageID, (*date)(&c.DateOfService), &c.Checker, &outcome,
		&c.Request, &c.Response, &c.Reasons, &c.CheckTime)
	c.Outcome = domain.EligibilityOutcome(outcome)
	if len(c.Reasons) == 0 {
		c.Reasons = nil
	}
	return &c, err
}

// CreateEligibilityCheck appends check to its coverage's eligibility log.
func (s *Store) CreateEligibilityCheck(ctx context.Context, check *domain.EligibilityCheck) error {
	reasons := check.Reasons
	if reasons == nil {
		reasons = []string{}
	}
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			insert into eligibility_checks (id, company_id, coverage_id, date_of_service, checker, outcome, request,
				response, reasons, check_time)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			check.ID, check.CompanyID, check.CoverageID, date(check.DateOfService), check.Checker, string(check.Outcome),
			check.Request, check.Response, reasons, check.CheckTime)
		return err
	})
	return postgres.Wrap("create eligibility check", err)
}

// ListEligibilityChecks returns up to limit checks of a coverage, newest
// first (check time, then id, descending), after the keys (check time,
// id) of the previous page's last.
func (s *Store) ListEligibilityChecks(ctx context.Context, q app.EligibilityCheckQuery) ([]*domain.EligibilityCheck, error) {
	var afterTime, afterID any
	if q.After != nil {
		t, err := time.Parse(time.RFC3339Nano, q.After[0])
		if err != nil {
			return nil, postgres.Wrap("list eligibility checks", err)
		}
		afterTime, afterID = t, q.After[1]
	}
	return postgres.ReadMany(ctx, s.db, "list eligibility checks", `
		select `+eligibilityCheckColumns+` from eligibility_checks
		where coverage_id = $1 and ($2::timestamptz is null or (check_time, id) < ($2, $3::uuid))
		order by check_time desc, id desc limit $4`,
		scanEligibilityCheck, q.CoverageID, afterTime, afterID, q.Limit)
}
