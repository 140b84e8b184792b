-- Prescribers and the standard written orders (42 CFR 410.38) they sign.
-- Conventions as in 00001.

-- +goose Up

create table prescribers (
    id                  uuid        primary key,
    company_id          uuid        not null,
    npi                 text        not null check (npi ~ '^[12][0-9]{9}$'),
    first_name          text        not null check (first_name <> '' and length(first_name) <= 50),
    last_name           text        not null check (last_name <> '' and length(last_name) <= 50),
    credentials         text        not null default '' check (length(credentials) <= 20),
    pecos_enrolled      boolean     not null default false,
    address_line1       text        not null default '',
    address_line2       text        not null default '',
    address_city        text        not null default '',
    address_state       text        not null default '' check (address_state ~ '^([A-Z]{2})?$'),
    address_postal_code text        not null default '' check (address_postal_code ~ '^([0-9]{5}(-[0-9]{4})?)?$'),
    phone_e164          text        not null default '' check (phone_e164 ~ '^(\+1[2-9][0-9]{2}[2-9][0-9]{6})?$'),
    phone_extension     text        not null default '' check (phone_extension ~ '^[0-9]{0,6}$'),
    fax_e164            text        not null default '' check (fax_e164 ~ '^(\+1[2-9][0-9]{2}[2-9][0-9]{6})?$'),
    active              boolean     not null default true,
    version             bigint      not null default 1 check (version > 0),
    create_time         timestamptz not null default now(),
    update_time         timestamptz not null default now(),
    constraint prescribers_company_npi_key unique (company_id, npi),
    constraint prescribers_company_id_key unique (company_id, id)
);
create index prescribers_company_name on prescribers (company_id, lower(last_name) text_pattern_ops, lower(first_name), id);

create table written_orders (
    id                    uuid        primary key,
    company_id            uuid        not null,
    patient_id            uuid        not null,
    prescriber_id         uuid        not null,
    -- Items: [{"hcpcs": "E0601", "description": "...", "quantity": 1}, ...]
    items                 jsonb       not null default '[]'
                                      check (jsonb_typeof(items) = 'array' and jsonb_array_length(items) <= 20),
    -- The HCPCS codes of the items, kept beside them for the readiness
    -- lookup (which orders cover this code?).
    hcpcs_codes           text[]      not null default '{}'
                                      check (array_position(hcpcs_codes, null) is null),
    order_date            date        not null,
    signature_date        date,
    face_to_face_date     date,
    length_of_need_months smallint    check (length_of_need_months between 1 and 99),
    diagnoses             text[]      not null default '{}'
                                      check (cardinality(diagnoses) <= 12
                                         and array_position(diagnoses, null) is null),
    -- draft -> signed -> revoked; "expired" is computed from order_date and
    -- length_of_need_months, never stored.
    status                text        not null default 'draft' check (status in ('draft', 'signed', 'revoked')),
    revoke_reason         text        not null default '' check (length(revoke_reason) <= 200),
    version               bigint      not null default 1 check (version > 0),
    create_time           timestamptz not null default now(),
    update_time           timestamptz not null default now(),
    foreign key (company_id, patient_id) references patients (company_id, id),
    foreign key (company_id, prescriber_id) references prescribers (company_id, id),
    -- What signing guarantees, held by the database too.
    check (status = 'draft' or status = 'revoked'
        or (signature_date is not null
            and signature_date >= order_date
            and length_of_need_months is not null
            and jsonb_array_length(items) > 0
            and cardinality(diagnoses) > 0)),
    check ((status = 'revoked') = (revoke_reason <> ''))
);
create index written_orders_patient on written_orders (company_id, patient_id, create_time desc, id);
create index written_orders_hcpcs on written_orders using gin (hcpcs_codes);

-- +goose StatementBegin
do $$
declare t text;
begin
    foreach t in array array['prescribers', 'written_orders'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I
            using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
            with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)$p$, t);
    end loop;
end $$;
-- +goose StatementEnd

-- Orders are revoked, never deleted: a signed order is billing evidence.
grant select, insert, update on prescribers, written_orders to clinical_app;

-- +goose Down
drop table written_orders;
drop table prescribers;
