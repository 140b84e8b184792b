-- Idempotency keys (AIP-155): one row per create request that carried a
-- request_id, holding a hash of the request and the response sent, so a
-- retry gets the same answer instead of a second resource.

-- +goose Up
create table idempotency_keys (
    company_id   uuid        not null default nullif(current_setting('ariesone.company_id', true), '')::uuid,
    method       text        not null,
    request_id   text        not null,
    request_hash bytea       not null,
    -- null until the transaction that claimed the key saves its response.
    response     bytea,
    created_at   timestamptz not null default now(),
    primary key (company_id, method, request_id)
);

create index idempotency_keys_created_at on idempotency_keys (created_at);

alter table idempotency_keys enable row level security;
alter table idempotency_keys force row level security;

create policy tenant_isolation on idempotency_keys
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);

-- Pruning spans all tenants, which the runtime role can never see. It runs
-- in prune_idempotency_keys below as the owner; FORCE binds the owner to
-- the policies too, so the owner gets its own, for reading and deleting
-- only.
create policy owner_prune_read on idempotency_keys for select to current_user using (true);
create policy owner_prune_delete on idempotency_keys for delete to current_user using (true);

-- The search_path is pinned to this schema (then pg_temp, so a temporary
-- table cannot stand in for the real one) because the function runs with
-- the owner's rights. The minimum retention keeps a caller from wiping keys
-- that still protect retries in flight. (%% in the body is format()'s
-- escape for the % of raise.)
-- +goose StatementBegin
do $do$
begin
    execute format($f$
        create function prune_idempotency_keys(retention interval) returns bigint
        language plpgsql security definer set search_path = %I, pg_temp
        as $body$
        declare
            pruned bigint;
        begin
            if retention is null or retention < interval '1 hour' then
                raise exception 'idempotency key retention %% is shorter than one hour', retention
                    using errcode = 'invalid_parameter_value';
            end if;
            delete from idempotency_keys where created_at < now() - retention;
            get diagnostics pruned = row_count;
            return pruned;
        end
        $body$$f$, current_schema());
    execute 'revoke execute on function prune_idempotency_keys(interval) from public';
    execute format('grant execute on function prune_idempotency_keys(interval) to %I', current_schema() || '_app');
    execute format('grant select, insert, update on idempotency_keys to %I', current_schema() || '_app');
end
$do$;
-- +goose StatementEnd
