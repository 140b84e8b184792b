package webhook

import (
	"strconv"
	"time"

	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// Settings tune delivery. LoadSettings reads them from the environment;
// DefaultSettings are what an unset environment gives.
type Settings struct {
	// Timeout bounds one attempt, connection to last byte
	// (WEBHOOK_TIMEOUT, default 10s). A receiver should acknowledge first
	// and work afterwards.
	Timeout time.Duration
	// MaxAttempts is how many attempts a delivery gets before it fails
	// (WEBHOOK_MAX_ATTEMPTS, default 8).
	MaxAttempts int
	// RetryBase and RetryMax shape the backoff between attempts
	// (WEBHOOK_RETRY_BASE, default 30s; WEBHOOK_RETRY_MAX, default 1h); see
	// domain.WebhookRetrySchedule. With the defaults the eighth attempt
	// comes roughly one to two hours after the first.
	RetryBase time.Duration
	RetryMax  time.Duration
	// DisableAfter consecutive failed attempts, across a subscription's
	// deliveries, disable it (WEBHOOK_DISABLE_AFTER, default 20).
	DisableAfter int
	// AllowInsecureTargets accepts plain http URLs and lets the sender
	// connect to loopback and private addresses
	// (WEBHOOK_ALLOW_INSECURE_TARGETS, default false; refused when APP_ENV
	// is production). For receivers on a developer's machine.
	AllowInsecureTargets bool

	// PollInterval is the longest the dispatcher sleeps between looks for
	// due deliveries when nothing wakes it (enqueues do, through
	// LISTEN/NOTIFY; so does the earliest retry coming due).
	PollInterval time.Duration
	// Concurrency bounds the attempts in flight per replica.
	Concurrency int
	// BatchSize bounds the deliveries claimed for one tenant at a time, so
	// one busy tenant cannot hold every slot while others wait.
	BatchSize int
	// MaxTenants bounds the tenants looked at per round.
	MaxTenants int
}

// Defaults.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxAttempts  = 8
	DefaultRetryBase    = 30 * time.Second
	DefaultRetryMax     = time.Hour
	DefaultDisableAfter = 20
	DefaultPollInterval = time.Second
	DefaultConcurrency  = 16
	DefaultBatchSize    = 8
	DefaultMaxTenants   = 1000
)

// DefaultSettings are the settings of an environment that sets none.
func DefaultSettings() Settings {
	return Settings{
		Timeout:      DefaultTimeout,
		MaxAttempts:  DefaultMaxAttempts,
		RetryBase:    DefaultRetryBase,
		RetryMax:     DefaultRetryMax,
		DisableAfter: DefaultDisableAfter,
		PollInterval: DefaultPollInterval,
		Concurrency:  DefaultConcurrency,
		BatchSize:    DefaultBatchSize,
		MaxTenants:   DefaultMaxTenants,
	}
}

// Environment variables LoadSettings reads.
const (
	EnvTimeout              = "WEBHOOK_TIMEOUT"
	EnvMaxAttempts          = "WEBHOOK_MAX_ATTEMPTS"
	EnvRetryBase            = "WEBHOOK_RETRY_BASE"
	EnvRetryMax             = "WEBHOOK_RETRY_MAX"
	EnvDisableAfter         = "WEBHOOK_DISABLE_AFTER"
	EnvAllowInsecureTargets = "WEBHOOK_ALLOW_INSECURE_TARGETS"
)

// maxTimeout keeps one attempt from holding a slot (and its lease) for
// longer than any receiver has a reason to take.
const maxTimeout = 5 * time.Minute

// LoadSettings reads the WEBHOOK_* variables, recording problems in e by
// variable name; read APP_ENV too, to refuse insecure targets in
// production. Call e.Err after loading every section.
func LoadSettings(e *config.Env) Settings {
	s := DefaultSettings()
	s.Timeout = e.Duration(EnvTimeout, DefaultTimeout)
	if s.Timeout > maxTimeout {
		e.Invalid(EnvTimeout, s.Timeout.String(), "must be at most "+maxTimeout.String())
		s.Timeout = DefaultTimeout
	}
	s.MaxAttempts = e.Int(EnvMaxAttempts, DefaultMaxAttempts, 1, 100)
	s.RetryBase = e.Duration(EnvRetryBase, DefaultRetryBase)
	s.RetryMax = e.Duration(EnvRetryMax, DefaultRetryMax)
	if s.RetryMax < s.RetryBase {
		e.Invalid(EnvRetryMax, s.RetryMax.String(), "must not be shorter than "+EnvRetryBase+" ("+s.RetryBase.String()+")")
	}
	s.DisableAfter = e.Int(EnvDisableAfter, DefaultDisableAfter, 1, 1_000_000)
	s.AllowInsecureTargets = e.Bool(EnvAllowInsecureTargets, false)
	if s.AllowInsecureTargets && e.String("APP_ENV", config.EnvDevelopment) == config.EnvProduction {
		e.Invalid(EnvAllowInsecureTargets, strconv.FormatBool(true),
			"must not be true when APP_ENV is production: partners' receivers must be https on public addresses")
		s.AllowInsecureTargets = false
	}
	return s
}

// RetryPolicy is the domain's view of the retry settings.
func (s Settings) RetryPolicy() domain.WebhookRetryPolicy {
	return domain.WebhookRetryPolicy{
		Schedule:    domain.WebhookRetrySchedule{Base: s.RetryBase, Max: s.RetryMax},
		MaxAttempts: s.MaxAttempts,
	}
}

// DisableRule is the domain's view of WEBHOOK_DISABLE_AFTER.
func (s Settings) DisableRule() domain.WebhookDisableRule {
	return domain.WebhookDisableRule{After: s.DisableAfter}
}

// lease is how long a claimed delivery stays reserved for the dispatcher
// that claimed it: longer than any attempt can take, with room for the
// database round trips around it, so a lease runs out only when its holder
// died; the delivery is then claimed again.
func (s Settings) lease() time.Duration { return 2*s.Timeout + 30*time.Second }

// withDefaults fills the fields a caller left zero.
func (s Settings) withDefaults() Settings {
	d := DefaultSettings()
	if s.Timeout <= 0 {
		s.Timeout = d.Timeout
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = d.MaxAttempts
	}
	if s.RetryBase <= 0 {
		s.RetryBase = d.RetryBase
	}
	if s.RetryMax <= 0 {
		s.RetryMax = d.RetryMax
	}
	if s.DisableAfter <= 0 {
		s.DisableAfter = d.DisableAfter
	}
	if s.PollInterval <= 0 {
		s.PollInterval = d.PollInterval
	}
	if s.Concurrency <= 0 {
		s.Concurrency = d.Concurrency
	}
	if s.BatchSize <= 0 {
		s.BatchSize = d.BatchSize
	}
	if s.MaxTenants <= 0 {
		s.MaxTenants = d.MaxTenants
	}
	return s
}
