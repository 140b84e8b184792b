// Command serials tracks every serial-numbered unit a supplier owns, the stock per
// warehouse, maintenance, device usage and recalls.
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
		fmt.Fprintln(os.Stderr, "serials:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	return service.Run(ctx, service.Spec{
		Name:        "serials",
		DefaultPort: 8084,
	}, os.LookupEnv, os.Stdout, service.Listeners{})
}
