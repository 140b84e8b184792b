package bus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
)

// memoryStream is one stream of the in-process bus: the messages its
// bindings matched, oldest first, each with when it was stored, and none
// older than maxAge. Offsets number its messages from the first ever
// stored, as a broker stream's do, so a consumer's place survives pruning.
// Its fields are guarded by Memory.mu.
type memoryStream struct {
	bindings map[string]bool
	maxAge   time.Duration
	first    int64 // offset of entries[0]
	entries  []streamEntry
	appended chan struct{} // closed, and replaced, when a message is appended
}

// streamEntry is a stored message and when it was stored.
type streamEntry struct {
	msg Message
	at  time.Time
}

// append stores msg at now, after dropping what has aged out, and wakes the
// stream's consumers.
func (s *memoryStream) append(msg Message, now time.Time) {
	s.prune(now)
	s.entries = append(s.entries, streamEntry{msg: cloneMessage(msg), at: now})
	close(s.appended)
	s.appended = make(chan struct{})
}

// prune drops the messages older than maxAge at now.
func (s *memoryStream) prune(now time.Time) {
	cut := now.Add(-s.maxAge)
	n := sort.Search(len(s.entries), func(i int) bool { return !s.entries[i].at.Before(cut) })
	if n == 0 {
		return
	}
	s.entries = slices.Delete(s.entries, 0, n)
	s.first += int64(n)
}

// declareStream returns sub's stream, creating it or adding bindings to it.
// A MaxAge other than the stream's is refused, as the broker refuses it, so
// a mistake shows up without one. The caller holds m.mu.
func (m *Memory) declareStream(sub StreamSubscription) (*memoryStream, error) {
	s := m.streams[sub.Name]
	if s == nil {
		s = &memoryStream{bindings: make(map[string]bool), maxAge: sub.MaxAge, appended: make(chan struct{})}
		m.streams[sub.Name] = s
	} else if maxAgeArg(s.maxAge) != maxAgeArg(sub.MaxAge) {
		return nil, fmt.Errorf("bus: stream %s exists with MaxAge %v, not %v; every declarer must use the same", sub.Name, s.maxAge, sub.MaxAge)
	}
	for _, b := range sub.Bindings {
		s.bindings[b] = true
	}
	return s, nil
}

// ConsumeStream delivers the stream's messages stored at or after
// sub.From, then every one stored later, to h until ctx ends; see
// StreamSubscriber. It is attached as long as it runs, having no broker to
// lose: attached(true) once it has handed over what the stream held when it
// started, attached(false) when it returns.
func (m *Memory) ConsumeStream(ctx context.Context, sub StreamSubscription, h Handler, attached func(bool)) error {
	if err := sub.check(); err != nil {
		return err
	}
	if h == nil {
		return errors.New("bus: ConsumeStream needs a handler")
	}
	log := m.log.With("stream", sub.Name)
	m.mu.Lock()
	s, err := m.declareStream(sub)
	if err != nil {
		m.mu.Unlock()
		return err
	}
	s.prune(m.now())
	next := s.first + int64(sort.Search(len(s.entries), func(i int) bool { return !s.entries[i].at.Before(sub.From) }))
	backlogEnd := s.first + int64(len(s.entries))
	m.mu.Unlock()

	caughtUp := false
	defer func() {
		if caughtUp && attached != nil {
			attached(false)
		}
	}()
	for ctx.Err() == nil {
		m.mu.Lock()
		s.prune(m.now())
		// What aged out before this consumer got to it is gone, as on the
		// broker.
		next = max(next, s.first)
		i := int(next - s.first)
		batch := make([]Delivery, min(len(s.entries)-i, streamMaxBatch))
		for k := range batch {
			batch[k] = Delivery{Message: cloneMessage(s.entries[i+k].msg)}
		}
		appended := s.appended
		m.mu.Unlock()

		if len(batch) > 0 {
			logStreamFailures(log, batch, applyBatch(ctx, h, batch, m.handlerTimeout))
			next += int64(len(batch))
		}
		if !caughtUp && next >= backlogEnd {
			caughtUp = true
			if attached != nil {
				attached(true)
			}
		}
		if len(batch) == 0 {
			select {
			case <-appended:
			case <-ctx.Done():
			}
		}
	}
	return nil
}
