// Command clinical holds patients, payers, coverages, prescribers and the standard
// written orders an equipment order depends on, with PHI encrypted at rest.
//
// Usage:
//
//	clinical             serve gRPC (API_PORT) and metrics (METRICS_PORT)
//	clinical reencrypt   re-seal every PHI value under the primary key, then exit
//
// Configuration is by environment variable (see the README's table); the
// process exits non-zero, naming every bad variable, when it is wrong, and
// shuts down gracefully on SIGTERM.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/service"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/grpcapi"
	"github.com/ariesone/ariesone/services/clinical/internal/store"
	"github.com/ariesone/ariesone/services/clinical/migrations"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "clinical: %v\n", err)
		os.Exit(1)
	}
}

// run dispatches on the command line: no argument serves, "reencrypt"
// moves PHI to the primary key.
func run(ctx context.Context, args []string, env service.Env, stdout, stderr io.Writer) error {
	if handled, err := service.Command(ctx, spec(&settings{}), args, env, stdout); handled {
		return err
	}
	if len(args) == 0 {
		return service.Run(ctx, spec(&settings{}), env, stdout, service.Listeners{})
	}
	switch args[0] {
	case "reencrypt":
		return reencrypt(ctx, args[1:], env, stdout, stderr)
	default:
		return fmt.Errorf("unknown command %q; commands: reencrypt, migrate, --version (none to serve)", args[0])
	}
}

// settings are the clinical service's own configuration, read by
// Spec.Configure.
type settings struct {
	keyring *keyring.Keyring
	// pages seals page tokens, with a key derived from keyring.
	pages *page.Sealer
}

// spec describes the clinical service to the platform's runner.
func spec(s *settings) service.Spec {
	return service.Spec{
		Name:        "clinical",
		DefaultPort: 8082,
		Migrations:  migrations.FS,
		Configure: func(e *config.Env) {
			s.keyring = service.LoadKeyring(e)
			s.pages = service.PageTokens(e, s.keyring)
		},
		Register: func(_ context.Context, d *service.Deps) error {
			grpcapi.Register(d.Server.GRPC(), newApplication(d, s))
			return nil
		},
	}
}

// newApplication builds the use cases on the service's database.
func newApplication(d *service.Deps, s *settings) *app.Application {
	return app.NewApplication(app.Deps{
		Store:      store.New(d.DB, s.keyring),
		Keyring:    s.keyring,
		Pages:      s.pages,
		UnitOfWork: d.DB,
		Snapshots:  d.DB,
		Events:     service.UseCaseEvents(d.Events),
	})
}
