-- Branch scope: a user limited to some locations (the token's "loc" claim,
-- set per transaction as ariesone.location_ids by platform/postgres) sees
-- and writes only the orders and resupply schedules of those branches, and
-- only the lines, deliveries and pickups of those orders. Restrictive, so
-- Postgres ANDs the policies with tenant_isolation: they can only narrow.
-- An empty setting (unrestricted users, API keys, the billing run and the
-- event consumers, which run without a principal) allows every branch.
-- Another branch's order is NOT_FOUND and absent from lists; an order
-- cannot be drafted in, or moved to, a branch outside the scope (WITH
-- CHECK; company's scoped locations refuse the branch before that).
--
-- Left unscoped: price lists and prices (no branch), rentals and claim
-- lines (billing's copy, worked by the billing run and billing partners
-- across branches), resupply confirmations, shipments and windows (reached
-- through their schedule, or per payer).

-- +goose Up
create policy branch_scope on orders as restrictive
    using ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
           or branch_id = any (array(select unnest(string_to_array(current_setting('ariesone.location_ids', true), ','))::uuid)))
    with check ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
           or branch_id = any (array(select unnest(string_to_array(current_setting('ariesone.location_ids', true), ','))::uuid)));

create policy branch_scope on resupply_schedules as restrictive
    using ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
           or branch_id = any (array(select unnest(string_to_array(current_setting('ariesone.location_ids', true), ','))::uuid)))
    with check ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
           or branch_id = any (array(select unnest(string_to_array(current_setting('ariesone.location_ids', true), ','))::uuid)));

-- +goose StatementBegin
do $$
declare t text;
begin
    foreach t in array array['order_lines', 'deliveries', 'pickups'] loop
        execute format($p$create policy branch_scope on %I as restrictive
            using ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
                   or exists (select 1 from orders o where o.id = order_id))
            with check ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
                   or exists (select 1 from orders o where o.id = order_id))$p$, t);
    end loop;
end $$;
-- +goose StatementEnd

-- +goose Down
drop policy branch_scope on pickups;
drop policy branch_scope on deliveries;
drop policy branch_scope on order_lines;
drop policy branch_scope on resupply_schedules;
drop policy branch_scope on orders;
