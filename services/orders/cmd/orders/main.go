// Command orders runs equipment orders from draft to delivery, rentals and their
// monthly billing, and resupply.
//
// Configuration is by environment variable (see the README's table); the
// process exits non-zero with every bad variable named when it is wrong.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/ariesone/ariesone/platform/service"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "orders:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	return service.Run(ctx, service.Spec{
		Name:        "orders",
		DefaultPort: 8083,
	}, os.LookupEnv, os.Stdout, service.Listeners{})
}
