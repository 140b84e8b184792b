// Package postgres is the shared Postgres kit of every AriesOne service:
// connection pools, embedded migrations applied under an advisory lock,
// tenant-scoped transactions backed by row-level security, an audit that
// proves each tenant table is protected, and AIP-155 idempotency keys.
//
// # Roles
//
// Each service owns one schema. Two roles touch it:
//
//   - the owner (the admin connection given to [Migrate]) creates the schema
//     and its tables and owns them;
//   - the service at runtime logs in as a different role that owns nothing
//     and holds only what the migrations grant to the schema's group role
//     "<schema>_app". Because it is not the owner it cannot disable
//     row-level security, and a table can be made append-only simply by
//     granting it SELECT and INSERT and nothing else.
//
// # Tenant isolation
//
// Every tenant-owned table has a company_id column and this policy, which
// compares it with the tenant that [DB.WithTx] sets for the transaction from
// the authenticated principal ([TenantSetting], see [TenantPolicyExpression]):
//
//	alter table patients enable row level security;
//	alter table patients force row level security;
//	create policy tenant_isolation on patients
//	    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
//	    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
//	grant select, insert, update, delete on patients to clinical_app;
//
// A transaction without a tenant sees no rows and can write none, so a
// query that forgets its "where company_id = $1" leaks nothing and a bug
// fails closed. FORCE makes the policy bind the owner too; a superuser or a
// BYPASSRLS role skips it, which is why Migrate refuses such a runtime role.
// [CheckRowLevelSecurity] finds tables that miss any of the three statements.
//
// # Branch scope
//
// A user may be limited to some of the company's locations (their
// allowed_location_ids, carried in the token's "loc" claim as
// identity.Principal.Locations). The same transactions that set the tenant
// set those locations too ([LocationsSetting], a comma list of UUIDs; empty
// or unset means every location), and a table whose rows belong to a
// location adds a restrictive policy on that column, which Postgres ANDs
// with the tenant policy (see [LocationScopeExpression]):
//
//	create policy branch_scope on patients as restrictive
//	    using ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
//	           or branch_id = any (array(select unnest(string_to_array(current_setting('ariesone.location_ids', true), ','))::uuid)))
//	    with check (...the same...);
//
// A row of another location then looks exactly like a row that does not
// exist (NOT_FOUND, absent from lists), and a write into another location
// fails its WITH CHECK, which the transaction reports as NOT_FOUND too.
// Rows that hang off a scoped row (a patient's coverages, an order's
// lines) use "exists (select 1 from patients p where p.id = patient_id)"
// in place of the comparison: the subquery is itself scoped. Unlike the
// tenant, an empty scope is permissive on purpose: system work without a
// principal (consumers, relays, sweeps) must see every location, and the
// tenant policy still fails closed.
package postgres
