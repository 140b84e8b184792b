package main

import (
	"context"
	"errors"
	"github.com/ariesone/ariesone/platform/service"
	"io"
)

// reencrypt is written by the patients work.
func reencrypt(ctx context.Context, args []string, env service.Env, stdout, stderr io.Writer) error {
	return errors.New("reencrypt: not built yet")
}
