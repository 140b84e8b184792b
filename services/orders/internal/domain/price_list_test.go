package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs/errstest"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

func TestNewPriceList(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	const payer = "0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f"
	tests := []struct {
		name       string
		values     domain.PriceListValues
		want       *domain.PriceList
		wantFields []string
	}{
		{"the default list", domain.PriceListValues{Name: "Standard"},
			&domain.PriceList{ID: "l1", CompanyID: "c1", Name: "Standard", CreateTime: now}, nil},
		{"a payer's list, its name trimmed", domain.PriceListValues{Name: "  Medicare DME  ", PayerID: payer},
			&domain.PriceList{ID: "l1", CompanyID: "c1", Name: "Medicare DME", PayerID: payer, CreateTime: now}, nil},
		{"a name of 100 characters", domain.PriceListValues{Name: strings.Repeat("é", 100)},
			&domain.PriceList{ID: "l1", CompanyID: "c1", Name: strings.Repeat("é", 100), CreateTime: now}, nil},
		{"no name", domain.PriceListValues{}, nil, []string{"name"}},
		{"a name of spaces", domain.PriceListValues{Name: " \t "}, nil, []string{"name"}},
		{"a name of 101 characters", domain.PriceListValues{Name: strings.Repeat("a", 101)}, nil, []string{"name"}},
		{"a line break in the name", domain.PriceListValues{Name: "Medicare\nDME"}, nil, []string{"name"}},
		{"a name that is not UTF-8", domain.PriceListValues{Name: "Medicare \xff"}, nil, []string{"name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.NewPriceList("l1", "c1", tt.values, now)
			if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("NewPriceList (-want +got):\n%s", diff)
			}
			if got != nil && got.Default() != (tt.values.PayerID == "") {
				t.Errorf("Default() = %v for payer %q", got.Default(), tt.values.PayerID)
			}
		})
	}
}
