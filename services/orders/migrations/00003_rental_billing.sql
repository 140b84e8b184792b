-- Rental billing: each delivered rental line becomes a rental whose months
-- the billing run turns into claim lines, once per line and month.

-- +goose Up

-- The providers a claim names, copied from clinical and company when the
-- order is drafted: the prescriber's NPI (ordering) and the branch's, or
-- the company's, NPI (rendering).
alter table orders
    add column ordering_npi  text not null default '' check (ordering_npi ~ '^([12][0-9]{9})?$'),
    add column rendering_npi text not null default '' check (rendering_npi ~ '^([12][0-9]{9})?$');

-- A delivered rental line: a copy of what its claims carry, taken at
-- delivery so the billing run asks no other service, and where its billing
-- stands. next_due is the first day of the next month to decide, null once
-- nothing more will be billed (picked up and settled, or closed by its
-- rules); the billing run reads rentals_due.
create table rentals (
    line_id           uuid    primary key,
    company_id        uuid    not null,
    order_id          uuid    not null,
    patient_id        uuid    not null,
    type              text    not null check (type in ('monthly_rental', 'capped_rental', 'rent_to_purchase', 'oxygen_rental')),
    date_of_service   date    not null,
    -- A rental continued after a break in need counts its months on from
    -- the rental it continues.
    continues_line_id uuid    references rentals (line_id),
    prior_months      integer not null default 0 check (prior_months >= 0),
    decided           integer not null default 0 check (decided >= 0),
    next_due          date,
    pickup_date       date    check (pickup_date >= date_of_service),
    pickup_reason     text    not null default '',
    close_date        date,
    close_month       integer not null default 0,
    close_reason      text    not null default ''
                              check (close_reason in ('', 'capped_rental_paid', 'purchased', 'useful_lifetime_ended')),
    coverage_id       uuid,
    payer_id          uuid,
    coverage_rank     integer not null default 0 check (coverage_rank between 0 and 4),
    ordering_npi      text    not null default '',
    rendering_npi     text    not null default '',
    hcpcs             text    not null check (hcpcs ~ '^[A-V][0-9]{4}$'),
    modifiers         text[]  not null default '{}' check (cardinality(modifiers) <= 4),
    quantity          integer not null check (quantity between 1 and 9999),
    billable_cents    bigint  not null check (billable_cents >= 0),
    allowable_cents   bigint  not null check (allowable_cents >= 0),
    diagnosis_codes   text[]  not null,
    serial_number     text    not null default '',
    unit_id           uuid,
    foreign key (company_id, order_id) references orders (company_id, id),
    check ((close_reason = '') = (close_date is null)),
    check (close_date is null or next_due is null)
);
create index rentals_due on rentals (company_id, next_due, line_id) where next_due is not null;
-- The patient's last rental of a code and type, which a new delivery may
-- continue.
create index rentals_by_patient on rentals (company_id, patient_id, hcpcs, type, date_of_service desc);

-- A claim line: one 837P service line, one per rental line and month, or
-- one per supply line of a resupply shipment (shipment_id set, billing
-- month 0). Exports are counted, never undone.
create table claim_lines (
    id               uuid        primary key,
    company_id       uuid        not null,
    order_id         uuid        not null,
    order_line_id    uuid        not null references order_lines (id),
    shipment_id      uuid,
    billing_month    integer     not null check ((shipment_id is null) = (billing_month >= 1) and billing_month >= 0),
    patient_id       uuid        not null,
    coverage_id      uuid,
    payer_id         uuid,
    coverage_rank    integer     not null default 0 check (coverage_rank between 0 and 4),
    ordering_npi     text        not null default '',
    rendering_npi    text        not null default '',
    hcpcs            text        not null check (hcpcs ~ '^[A-V][0-9]{4}$'),
    modifiers        text[]      not null check (cardinality(modifiers) between 1 and 4),
    units            integer     not null check (units between 1 and 9999),
    period_from      date        not null,
    period_through   date        not null check (period_through >= period_from),
    currency         text        not null default 'USD' check (currency = 'USD'),
    charge_cents     bigint      not null check (charge_cents >= 0),
    expected_cents   bigint      not null check (expected_cents >= 0),
    diagnosis_codes  text[]      not null,
    place_of_service text        not null default '12',
    serial_number    text        not null default '',
    export_count     integer     not null default 0 check (export_count >= 0),
    last_export_time timestamptz,
    last_exported_by text        not null default '',
    create_time      timestamptz not null default now(),
    check ((export_count = 0) = (last_export_time is null))
);
-- A rental month is billed once per line; a shipment bills each of its
-- lines once.
create unique index claim_lines_rental_once on claim_lines (order_line_id, period_from) where shipment_id is null;
create unique index claim_lines_shipment_once on claim_lines (shipment_id, order_line_id) where shipment_id is not null;
-- Listings by date of service, narrowed by payer or by what is still open.
create index claim_lines_by_date on claim_lines (company_id, period_from, id);
create index claim_lines_by_payer on claim_lines (company_id, payer_id, period_from, id);
create index claim_lines_open on claim_lines (company_id, period_from, id) where export_count = 0;

-- +goose StatementBegin
do $$
declare t text;
begin
    foreach t in array array['rentals', 'claim_lines'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I
            using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
            with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)$p$, t);
    end loop;
end $$;
-- +goose StatementEnd

-- The daily billing run finds the tenants with a month due through
-- rentals_due_tenants (below), which runs as the schema's owner; forced
-- row-level security applies to the owner too, so it gets a read policy of
-- its own. The runtime role never has it.
create policy owner_billing_read on rentals for select to current_user using (true);

-- rentals_due_tenants returns up to max_tenants tenants with a rental
-- month due on or before as_of, the earliest due first. It reveals tenant
-- ids only. SECURITY DEFINER with the search_path pinned to this schema
-- (pg_temp last, so a temporary table cannot stand in for the real one).
-- +goose StatementBegin
do $do$
begin
    execute format($f$
        create function rentals_due_tenants(as_of date, max_tenants int)
            returns table (company_id uuid)
            language sql stable security definer set search_path = %I, pg_temp
        as $body$
            select r.company_id
            from rentals r
            where r.next_due <= as_of
            group by r.company_id
            order by min(r.next_due), r.company_id
            limit greatest(max_tenants, 0)
        $body$$f$, current_schema());
end
$do$;
-- +goose StatementEnd
revoke execute on function rentals_due_tenants(date, int) from public;
grant execute on function rentals_due_tenants(date, int) to orders_app;

grant select, insert, update on rentals, claim_lines to orders_app;

-- +goose Down
drop function rentals_due_tenants(date, int);
drop table claim_lines;
drop table rentals;
alter table orders drop column rendering_npi, drop column ordering_npi;
