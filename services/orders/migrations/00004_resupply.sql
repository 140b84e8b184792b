-- Recurring supplies under the refill rule: schedules, the patient's
-- confirmations and the shipments they allowed (kept as evidence, never
-- changed), and the payers' windows.

-- +goose Up

create table resupply_schedules (
    id           uuid        primary key,
    company_id   uuid        not null,
    patient_id   uuid        not null,
    branch_id    uuid        not null,
    payer_id     uuid,
    -- The order whose recurring supply lines the shipments bill; null
    -- when they are billed elsewhere.
    order_id     uuid,
    -- [{"hcpcs", "itemId", "quantity", "intervalMonths", "suppliedThrough"}].
    items        jsonb       not null,
    status       text        not null default 'active' check (status in ('active', 'ended')),
    -- The first day the patient may be contacted about one of the items,
    -- under the payer's window when the schedule was last written: the due
    -- list reads it.
    next_contact date        not null,
    version      bigint      not null default 1 check (version > 0),
    create_time  timestamptz not null default now(),
    update_time  timestamptz not null default now(),
    constraint resupply_schedules_company_id_key unique (company_id, id),
    foreign key (company_id, order_id) references orders (company_id, id)
);
create index resupply_due on resupply_schedules (company_id, branch_id, next_contact, id) where status = 'active';

create table resupply_confirmations (
    id           uuid        primary key,
    company_id   uuid        not null,
    schedule_id  uuid        not null,
    channel      text        not null check (channel in ('phone', 'sms', 'email', 'portal', 'in_person')),
    confirm_date date        not null,
    -- [{"hcpcs", "quantity", "remainingDays"}].
    items        jsonb       not null,
    actor_id     text        not null,
    create_time  timestamptz not null default now(),
    foreign key (company_id, schedule_id) references resupply_schedules (company_id, id)
);
create index resupply_confirmations_by_schedule on resupply_confirmations (company_id, schedule_id, confirm_date desc, create_time desc);

create table resupply_shipments (
    id              uuid        primary key,
    company_id      uuid        not null,
    schedule_id     uuid        not null,
    ship_date       date        not null,
    -- [{"hcpcs", "quantity"}].
    items           jsonb       not null,
    confirmation_id uuid        not null references resupply_confirmations (id),
    actor_id        text        not null,
    create_time     timestamptz not null default now(),
    foreign key (company_id, schedule_id) references resupply_schedules (company_id, id)
);
create index resupply_shipments_by_schedule on resupply_shipments (company_id, schedule_id, ship_date);

create table resupply_windows (
    company_id     uuid    not null,
    payer_id       uuid    not null,
    contact_days   integer not null check (contact_days between 1 and 90),
    ship_lead_days integer not null check (ship_lead_days between 0 and 30 and ship_lead_days <= contact_days),
    primary key (company_id, payer_id)
);

-- +goose StatementBegin
do $$
declare t text;
begin
    foreach t in array array['resupply_schedules', 'resupply_confirmations', 'resupply_shipments', 'resupply_windows'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I
            using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
            with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)$p$, t);
    end loop;
end $$;
-- +goose StatementEnd

grant select, insert, update on resupply_schedules, resupply_windows to orders_app;
grant select, insert on resupply_confirmations, resupply_shipments to orders_app;

-- +goose Down
drop table resupply_windows;
drop table resupply_shipments;
drop table resupply_confirmations;
drop table resupply_schedules;
