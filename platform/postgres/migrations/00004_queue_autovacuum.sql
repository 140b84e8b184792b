-- The outbox and inbox are queues: rows are inserted, marked sent or
-- processed, and pruned all day, so their dead rows pile up faster than the
-- default autovacuum thresholds (20% of the table) notice on a large table.
-- Vacuum them after a fixed number of dead rows instead, unthrottled, so the
-- relay's and the consumers' index scans stay short.

-- +goose Up
alter table outbox set (
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 5000,
    autovacuum_analyze_scale_factor = 0.02,
    autovacuum_vacuum_cost_delay = 0
);
alter table inbox set (
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 5000,
    autovacuum_analyze_scale_factor = 0.02,
    autovacuum_vacuum_cost_delay = 0
);

-- +goose Down
alter table outbox reset (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold,
    autovacuum_analyze_scale_factor, autovacuum_vacuum_cost_delay);
alter table inbox reset (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold,
    autovacuum_analyze_scale_factor, autovacuum_vacuum_cost_delay);
