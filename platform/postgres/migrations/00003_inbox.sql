-- Inbox: the events each consumer of this service has applied, written in
-- the transaction of the event's effect (platform/inbox), so a redelivered
-- event is recognised and has its effect once. It records event ids, not
-- tenant data, hence no company_id and no row-level security: a consumer
-- applies the events of every tenant.

-- +goose Up
create table inbox (
    -- The consumer (its queue or purpose), so two consumers in one service
    -- each apply the same event once.
    consumer    text        not null,
    event_id    uuid        not null,
    received_at timestamptz not null default now(),
    primary key (consumer, event_id)
);

-- Pruning deletes rows older than the redelivery horizon.
create index inbox_received_at on inbox (received_at);

-- +goose StatementBegin
do $do$
begin
    execute format('grant select, insert, delete on inbox to %I', current_schema() || '_app');
end
$do$;
-- +goose StatementEnd
