package revocation_test

import (
	"strconv"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/revocation"
)

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 700_000_000, time.UTC)

// accepted stands for "no error" among the kinds.
const accepted errs.Kind = -1

func kindOf(err error) errs.Kind {
	if err == nil {
		return accepted
	}
	return errs.KindOf(err)
}

// clock is a hand-moved clock.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func principal(subject, session string, issued time.Time) identity.Principal {
	return identity.Principal{Subject: subject, SessionID: session, TokenID: "jti", IssueTime: issued.Truncate(time.Second), ExpireTime: issued.Add(15 * time.Minute)}
}

func TestCheck(t *testing.T) {
	c := &clock{now: t0}
	s := revocation.Trusted(revocation.Config{Now: c.Now})
	s.Add(revocation.Revocation{SessionID: "s-out", Time: t0})
	s.Add(revocation.Revocation{Subject: "u-roles", Time: t0})
	s.Add(revocation.Revocation{Subject: "k-revoked", Time: t0})
	s.Add(revocation.Revocation{Subject: "u-ancient", Time: t0.Add(-2 * time.Hour)}) // older than retention: nothing to refuse
	tests := []struct {
		name string
		p    identity.Principal
		want errs.Kind
	}{
		{"another session of the user", principal("u-1", "s-in", t0.Add(-time.Minute)), accepted},
		{"the logged-out session", principal("u-1", "s-out", t0.Add(-time.Minute)), errs.KindUnauthenticated},
		{"the logged-out session, a token minted later", principal("u-1", "s-out", t0.Add(time.Minute)), errs.KindUnauthenticated},
		{"token issued before the role change", principal("u-roles", "s-2", t0.Add(-time.Minute)), errs.KindUnauthenticated},
		{"token issued in the same second", principal("u-roles", "s-2", t0), errs.KindUnauthenticated},
		{"token issued the next second", principal("u-roles", "s-2", t0.Add(time.Second)), accepted},
		{"revoked key's token", principal("k-revoked", "", t0.Add(-time.Second)), errs.KindUnauthenticated},
		{"a revocation older than retention", principal("u-ancient", "", t0.Add(-time.Minute)), accepted},
		{"token without an issue time", identity.Principal{Subject: "u-1", TokenID: "jti", ExpireTime: t0}, errs.KindUnauthenticated},
		{"token longer than retention", identity.Principal{Subject: "u-1", IssueTime: t0, ExpireTime: t0.Add(2 * time.Hour)}, errs.KindUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := kindOf(s.Check(tt.p)); got != tt.want {
				t.Errorf("Check = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestTrust: refused until caught up; still trusted for MaxStaleness after
// losing the stream, refused after; trusted again once caught up.
func TestTrust(t *testing.T) {
	c := &clock{now: t0}
	s := revocation.New(revocation.Config{Now: c.Now, MaxStaleness: 5 * time.Second})
	p := principal("u-1", "s-1", t0)
	steps := []struct {
		name     string
		do       func()
		wantKind errs.Kind
	}{
		{"before the stream caught up", func() {}, errs.KindUnavailable},
		{"a loss before ever attaching", func() { s.Attached(false) }, errs.KindUnavailable},
		{"caught up", func() { s.Attached(true) }, accepted},
		{"stream lost just now", func() { s.Attached(false); c.now = c.now.Add(4 * time.Second) }, accepted},
		{"lost for longer than MaxStaleness", func() { c.now = c.now.Add(2 * time.Second) }, errs.KindUnavailable},
		{"caught up again", func() { s.Attached(true) }, accepted},
	}
	for _, st := range steps {
		st.do()
		if got := kindOf(s.Check(p)); got != st.wantKind {
			t.Fatalf("%s: Check = %q, want %q", st.name, got, st.wantKind)
		}
		if (s.Ping(t.Context()) == nil) != (st.wantKind == accepted) {
			t.Fatalf("%s: Ping = %v", st.name, s.Ping(t.Context()))
		}
	}
}

// TestBoundedMemory: entries expire after Retention; a set over its bound
// refuses everything until they do.
func TestBoundedMemory(t *testing.T) {
	c := &clock{now: t0}
	s := revocation.Trusted(revocation.Config{Now: c.Now, MaxEntries: 3, Retention: 20 * time.Minute})
	for _, id := range []string{"a", "b", "c", "d"} {
		s.Add(revocation.Revocation{SessionID: id, Time: c.now})
	}
	if got := kindOf(s.Check(principal("u", "s", t0))); got != errs.KindUnavailable {
		t.Fatalf("over the bound: Check = %q, want unavailable", got)
	}
	c.now = c.now.Add(21 * time.Minute)
	s.Add(revocation.Revocation{SessionID: "e", Time: c.now})
	if s.Len() != 1 {
		t.Fatalf("after retention: %d entries, want 1", s.Len())
	}
	if err := s.Check(principal("u", "s", c.now)); err != nil {
		t.Fatalf("after retention: Check = %v", err)
	}
}

func TestFromEvent(t *testing.T) {
	msg := func(typ string, payload proto.Message) bus.Message {
		b, err := proto.Marshal(payload)
		if err != nil {
			t.Fatal(err)
		}
		return bus.Message{Type: typ, OccurTime: t0, Payload: b}
	}
	tests := []struct {
		name   string
		m      bus.Message
		want   revocation.Revocation
		wantOK bool
	}{
		{"logout", msg(revocation.EventSessionRevoked, &companyv1.SessionRevoked{SessionId: "s-1", UserId: "u-1"}), revocation.Revocation{SessionID: "s-1", Time: t0}, true},
		{"deactivation", msg(revocation.EventUserDeactivated, &companyv1.UserDeactivated{UserId: "u-1"}), revocation.Revocation{Subject: "u-1", Time: t0}, true},
		{"role change", msg(revocation.EventUserRolesChanged, &companyv1.UserRolesChanged{UserId: "u-2"}), revocation.Revocation{Subject: "u-2", Time: t0}, true},
		{"key revocation", msg(revocation.EventAPIKeyRevoked, &companyv1.ApiKeyRevoked{ApiKeyId: "k-1"}), revocation.Revocation{Subject: "k-1", Time: t0}, true},
		{"another event", msg("company.user.created.v1", &companyv1.UserCreated{UserId: "u-1"}), revocation.Revocation{Time: t0}, false},
		{"naming nothing", msg(revocation.EventSessionRevoked, &companyv1.SessionRevoked{}), revocation.Revocation{Time: t0}, false},
		{"garbage", bus.Message{Type: revocation.EventAPIKeyRevoked, OccurTime: t0, Payload: []byte{0xff, 0xff}}, revocation.Revocation{Time: t0}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := revocation.FromEvent(tt.m)
			if ok != tt.wantOK || (ok && got != tt.want) {
				t.Errorf("FromEvent = %+v, %v; want %+v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// FuzzFromEvent: any payload of any revocation type decodes or is refused;
// never a panic.
func FuzzFromEvent(f *testing.F) {
	f.Add(revocation.EventSessionRevoked, []byte{0x12, 0x03, 's', '-', '1'})
	f.Add(revocation.EventAPIKeyRevoked, []byte{0xff})
	f.Fuzz(func(t *testing.T, typ string, payload []byte) {
		r, ok := revocation.FromEvent(bus.Message{Type: typ, OccurTime: t0, Payload: payload})
		if ok && r.SessionID == "" && r.Subject == "" {
			t.Errorf("accepted a revocation naming nothing: %+v", r)
		}
	})
}

// BenchmarkCheck prices the check every authenticated call now makes,
// against a set holding 100,000 revocations, from two goroutines at once.
func BenchmarkCheck(b *testing.B) {
	now := time.Now()
	s := revocation.Trusted(revocation.Config{})
	for i := range 100_000 {
		s.Add(revocation.Revocation{SessionID: "s-" + strconv.Itoa(i), Subject: "u-" + strconv.Itoa(i), Time: now})
	}
	p := principal("u-live", "s-live", now)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.Check(p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
