-- Equipment orders, their lines, proofs of delivery and pickups. Tenant
-- row-level security on every table, forced, as in the other services.
-- Patients, written orders, coverages, prescribers and payers are
-- clinical's, locations company's, items and units serials': referenced by
-- id, checked through their services' APIs.

-- +goose Up

create table orders (
    id               uuid        primary key,
    company_id       uuid        not null,
    patient_id       uuid        not null,
    branch_id        uuid        not null,
    warehouse_id     uuid        not null,
    written_order_id uuid        not null,
    prescriber_id    uuid        not null,
    -- The patient's coverages on the order date as copied from clinical:
    -- [{"rank": 1, "coverageId": "...", "payerId": "..."}].
    coverages        jsonb       not null default '[]',
    order_date       date        not null,
    diagnoses        text[]      not null check (cardinality(diagnoses) between 1 and 12),
    status           text        not null
                                 check (status in ('draft', 'submitted', 'approved', 'delivered', 'closed', 'cancelled')),
    price_list_id    uuid,
    override_reason  text        not null default '' check (length(override_reason) <= 2000),
    overridden_gaps  text[]      not null default '{}',
    cancel_reason    text        not null default '' check (length(cancel_reason) <= 2000),
    version          bigint      not null default 1 check (version > 0),
    create_time      timestamptz not null default now(),
    update_time      timestamptz not null default now(),
    constraint orders_company_id_key unique (company_id, id),
    check ((status = 'cancelled') = (cancel_reason <> ''))
);
-- Listings: newest order date first, by id within a day; narrowed by
-- patient (their history), branch or status.
create index orders_by_date on orders (company_id, order_date desc, id desc);
create index orders_by_patient on orders (company_id, patient_id, order_date desc, id desc);
create index orders_by_branch on orders (company_id, branch_id, order_date desc, id desc);
create index orders_by_status on orders (company_id, status, order_date desc, id desc);

create table order_lines (
    id                  uuid    primary key,
    company_id          uuid    not null,
    order_id            uuid    not null,
    position            integer not null check (position between 0 and 19),
    item_id             uuid    not null,
    serialized          boolean not null,
    hcpcs               text    not null check (hcpcs ~ '^[A-V][0-9]{4}$'),
    modifiers           text[]  not null default '{}' check (cardinality(modifiers) <= 4),
    quantity            integer not null check (quantity between 1 and 9999),
    type                text    not null check (type in ('one_time_sale', 'recurring_sale', 'monthly_rental',
                                    'capped_rental', 'rent_to_purchase', 'oxygen_rental')),
    diagnosis_pointers  integer[] not null check (cardinality(diagnosis_pointers) between 1 and 4),
    serial_number       text    not null default '' check (length(serial_number) <= 64),
    unit_id             uuid,
    currency            text    not null default 'USD' check (currency = 'USD'),
    billable_cents      bigint  not null check (billable_cents >= 0),
    allowable_cents     bigint  not null check (allowable_cents >= 0),
    billing_start_date  date,
    billing_end_date    date check (billing_end_date >= billing_start_date),
    fulfillment_problem text    not null default '' check (length(fulfillment_problem) <= 200),
    foreign key (company_id, order_id) references orders (company_id, id),
    constraint order_lines_position_key unique (order_id, position) deferrable initially deferred,
    check (serialized or (serial_number = '' and unit_id is null)),
    check (not serialized or quantity = 1)
);

-- Proofs of delivery are kept unchanged (42 CFR 424.57(c)(12)): the
-- service may insert and read them, never update or delete; a correction
-- is a new row naming the one it corrects.
create table deliveries (
    id                   uuid        primary key,
    company_id           uuid        not null,
    order_id             uuid        not null,
    receiver_name        text        not null check (receiver_name <> '' and length(receiver_name) <= 200),
    relationship         text        not null check (relationship in ('self', 'spouse', 'child', 'parent',
                                         'caregiver', 'facility_staff', 'other')),
    signature_date       date        not null,
    -- {"line1", "line2", "city", "state", "postalCode"}.
    address              jsonb       not null,
    -- [{"lineId", "quantity", "serialNumber"}], one per order line.
    lines                jsonb       not null,
    corrects_delivery_id uuid        references deliveries (id),
    actor_id             text        not null,
    create_time          timestamptz not null default now(),
    foreign key (company_id, order_id) references orders (company_id, id)
);
create index deliveries_by_order on deliveries (company_id, order_id, create_time, id);

-- Pickups, likewise kept unchanged.
create table pickups (
    id          uuid        primary key,
    company_id  uuid        not null,
    order_id    uuid        not null,
    pickup_date date        not null,
    reason      text        not null check (reason in ('end_of_need', 'death', 'hospice', 'switched_supplier',
                                'unpaid', 'exchange', 'other')),
    note        text        not null default '' check (length(note) <= 500),
    lines       jsonb       not null,
    actor_id    text        not null,
    create_time timestamptz not null default now(),
    foreign key (company_id, order_id) references orders (company_id, id)
);
create index pickups_by_order on pickups (company_id, order_id, create_time, id);

-- +goose StatementBegin
do $$
declare t text;
begin
    foreach t in array array['orders', 'order_lines', 'deliveries', 'pickups'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I
            using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
            with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)$p$, t);
    end loop;
end $$;
-- +goose StatementEnd

-- Orders are cancelled or closed, never deleted; a draft's lines are
-- replaced as a whole, so lines may be deleted while the order is a draft
-- (the service checks).
grant select, insert, update on orders to orders_app;
grant select, insert, update, delete on order_lines to orders_app;
grant select, insert on deliveries, pickups to orders_app;

-- +goose Down
drop table pickups;
drop table deliveries;
drop table order_lines;
drop table orders;
