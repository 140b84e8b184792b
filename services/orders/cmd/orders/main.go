// Command orders runs equipment orders from draft to delivery, rentals and their
// monthly billing, and resupply.
//
// Configuration is by environment variable (see the README's table); the
// process exits non-zero, naming every bad variable, when it is wrong, and
// shuts down gracefully on SIGTERM.
package main

import "github.com/ariesone/ariesone/platform/service"

func main() {
	service.Main(service.Spec{
		Name:        "orders",
		DefaultPort: 8083,
	})
}
