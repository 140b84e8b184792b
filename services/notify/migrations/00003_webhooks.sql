-- Partner webhooks: subscriptions, one delivery per event and subscription,
-- and every attempt to deliver it.
--
-- Runs with search_path = notify as the schema's owner. The service runs as
-- a login role that is a member of notify_app, owns nothing, and holds only
-- the privileges granted here; row-level security scopes every row to the
-- tenant the transaction sets (ariesone.company_id), and FORCE makes the
-- policies bind the owner too.

-- +goose Up

-- webhook_subscriptions: where a tenant's events go. The signing secret is
-- sealed with the service's key ring (AES-256-GCM, associated data: the
-- subscription id and "secret"); it is never stored in clear, not even in
-- idempotency responses, which hold only the id.
create table webhook_subscriptions (
    id                   uuid        primary key,
    company_id           uuid        not null,
    url                  text        not null check (url <> '' and length(url) <= 2048),
    event_types          text[]      not null
                                     check (cardinality(event_types) between 1 and 50
                                        and array_position(event_types, null) is null),
    secret_ciphertext    bytea       not null,
    state                text        not null default 'active' check (state in ('active', 'disabled')),
    -- Failed attempts in a row, across the subscription's deliveries.
    consecutive_failures int         not null default 0 check (consecutive_failures >= 0),
    disable_time         timestamptz,
    creator_id           text        not null,
    -- The etag: advanced by changes the owner sees (URL, event types,
    -- state), not by the failure counter.
    version              bigint      not null default 1 check (version > 0),
    create_time          timestamptz not null default now(),
    update_time          timestamptz not null default now(),
    check ((state = 'disabled') = (disable_time is not null)),
    -- The target of the deliveries' foreign key, which thereby also proves
    -- a delivery belongs to its subscription's tenant.
    constraint webhook_subscriptions_company_id_key unique (company_id, id)
);

-- ListWebhookSubscriptions: oldest first.
create index webhook_subscriptions_list on webhook_subscriptions (company_id, create_time, id);

alter table webhook_subscriptions enable row level security;
alter table webhook_subscriptions force row level security;
create policy tenant_isolation on webhook_subscriptions
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
grant select, insert, update, delete on webhook_subscriptions to notify_app;

-- webhook_deliveries: one event for one subscription. body is the exact
-- JSON every attempt POSTs, rendered once when the delivery is enqueued, so
-- retries send identical bytes. A pending delivery has next_attempt_at; a
-- dispatcher that claims it sets lease_until, and until then nobody else
-- claims it, so a crash mid-send only delays the retry to the lease's end.
create table webhook_deliveries (
    id              uuid        primary key,
    company_id      uuid        not null,
    subscription_id uuid        not null,
    event_id        text        not null check (event_id <> ''),
    event_type      text        not null check (event_type <> ''),
    body            bytea       not null,
    state           text        not null default 'pending' check (state in ('pending', 'succeeded', 'failed')),
    attempts        int         not null default 0 check (attempts >= 0),
    next_attempt_at timestamptz,
    lease_until     timestamptz,
    -- The last attempt's error, or why the delivery failed without one
    -- ("subscription disabled"); for operators, not in the API.
    last_error      text        not null default '',
    create_time     timestamptz not null default now(),
    check ((state = 'pending') = (next_attempt_at is not null)),
    constraint webhook_deliveries_company_id_key unique (company_id, id),
    -- An event is delivered to a subscription once, however often the
    -- broker redelivers it.
    constraint webhook_deliveries_subscription_event_key unique (subscription_id, event_id),
    foreign key (company_id, subscription_id) references webhook_subscriptions (company_id, id) on delete cascade
);

-- The dispatcher's scan: pending deliveries by tenant and due time.
create index webhook_deliveries_due on webhook_deliveries (company_id, next_attempt_at) where state = 'pending';
-- ListWebhookDeliveries: a subscription's deliveries, newest first.
create index webhook_deliveries_list on webhook_deliveries (subscription_id, create_time desc, id desc);

alter table webhook_deliveries enable row level security;
alter table webhook_deliveries force row level security;
create policy tenant_isolation on webhook_deliveries
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
-- No delete: deliveries go with their subscription (the foreign key's
-- cascade, which row-level security and privileges do not stop).
grant select, insert, update on webhook_deliveries to notify_app;

-- webhook_attempts: every POST of a delivery and its outcome. Append-only
-- for the service: it may insert and read, never change or remove one.
create table webhook_attempts (
    company_id   uuid        not null,
    delivery_id  uuid        not null,
    number       int         not null check (number > 0),
    attempt_time timestamptz not null,
    -- 0 when the receiver did not answer.
    http_status  int         not null check (http_status between 0 and 999),
    error        text        not null default '',
    duration_us  bigint      not null check (duration_us >= 0),
    primary key (delivery_id, number),
    foreign key (company_id, delivery_id) references webhook_deliveries (company_id, id) on delete cascade
);

alter table webhook_attempts enable row level security;
alter table webhook_attempts force row level security;
create policy tenant_isolation on webhook_attempts
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
grant select, insert on webhook_attempts to notify_app;

-- The dispatcher serves every tenant, which the runtime role can never see
-- at once. webhook_pending_tenants (below) runs as the owner and tells it
-- which tenants have pending deliveries and when the earliest is due; the
-- dispatcher then claims each tenant's deliveries in a transaction scoped
-- to that tenant, under row-level security like any other query. FORCE
-- binds the owner to the policies too, so the owner gets read-only
-- policies of its own for this; the runtime role never has them.
create policy owner_dispatch_read on webhook_deliveries for select to current_user using (true);
create policy owner_dispatch_read on webhook_subscriptions for select to current_user using (true);

-- webhook_pending_tenants returns, for up to max_tenants tenants with
-- pending deliveries to active subscriptions, the earliest time one of
-- them may be attempted (its next_attempt_at, or the end of its lease if a
-- dispatcher holds it), earliest first. It reveals tenant ids and times,
-- nothing of the deliveries themselves. SECURITY DEFINER with the
-- search_path pinned to this schema (pg_temp last, so a temporary table
-- cannot stand in for the real ones).
-- +goose StatementBegin
do $do$
begin
    execute format($f$
        create function webhook_pending_tenants(max_tenants int)
            returns table (company_id uuid, next_due timestamptz)
            language sql stable security definer set search_path = %I, pg_temp
        as $body$
            select d.company_id, min(greatest(d.next_attempt_at, coalesce(d.lease_until, '-infinity')))
            from webhook_deliveries d
            join webhook_subscriptions s on s.company_id = d.company_id and s.id = d.subscription_id
            where d.state = 'pending' and s.state = 'active'
            group by d.company_id
            order by 2
            limit greatest(max_tenants, 0)
        $body$$f$, current_schema());
end
$do$;
-- +goose StatementEnd
revoke execute on function webhook_pending_tenants(int) from public;
grant execute on function webhook_pending_tenants(int) to notify_app;

-- +goose Down
drop function webhook_pending_tenants(int);
drop table webhook_attempts;
drop table webhook_deliveries;
drop table webhook_subscriptions;
