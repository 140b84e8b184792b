-- The audit trail: one record per RPC any service handled, chained per
-- tenant by SHA-256 so an edit or a removal is detectable
-- (VerifyAuditChain).
--
-- Append-only by privilege: the runtime role may read and insert records,
-- never update or delete them. Only the schema owner could change a record,
-- and the chain makes that visible. Calls without a tenant are chained under
-- the nil UUID, 00000000-0000-0000-0000-000000000000.

-- +goose Up

-- audit_resource_values lists the values of a record's resources (the id
-- fields of the call), sorted, so "which calls named this id in any field"
-- is an indexed array containment.
-- +goose StatementBegin
create function audit_resource_values(resources jsonb) returns text[]
    language sql immutable strict parallel safe
as $$
    select coalesce(array_agg(r.value order by r.value), '{}') from jsonb_each_text(resources) r
$$;
-- +goose StatementEnd
grant execute on function audit_resource_values(jsonb) to notify_app;

-- audit_records: the trail. sequence numbers each tenant's records from 1
-- without gaps; hash = SHA-256(previous_hash || canonical content), the
-- canonical encoding being documented with the domain's AuditRecord. id is
-- the id of the event that carried the record, so a redelivered event is
-- appended once.
create table audit_records (
    company_id    uuid        not null,
    sequence      bigint      not null check (sequence > 0),
    id            uuid        not null unique,
    service       text        not null,
    method        text        not null,
    actor_id      text        not null,
    actor_kind    text        not null,
    resources     jsonb       not null check (jsonb_typeof(resources) = 'object'),
    code          text        not null,
    client_addr   text        not null,
    request_id    text        not null,
    call_time     timestamptz not null,
    duration_us   bigint      not null,
    record_time   timestamptz not null,
    previous_hash bytea       not null,
    hash          bytea       not null,
    primary key (company_id, sequence)
);

-- ListAuditRecords filters, each newest first.
create index audit_records_call_time on audit_records (company_id, call_time desc, sequence desc);
create index audit_records_actor on audit_records (company_id, actor_id, call_time desc, sequence desc);
create index audit_records_method on audit_records (company_id, method, call_time desc, sequence desc);
create index audit_records_resource_values on audit_records using gin (audit_resource_values(resources));

alter table audit_records enable row level security;
alter table audit_records force row level security;
create policy tenant_isolation on audit_records
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
grant select, insert on audit_records to notify_app;

-- audit_chain_heads: where each tenant's chain ends. Appending locks the
-- head row, so appends to one chain are serialised while chains of
-- different tenants proceed in parallel; keeping the head apart from the
-- records makes removing the last records detectable.
create table audit_chain_heads (
    company_id    uuid   primary key,
    last_sequence bigint not null check (last_sequence >= 0),
    last_hash     bytea  not null
);

alter table audit_chain_heads enable row level security;
alter table audit_chain_heads force row level security;
create policy tenant_isolation on audit_chain_heads
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
grant select, insert, update on audit_chain_heads to notify_app;
