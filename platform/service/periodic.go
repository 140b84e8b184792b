package service

import (
	"context"
	"log/slog"
	"time"
)

// Periodic is a worker that runs round at start and then every interval
// until its context ends: a sweep, a billing run. A failed round is logged
// and tried again at the next; a round that did something (done > 0) is
// logged with its count, under what.
func Periodic(name, what string, every time.Duration, logger *slog.Logger, round func(ctx context.Context) (done int, err error)) Worker {
	return Worker{Name: name, Run: func(ctx context.Context) error {
		ticker := time.NewTicker(every)
		defer ticker.Stop()
		for {
			n, err := round(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				logger.Error(name+" failed", slog.Any("error", err))
			case n > 0:
				logger.Info(name, slog.Int(what, n))
			}
			select {
			case <-ctx.Done():
				return nil
			case <-ticker.C:
			}
		}
	}}
}
