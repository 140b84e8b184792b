package store

import (
	"context"
	"errors"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// methodCreateCoverage is the idempotency method key of CreateCoverage.
const methodCreateCoverage = "CreateCoverage"

// coverageRankKey is the constraint that keeps ranks unique among a
// patient's current coverages; it backs up domain.CheckRankFree against a
// race the patient lock does not cover.
const coverageRankKey = "coverages_patient_rank_key"

// coverageColumns is the select list scanCoverage reads: the coverage
// joined to its plan (c, p) for the payer id.
const coverageColumns = `c.id::text, c.company_id::text, c.patient_id::text, c.plan_id::text, p.payer_id::text,
	c.member_id_ciphertext, c.group_number, coalesce(c.rank, 0), c.relationship, c.subscriber_first_name,
	c.subscriber_last_name, c.subscriber_birth_date, c.effective_date, c.end_date, c.eligibility_status,
	c.last_eligibility_check_time, c.version, c.create_time, c.update_time, c.delete_time`

// coverageFrom is the from clause coverageColumns reads.
const coverageFrom = ` from coverages c join plans p on p.id = c.plan_id `

// scanCoverage reads one coverage row and opens its member id.
func (s *Store) scanCoverage(row pgx.Row) (*domain.Coverage, error) {
	var c domain.Coverage
	var memberID []byte
	var relationship, status string
	var rank int16
	targets := []any{&c.ID, &c.CompanyID, &c.PatientID, &c.PlanID, &c.PayerID, &memberID, &c.GroupNumber, &rank,
		&relationship, &c.SubscriberFirstName, &c.SubscriberLastName}
	targets = append(targets, dates(&c.SubscriberBirthDate, &c.EffectiveDate, &c.EndDate)...)
	targets = append(targets, &status, &c.LastEligibilityCheckTime, &c.Version, &c.CreateTime, &c.UpdateTime, &c.DeleteTime)
	if err := row.Scan(targets...); err != nil {
		return nil, err
	}
	c.Rank, c.Relationship, c.EligibilityStatus = int(rank), domain.Relationship(relationship), domain.EligibilityStatus(status)
	var err error
	if c.MemberID, err = s.open(memberID, c.ID, domain.PHIColumnMemberID); err != nil {
		return nil, err
	}
	return &c, nil
}

// GetCoverage returns coverage id of patient patientID in the caller's
// company, deleted or not. Another patient's or company's coverage is
// NOT_FOUND, exactly like a missing one.
func (s *Store) GetCoverage(ctx context.Context, patientID, id string) (*domain.Coverage, error) {
	return postgres.ReadOne(ctx, s.db, "get coverage "+id, func(tx pgx.Tx) (*domain.Coverage, error) {
		return s.getCoverage(ctx, tx, patientID, id, "")
	})
}

func (s *Store) getCoverage(ctx context.Context, tx pgx.Tx, patientID, id, lock string) (*domain.Coverage, error) {
	c, err := s.scanCoverage(tx.QueryRow(ctx, `select `+coverageColumns+coverageFrom+
		`where c.id = $1 and c.patient_id = $2`+lock, id, patientID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("coverage", id)
	}
	return c, err
}

// coverageOrder is a coverage's place in a patient's list: its rank, or
// MaxRank+1 once deleted (deleted coverages come after the current ones).
const coverageOrder = `coalesce(c.rank, 5)`

// ListCoverages returns up to limit coverages of a patient ordered by rank,
// deleted ones (when asked for) last by id, after the keys (place, id) of
// the previous page's last.
func (s *Store) ListCoverages(ctx context.Context, q app.CoverageQuery) ([]*domain.Coverage, error) {
	return postgres.ReadMany(ctx, s.db, "list coverages", `
		select `+coverageColumns+coverageFrom+`
		where c.patient_id = $1 and ($2 or c.delete_time is null)
		  and ($3::text is null or (`+coverageOrder+`, c.id) > ($3::int, $4::uuid))
		order by `+coverageOrder+`, c.id limit $5`,
		s.scanCoverage, q.PatientID, q.ShowDeleted, postgres.AfterKey(q.After, 0), postgres.AfterKey(q.After, 1), q.Limit)
}

// PatientCoverages returns the current (not deleted) coverages of patient
// patientID in the caller's company by rank, member ids in clear; none for
// another company's patient.
func (s *Store) PatientCoverages(ctx context.Context, patientID string) ([]domain.Coverage, error) {
	return postgres.ReadMany(ctx, s.db, "patient coverages", `select `+coverageColumns+coverageFrom+`
		where c.patient_id = $1 and c.delete_time is null order by c.rank, c.id`,
		s.coverageValue, patientID)
}

func (s *Store) coverageValue(row pgx.Row) (domain.Coverage, error) {
	c, err := s.scanCoverage(row)
	if err != nil {
		return domain.Coverage{}, err
	}
	return *c, nil
}

// LockPatientCoverages locks patient patientID's coverages against
// concurrent changes until the unit of work ends (by locking the patient's
// row) and returns its current coverages by rank. An unknown patient, or
// another company's, is NOT_FOUND. Call it within a unit of work.
func (s *Store) LockPatientCoverages(ctx context.Context, patientID string) ([]domain.Coverage, error) {
	var out []domain.Coverage
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		var found bool
		err := tx.QueryRow(ctx, `select true from patients where id = $1 for no key update`, patientID).Scan(&found)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("patient", patientID)
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `select `+coverageColumns+coverageFrom+`
			where c.patient_id = $1 and c.delete_time is null order by c.rank, c.id for update of c`, patientID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Coverage, error) { return s.coverageValue(r) })
		return err
	})
	return out, postgres.Wrap("lock coverages of patient "+patientID, err)
}

