-- Payers, their plans, and patients' coverages under them, with every
-- eligibility check kept. Conventions as in 00001: tenant row-level
-- security on every table, '' for unset text, member ids sealed with the
-- row id and column name as associated data.

-- +goose Up

create table payers (
    id                  uuid        primary key,
    company_id          uuid        not null,
    name                text        not null check (name <> '' and length(name) <= 100),
    -- The clearinghouse's payer id, unique per company.
    payer_code          text        not null check (payer_code ~ '^[A-Z0-9]{1,20}$'),
    type                text        not null check (type in ('medicare', 'medicaid', 'commercial', 'other')),
    address_line1       text        not null default '',
    address_line2       text        not null default '',
    address_city        text        not null default '',
    address_state       text        not null default '' check (address_state ~ '^([A-Z]{2})?$'),
    address_postal_code text        not null default '' check (address_postal_code ~ '^([0-9]{5}(-[0-9]{4})?)?$'),
    phone_e164          text        not null default '' check (phone_e164 ~ '^(\+1[2-9][0-9]{2}[2-9][0-9]{6})?$'),
    phone_extension     text        not null default '' check (phone_extension ~ '^[0-9]{0,6}$'),
    phone_kind          text        not null default ''
                                    check (phone_kind in ('', 'home', 'mobile', 'work', 'fax')),
    active              boolean     not null default true,
    version             bigint      not null default 1 check (version > 0),
    create_time         timestamptz not null default now(),
    update_time         timestamptz not null default now(),
    constraint payers_company_code_key unique (company_id, payer_code),
    -- Target of the plans' composite key, which keeps a plan in its
    -- payer's company.
    constraint payers_company_id_key unique (company_id, id)
);
create index payers_company_name on payers (company_id, lower(name), id);

create table plans (
    id          uuid        primary key,
    company_id  uuid        not null,
    payer_id    uuid        not null,
    name        text        not null check (name <> '' and length(name) <= 100),
    plan_code   text        not null default '' check (length(plan_code) <= 30),
    active      boolean     not null default true,
    version     bigint      not null default 1 check (version > 0),
    create_time timestamptz not null default now(),
    update_time timestamptz not null default now(),
    foreign key (company_id, payer_id) references payers (company_id, id),
    constraint plans_company_id_key unique (company_id, id)
);
create index plans_payer on plans (company_id, payer_id, lower(name), id);

create table coverages (
    id                    uuid        primary key,
    company_id            uuid        not null,
    patient_id            uuid        not null,
    plan_id               uuid        not null,
    member_id_ciphertext  bytea       not null,
    group_number          text        not null default '' check (length(group_number) <= 30),
    -- 1 primary, 2 secondary, 3 tertiary, 4 quaternary; unique among the
    -- patient's current coverages (see the index below). Null while the
    -- coverage is deleted, which frees its rank.
    rank                  smallint    check (rank between 1 and 4),
    relationship          text        not null check (relationship in ('self', 'spouse', 'child', 'other')),
    subscriber_first_name text        not null default '' check (length(subscriber_first_name) <= 50),
    subscriber_last_name  text        not null default '' check (length(subscriber_last_name) <= 50),
    subscriber_birth_date date,
    effective_date        date        not null,
    end_date              date,
    eligibility_status    text        not null default 'unknown'
                                      check (eligibility_status in ('unknown', 'eligible', 'ineligible', 'error')),
    last_eligibility_check_time timestamptz,
    version               bigint      not null default 1 check (version > 0),
    create_time           timestamptz not null default now(),
    update_time           timestamptz not null default now(),
    delete_time           timestamptz,
    foreign key (company_id, plan_id) references plans (company_id, id),
    foreign key (company_id, patient_id) references patients (company_id, id),
    constraint coverages_company_id_key unique (company_id, id),
    check (end_date is null or end_date >= effective_date),
    check ((delete_time is null) = (rank is not null)),
    check (relationship = 'self'
        or (subscriber_first_name <> '' and subscriber_last_name <> '' and subscriber_birth_date is not null))
);
-- Rank 1-4 unique per patient among current coverages. Deferrable, so
-- ReorderCoverages can move every rank in one transaction and have the
-- constraint checked once, at commit.
alter table coverages add constraint coverages_patient_rank_key
    unique (patient_id, rank) deferrable initially immediate;
create index coverages_patient on coverages (company_id, patient_id, rank);

create table eligibility_checks (
    id              uuid        primary key,
    company_id      uuid        not null,
    coverage_id     uuid        not null,
    date_of_service date        not null,
    -- The implementation that answered, e.g. "rules-stand-in".
    checker         text        not null check (checker <> '' and length(checker) <= 50),
    outcome         text        not null check (outcome in ('eligible', 'ineligible', 'error')),
    -- What was asked and answered, as text without PHI values.
    request         text        not null default '' check (length(request) <= 4000),
    response        text        not null default '' check (length(response) <= 4000),
    reasons         text[]      not null default '{}' check (array_position(reasons, null) is null),
    check_time      timestamptz not null default now(),
    foreign key (company_id, coverage_id) references coverages (company_id, id)
);
create index eligibility_checks_coverage on eligibility_checks (company_id, coverage_id, check_time desc, id);

-- +goose StatementBegin
do $$
declare t text;
begin
    foreach t in array array['payers', 'plans', 'coverages', 'eligibility_checks'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I
            using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
            with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)$p$, t);
    end loop;
end $$;
-- +goose StatementEnd

-- Coverages are soft-deleted (the history of who paid stays); checks are
-- a log, never changed.
grant select, insert, update on payers, plans, coverages to clinical_app;
grant select, insert on eligibility_checks to clinical_app;

-- +goose Down
drop table eligibility_checks;
drop table coverages;
drop table plans;
drop table payers;
