-- The event log, the users read model, notification rules and the in-app
-- inbox.
--
-- Runs with search_path = notify as the schema's owner. The service runs as
-- a login role that is a member of notify_app, owns nothing, and holds only
-- the privileges granted here; row-level security scopes every row to the
-- tenant the transaction sets (ariesone.company_id), and FORCE makes the
-- policies bind the owner too. The event consumer sets the tenant of each
-- event it applies from the event's envelope.

-- +goose Up

-- events: the tenant's domain events as notify received them. The payload
-- is kept as the publisher encoded it, so a payload type this build of
-- notify does not know is still listed and forwarded unchanged. Rows are
-- never changed: the log is select and insert only.
create table events (
    id           uuid        primary key,
    company_id   uuid        not null,
    type         text        not null check (type <> '' and length(type) <= 200),
    payload_type text        not null check (length(payload_type) <= 300),
    source       text        not null check (length(source) <= 100),
    occur_time   timestamptz not null,
    payload      bytea       not null,
    received_at  timestamptz not null default now()
);

-- ListEvents: the tenant's events newest first.
create index events_company_occur_time on events (company_id, occur_time desc, id desc);

alter table events enable row level security;
alter table events force row level security;
create policy tenant_isolation on events
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
grant select, insert on events to notify_app;

-- recipients: notify's read model of the company service's users, holding
-- only what choosing notification recipients needs. It is fed by company's
-- user events, which may arrive out of order: each aspect keeps the
-- occur_time of the event that last set it, and an older event never
-- overwrites a newer one. An empty allowed_location_ids means the user works
-- at every location.
create table recipients (
    company_id           uuid        not null,
    user_id              uuid        not null,
    roles                text[]      not null,
    roles_time           timestamptz not null,
    allowed_location_ids uuid[]      not null,
    locations_time       timestamptz not null,
    active               boolean     not null,
    status_time          timestamptz not null,
    primary key (company_id, user_id)
);

alter table recipients enable row level security;
alter table recipients force row level security;
create policy tenant_isolation on recipients
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
grant select, insert, update on recipients to notify_app;

-- notification_rules: which events become notifications, for whom. A rule
-- names a role, or asks for the users at the event's location, or both.
-- Creates are idempotent through idempotency_keys (request_id).
create table notification_rules (
    id                uuid        primary key,
    company_id        uuid        not null,
    event_type        text        not null
                                  check (event_type ~ '^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?$' and length(event_type) <= 200),
    title             text        not null check (title <> '' and length(title) <= 200),
    recipient_role    text        not null
                                  check (recipient_role in ('', 'owner', 'admin', 'intake', 'billing', 'warehouse', 'technician', 'auditor')),
    at_event_location boolean     not null,
    create_time       timestamptz not null,
    check (recipient_role <> '' or at_event_location)
);

-- ListNotificationRules (oldest first by UUIDv7 id) and the consumer's
-- "every rule of the tenant" read.
create index notification_rules_company_id on notification_rules (company_id, id);

alter table notification_rules enable row level security;
alter table notification_rules force row level security;
create policy tenant_isolation on notification_rules
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
-- No update: a rule is replaced by deleting it and creating another.
grant select, insert, delete on notification_rules to notify_app;

-- notifications: each user's inbox. rule_id and event_id have no foreign
-- keys: deleting a rule keeps the notifications it made, and the event log
-- may be pruned on its own schedule. One notification per rule, event and
-- user, so a redelivered event notifies nobody twice.
create table notifications (
    id          uuid        primary key,
    company_id  uuid        not null,
    user_id     uuid        not null,
    rule_id     uuid        not null,
    event_id    uuid        not null,
    event_type  text        not null,
    title       text        not null,
    resource_id text        not null,
    create_time timestamptz not null,
    read_time   timestamptz,
    constraint notifications_rule_event_user_key unique (rule_id, event_id, user_id)
);

-- ListNotifications: a user's inbox newest first (UUIDv7 ids), and the
-- unread count.
create index notifications_inbox on notifications (company_id, user_id, id desc);
create index notifications_unread on notifications (company_id, user_id, id desc) where read_time is null;

alter table notifications enable row level security;
alter table notifications force row level security;
create policy tenant_isolation on notifications
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
-- Marking read is the only change a notification ever sees.
grant select, insert on notifications to notify_app;
grant update (read_time) on notifications to notify_app;
