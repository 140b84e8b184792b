// Command serials tracks every serial-numbered unit a supplier owns, the stock per
// warehouse, maintenance, device usage and recalls.
//
// Configuration is by environment variable (see the README's table); the
// process exits non-zero, naming every bad variable, when it is wrong, and
// shuts down gracefully on SIGTERM.
package main

import (
	"github.com/ariesone/ariesone/platform/service"
	"github.com/ariesone/ariesone/services/serials/migrations"
)

func main() {
	service.Main(service.Spec{
		Name:        "serials",
		DefaultPort: 8084,
		Migrations:  migrations.FS,
	})
}
