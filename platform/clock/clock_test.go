package clock

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestAdjustableRunsOnFromTheSetInstant(t *testing.T) {
	real := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	a := &Adjustable{real: func() time.Time { return real }}
	if got := a.Now(); !got.Equal(real) {
		t.Fatalf("before Set: %v, want the real time %v", got, real)
	}
	target := time.Date(2027, 2, 28, 9, 0, 0, 0, time.UTC)
	a.Set(target)
	if got := a.Now(); !got.Equal(target) {
		t.Fatalf("after Set: %v, want %v", got, target)
	}
	real = real.Add(90 * time.Minute)
	if got, want := a.Now(), target.Add(90*time.Minute); !got.Equal(want) {
		t.Fatalf("90 minutes later: %v, want %v", got, want)
	}
}

func TestHandler(t *testing.T) {
	real := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	a := &Adjustable{real: func() time.Time { return real }}
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	for _, tc := range []struct {
		method, body string
		status       int
		answer       string
	}{
		{http.MethodGet, "", 200, `{"now":"2026-12-06T10:00:00Z"}`},
		{http.MethodPut, `{"now":"2027-01-31T08:00:00Z"}`, 200, `{"now":"2027-01-31T08:00:00Z"}`},
		{http.MethodGet, "", 200, `{"now":"2027-01-31T08:00:00Z"}`},
		{http.MethodPut, `{"now":"next tuesday"}`, 400, "want"},
		{http.MethodPut, `{}`, 400, "now is missing"},
		{http.MethodPut, `{"now":"2027-01-31T08:00:00Z","speed":2}`, 400, "unknown field"},
		{http.MethodPost, `{"now":"2027-01-31T08:00:00Z"}`, 405, "GET or PUT"},
		{http.MethodGet, "", 200, `{"now":"2027-01-31T08:00:00Z"}`},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL, strings.NewReader(tc.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(b.String(), tc.answer) {
			t.Errorf("%s %s: %d %q, want %d containing %q", tc.method, tc.body, resp.StatusCode, b.String(), tc.status, tc.answer)
		}
	}
}
