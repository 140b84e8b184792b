-- Transactional outbox: the events a service's changes cause, written in the
-- transaction of the change (platform/outbox Append) and published to the
-- broker after commit by the relay, which marks each row sent once the broker
-- confirmed it. Sent rows are kept for a retention period, then pruned.

-- +goose Up
create table outbox (
    -- The event id (UUIDv7): the message-id consumers de-duplicate on.
    id              uuid        primary key,
    -- Publish order. Identity values are drawn at insert, not at commit, so
    -- an event appended after another one committed always sorts after it;
    -- events of transactions running side by side have no order to keep.
    seq             bigint      generated always as identity,
    type            text        not null,
    payload_type    text        not null,
    -- The event's tenant; null for an event that belongs to none.
    company_id      uuid,
    source          text        not null,
    occur_time      timestamptz not null,
    payload         bytea       not null,
    -- W3C trace context of the call that caused the event.
    trace           jsonb,
    -- Failed publish attempts, and when the relay may try again.
    attempts        integer     not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error      text,
    -- Set when the broker confirmed the event; null while it is pending.
    sent_at         timestamptz,
    created_at      timestamptz not null default now()
);

-- The relay's work queue: unsent rows in publish order. seq leads so that a
-- scan in publish order stops after one batch however long the backlog is
-- (with next_attempt_at first, every round would sort the whole due
-- backlog); next_attempt_at second lets the scan skip rows waiting out
-- their backoff inside the index, without visiting the table.
create index outbox_unsent on outbox (seq, next_attempt_at) where sent_at is null;
-- Pruning deletes the oldest sent rows first.
create index outbox_sent on outbox (sent_at) where sent_at is not null;

-- Row-level security. The outbox holds every tenant's events, yet it is
-- infrastructure rather than tenant data: the relay must read it whole, in
-- publish order, to hand each event to the broker once, whichever tenant it
-- belongs to. The relay runs as the service's runtime role like everything
-- else, in transactions that set no tenant, so "no tenant" is the relay's
-- scope here, as it is nobody's scope on tenant tables:
--   * appending: a transaction may insert events of its own tenant and
--     tenant-less events, never another tenant's (a request of company A
--     cannot make the mesh believe company B changed something);
--   * reading: a tenant transaction sees its own tenant's events; a
--     transaction without a tenant (the relay) sees them all;
--   * marking sent, retrying and pruning: only without a tenant, so a
--     tenant transaction can neither hide nor alter an event.
alter table outbox enable row level security;
alter table outbox force row level security;

create policy outbox_append on outbox for insert
    with check (company_id is null
                or company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
create policy outbox_read on outbox for select
    using (nullif(current_setting('ariesone.company_id', true), '') is null
           or company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
create policy outbox_relay_update on outbox for update
    using (nullif(current_setting('ariesone.company_id', true), '') is null)
    with check (nullif(current_setting('ariesone.company_id', true), '') is null);
create policy outbox_relay_delete on outbox for delete
    using (nullif(current_setting('ariesone.company_id', true), '') is null);

-- Wake the relay: a notification on "<schema>_outbox" per inserting
-- statement. Postgres delivers it when (and only if) the transaction
-- commits, and folds identical notifications of one transaction into one.
-- Channel names are identifiers (at most 63 bytes), so the schema part is
-- cut to 56 characters; two schemas sharing so long a prefix in one
-- database would only wake each other's relay for nothing.
-- +goose StatementBegin
create function outbox_notify() returns trigger
language plpgsql as $$
begin
    perform pg_notify(left(tg_table_schema, 56) || '_outbox', '');
    return null;
end
$$;
-- +goose StatementEnd

create trigger outbox_notify after insert on outbox
    for each statement execute function outbox_notify();

-- +goose StatementBegin
do $do$
begin
    execute format('grant select, insert, update, delete on outbox to %I', current_schema() || '_app');
end
$do$;
-- +goose StatementEnd
