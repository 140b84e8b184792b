// Command company is AriesOne's identity provider and tenant registry: companies,
// locations, users, roles, sessions, API keys and the signing keys behind the
// JWKS every other service verifies tokens with.
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
		fmt.Fprintln(os.Stderr, "company:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	return service.Run(ctx, service.Spec{
		Name:        "company",
		DefaultPort: 8081,
	}, os.LookupEnv, os.Stdout, service.Listeners{})
}
