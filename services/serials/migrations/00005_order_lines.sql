-- Units held for, rented and sold under orders' lines, and the equipment
-- a patient holds. An order line is orders' id: referenced, not a foreign
-- key. The transaction log stays append-only: the runtime role's grants
-- do not change.

-- +goose Up

-- The order line the unit is reserved for, rented or sold under; null
-- otherwise (ReserveUnit and the orders consumer set it, every other move
-- clears it).
alter table units add column order_line_id uuid,
    add constraint units_order_line_status check (order_line_id is null or status in ('reserved', 'rented', 'sold'));
-- ReserveUnit's key: at most one unit is reserved for an order line, and
-- ReleaseUnit finds it by the line.
create unique index units_order_line_reserved on units (company_id, order_line_id)
    where status = 'reserved' and order_line_id is not null;
-- ListUnits by patient, in its page order (serial number, id).
create index units_patient on units (company_id, current_patient_id, serial_number, id)
    where current_patient_id is not null;

-- What a transaction was done for (an order line) and why, as whoever
-- moved the unit told it (a pickup's reason).
alter table unit_transactions add column order_line_id uuid,
    add column note text not null default '' check (length(note) <= 500);

-- +goose Down
alter table unit_transactions drop column note, drop column order_line_id;
drop index units_patient;
drop index units_order_line_reserved;
alter table units drop column order_line_id;
