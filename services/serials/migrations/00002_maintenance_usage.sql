-- Maintenance records, the announcement of a unit falling due, and device
-- usage readings. Tenant row-level security on both tables, forced, as on
-- every other.

-- +goose Up

create table maintenance_records (
    id            uuid        primary key,
    company_id    uuid        not null,
    unit_id       uuid        not null,
    problem       text        not null check (length(problem) between 1 and 500),
    work_done     text        not null check (length(work_done) between 1 and 2000),
    technician    text        not null check (length(technician) between 1 and 100),
    labor_minutes integer     not null default 0 check (labor_minutes between 0 and 10080),
    cost_cents    bigint      not null default 0 check (cost_cents >= 0),
    perform_date  date        not null,
    next_due      date        check (next_due > perform_date),
    released      boolean     not null default false,
    actor_id      text        not null default '',
    create_time   timestamptz not null default now(),
    foreign key (company_id, unit_id) references units (company_id, id)
);
create index maintenance_records_unit on maintenance_records (company_id, unit_id, create_time desc, id desc);

-- The due date a serials.maintenance.due.v1 event was published for, so
-- the daily sweep announces each due date once.
alter table units add column due_announced date;

-- One night's reading of a unit for the patient using it; a re-upload of
-- the night replaces it.
create table usage_readings (
    company_id  uuid        not null,
    unit_id     uuid        not null,
    patient_id  uuid        not null,
    night       date        not null,
    minutes     integer     not null check (minutes between 0 and 1440),
    record_time timestamptz not null default now(),
    primary key (company_id, unit_id, patient_id, night),
    foreign key (company_id, unit_id) references units (company_id, id)
);

-- +goose StatementBegin
do $$
declare t text;
begin
    foreach t in array array['maintenance_records', 'usage_readings'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I
            using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
            with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)$p$, t);
    end loop;
end $$;
-- +goose StatementEnd

grant select, insert on maintenance_records to serials_app;
grant select, insert, update on usage_readings to serials_app;

-- The due sweep runs as the runtime role, which sees one tenant at a time,
-- so maintenance_due_tenants (below) names the tenants with a unit fallen
-- due and not yet announced; the sweep then works each tenant under its
-- policies. It runs as the owner, with a read-only policy of its own.
create policy owner_due_read on units for select to current_user using (true);

-- +goose StatementBegin
do $do$
begin
    execute format($f$
        create function maintenance_due_tenants(today date) returns setof uuid
            language sql stable security definer set search_path = %I, pg_temp
        as $body$
            select distinct company_id from units
            where next_maintenance_due <= today
              and due_announced is distinct from next_maintenance_due
              and status not in ('sold', 'lost', 'junked')
            order by 1
        $body$$f$, current_schema());
end
$do$;
-- +goose StatementEnd
revoke execute on function maintenance_due_tenants(date) from public;
grant execute on function maintenance_due_tenants(date) to serials_app;

-- +goose Down
drop function maintenance_due_tenants(date);
drop policy owner_due_read on units;
drop table usage_readings;
alter table units drop column due_announced;
drop table maintenance_records;
