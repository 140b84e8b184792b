-- API keys are shown in lists by a display prefix. The first version showed
-- "ak_live_" plus 8 hex digits of the key's UUIDv7 id, which is its
-- timestamp: keys created within the same minute shared a prefix. The prefix
-- is now the whole public id part of the key (never secret), so every key's
-- prefix is unique. Rows written before keep their short prefix.

-- +goose Up
alter table api_keys drop constraint api_keys_prefix_check;
alter table api_keys add constraint api_keys_prefix_check
    check (prefix ~ '^ak_live_[0-9a-f]{8}([0-9a-f]{24})?$');

-- +goose Down
alter table api_keys drop constraint api_keys_prefix_check;
alter table api_keys add constraint api_keys_prefix_check
    check (prefix ~ '^ak_live_[0-9a-f]{8}$');
