-- The item master, serial number rules, stock per warehouse, and every
-- serial-numbered unit with its append-only transaction log. Tenant
-- row-level security on every table, forced, as in the other services.
-- Warehouses are company locations (company's schema): referenced by id,
-- checked through company's API.

-- +goose Up

create table items (
    id               uuid        primary key,
    company_id       uuid        not null,
    code             text        not null check (code ~ '^[A-Z0-9][A-Z0-9._-]{0,29}$'),
    name             text        not null check (name <> '' and length(name) <= 100),
    hcpcs            text        not null default '' check (hcpcs ~ '^([A-V][0-9]{4})?$'),
    manufacturer     text        not null default '' check (length(manufacturer) <= 100),
    model            text        not null default '' check (length(model) <= 100),
    serialized       boolean     not null default true,
    o2_tank          boolean     not null default false,
    barcode          text        not null default '' check (length(barcode) <= 64),
    cost_cents       bigint      not null default 0 check (cost_cents >= 0),
    reorder_point    integer     not null default 0 check (reorder_point >= 0),
    -- The item's serial number rule (domain.SerialFormat); '' for none.
    serial_pattern   text        not null default '' check (length(serial_pattern) <= 200),
    serial_check     text        not null default ''
                                 check (serial_check in ('', 'luhn', 'iso7064_mod37_36')),
    active           boolean     not null default true,
    version          bigint      not null default 1 check (version > 0),
    create_time      timestamptz not null default now(),
    update_time      timestamptz not null default now(),
    constraint items_company_code_key unique (company_id, code),
    constraint items_company_id_key unique (company_id, id),
    check (not o2_tank or serialized)
);
-- Recall by manufacturer and model.
create index items_recall on items (company_id, lower(manufacturer), lower(model));

-- Stock of an item in a warehouse: each counter is the number of units in
-- that bucket (domain.Bucket), moved in the transaction of the unit change
-- that moves it, so a recount from the units always agrees.
create table stock (
    company_id   uuid    not null,
    warehouse_id uuid    not null,
    item_id      uuid    not null,
    on_hand      integer not null default 0 check (on_hand >= 0),
    committed    integer not null default 0 check (committed >= 0),
    rented       integer not null default 0 check (rented >= 0),
    sold         integer not null default 0 check (sold >= 0),
    unavailable  integer not null default 0 check (unavailable >= 0),
    on_order     integer not null default 0 check (on_order >= 0),
    primary key (company_id, warehouse_id, item_id),
    foreign key (company_id, item_id) references items (company_id, id)
);

create table units (
    id                   uuid        primary key,
    company_id           uuid        not null,
    item_id              uuid        not null,
    -- Normalized (domain.NormalizeSerial): upper case, letters, digits and
    -- inner dashes.
    serial_number        text        not null check (serial_number ~ '^[A-Z0-9]([A-Z0-9-]{0,38}[A-Z0-9])?$'),
    manufacturer_serial  text        not null default '' check (length(manufacturer_serial) <= 40),
    lot                  text        not null default '' check (length(lot) <= 40),
    lot_expiry           date,
    status               text        not null check (status in ('on_hand', 'reserved', 'rented', 'sold', 'maintenance',
                                                                'in_transit', 'empty', 'sent', 'lost', 'junked')),
    warehouse_id         uuid        not null,
    -- Patients live in clinical's schema: ids only, checked through its API.
    current_patient_id   uuid,
    last_patient_id      uuid,
    recalled             boolean     not null default false,
    next_maintenance_due date,
    purchase_date        date,
    purchase_cost_cents  bigint      not null default 0 check (purchase_cost_cents >= 0),
    warranty_end         date,
    version              bigint      not null default 1 check (version > 0),
    create_time          timestamptz not null default now(),
    update_time          timestamptz not null default now(),
    foreign key (company_id, item_id) references items (company_id, id),
    constraint units_company_id_key unique (company_id, id),
    -- A serial number names one unit of an item.
    constraint units_item_serial_key unique (company_id, item_id, serial_number),
    check ((status in ('rented', 'sold')) = (current_patient_id is not null))
);
-- ValidateSerial looks a serial up without its item (by HCPCS, say).
create index units_serial on units (company_id, serial_number);
-- Recall by lot, and the holders of an item's units.
create index units_recall_lot on units (company_id, lot, item_id) where lot <> '';
create index units_item_status on units (company_id, item_id, status);
create index units_warehouse_status on units (company_id, warehouse_id, status);
create index units_maintenance_due on units (company_id, warehouse_id, next_maintenance_due)
    where next_maintenance_due is not null;

-- The append-only log a unit's status is projected from: never updated,
-- never deleted.
create table unit_transactions (
    id                uuid        primary key,
    company_id        uuid        not null,
    unit_id           uuid        not null,
    kind              text        not null check (kind in ('receive', 'reserve', 'cancel_reservation', 'rent', 'sell',
                                                           'return', 'maintenance_out', 'maintenance_in', 'transfer_out',
                                                           'transfer_in', 'lost', 'junked', 'send_for_fill',
                                                           'receive_filled')),
    from_status       text        check (from_status is null or from_status <> ''),
    to_status         text        not null,
    from_warehouse_id uuid,
    to_warehouse_id   uuid        not null,
    patient_id        uuid,
    actor_id          text        not null default '',
    occur_time        timestamptz not null default now(),
    foreign key (company_id, unit_id) references units (company_id, id),
    check ((kind = 'receive') = (from_status is null))
);
create index unit_transactions_unit on unit_transactions (company_id, unit_id, occur_time, id);

-- +goose StatementBegin
do $$
declare t text;
begin
    foreach t in array array['items', 'stock', 'units', 'unit_transactions'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I
            using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
            with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)$p$, t);
    end loop;
end $$;
-- +goose StatementEnd

grant select, insert, update on items, stock, units to serials_app;
grant select, insert on unit_transactions to serials_app;

-- +goose Down
drop table unit_transactions;
drop table units;
drop table stock;
drop table items;