// coverageRow is a coverage's columns as written: the member id sealed
// with the coverage's id, a rank of 0 (deleted) as NULL.
type coverageRow struct {
	memberID []byte
	rank     any
}

func (s *Store) coverageRowOf(c *domain.Coverage) (coverageRow, error) {
	sealed, err := s.seal(c.MemberID, c.ID, domain.PHIColumnMemberID)
	if err != nil {
		return coverageRow{}, err
	}
	r := coverageRow{memberID: sealed}
	if c.Rank > 0 {
		r.rank = c.Rank
	}
	return r, nil
}

// rankTaken turns a violation of the rank constraint into the error
// domain.CheckRankFree gives, naming rank when it is known (> 0).
func rankTaken(err error, rank int) error {
	if constraint, _ := postgres.UniqueViolation(err); constraint != coverageRankKey {
		return err
	}
	if rank <= 0 {
		return &errs.Error{Kind: errs.KindAlreadyExists, Reason: domain.ReasonCoverageRankTaken,
			Message: "two current coverages of the patient would share a rank"}
	}
	return &errs.Error{Kind: errs.KindAlreadyExists, Reason: domain.ReasonCoverageRankTaken,
		Message:  "the patient already has a coverage of rank " + strconv.Itoa(rank) + "; reorder or delete it first",
		Metadata: map[string]string{"rank": strconv.Itoa(rank)}}
}

