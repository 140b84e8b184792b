-- Sign-in history is pruned once it is older than the retention
-- (AUTH_RETENTION, 90 days by default): refresh tokens used, revoked or
-- expired before it, sessions ended before it (revoked, expired or idle)
-- whose refresh tokens are gone, and password tokens spent or expired
-- before it. Until now nothing was ever deleted, so these tables grew by a
-- row per sign-in and per refresh forever.
--
-- Why a SECURITY DEFINER function rather than a DELETE grant. The runtime
-- role (company_app) still may not delete these rows: a bug or an injected
-- statement in a request path could otherwise erase live sessions or the
-- record of recent ones. The function is the only way rows leave, it
-- deletes only rows whose every time is past the retention it is given,
-- computed from the database's own clock (the caller cannot hand it a
-- future cutoff), and it refuses a retention shorter than a day. It also
-- answers the tenancy question: these are tenant tables under forced
-- row-level security, and the pruning worker has no principal; running as
-- the owner, with policies for the owner alone (below), it works across
-- tenants in one statement per table instead of listing tenants and
-- opening a transaction per tenant.
--
-- Why it is safe with several replicas. Each call is one transaction that
-- deletes at most batch_size rows per table; the rows are chosen
-- FOR UPDATE SKIP LOCKED, so two replicas pruning at once take disjoint
-- rows and never wait for each other, and a row is deleted once (a
-- second delete of it finds nothing). A session is deleted only when no
-- refresh token of it remains, tokens first; a token another call is
-- still deleting counts as remaining, so its session waits for a later
-- batch instead of failing the foreign key.

-- +goose Up

-- Every row the pruning deletes was created before the cutoff, so this is
-- where each batch's scan starts and ends.
create index sessions_create_time on sessions (create_time);
create index refresh_tokens_create_time on refresh_tokens (create_time);
create index password_tokens_create_time on password_tokens (create_time);

-- FORCE binds the owner too. These policies are for the owner alone, that
-- is for prune_auth_history (choosing rows FOR UPDATE needs the select and
-- update policies, deleting them the delete policy); the runtime role
-- never has them.
create policy owner_retention_read on sessions for select to current_user using (true);
create policy owner_retention_lock on sessions for update to current_user using (true);
create policy owner_retention_delete on sessions for delete to current_user using (true);
-- refresh_tokens already has owner_token_lookup for select (00002).
create policy owner_retention_lock on refresh_tokens for update to current_user using (true);
create policy owner_retention_delete on refresh_tokens for delete to current_user using (true);
create policy owner_retention_read on password_tokens for select to current_user using (true);
create policy owner_retention_lock on password_tokens for update to current_user using (true);
create policy owner_retention_delete on password_tokens for delete to current_user using (true);

-- prune_auth_history deletes one batch of history older than now minus
-- retention, at most batch_size rows per table, and returns how many rows
-- it deleted from each table. The search_path is pinned to this schema
-- (pg_temp last, so a temporary table cannot stand in for a real one).
-- +goose StatementBegin
do $do$
begin
    execute format($f$
        create function prune_auth_history(retention interval, batch_size int)
            returns table (table_name text, deleted bigint)
            language plpgsql volatile security definer set search_path = %I, pg_temp
        as $body$
        declare
            cutoff timestamptz := now() - retention;
            n      bigint;
        begin
            if retention is null or retention < interval '1 day' then
                raise exception 'prune_auth_history: retention %% is shorter than a day', retention
                    using errcode = 'invalid_parameter_value';
            end if;
            if batch_size is null or batch_size < 1 or batch_size > 10000 then
                raise exception 'prune_auth_history: batch size %% is not between 1 and 10000', batch_size
                    using errcode = 'invalid_parameter_value';
            end if;

            with doomed as (
                select t.token_hash from refresh_tokens t
                where t.create_time < cutoff
                  and (t.used_time < cutoff or t.revoke_time < cutoff or t.expire_time < cutoff)
                order by t.create_time
                limit batch_size
                for update skip locked)
            delete from refresh_tokens t using doomed where t.token_hash = doomed.token_hash;
            get diagnostics n = row_count;
            table_name := 'refresh_tokens'; deleted := n; return next;

            with doomed as (
                select s.id from sessions s
                where s.create_time < cutoff
                  and (s.revoke_time < cutoff or s.expire_time < cutoff
                       or s.last_seen_time + s.idle_timeout < cutoff)
                  and not exists (select 1 from refresh_tokens t where t.session_id = s.id)
                order by s.create_time
                limit batch_size
                for update skip locked)
            delete from sessions s using doomed where s.id = doomed.id;
            get diagnostics n = row_count;
            table_name := 'sessions'; deleted := n; return next;

            with doomed as (
                select p.token_hash from password_tokens p
                where p.create_time < cutoff
                  and (p.used_time < cutoff or p.expire_time < cutoff)
                order by p.create_time
                limit batch_size
                for update skip locked)
            delete from password_tokens p using doomed where p.token_hash = doomed.token_hash;
            get diagnostics n = row_count;
            table_name := 'password_tokens'; deleted := n; return next;
        end
        $body$$f$, current_schema());
end
$do$;
-- +goose StatementEnd
revoke execute on function prune_auth_history(interval, int) from public;
grant execute on function prune_auth_history(interval, int) to company_app;

-- +goose Down
drop function prune_auth_history(interval, int);
drop policy owner_retention_delete on password_tokens;
drop policy owner_retention_lock on password_tokens;
drop policy owner_retention_read on password_tokens;
drop policy owner_retention_delete on refresh_tokens;
drop policy owner_retention_lock on refresh_tokens;
drop policy owner_retention_delete on sessions;
drop policy owner_retention_lock on sessions;
drop policy owner_retention_read on sessions;
drop index password_tokens_create_time;
drop index refresh_tokens_create_time;
drop index sessions_create_time;
