package grpcapi_test

import (
	"testing"
	"time"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/page/pagetest"
	"github.com/ariesone/ariesone/services/serials/internal/serialstest"
)

// TestPageTokensAreOpaque lists two pages or more of every List method of
// serials and checks that no token carries a field value of a listed row
// (serial numbers, item codes, manufacturers, ids, dates and times) and
// that a tampered token is refused.
func TestPageTokensAreOpaque(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	today := time.Now()
	var units []*serialsv1.Unit
	for range 3 {
		units = append(units, f.receive(t, f.item, nextSerial(), f.a.WH1))
	}
	f.receive(t, f.tank, nextSerial(), f.a.WH1)
	f.receive(t, f.tank, nextSerial(), f.a.WH2)
	for _, k := range []serialsv1.UnitTransactionKind{rent, serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RETURN} {
		if _, err := f.transition(f.a.Admin, units[0].GetId(), k); err != nil {
			t.Fatal(err)
		}
	}
	for i, u := range units {
		for range 2 {
			if _, err := f.e.Maintenance.CreateMaintenanceRecord(f.a.Technician, &serialsv1.CreateMaintenanceRecordRequest{
				UnitId: u.GetId(), Record: &serialsv1.MaintenanceRecord{Problem: "Scheduled inspection", WorkDone: "Inspected and tested",
					Technician: "Jocelyn Ortiz", PerformDate: dateOf(today.AddDate(0, -6, 0)), NextDue: dateOf(today.AddDate(0, 0, -1-i))}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, m := range []string{"RESMED", "PHILIPS", "INVACARE"} {
		if _, err := f.e.Items.SetManufacturerSerialRule(f.a.Warehouse, &serialsv1.SetManufacturerSerialRuleRequest{
			Rule: &serialsv1.ManufacturerSerialRule{Manufacturer: m, Rule: &serialsv1.SerialRule{Pattern: "SN[0-9]{8}"}}}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("ListItems", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*serialsv1.ListItemsResponse, error) {
			return f.e.Items.ListItems(f.a.Auditor, &serialsv1.ListItemsRequest{PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListManufacturerSerialRules", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*serialsv1.ListManufacturerSerialRulesResponse, error) {
			return f.e.Items.ListManufacturerSerialRules(f.a.Auditor, &serialsv1.ListManufacturerSerialRulesRequest{PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListUnits", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*serialsv1.ListUnitsResponse, error) {
			return f.e.Units.ListUnits(f.a.Auditor, &serialsv1.ListUnitsRequest{PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListUnitTransactions", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*serialsv1.ListUnitTransactionsResponse, error) {
			return f.e.Units.ListUnitTransactions(f.a.Auditor, &serialsv1.ListUnitTransactionsRequest{UnitId: units[0].GetId(), PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListStock", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*serialsv1.ListStockResponse, error) {
			return f.e.Stock.ListStock(f.a.Auditor, &serialsv1.ListStockRequest{PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListRecallHolders", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*serialsv1.ListRecallHoldersResponse, error) {
			return f.e.Recalls.ListRecallHolders(f.a.Auditor, &serialsv1.ListRecallHoldersRequest{Scope: &serialsv1.RecallScope{
				Manufacturer: "resmed", Model: "airsense 11", Lot: "LOT-1"}, PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListMaintenanceRecords", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*serialsv1.ListMaintenanceRecordsResponse, error) {
			return f.e.Maintenance.ListMaintenanceRecords(f.a.Auditor, &serialsv1.ListMaintenanceRecordsRequest{UnitId: units[1].GetId(), PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListMaintenanceDue", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*serialsv1.ListMaintenanceDueResponse, error) {
			return f.e.Maintenance.ListMaintenanceDue(f.a.Technician, &serialsv1.ListMaintenanceDueRequest{WarehouseId: f.a.WH1, PageSize: 1, PageToken: token})
		})
	})
}
