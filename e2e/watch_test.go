package e2e

import (
	"bufio"
	"context"
	"net/http"
	"testing"
)

// liveStream is an open GET /events:watch: its lines, and when it ended.
type liveStream struct {
	lines chan string
	ended chan string // the last line, once the stream has ended
}

// watch opens the event stream with edit's credentials, for the event
// types query names ("" for all).
func watch(t *testing.T, m *mesh, query string, edit func(*http.Request)) *liveStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, m.rest+"/api/v1/events:watch"+query, nil)
	edit(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("watch: status %d", resp.StatusCode)
	}
	s := &liveStream{lines: make(chan string, 100), ended: make(chan string, 1)}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		last := ""
		for sc.Scan() {
			last = sc.Text()
			select {
			case s.lines <- last:
			default:
			}
		}
		s.ended <- last
	}()
	return s
}
