-- A call that discloses many resources at once (a page of patients) names
-- them all in one resource field, comma-separated ("patient_ids"). The
-- resource filter must find such a call by any one of those ids, so the
-- indexed value list splits every value on commas; a single id (which has
-- no comma) is itself.

-- +goose Up
drop index audit_records_resource_values;
-- +goose StatementBegin
create or replace function audit_resource_values(resources jsonb) returns text[]
    language sql immutable strict parallel safe
as $$
    select coalesce(array_agg(v order by v), '{}')
    from jsonb_each_text(resources) r, unnest(string_to_array(r.value, ',')) v
$$;
-- +goose StatementEnd
create index audit_records_resource_values on audit_records using gin (audit_resource_values(resources));

-- +goose Down
drop index audit_records_resource_values;
-- +goose StatementBegin
create or replace function audit_resource_values(resources jsonb) returns text[]
    language sql immutable strict parallel safe
as $$
    select coalesce(array_agg(r.value order by r.value), '{}') from jsonb_each_text(resources) r
$$;
-- +goose StatementEnd
create index audit_records_resource_values on audit_records using gin (audit_resource_values(resources));