// CreateCoverage inserts c under the AIP-155 key requestID. admit runs in
// the same transaction once the request is known to be new, before the
// insert: the use case's checks of the patient, plan and rank. A repeated
// request returns the coverage created the first time with replayed true.
func (s *Store) CreateCoverage(ctx context.Context, c *domain.Coverage, requestID string, requestHash []byte,
	admit func() error) (*domain.Coverage, bool, error) {
	return postgres.CreateResource(ctx, s.db, methodCreateCoverage, requestID, requestHash, c.ID, c,
		func(tx pgx.Tx) error {
			if err := admit(); err != nil {
				return err
			}
			r, err := s.coverageRowOf(c)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `
				insert into coverages (id, company_id, patient_id, plan_id, member_id_ciphertext, group_number, rank,
					relationship, subscriber_first_name, subscriber_last_name, subscriber_birth_date, effective_date,
					end_date, eligibility_status, last_eligibility_check_time, version, create_time, update_time, delete_time)
				values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
				c.ID, c.CompanyID, c.PatientID, c.PlanID, r.memberID, c.GroupNumber, r.rank, string(c.Relationship),
				c.SubscriberFirstName, c.SubscriberLastName, date(c.SubscriberBirthDate), date(c.EffectiveDate),
				date(c.EndDate), string(c.EligibilityStatus), c.LastEligibilityCheckTime, c.Version, c.CreateTime,
				c.UpdateTime, c.DeleteTime)
			return rankTaken(err, c.Rank)
		},
		func(tx pgx.Tx, id string) (*domain.Coverage, error) {
			var patientID string
			if err := tx.QueryRow(ctx, `select patient_id::text from coverages where id = $1`, id).Scan(&patientID); err != nil {
				return nil, err
			}
			return s.getCoverage(ctx, tx, patientID, id, "")
		})
}

// UpdateCoverage loads coverage id of patient patientID for update, lets fn
// change it and saves it with its version advanced; nothing is written
// when fn fails.
func (s *Store) UpdateCoverage(ctx context.Context, patientID, id string, fn func(*domain.Coverage) error) (*domain.Coverage, error) {
	return postgres.UpdateResource(ctx, s.db, "update coverage",
		func(tx pgx.Tx) (*domain.Coverage, error) {
			return s.getCoverage(ctx, tx, patientID, id, " for update of c")
		},
		fn, func(c *domain.Coverage) { c.Version++ },
		func(tx pgx.Tx, c *domain.Coverage) error { return s.saveCoverage(ctx, tx, c) })
}

func (s *Store) saveCoverage(ctx context.Context, tx pgx.Tx, c *domain.Coverage) error {
	r, err := s.coverageRowOf(c)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		update coverages set plan_id = $2, member_id_ciphertext = $3, group_number = $4, rank = $5, relationship = $6,
			subscriber_first_name = $7, subscriber_last_name = $8, subscriber_birth_date = $9, effective_date = $10,
			end_date = $11, eligibility_status = $12, last_eligibility_check_time = $13, version = $14,
			update_time = $15, delete_time = $16
		where id = $1`,
		c.ID, c.PlanID, r.memberID, c.GroupNumber, r.rank, string(c.Relationship), c.SubscriberFirstName,
		c.SubscriberLastName, date(c.SubscriberBirthDate), date(c.EffectiveDate), date(c.EndDate),
		string(c.EligibilityStatus), c.LastEligibilityCheckTime, c.Version, c.UpdateTime, c.DeleteTime)
	return rankTaken(err, c.Rank)
}

// SaveCoverageRanks writes the ranks, versions and update times of
// coverages (one patient's, reordered) in one statement: the rank
// constraint is deferrable, so it is checked once the statement has moved
// every rank, not row by row.
func (s *Store) SaveCoverageRanks(ctx context.Context, coverages []domain.Coverage) error {
	ids := make([]string, len(coverages))
	ranks := make([]int32, len(coverages))
	versions := make([]int64, len(coverages))
	times := make([]any, len(coverages))
	for i, c := range coverages {
		ids[i], ranks[i], versions[i], times[i] = c.ID, int32(c.Rank), c.Version, c.UpdateTime
	}
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			update coverages c set rank = v.rank, version = v.version, update_time = v.update_time
			from unnest($1::uuid[], $2::smallint[], $3::bigint[], $4::timestamptz[]) as v(id, rank, version, update_time)
			where c.id = v.id and c.delete_time is null`, ids, ranks, versions, times)
		if err != nil {
			return rankTaken(err, 0)
		}
		if int(tag.RowsAffected()) != len(coverages) {
			return errors.New("a reordered coverage is no longer current")
		}
		return nil
	})
	return postgres.Wrap("save coverage ranks", err)
}
