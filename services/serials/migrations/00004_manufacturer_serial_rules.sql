-- Serial number rules per manufacturer: an item without a rule of its
-- own follows its manufacturer's (matched case-insensitively). Tenant
-- row-level security, forced, as on every other table.

-- +goose Up
create table manufacturer_serial_rules (
    company_id       uuid        not null,
    -- lower(manufacturer): the key items are matched on.
    manufacturer_key text        not null check (manufacturer_key = lower(manufacturer)),
    manufacturer     text        not null check (length(manufacturer) between 1 and 100),
    serial_pattern   text        not null default '' check (length(serial_pattern) <= 200),
    serial_check     text        not null default '' check (serial_check in ('', 'luhn', 'iso7064_mod37_36')),
    version          bigint      not null default 1 check (version > 0),
    update_time      timestamptz not null default now(),
    primary key (company_id, manufacturer_key),
    check (serial_pattern <> '' or serial_check <> '')
);
alter table manufacturer_serial_rules enable row level security;
alter table manufacturer_serial_rules force row level security;
create policy tenant_isolation on manufacturer_serial_rules
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
grant select, insert, update, delete on manufacturer_serial_rules to serials_app;

-- +goose Down
drop table manufacturer_serial_rules;
