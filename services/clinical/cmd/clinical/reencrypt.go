package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/service"
	"github.com/ariesone/ariesone/services/clinical/internal/store"
)

// reencrypt re-seals every PHI value under the primary version of
// ENCRYPTION_KEY, the step of a key rotation between adding a version and
// dropping the old one (see the README): it migrates the schema like the
// service does, walks every tenant's sealed columns, prints what it found
// and moved per column, and fails when a value did not open, so the old
// version is not dropped while something still needs it. Running it again
// moves nothing. It prints counts, ids and column names only, never a
// value; the key ring is described by its versions.
func reencrypt(ctx context.Context, args []string, env service.Env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("clinical reencrypt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	batch := fs.Int("batch", store.DefaultReencryptBatch, "rows re-sealed per transaction")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("reencrypt: unexpected argument %q", fs.Arg(0))
	}
	if *batch < 1 {
		return fmt.Errorf("reencrypt: -batch must be at least 1, got %d", *batch)
	}
	e := config.New(env)
	ring := service.LoadKeyring(e)
	if err := e.Err(); err != nil {
		return err
	}

	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	db, closeDB, err := service.OpenDatabase(ctx, spec(&settings{keyring: ring}), env, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	fmt.Fprintf(stdout, "re-sealing PHI under key version %d (the ring holds versions %v)\n", ring.PrimaryVersion(), ring.Versions())
	report, err := store.New(db, ring).ReencryptPHI(ctx, *batch)
	for _, c := range report.Columns {
		fmt.Fprintf(stdout, "%-32s %8d sealed %8d moved %8d failed\n", c.Column, c.Sealed, c.Moved, c.Failed)
	}
	fmt.Fprintf(stdout, "moved %d value(s) in %d tenant(s)\n", report.Moved(), report.Tenants)
	return err
}
