package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/ariesone/ariesone/platform/postgres"
)

// pruneChunk bounds the rows one delete statement removes, so pruning never
// holds many locks or a long transaction.
const pruneChunk = 5000

// pruneSQL deletes one chunk of the oldest rows. Replicas pruning at the
// same moment may pick the same rows; the later delete then waits for the
// earlier one and finds them gone, which costs a little time, not
// correctness. (Locking the chunk first with FOR UPDATE SKIP LOCKED would
// need the UPDATE privilege, which the inbox deliberately does not grant.)
const pruneSQL = `
delete from inbox where (consumer, event_id) in (
    select consumer, event_id from inbox
    where received_at < now() - $1::bigint * interval '1 microsecond'
    order by received_at
    limit $2)`

// Prune deletes inbox rows of every consumer received more than olderThan
// ago, in chunks, and reports how many went.
//
// An inbox row is what makes a redelivered event harmless; once it is
// gone, the same event arriving again is applied again. olderThan must
// therefore exceed every way an event can come back: the broker's
// redelivery of unacknowledged messages, the outbox relay re-publishing a
// batch whose confirms it did not record (up to its retry horizon), and a
// replay of dead letters or of the outbox's retained rows by an operator.
// Days, not minutes.
func Prune(ctx context.Context, q postgres.Querier, olderThan time.Duration) (int64, error) {
	if olderThan <= 0 {
		return 0, fmt.Errorf("inbox: prune: retention %s must be positive", olderThan)
	}
	var total int64
	for {
		tag, err := q.Exec(ctx, pruneSQL, olderThan.Microseconds(), pruneChunk)
		if err != nil {
			return total, fmt.Errorf("inbox: prune: %w", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < pruneChunk {
			return total, nil
		}
	}
}
