package bulk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/capillary-go/capillary"
	"golang.org/x/time/rate"
)

// Defaults of a Runner.
const (
	DefaultConcurrency = 4
	DefaultGracePeriod = 30 * time.Second
	DefaultMaxAttempts = 5
)

// settings are what the options set.
type settings struct {
	concurrency int
	limit       rate.Limit
	source      capillary.Source
	accountID   string
	useAsync    *bool
	grace       time.Duration
	maxAttempts int

	now   func() time.Time                                 // the limiter's clock
	sleep func(ctx context.Context, d time.Duration) error // the limiter's wait
	after func(d time.Duration, f func())                  // runs f after d: delays rows turned away

	problems []string
}

// Option configures a Runner.
type Option func(*settings)

// WithConcurrency sets how many rows are sent at once (default DefaultConcurrency).
func WithConcurrency(n int) Option {
	return checked(n < 1, fmt.Sprintf("concurrency %d is below 1", n),
		func(s *settings) { s.concurrency = n })
}

// WithRate caps the updates sent at n per period, as the vendor states its limits: 600 a
// minute is WithRate(600, time.Minute). Calls are spaced evenly, 1% further apart than n per
// period: the vendor counts the calls that arrive in a window, and the network's jitter can
// bring n+1 calls paced exactly into one. After a 429 the Runner halves its pace and climbs
// back over a minute, never above this rate. Without WithRate the Runner sends as fast as its
// workers go until the first 429.
func WithRate(n float64, per time.Duration) Option {
	return checked(!(n > 0) || per <= 0, fmt.Sprintf("rate %v per %s is not positive", n, per),
		func(s *settings) { s.limit = rate.Limit(n / (per + rateMargin(per)).Seconds()) })
}

// rateMargin is the headroom WithRate keeps: 1% of the period, at most a second.
func rateMargin(per time.Duration) time.Duration {
	return min(per/100, time.Second)
}

// WithSource sets the source (and its account, for sources with several) of rows that name
// none.
func WithSource(source capillary.Source, accountID string) Option {
	return func(s *settings) { s.source, s.accountID = source, accountID }
}

// WithUseAsync sends every update with use_async set to b.
func WithUseAsync(b bool) Option {
	return func(s *settings) { s.useAsync = &b }
}

// WithGracePeriod bounds how long the calls in flight may go on once the Run's context is
// cancelled (default DefaultGracePeriod); calls still running then are cut, and their rows
// left without an outcome, for a resumed run to settle.
func WithGracePeriod(d time.Duration) Option {
	return checked(d < 0, fmt.Sprintf("grace period %s is negative", d),
		func(s *settings) { s.grace = d })
}

// WithMaxAttempts bounds how many times one row is sent (default DefaultMaxAttempts), all
// reasons together but 429s (those are bounded apart, and slow the run down): turned away, or
// its answer lost and the read-back showing it was not applied. What is sent again, and after
// how long, is the SDK's retry policy (API.AdviseRetry): a row that waits frees its worker.
func WithMaxAttempts(n int) Option {
	return checked(n < 1, fmt.Sprintf("max attempts %d is below 1", n),
		func(s *settings) { s.maxAttempts = n })
}

// checked is an Option that applies, unless bad: then the Runner is refused with problem.
func checked(bad bool, problem string, apply func(*settings)) Option {
	return func(s *settings) {
		if bad {
			s.problems = append(s.problems, problem)
			return
		}
		apply(s)
	}
}

func newSettings(opts []Option) (*settings, error) {
	s := &settings{
		concurrency: DefaultConcurrency,
		limit:       rate.Inf,
		grace:       DefaultGracePeriod,
		maxAttempts: DefaultMaxAttempts,
		now:         time.Now,
		sleep:       sleep,
		after:       func(d time.Duration, f func()) { time.AfterFunc(d, f) },
	}
	for _, opt := range opts {
		if opt != nil {
			opt(s)
		}
	}
	if len(s.problems) > 0 {
		return nil, errors.New("bulk: " + strings.Join(s.problems, "; "))
	}
	return s, nil
}
