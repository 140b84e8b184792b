-- +goose Up
-- A webhook subscription delivers with the authority of whoever created it:
-- the user's current roles (from the users read model) or the API key's
-- roles, so it sees exactly the events, and the fields of them, that its
-- creator could read. It is suspended when that authority ends (the user
-- is deactivated, the key revoked) until someone enables it again with
-- their own.
alter table webhook_subscriptions
    add column creator_kind   text   not null default 'user' check (creator_kind <> '' and length(creator_kind) <= 20),
    add column creator_roles  text[] not null default '{}' check (array_position(creator_roles, null) is null),
    add column suspend_reason text   check (length(suspend_reason) <= 100);
alter table webhook_subscriptions drop constraint webhook_subscriptions_state_check;
alter table webhook_subscriptions add constraint webhook_subscriptions_state_check
    check (state in ('active', 'disabled', 'suspended'));
alter table webhook_subscriptions add constraint webhook_subscriptions_suspend_reason
    check ((state = 'suspended') = (suspend_reason is not null));

-- Suspending a creator's subscriptions finds them by creator.
create index webhook_subscriptions_creator on webhook_subscriptions (company_id, creator_id);

-- Subscriptions made before this change recorded no authority: suspend
-- them, so they deliver nothing until someone enables them with theirs.
-- FORCE binds the owner to the tenant policies, so a policy of its own lets
-- it make this one update across tenants; it goes with the update.
create policy migrate_authority on webhook_subscriptions for update to current_user using (true) with check (true);
update webhook_subscriptions
    set state = 'suspended', suspend_reason = 'AUTHORITY_UNKNOWN', disable_time = null, version = version + 1
    where state <> 'suspended';
drop policy migrate_authority on webhook_subscriptions;

-- +goose Down
alter table webhook_subscriptions drop constraint webhook_subscriptions_suspend_reason;
create policy migrate_authority on webhook_subscriptions for update to current_user using (true) with check (true);
update webhook_subscriptions set state = 'disabled', disable_time = now(), suspend_reason = null where state = 'suspended';
drop policy migrate_authority on webhook_subscriptions;
alter table webhook_subscriptions drop constraint webhook_subscriptions_state_check;
alter table webhook_subscriptions add constraint webhook_subscriptions_state_check check (state in ('active', 'disabled'));
drop index webhook_subscriptions_creator;
alter table webhook_subscriptions drop column suspend_reason, drop column creator_roles, drop column creator_kind;
