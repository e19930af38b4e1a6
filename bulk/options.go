package bulk

import (
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
	DefaultRetryDelay  = time.Second
	DefaultMaxAttempts = 5
)

// maxRetryDelay caps the doubling wait before a row turned away is sent again.
const maxRetryDelay = 30 * time.Second

// settings are what the options set.
type settings struct {
	concurrency int
	limit       rate.Limit
	source      capillary.Source
	accountID   string
	useAsync    *bool
	grace       time.Duration
	retryDelay  time.Duration
	maxAttempts int

	now   func() time.Time                // the limiter's clock
	after func(d time.Duration, f func()) // runs f after d: delays rows turned away

	problems []string
}

// Option configures a Runner.
type Option func(*settings)

// WithConcurrency sets how many rows are sent at once (default DefaultConcurrency).
func WithConcurrency(n int) Option {
	return func(s *settings) {
		if n < 1 {
			s.problems = append(s.problems, fmt.Sprintf("concurrency %d is below 1", n))
			return
		}
		s.concurrency = n
	}
}

// WithRate caps the updates sent per second: rate.Every(time.Minute/600) for 600 a minute.
// After a 429 the Runner halves its pace and climbs back to this rate over a minute. The
// default, rate.Inf, sends as fast as the workers go until the first 429.
func WithRate(limit rate.Limit) Option {
	return func(s *settings) {
		if limit <= 0 {
			s.problems = append(s.problems, fmt.Sprintf("rate %v is not positive", limit))
			return
		}
		s.limit = limit
	}
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
	return func(s *settings) {
		if d < 0 {
			s.problems = append(s.problems, fmt.Sprintf("grace period %s is negative", d))
			return
		}
		s.grace = d
	}
}

// WithRetryDelay sets the first wait before a row turned away (521 for its customer, 503, a
// failed connection) is sent again; it doubles with each try, up to 30 s. Only that row waits:
// the workers go on with other rows.
func WithRetryDelay(d time.Duration) Option {
	return func(s *settings) {
		if d < 0 {
			s.problems = append(s.problems, fmt.Sprintf("retry delay %s is negative", d))
			return
		}
		s.retryDelay = d
	}
}

// WithMaxAttempts bounds how many times one row is sent (default DefaultMaxAttempts), all
// reasons together: turned away, throttled, or its answer lost and the read-back showing it
// was not applied.
func WithMaxAttempts(n int) Option {
	return func(s *settings) {
		if n < 1 {
			s.problems = append(s.problems, fmt.Sprintf("max attempts %d is below 1", n))
			return
		}
		s.maxAttempts = n
	}
}

func newSettings(opts []Option) (*settings, error) {
	s := &settings{
		concurrency: DefaultConcurrency,
		limit:       rate.Inf,
		grace:       DefaultGracePeriod,
		retryDelay:  DefaultRetryDelay,
		maxAttempts: DefaultMaxAttempts,
		now:         time.Now,
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

// retryDelayFor is the wait before the n-th re-send of a row turned away (n from 1).
func (s *settings) retryDelayFor(n int) time.Duration {
	d := s.retryDelay
	for i := 1; i < n && d < maxRetryDelay; i++ {
		d *= 2
	}
	return min(d, maxRetryDelay)
}
