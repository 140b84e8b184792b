// Command notify consumes every event: the hash-chained audit trail, in-app
// notifications, partner webhooks and the live event stream.
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
		fmt.Fprintln(os.Stderr, "notify:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	return service.Run(ctx, service.Spec{
		Name:        "notify",
		DefaultPort: 8085,
	}, os.LookupEnv, os.Stdout, service.Listeners{})
}
