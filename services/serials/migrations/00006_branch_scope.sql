-- Branch scope: a user limited to some locations (the token's "loc" claim,
-- set per transaction as ariesone.location_ids by platform/postgres) sees
-- and writes only the units held at those warehouses. Restrictive, so
-- Postgres ANDs the policy with tenant_isolation: it can only narrow. An
-- empty setting (unrestricted users, API keys, the orders consumer, the
-- maintenance sweep and the fleet metrics, which run without a principal)
-- allows every warehouse. Another warehouse's unit is NOT_FOUND and absent
-- from lists; a unit cannot be received into, or moved to, a warehouse
-- outside the scope (WITH CHECK).
--
-- A unit's transactions, maintenance records and usage are read only
-- through the unit (the store loads it first), so they follow it without a
-- policy of their own. Items belong to no warehouse; stock rows (counts per
-- warehouse and item, no patient data) are left unscoped, because a
-- scoped user's transfer moves the count of the destination warehouse too.

-- +goose Up
create policy branch_scope on units as restrictive
    using ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
           or warehouse_id = any (array(select unnest(string_to_array(current_setting('ariesone.location_ids', true), ','))::uuid)))
    with check ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
           or warehouse_id = any (array(select unnest(string_to_array(current_setting('ariesone.location_ids', true), ','))::uuid)));

-- +goose Down
drop policy branch_scope on units;
