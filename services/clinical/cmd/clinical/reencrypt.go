package main

import (
	"context"
	"errors"
	"io"
	"github.com/ariesone/ariesone/platform/service"
)

// reencrypt is written by the patients work.
func reencrypt(ctx context.Context, args []string, env service.Env, stdout, stderr io.Writer) error {
	return errors.New("reencrypt: not built yet")
}
