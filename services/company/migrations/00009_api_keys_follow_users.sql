-- API keys follow the user who created them. A key acts with its creator's
-- authority (it can carry only roles the creator held), so deactivating the
-- creator disables every usable key they created, in the deactivation's own
-- transaction. Disabled is a state of its own, not a revocation: the list
-- can tell "an administrator revoked it" from "its creator left", and an
-- administrator may still revoke a disabled key to retire it for good.
-- Nothing re-enables a key; reactivating the creator does not, and the way
-- back is a new key.
--
-- Keys of users deactivated before this migration are left as they are:
-- disabling them now would stop partners without the event that tells
-- them why at the time it happened. An operator who wants them stopped
-- revokes them.

-- +goose Up
alter table api_keys
    add column disable_time   timestamptz,
    add column disable_reason text not null default ''
                              check (disable_reason in ('', 'creator_deactivated')),
    add constraint api_keys_disable_check check ((disable_time is null) = (disable_reason = ''));

-- Deactivation finds the creator's usable keys by this index.
create index api_keys_creator on api_keys (company_id, creator_user_id)
    where revoke_time is null and disable_time is null;

-- +goose Down
drop index api_keys_creator;
alter table api_keys
    drop constraint api_keys_disable_check,
    drop column disable_reason,
    drop column disable_time;
