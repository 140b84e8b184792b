package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ariesone/ariesone/platform/identity"
)

// TenantSetting is the transaction-local setting that carries the tenant
// (the company id) to the row-level security policies.
const TenantSetting = "ariesone.company_id"

// TenantPolicyExpression is the USING and WITH CHECK expression of every
// tenant isolation policy. current_setting(..., true) yields NULL or ” when
// no tenant is set, and the comparison is then never true: no tenant, no
// rows.
const TenantPolicyExpression = "company_id = nullif(current_setting('" + TenantSetting + "', true), '')::uuid"

// LocationsSetting is the transaction-local setting that carries the
// locations the principal is limited to (identity.Principal.Locations), as
// canonical UUIDs joined by commas, to the branch-scope policies. Empty (or
// unset) means every location: system work without a principal (event
// consumers, the outbox relay, billing and maintenance sweeps) and
// unrestricted users, API keys and services leave it so.
const LocationsSetting = "ariesone.location_ids"

// LocationScopeExpression is the USING and WITH CHECK expression of the
// restrictive branch-scope policy of a table whose column names the
// location a row belongs to (patients.branch_id, units.warehouse_id). Both
// reads of the setting are uncorrelated subqueries, so Postgres evaluates
// them once per statement (InitPlans), not once per row, and an index on
// the column can serve the comparison; when the setting is empty the first
// is true and the comparison is never made.
func LocationScopeExpression(column string) string {
	return "(select coalesce(current_setting('" + LocationsSetting + "', true), '') = '') or " +
		column + " = any (array(select unnest(string_to_array(current_setting('" + LocationsSetting + "', true), ','))::uuid))"
}

// DB runs a service's units of work on its runtime pool, each in a
// transaction scoped to one tenant.
type DB struct {
	pool *pgxpool.Pool
}

// NewDB wraps the runtime pool, which must log in as the service's non-owner
// role (see the package documentation) for row-level security to apply.
func NewDB(pool *pgxpool.Pool) *DB {
	return &DB{pool: pool}
}

// Pool returns the underlying pool, for health checks and for work that is
// not tenant data (LISTEN, the outbox relay).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// WithTx runs fn in a read-write transaction scoped to the tenant of the
// authenticated principal in ctx. Without a principal (or one without a
// company) no tenant is set and the policies show and accept no rows. The
// transaction commits when fn returns nil and rolls back when it returns an
// error or panics; the panic continues after the rollback.
//
// The isolation level is READ COMMITTED whatever the server's default,
// because [Idempotent] relies on it.
func (db *DB) WithTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return db.run(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, principalScope(ctx), fn)
}

// WithReadOnlyTx is WithTx for queries: Postgres rejects any write, and a
// read-only transaction can run on a hot standby.
func (db *DB) WithReadOnlyTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return db.run(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: pgx.ReadOnly}, principalScope(ctx), fn)
}

// WithTenantTx runs fn in a read-write transaction scoped to companyID,
// named by the caller rather than taken from a principal. It is for system
// work that acts for a tenant without a request, such as an event consumer
// applying an event that carries its tenant. companyID must be a UUID.
//
// Inside a unit of work (InTx) it joins the transaction and switches it to
// companyID for the rest of the transaction: what the unit writes after fn
// (the events of a sign-in, say) belongs to the same company. Repositories
// that name their tenant (sign-in, an event consumer) thus compose with the
// rest of a use case.
//
// A principal of companyID in ctx keeps its location scope; system work
// (no principal) is never scoped to locations.
func (db *DB) WithTenantTx(ctx context.Context, companyID string, fn func(pgx.Tx) error) error {
	if companyID == "" {
		return fmt.Errorf("postgres: WithTenantTx needs a company id")
	}
	if tx, ok := db.joined(ctx); ok {
		if err := SetTenant(ctx, tx, companyID); err != nil {
			return err
		}
		return fn(tx)
	}
	scope := scope{companyID: companyID}
	if p, ok := identity.FromContext(ctx); ok && p.CompanyID == companyID {
		scope.locations = p.Locations
	}
	return db.run(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, scope, fn)
}

