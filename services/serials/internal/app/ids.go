package app

import "github.com/ariesone/ariesone/platform/usecase"

// optionalID checks an id a request may leave empty.
func optionalID(id string) error {
	if id == "" {
		return nil
	}
	return usecase.CheckID("", id)
}
