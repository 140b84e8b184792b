package outbox

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reconnection backoff of the listening connection.
const (
	listenRetryMin = 100 * time.Millisecond
	listenRetryMax = 30 * time.Second
)

// listen keeps a dedicated connection LISTENing on the relay's channel and
// wakes the relay on every notification, reconnecting when the connection
// drops, until ctx ends. It closes listening after the first attempt to
// listen, successful or not (polling covers a failure). A notification
// sent while no connection listens is lost, so each new connection wakes
// the relay once to catch up.
func (r *Relay) listen(ctx context.Context, listening chan<- struct{}) {
	var once sync.Once
	ready := func() { once.Do(func() { close(listening) }) }
	defer ready()
	retry := listenRetryMin
	for {
		heard, err := r.listenOnce(ctx, ready)
		if ctx.Err() != nil {
			return
		}
		ready()
		r.metrics.listenerReconnects.Inc()
		r.log.WarnContext(ctx, "outbox relay: listening connection lost; polling until it is back",
			slog.Any("error", err), slog.Duration("retry_in", retry))
		if heard {
			retry = listenRetryMin
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(retry):
		}
		retry = min(2*retry, listenRetryMax)
	}
}

// listenOnce connects, listens and relays notifications until the
// connection fails or ctx ends. heard reports whether it got as far as
// listening, which resets the reconnection backoff.
func (r *Relay) listenOnce(ctx context.Context, ready func()) (heard bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, r.cfg.Pool.Config().ConnConfig)
	if err != nil {
		return false, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "listen "+pgx.Identifier{r.channel}.Sanitize()); err != nil {
		return false, err
	}
	ready()
	r.Wake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return true, err
		}
		r.Wake()
	}
}
