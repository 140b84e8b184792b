// Command notify consumes every event: the hash-chained audit trail, in-app
// notifications, partner webhooks and the live event stream.
//
// Configuration is by environment variable (see the README's table); the
// process exits non-zero, naming every bad variable, when it is wrong, and
// shuts down gracefully on SIGTERM.
package main

import "github.com/ariesone/ariesone/platform/service"

func main() {
	service.Main(service.Spec{
		Name:        "notify",
		DefaultPort: 8085,
	})
}
