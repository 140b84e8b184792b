// Command clinical holds patients, payers, coverages, prescribers and the standard
// written orders an equipment order depends on, with PHI encrypted at rest.
//
// Configuration is by environment variable (see the README's table); the
// process exits non-zero, naming every bad variable, when it is wrong, and
// shuts down gracefully on SIGTERM.
package main

import (
	"github.com/ariesone/ariesone/platform/service"
	"github.com/ariesone/ariesone/services/clinical/migrations"
)

func main() {
	service.Main(service.Spec{
		Name:        "clinical",
		DefaultPort: 8082,
		Migrations:  migrations.FS,
	})
}
