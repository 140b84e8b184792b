-- The per-source sign-in failure counters (00008) are sign-in history too:
-- a row per source that ever failed against an account, kept until it is
-- older than the retention and no block of it is still running. This
-- redefines prune_auth_history (00010) with that table added; everything
-- said there about the owner, the cutoff and SKIP LOCKED holds for it.

-- +goose Up

create index sign_in_failures_update_time on sign_in_failures (update_time);

create policy owner_retention_read on sign_in_failures for select to current_user using (true);
create policy owner_retention_lock on sign_in_failures for update to current_user using (true);
create policy owner_retention_delete on sign_in_failures for delete to current_user using (true);

-- +goose StatementBegin
do $do$
begin
    execute format($f$
        create or replace function prune_auth_history(retention interval, batch_size int)
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
            with doomed as (
                select f.ctid from sign_in_failures f
                where f.update_time < cutoff
                  and (f.locked_until is null or f.locked_until < cutoff)
                order by f.update_time
                limit batch_size
                for update skip locked)
            delete from sign_in_failures f using doomed where f.ctid = doomed.ctid;
            get diagnostics n = row_count;
            table_name := 'sign_in_failures'; deleted := n; return next;
        end
        $body$$f$, current_schema());
end
$do$;
-- +goose StatementEnd

-- +goose Down

-- +goose StatementBegin
do $do$
begin
    execute format($f$
        create or replace function prune_auth_history(retention interval, batch_size int)
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
drop policy owner_retention_delete on sign_in_failures;
drop policy owner_retention_lock on sign_in_failures;
drop policy owner_retention_read on sign_in_failures;
drop index sign_in_failures_update_time;