// scope is what a transaction is limited to: a tenant, and within it,
// when locations is not empty, those locations.
type scope struct {
	companyID string
	locations []string
}

// principalScope returns the company and locations of the caller, or an
// empty scope when there is none.
func principalScope(ctx context.Context) scope {
	p, ok := identity.FromContext(ctx)
	if !ok {
		return scope{}
	}
	return scope{companyID: p.CompanyID, locations: p.Locations}
}

// setSQL renders the statement that sets s for the transaction, "" when
// there is nothing to set. The policies cast both settings to uuid; a
// malformed value would make every query fail with a cast error, so every
// id is parsed up front, and the text set is the canonical form of parsed
// UUIDs (hex digits and dashes only), which cannot break out of a literal.
func (s scope) setSQL() (string, error) {
	if s.companyID == "" {
		return "", nil
	}
	id, err := uuid.Parse(s.companyID)
	if err != nil {
		return "", fmt.Errorf("postgres: tenant %q is not a UUID", s.companyID)
	}
	q := "select set_config('" + TenantSetting + "', '" + id.String() + "', true)"
	if len(s.locations) == 0 {
		return q, nil
	}
	ids := make([]string, len(s.locations))
	for i, l := range s.locations {
		lid, err := uuid.Parse(l)
		if err != nil {
			return "", fmt.Errorf("postgres: location %q is not a UUID", l)
		}
		ids[i] = lid.String()
	}
	return q + ", set_config('" + LocationsSetting + "', '" + strings.Join(ids, ",") + "', true)", nil
}

// run is the one place where transactions begin, end and get their tenant
// and location scope.
func (db *DB) run(ctx context.Context, opts pgx.TxOptions, s scope, fn func(pgx.Tx) error) (err error) {
	if tx, ok := db.joined(ctx); ok {
		// Inside a unit of work (InTx): its transaction, tenant and commit
		// belong to the outermost caller.
		return fn(tx)
	}
	set, err := s.setSQL()
	if err != nil {
		return err
	}
	if set != "" {
		// Set the scope in the same round trip as BEGIN: one simple-protocol
		// message carrying both statements.
		opts.BeginQuery = beginSQL(opts) + "; " + set
	}
	tx, err := db.pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	committed := false
	// The deferred rollback runs on every way out that is not a commit: an
	// error, and a panic in fn, which then keeps unwinding with its original
	// stack. It runs even when ctx is cancelled, so the connection returns
	// to the pool clean (a failed rollback closes it instead).
	defer func() {
		if committed {
			return
		}
		if rbErr := tx.Rollback(context.WithoutCancel(ctx)); rbErr != nil && err == nil {
			err = fmt.Errorf("postgres: rollback: %w", rbErr)
		}
	}()

	if err := fn(tx); err != nil {
		if len(s.locations) > 0 && outsideScope(err) {
			return errOutsideScope(err)
		}
		return err
	}
	var hooks []CommitHook
	if opts.AccessMode != pgx.ReadOnly {
		hooks = commitHooks(ctx)
	}
	for _, h := range hooks {
		if err := h.BeforeCommit(ctx, tx); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	committed = true
	for _, h := range hooks {
		h.AfterCommit()
	}
	return nil
}

// beginSQL renders the BEGIN statement pgx would send for opts.
func beginSQL(opts pgx.TxOptions) string {
	var b strings.Builder
	b.WriteString("begin")
	if opts.IsoLevel != "" {
		b.WriteString(" isolation level ")
		b.WriteString(string(opts.IsoLevel))
	}
	if opts.AccessMode != "" {
		b.WriteString(" ")
		b.WriteString(string(opts.AccessMode))
	}
	if opts.DeferrableMode != "" {
		b.WriteString(" ")
		b.WriteString(string(opts.DeferrableMode))
	}
	return b.String()
}
