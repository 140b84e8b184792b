-- A prescriber's practice phone keeps its kind (work, mobile...), as the
-- API takes and returns it; 00003 kept only the number and extension, so a
-- prescriber read back would have lost what it was created with. The fax
-- needs no such column: its kind is always fax.

-- +goose Up
alter table prescribers
    add column phone_kind text not null default ''
        check (phone_kind in ('', 'home', 'mobile', 'work', 'fax'));

-- +goose Down
alter table prescribers drop column phone_kind;
