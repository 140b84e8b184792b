-- Sign-in failures counted per source (an IPv4 address or an IPv6 /64)
-- rather than per account, so a guesser blocks only itself: one row per
-- source and account, and one per source across the company's accounts
-- (user_id null), each with its consecutive failures, how many blocks it
-- has had since its last success (each lasts twice the last) and until when
-- the current one lasts. The account-wide columns of users
-- (failed_login_count, locked_until, status 'locked') are no longer
-- written by sign-in.

-- +goose Up

create table sign_in_failures (
    company_id    uuid        not null references companies (id),
    -- null: the source's failures against every account of the company.
    user_id       uuid        references users (id),
    source        text        not null check (source <> '' and length(source) <= 64),
    failed_count  int         not null default 0 check (failed_count >= 0),
    lockouts      int         not null default 0 check (lockouts >= 0),
    locked_until  timestamptz,
    update_time   timestamptz not null
);

-- One row per company, source and account (or none), for the upsert and
-- the row lock of an attempt.
create unique index sign_in_failures_key
    on sign_in_failures (company_id, source, coalesce(user_id, '00000000-0000-0000-0000-000000000000'::uuid));

alter table sign_in_failures enable row level security;
alter table sign_in_failures force row level security;
create policy tenant_isolation on sign_in_failures
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
grant select, insert, update on sign_in_failures to company_app;

-- +goose Down

drop table sign_in_failures;
