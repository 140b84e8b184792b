-- Key rotation: `clinical reencrypt` re-seals every PHI value under the
-- key ring's primary version, tenant by tenant. The runtime role sees one
-- tenant at a time under row-level security, so it cannot find the
-- tenants to visit; sealed_tenants (below) tells it. The job then walks
-- each tenant's rows in a transaction scoped to that tenant, under the
-- policies like any other query.
--
-- sealed_tenants runs as the owner, and FORCE binds the owner to the
-- policies too, so the owner gets read-only policies of its own on the two
-- tables that hold sealed values; the runtime role never has them.

-- +goose Up
create policy owner_reencrypt_read on patients for select to current_user using (true);
create policy owner_reencrypt_read on coverages for select to current_user using (true);

-- sealed_tenants returns the companies that have patients or coverages,
-- the only rows holding sealed values, in id order. It reveals company ids
-- and nothing else. SECURITY DEFINER with the search_path pinned to this
-- schema (pg_temp last, so a temporary table cannot stand in for the real
-- ones).
-- +goose StatementBegin
do $do$
begin
    execute format($f$
        create function sealed_tenants() returns setof uuid
            language sql stable security definer set search_path = %I, pg_temp
        as $body$
            select company_id from patients
            union
            select company_id from coverages
            order by 1
        $body$$f$, current_schema());
end
$do$;
-- +goose StatementEnd
revoke execute on function sealed_tenants() from public;
grant execute on function sealed_tenants() to clinical_app;

-- +goose Down
drop function sealed_tenants();
drop policy owner_reencrypt_read on coverages;
drop policy owner_reencrypt_read on patients;
