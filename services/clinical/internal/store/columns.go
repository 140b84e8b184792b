package store

import (
	"encoding/json"
	"fmt"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/postgres"
)

// date is a civil.Date as a date column (postgres.Date).
type date = postgres.Date

// dates returns scan targets for civil dates.
func dates(ds ...*civil.Date) []any {
	out := make([]any, len(ds))
	for i, d := range ds {
		out[i] = (*date)(d)
	}
	return out
}

// storedPhone is one phone in a jsonb phones column.
type storedPhone struct {
	Number    string `json:"number"`
	Extension string `json:"extension,omitempty"`
	Kind      string `json:"kind,omitempty"`
}

// phonesJSON encodes phones for a jsonb column ([] when none).
func phonesJSON(phones []contact.Phone) ([]byte, error) {
	out := make([]storedPhone, len(phones))
	for i, p := range phones {
		out[i] = storedPhone{Number: p.Number, Extension: p.Extension, Kind: string(p.Kind)}
	}
	return json.Marshal(out)
}

// phonesFromJSON decodes a jsonb phones column.
func phonesFromJSON(b []byte) ([]contact.Phone, error) {
	var stored []storedPhone
	if err := json.Unmarshal(b, &stored); err != nil {
		return nil, fmt.Errorf("store: phones column: %w", err)
	}
	if len(stored) == 0 {
		return nil, nil
	}
	out := make([]contact.Phone, len(stored))
	for i, p := range stored {
		out[i] = contact.Phone{Number: p.Number, Extension: p.Extension, Kind: contact.PhoneKind(p.Kind)}
	}
	return out, nil
}
