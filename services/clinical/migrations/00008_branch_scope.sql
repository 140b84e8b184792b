-- Branch scope: a user limited to some locations (the token's "loc" claim,
-- set per transaction as ariesone.location_ids by platform/postgres) sees
-- and writes only the patients of those branches, and only the coverages
-- and written orders of those patients. Restrictive, so Postgres ANDs the
-- policy with tenant_isolation: it can only narrow. An empty setting
-- (unrestricted users, API keys, consumers, the re-encryption sweep) allows
-- every branch. Another branch's patient is NOT_FOUND and absent from
-- lists, as another company's is; a patient cannot be created in, or moved
-- to, a branch outside the scope (WITH CHECK).
--
-- Coverages and written orders belong to their patient's branch: the
-- subquery on patients is itself scoped, so they follow the patient (and
-- cost a primary-key probe per row only when the setting is non-empty).
-- Eligibility checks are reached only through their coverage and are left
-- unscoped; payers, plans and prescribers belong to no branch.

-- +goose Up
create policy branch_scope on patients as restrictive
    using ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
           or branch_id = any (array(select unnest(string_to_array(current_setting('ariesone.location_ids', true), ','))::uuid)))
    with check ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
           or branch_id = any (array(select unnest(string_to_array(current_setting('ariesone.location_ids', true), ','))::uuid)));

-- +goose StatementBegin
do $$
declare t text;
begin
    foreach t in array array['coverages', 'written_orders'] loop
        execute format($p$create policy branch_scope on %I as restrictive
            using ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
                   or exists (select 1 from patients p where p.id = patient_id))
            with check ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
                   or exists (select 1 from patients p where p.id = patient_id))$p$, t);
    end loop;
end $$;
-- +goose StatementEnd

-- +goose Down
drop policy branch_scope on written_orders;
drop policy branch_scope on coverages;
drop policy branch_scope on patients;
