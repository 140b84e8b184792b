-- Passwords a user and an administrator can manage: a must-change flag for
-- accounts that must choose their own password before anything else (the
-- owner a bootstrap created), and one-time password tokens (an
-- administrator's reset, or a must-change sign-in), stored as SHA-256 only
-- like refresh tokens: 256 random bits, so a slow hash would protect nothing.

-- +goose Up

alter table users add column must_change_password boolean not null default false;

create table password_tokens (
    token_hash  bytea       primary key check (length(token_hash) = 32),
    company_id  uuid        not null references companies (id),
    user_id     uuid        not null references users (id),
    purpose     text        not null check (purpose in ('reset', 'change')),
    create_time timestamptz not null,
    expire_time timestamptz not null,
    -- When it set a password, or a newer token of the user replaced it.
    used_time   timestamptz,
    check (expire_time > create_time)
);

-- A user's unused tokens, which a new one replaces.
create index password_tokens_user on password_tokens (company_id, user_id) where used_time is null;

alter table password_tokens enable row level security;
alter table password_tokens force row level security;
create policy tenant_isolation on password_tokens
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
-- No delete: a token is spent or expires, and stays for the record.
grant select, insert, update on password_tokens to company_app;

alter table sessions drop constraint sessions_revoke_reason_check;
alter table sessions add constraint sessions_revoke_reason_check
    check (revoke_reason in ('', 'logout', 'refresh_token_reuse', 'user_deactivated',
                             'administrator', 'password_changed', 'password_reset'));

-- +goose Down

alter table sessions drop constraint sessions_revoke_reason_check;
alter table sessions add constraint sessions_revoke_reason_check
    check (revoke_reason in ('', 'logout', 'refresh_token_reuse', 'user_deactivated',
                             'administrator', 'password_changed'));
drop table password_tokens;
alter table users drop column must_change_password;
