-- The encryption key check (platform/service): one value sealed under the
-- key ring the schema's data was first sealed with, opened at every start to
-- prove the configured ring is the right one. Created here, under the
-- migrations' advisory lock, so replicas starting together on a new schema
-- do not race to create it (a schema whose first start created it keeps
-- it). The serving role only reads it: a service that leaves migrating to a
-- separate step checks its key against it.

-- +goose Up
create table if not exists encryption_key_check (
    id     smallint primary key check (id = 1),
    sealed bytea not null
);

-- +goose StatementBegin
do $do$
begin
    execute format('grant select on encryption_key_check to %I', current_schema() || '_app');
end
$do$;
-- +goose StatementEnd

-- +goose Down
drop table encryption_key_check;
