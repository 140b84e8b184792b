-- Patients: the people a supplier serves, with their protected identifiers
-- sealed.
--
-- Runs with search_path = clinical as the schema's owner. The service runs
-- as a login role that is a member of clinical_app, owns nothing, and holds
-- only the privileges granted here; row-level security scopes every row to
-- the tenant the transaction sets (ariesone.company_id), and FORCE makes the
-- policies bind the owner too.
--
-- Optional text columns are '' rather than NULL when unset, so the code has
-- one "absent" value to handle and check constraints stay simple.
--
-- PHI identifiers (MBI, Medicaid id, SSN) are never stored in clear: each
-- *_ciphertext column holds the value sealed with the service's key ring
-- (platform/keyring: AES-256-GCM, format tag and key version in the first
-- five bytes), with the row id and the column name as associated data, so
-- a ciphertext copied to another row or column does not open. The MBI also
-- has a blind index (keyed HMAC of the normalized value) for exact lookup.

-- +goose Up

-- Account numbers are issued per company from a counter, so they are short,
-- sequential and never reused. The counter row is locked by the insert that
-- takes the next number, which serializes patient creation per company for
-- the length of one short transaction.
create table patient_account_counters (
    company_id  uuid   primary key,
    last_number bigint not null check (last_number between 0 and 9999999)
);

alter table patient_account_counters enable row level security;
alter table patient_account_counters force row level security;
create policy tenant_isolation on patient_account_counters
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
grant select, insert, update on patient_account_counters to clinical_app;

create table patients (
    id                      uuid        primary key,
    company_id              uuid        not null,
    account_number          text        not null check (account_number ~ '^PT[0-9]{7}$'),
    first_name              text        not null check (first_name <> '' and length(first_name) <= 50),
    middle_name             text        not null default '' check (length(middle_name) <= 50),
    last_name               text        not null check (last_name <> '' and length(last_name) <= 50),
    suffix                  text        not null default '' check (length(suffix) <= 10),
    birth_date              date        not null check (birth_date >= date '1900-01-01'),
    sex                     text        not null check (sex in ('female', 'male', 'unknown')),
    home_line1              text        not null check (home_line1 <> ''),
    home_line2              text        not null default '',
    home_city               text        not null check (home_city <> ''),
    home_state              text        not null check (home_state ~ '^[A-Z]{2}$'),
    home_postal_code        text        not null check (home_postal_code ~ '^[0-9]{5}(-[0-9]{4})?$'),
    -- Billing and shipping addresses: all '' when the home address applies.
    billing_line1           text        not null default '',
    billing_line2           text        not null default '',
    billing_city            text        not null default '',
    billing_state           text        not null default '' check (billing_state ~ '^([A-Z]{2})?$'),
    billing_postal_code     text        not null default '' check (billing_postal_code ~ '^([0-9]{5}(-[0-9]{4})?)?$'),
    shipping_line1          text        not null default '',
    shipping_line2          text        not null default '',
    shipping_city           text        not null default '',
    shipping_state          text        not null default '' check (shipping_state ~ '^([A-Z]{2})?$'),
    shipping_postal_code    text        not null default '' check (shipping_postal_code ~ '^([0-9]{5}(-[0-9]{4})?)?$'),
    -- Up to five phones, each {"number": E.164, "extension", "kind"}.
    phones                  jsonb       not null default '[]'
                                        check (jsonb_typeof(phones) = 'array' and jsonb_array_length(phones) <= 5),
    email                   text        not null default '' check (length(email) <= 254),
    mbi_ciphertext          bytea,
    mbi_index               bytea,
    medicaid_id_ciphertext  bytea,
    ssn_ciphertext          bytea,
    -- The branch serving the patient: a company location. It lives in
    -- another service's schema, so no foreign key; the service checks it.
    branch_id               uuid        not null,
    -- ICD-10-CM codes without the dot, in the order given.
    diagnoses               text[]      not null default '{}'
                                        check (cardinality(diagnoses) <= 12
                                           and array_position(diagnoses, null) is null),
    signature_on_file       boolean     not null default false,
    signature_on_file_date  date,
    inactive_date           date,
    deceased_date           date,
    version                 bigint      not null default 1 check (version > 0),
    create_time             timestamptz not null default now(),
    update_time             timestamptz not null default now(),
    constraint patients_company_account_key unique (company_id, account_number),
    -- Target of the composite foreign keys that keep a patient's coverages
    -- and orders in the patient's company.
    constraint patients_company_id_key unique (company_id, id),
    check ((mbi_ciphertext is null) = (mbi_index is null)),
    check (not signature_on_file or signature_on_file_date is not null),
    check (deceased_date is null or deceased_date >= birth_date)
);

-- One patient per MBI and company: the MBI identifies a Medicare
-- beneficiary, so a second patient with the same one is the same person.
create unique index patients_company_mbi_key on patients (company_id, mbi_index) where mbi_index is not null;
-- Search by name prefix (lower(last_name) like 'smi%'), and the list order.
create index patients_company_name on patients (company_id, lower(last_name) text_pattern_ops, lower(first_name), id);
-- The duplicate check: same first and last name (case-insensitive) and
-- date of birth.
create index patients_company_duplicate on patients (company_id, birth_date, lower(last_name), lower(first_name));
create index patients_company_branch on patients (company_id, branch_id);

alter table patients enable row level security;
alter table patients force row level security;
create policy tenant_isolation on patients
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
-- No delete: a patient's record is kept (made inactive), as billing and
-- audits require.
grant select, insert, update on patients to clinical_app;

-- +goose Down
drop table patients;
drop table patient_account_counters;
