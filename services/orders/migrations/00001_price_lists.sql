-- Price lists: the company's default list and one per payer, each holding
-- per item and HCPCS code what the supplier bills and the payer allows,
-- for a purchase and per month of rental, over periods of days. Tenant
-- row-level security on every table, forced, as in the other services.
--
-- Two prices of one item and code on one list never share a day: the
-- service checks it while holding the list's row lock, so concurrent
-- additions to one list take turns. Prices are never deleted; only a
-- period's end moves (EndPrice).

-- +goose Up

create table price_lists (
    id          uuid        primary key,
    company_id  uuid        not null,
    name        text        not null check (name <> '' and length(name) <= 100),
    -- clinical's payer id; NULL for the default list.
    payer_id    uuid,
    create_time timestamptz not null default now(),
    constraint price_lists_company_id_key unique (company_id, id)
);
create unique index price_lists_default on price_lists (company_id) where payer_id is null;
create unique index price_lists_payer on price_lists (company_id, payer_id) where payer_id is not null;

create table prices (
    id                       uuid        primary key,
    company_id               uuid        not null,
    price_list_id            uuid        not null,
    item_id                  uuid        not null,
    hcpcs                    text        not null check (hcpcs ~ '^[A-V][0-9]{4}$'),
    currency                 text        not null default 'USD' check (currency = 'USD'),
    purchase_billable_cents  bigint      not null default 0 check (purchase_billable_cents between 0 and 100000000),
    purchase_allowable_cents bigint      not null default 0 check (purchase_allowable_cents between 0 and 100000000),
    rental_billable_cents    bigint      not null default 0 check (rental_billable_cents between 0 and 100000000),
    rental_allowable_cents   bigint      not null default 0 check (rental_allowable_cents between 0 and 100000000),
    effective_from           date        not null,
    -- Last day in force, inclusive; NULL while open-ended.
    effective_to             date        check (effective_to >= effective_from),
    version                  bigint      not null default 1 check (version > 0),
    create_time              timestamptz not null default now(),
    update_time              timestamptz not null default now(),
    foreign key (company_id, price_list_id) references price_lists (company_id, id)
);
-- The price in force on a day (the index read backwards: newest start
-- first) and a list's prices by item, code and start (ListPrices' keyset
-- order) are one index. Two prices of one item and code starting on the
-- same day would share that day, so the start is unique.
create unique index prices_in_force on prices (company_id, price_list_id, item_id, hcpcs, effective_from);

-- +goose StatementBegin
do $$
declare
    t text;
begin
    foreach t in array array['price_lists', 'prices'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I
            using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
            with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)$p$, t);
    end loop;
end $$;
-- +goose StatementEnd

-- Locking a list's row (select ... for update) needs an update privilege
-- on one of its columns; the service renames no list.
grant select, insert, update (name) on price_lists to orders_app;
grant select, insert, update on prices to orders_app;

-- +goose Down
drop table prices;
drop table price_lists;
