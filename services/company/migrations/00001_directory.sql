-- The directory: companies (the tenants), their locations and their users.
--
-- Runs with search_path = company as the schema's owner. The service runs as
-- a login role that is a member of company_app, owns nothing, and holds only
-- the privileges granted here; row-level security scopes every row to the
-- tenant the transaction sets (ariesone.company_id), and FORCE makes the
-- policies bind the owner too.
--
-- Optional text columns are '' rather than NULL when unset, so the code has
-- one "absent" value to handle and check constraints stay simple.

-- +goose Up

-- companies: one row per DME supplier. A company is its own tenant, so the
-- policy compares the row's id (not a company_id) with the tenant.
create table companies (
    id                  uuid        primary key,
    -- Sign-in code, unique across AriesOne and never reused.
    code                text        not null unique
                                    check (code ~ '^[a-z0-9][a-z0-9-]{1,39}$'),
    legal_name          text        not null check (legal_name <> '' and length(legal_name) <= 200),
    display_name        text        not null default '' check (length(display_name) <= 200),
    npi                 text        not null default '' check (npi ~ '^([12][0-9]{9})?$'),
    -- The EIN sealed with the service's key ring (AES-256-GCM, associated
    -- data: company id and "tax_id"); only the last four digits are kept in
    -- clear, for display.
    tax_id_ciphertext   bytea,
    tax_id_last4        text        not null default '' check (tax_id_last4 ~ '^([0-9]{4})?$'),
    taxonomy_code       text        not null default '332B00000X'
                                    check (taxonomy_code ~ '^[0-9]{3}[0-9A-Z]{6}X$'),
    address_line1       text        not null default '',
    address_line2       text        not null default '',
    address_city        text        not null default '',
    address_state       text        not null default '' check (address_state ~ '^([A-Z]{2})?$'),
    address_postal_code text        not null default '' check (address_postal_code ~ '^([0-9]{5}(-[0-9]{4})?)?$'),
    phone_e164          text        not null default '' check (phone_e164 ~ '^(\+1[2-9][0-9]{2}[2-9][0-9]{6})?$'),
    phone_extension     text        not null default '' check (phone_extension ~ '^[0-9]{0,6}$'),
    phone_kind          text        not null default ''
                                    check (phone_kind in ('', 'home', 'mobile', 'work', 'fax')),
    status              text        not null default 'active'
                                    check (status in ('active', 'suspended', 'closed')),
    version             bigint      not null default 1 check (version > 0),
    create_time         timestamptz not null default now(),
    update_time         timestamptz not null default now(),
    delete_time         timestamptz,
    check ((tax_id_ciphertext is null) = (tax_id_last4 = ''))
);

alter table companies enable row level security;
alter table companies force row level security;
create policy tenant_isolation on companies
    using (id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
-- company_id_for_code (below) runs as the owner before any tenant is set;
-- FORCE binds the owner to the policies, so the owner gets a read-only
-- policy of its own. The runtime role never has it.
create policy owner_code_lookup on companies for select to current_user using (true);

-- Insert: the bootstrap command creates companies through the runtime pool.
-- No delete: companies close, they are never removed.
grant select, insert, update on companies to company_app;

-- company_id_for_code resolves a sign-in code to its company before the
-- caller has a tenant (Login, the bootstrap command). It reveals only the id
-- of the company with exactly that code, whatever its status, so the caller
-- can decide what a suspended or closed company means. SECURITY DEFINER
-- with the search_path pinned (pg_temp last, so a temporary table cannot
-- stand in for companies).
-- +goose StatementBegin
create function company_id_for_code(code text) returns uuid
    language sql stable security definer
    set search_path = company, pg_temp
as $$
    select c.id from companies c where c.code = company_id_for_code.code
$$;
-- +goose StatementEnd
revoke execute on function company_id_for_code(text) from public;
grant execute on function company_id_for_code(text) to company_app;

-- locations: branches (serve patients) and warehouses (hold stock). Deletes
-- are soft: delete_time is set and the row stays. The code is unique per
-- company among all rows, deleted ones included, so a deleted location's
-- code stays reserved (undelete can never collide, and records that quote
-- the code keep naming one location).
create table locations (
    id                  uuid        primary key,
    company_id          uuid        not null references companies (id),
    code                text        not null check (code ~ '^[A-Z0-9][A-Z0-9-]{1,19}$'),
    name                text        not null check (name <> '' and length(name) <= 100),
    type                text        not null check (type in ('branch', 'warehouse')),
    address_line1       text        not null check (address_line1 <> ''),
    address_line2       text        not null default '',
    address_city        text        not null check (address_city <> ''),
    address_state       text        not null check (address_state ~ '^[A-Z]{2}$'),
    address_postal_code text        not null check (address_postal_code ~ '^[0-9]{5}(-[0-9]{4})?$'),
    phone_e164          text        not null default '' check (phone_e164 ~ '^(\+1[2-9][0-9]{2}[2-9][0-9]{6})?$'),
    phone_extension     text        not null default '' check (phone_extension ~ '^[0-9]{0,6}$'),
    phone_kind          text        not null default ''
                                    check (phone_kind in ('', 'home', 'mobile', 'work', 'fax')),
    npi                 text        not null default '' check (npi ~ '^([12][0-9]{9})?$'),
    time_zone           text        not null check (time_zone <> ''),
    version             bigint      not null default 1 check (version > 0),
    create_time         timestamptz not null default now(),
    update_time         timestamptz not null default now(),
    delete_time         timestamptz,
    constraint locations_company_code_key unique (company_id, code)
);

alter table locations enable row level security;
alter table locations force row level security;
create policy tenant_isolation on locations
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
grant select, insert, update on locations to company_app;

-- users: people who sign in to one company. The sign-in columns
-- (password_hash, failed_login_count, locked_until, last_login_time,
-- password_change_time) belong to the authentication code; the directory
-- writes password_hash only when it creates a user.
create table users (
    id                   uuid        primary key,
    company_id           uuid        not null references companies (id),
    email                text        not null check (email <> '' and length(email) <= 254),
    given_name           text        not null check (given_name <> '' and length(given_name) <= 100),
    family_name          text        not null check (family_name <> '' and length(family_name) <= 100),
    roles                text[]      not null
                                     check (cardinality(roles) > 0
                                        and array_position(roles, null) is null
                                        and roles <@ array['owner', 'admin', 'intake', 'billing',
                                                           'warehouse', 'technician', 'auditor', 'partner']),
    -- Locations the user may work at; empty means all. Arrays cannot carry
    -- foreign keys: the service checks the ids against locations when it
    -- writes them.
    allowed_location_ids uuid[]      not null default '{}' check (array_position(allowed_location_ids, null) is null),
    status               text        not null default 'active'
                                     check (status in ('active', 'deactivated', 'locked')),
    password_hash        text        not null,
    failed_login_count   int         not null default 0 check (failed_login_count >= 0),
    locked_until         timestamptz,
    last_login_time      timestamptz,
    password_change_time timestamptz,
    version              bigint      not null default 1 check (version > 0),
    create_time          timestamptz not null default now(),
    update_time          timestamptz not null default now()
);

-- One account per email and company, compared case-insensitively; also the
-- sign-in lookup and the ListUsers order.
create unique index users_company_email_key on users (company_id, lower(email));

alter table users enable row level security;
alter table users force row level security;
create policy tenant_isolation on users
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
-- No delete: users are deactivated, never removed, so the audit trail's
-- actor ids keep resolving.
grant select, insert, update on users to company_app;

-- +goose Down
drop table users;
drop table locations;
drop function company_id_for_code(text);
drop table companies;
