// Package app holds the serials service's use cases, one group of commands
// and queries per resource: items and manufacturer serial rules, units and
// their transactions, ValidateSerial through its two-level cache, stock and
// fleet figures, recalls, maintenance with its due sweep, and device usage.
// Each command runs in one unit of work (usecase.Change), so the change, its
// events (through the outbox) and the call's audit record commit together.
// Warehouses and patients belong to company and clinical; the use cases
// ask them through the Warehouses and Patients ports.
package app
