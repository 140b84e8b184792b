-- Branch scope: a user limited to some locations (users.allowed_location_ids,
-- carried in their access tokens and set per transaction as
-- ariesone.location_ids by platform/postgres) sees and writes only those
-- locations. Restrictive, so Postgres ANDs it with tenant_isolation: it can
-- only narrow what the tenant policy allows. An empty setting (unrestricted
-- users, API keys, sign-in, consumers) allows every location of the tenant.
-- Another location then answers NOT_FOUND and is absent from lists, exactly
-- like another company's.
--
-- Only locations are scoped here: users, sessions and API keys belong to no
-- location.

-- +goose Up
create policy branch_scope on locations as restrictive
    using ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
           or id = any (array(select unnest(string_to_array(current_setting('ariesone.location_ids', true), ','))::uuid)))
    with check ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
           or id = any (array(select unnest(string_to_array(current_setting('ariesone.location_ids', true), ','))::uuid)));

-- +goose Down
drop policy branch_scope on locations;
