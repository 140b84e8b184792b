-- The fleet gauges on /metrics (units by status, rental utilisation) are
-- operational figures across every tenant, which the runtime role cannot
-- see under row-level security. unit_status_counts returns counts only,
-- no tenant and no unit: SECURITY DEFINER with the search_path pinned, as
-- maintenance_due_tenants, reading through the owner's read-only policy of
-- migration 00002.

-- +goose Up
-- +goose StatementBegin
do $do$
begin
    execute format($f$
        create function unit_status_counts() returns table (status text, units bigint)
            language sql stable security definer set search_path = %I, pg_temp
        as $body$
            select status, count(*) from units group by status order by status
        $body$$f$, current_schema());
end
$do$;
-- +goose StatementEnd
revoke execute on function unit_status_counts() from public;
grant execute on function unit_status_counts() to serials_app;

-- +goose Down
drop function unit_status_counts();
