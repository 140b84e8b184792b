-- Authentication: sign-in sessions and their refresh tokens, partner API
-- keys, and the key pairs that sign every access token.
--
-- Runs with search_path = company as the schema's owner, after the
-- directory (00001). Tenant tables get the same row-level security as the
-- directory's. Secrets are never stored: refresh tokens and API-key secrets
-- as SHA-256 only (both are 256 random bits, so a slow hash would protect
-- nothing), signing private keys sealed with the service's key ring.

-- +goose Up

-- sessions: one row per sign-in; the family of its refresh tokens.
create table sessions (
    id             uuid        primary key,
    company_id     uuid        not null references companies (id),
    user_id        uuid        not null references users (id),
    create_time    timestamptz not null,
    -- The sign-in or the latest refresh; with idle_timeout it gives the
    -- idle deadline.
    last_seen_time timestamptz not null,
    -- The idle timeout in force at sign-in, so changing the setting does not
    -- end sessions retroactively.
    idle_timeout   interval    not null check (idle_timeout > interval '0'),
    -- Absolute end: create_time + the maximum session age.
    expire_time    timestamptz not null,
    revoke_time    timestamptz,
    revoke_reason  text        not null default ''
                               check (revoke_reason in ('', 'logout', 'refresh_token_reuse', 'user_deactivated',
                                                        'administrator', 'password_changed')),
    -- Where the sign-in came from, for the user's own session list and for
    -- investigations.
    client_ip      text        not null default '' check (length(client_ip) <= 64),
    user_agent     text        not null default '' check (length(user_agent) <= 256),
    check ((revoke_time is null) = (revoke_reason = '')),
    check (expire_time > create_time)
);

create index sessions_user on sessions (company_id, user_id) where revoke_time is null;

alter table sessions enable row level security;
alter table sessions force row level security;
create policy tenant_isolation on sessions
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
-- No delete: a session ends by revocation or expiry and stays for the record.
grant select, insert, update on sessions to company_app;

-- refresh_tokens: every refresh token a session was issued. Exactly one per
-- session is current (used_time null); the others were rotated away, and
-- presenting one of those again revokes the session.
create table refresh_tokens (
    -- SHA-256 of the token's 32 random bytes.
    token_hash  bytea       primary key check (length(token_hash) = 32),
    company_id  uuid        not null references companies (id),
    session_id  uuid        not null references sessions (id),
    create_time timestamptz not null,
    expire_time timestamptz not null,
    -- When it was exchanged for its successor.
    used_time   timestamptz,
    -- When its session was revoked.
    revoke_time timestamptz,
    check (expire_time > create_time)
);

create index refresh_tokens_session on refresh_tokens (session_id);

alter table refresh_tokens enable row level security;
alter table refresh_tokens force row level security;
create policy tenant_isolation on refresh_tokens
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
-- refresh_token_company (below) runs as the owner before a tenant is known;
-- FORCE binds the owner too, so it gets a read-only policy of its own.
create policy owner_token_lookup on refresh_tokens for select to current_user using (true);
grant select, insert, update on refresh_tokens to company_app;

-- refresh_token_company resolves a presented refresh token to its company,
-- so Refresh can open a transaction scoped to that tenant. It reveals only
-- the company of the token with exactly that hash: knowing the hash already
-- means holding the token.
-- +goose StatementBegin
create function refresh_token_company(token_hash bytea) returns uuid
    language sql stable security definer
    set search_path = company, pg_temp
as $$
    select t.company_id from refresh_tokens t where t.token_hash = refresh_token_company.token_hash
$$;
-- +goose StatementEnd
revoke execute on function refresh_token_company(bytea) from public;
grant execute on function refresh_token_company(bytea) to company_app;

-- api_keys: partner credentials. The key's id travels inside the key, so
-- an exchange finds it by primary key; the secret is kept as SHA-256 only.
create table api_keys (
    id              uuid        primary key,
    company_id      uuid        not null references companies (id),
    client_name     text        not null check (client_name <> '' and length(client_name) <= 100),
    -- First 16 characters of the key, shown in lists ("ak_live_0195f3a2").
    prefix          text        not null check (prefix ~ '^ak_live_[0-9a-f]{8}$'),
    secret_hash     bytea       not null check (length(secret_hash) = 32),
    roles           text[]      not null
                                check (cardinality(roles) between 1 and 8
                                   and array_position(roles, null) is null
                                   and roles <@ array['admin', 'intake', 'billing', 'warehouse',
                                                      'technician', 'auditor', 'partner']),
    creator_user_id uuid        not null references users (id),
    create_time     timestamptz not null,
    last_used_time  timestamptz,
    revoke_time     timestamptz,
    expire_time     timestamptz,
    check (expire_time is null or expire_time > create_time)
);

-- ListApiKeys pages newest first; UUIDv7 ids sort by creation.
create index api_keys_company_id on api_keys (company_id, id desc);

alter table api_keys enable row level security;
alter table api_keys force row level security;
create policy tenant_isolation on api_keys
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
create policy owner_key_lookup on api_keys for select to current_user using (true);
-- No delete: a revoked key stays listed, so its history remains readable.
grant select, insert, update on api_keys to company_app;

-- api_key_company resolves a presented key's id to its company, so
-- ExchangeApiKey can open a transaction scoped to that tenant. The secret
-- is checked inside that transaction, not here.
-- +goose StatementBegin
create function api_key_company(key_id uuid) returns uuid
    language sql stable security definer
    set search_path = company, pg_temp
as $$
    select k.company_id from api_keys k where k.id = api_key_company.key_id
$$;
-- +goose StatementEnd
revoke execute on function api_key_company(uuid) from public;
grant execute on function api_key_company(uuid) to company_app;

-- signing_keys: the RSA key pairs that sign access tokens for every
-- company. Not tenant data, so no company_id and no tenant policy.
create table signing_keys (
    kid                    text        primary key check (kid ~ '^[0-9a-f-]{36}$'),
    alg                    text        not null check (alg = 'RS256'),
    -- PKIX public key, PEM.
    public_key_pem         text        not null check (public_key_pem like '-----BEGIN PUBLIC KEY-----%'),
    -- PKCS #8 private key sealed with the key ring; associated data
    -- (kid, 'private_key').
    private_key_ciphertext bytea       not null,
    create_time            timestamptz not null,
    activate_time          timestamptz not null,
    -- Set when a newer key takes over signing.
    retire_time            timestamptz,
    -- When it leaves the JWKS: retire_time plus the longest token lifetime
    -- and margins.
    expire_time            timestamptz,
    check ((retire_time is null) = (expire_time is null)),
    check (expire_time is null or expire_time >= retire_time)
);

-- No delete: a key that once signed stays on record.
grant select, insert, update on signing_keys to company_app;

-- +goose Down
drop table signing_keys;
drop function api_key_company(uuid);
drop table api_keys;
drop function refresh_token_company(bytea);
drop table refresh_tokens;
drop table sessions;
