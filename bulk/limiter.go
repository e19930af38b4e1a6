package bulk

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacing after a 429: the rate is halved, at most once per cutInterval and down to
// ceiling/minFraction, and climbs back linearly to the ceiling over recoveryPeriod (the vendor
// counts its limits per minute). The interval keeps the 429s of one overflow, which arrive
// within moments of each other, from counting as many.
const (
	minFraction    = 16
	cutInterval    = time.Second
	recoveryPeriod = time.Minute
)

// limiter paces calls with a rate.Limiter and adapts its rate: a 429 halves it, and it then
// recovers gradually, never above the configured rate. Without a configured rate it lets
// calls through until a 429, climbs back from there to the pace the run had reached, and is
// unlimited again once recovered.
type limiter struct {
	lim   *rate.Limiter
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	mu         sync.Mutex
	configured rate.Limit // the configured rate; rate.Inf for none
	ceiling    rate.Limit // what a recovery climbs back to
	cutAt      time.Time  // when the last 429 halved the rate; zero when none is in force
	cutTo      rate.Limit // the rate it was halved to
	paceFrom   time.Time  // an unlimited run measures its pace from here...
	granted    int        // ...counting the calls let through since
}

// newLimiter paces at limit calls a second (rate.Inf: no limit), reading the time from now and
// waiting with sleep. The burst is 1, from the start: a burst of b lets b-1 calls more than the
// rate into a window, and WithRate's headroom is less than one call for rates under 100 a
// period. Calls queue for their turns in order (rate.Limiter's reservations), so a worker that
// wakes late does not cost the run a turn.
func newLimiter(limit rate.Limit, now func() time.Time, sleep func(context.Context, time.Duration) error) *limiter {
	return &limiter{lim: rate.NewLimiter(limit, 1), configured: limit, ceiling: limit, now: now, sleep: sleep}
}

// minPaceSpan is the shortest span an unlimited run's pace is measured over. It is short: a
// 429 among the first few calls must not set a low pace for the rest of the run.
const minPaceSpan = 10 * time.Millisecond

// wait blocks until a call may be sent and returns when it was let through, which throttled
// needs.
func (l *limiter) wait(ctx context.Context) (time.Time, error) {
	l.mu.Lock()
	now := l.now()
	l.recover(now)
	l.granted++
	if r := l.rateAt(now); r != l.lim.Limit() {
		l.lim.SetLimitAt(now, r)
	}
	turn := l.lim.ReserveN(now, 1)
	l.mu.Unlock()
	if d := turn.DelayFrom(now); d > 0 {
		if err := l.sleep(ctx, d); err != nil {
			turn.CancelAt(l.now())
			return time.Time{}, err
		}
		return now.Add(d), nil
	}
	return now, nil
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// recover ends a recovery that is over: the rate is the configured one again, and an
// unlimited run measures its pace afresh.
func (l *limiter) recover(now time.Time) {
	if l.paceFrom.IsZero() {
		l.paceFrom = now
	}
	if l.cutAt.IsZero() || now.Sub(l.cutAt) < recoveryPeriod {
		return
	}
	l.cutAt, l.ceiling = time.Time{}, l.configured
	if l.configured == rate.Inf {
		l.paceFrom, l.granted = now, 0
	}
}

// rateAt is the rate at time t: the ceiling, or on the way back to it after a 429.
func (l *limiter) rateAt(t time.Time) rate.Limit {
	if l.cutAt.IsZero() {
		return l.ceiling
	}
	elapsed := t.Sub(l.cutAt)
	if elapsed >= recoveryPeriod {
		return l.ceiling
	}
	if elapsed < 0 {
		elapsed = 0
	}
	return l.cutTo + (l.ceiling-l.cutTo)*rate.Limit(elapsed)/rate.Limit(recoveryPeriod)
}

// throttled halves the rate after a 429 to a call let through at sentAt. Calls let through
// before the last cut were paced at the old rate, and 429s within cutInterval of the last cut
// answer the same overflow: neither halves the rate again.
func (l *limiter) throttled(sentAt time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.recover(now)
	if !l.cutAt.IsZero() && (sentAt.Before(l.cutAt) || now.Sub(l.cutAt) < cutInterval) {
		return
	}
	if l.ceiling == rate.Inf {
		// No configured rate: the pace reached since the last recovery is what to climb back to.
		elapsed := max(now.Sub(l.paceFrom), minPaceSpan)
		l.ceiling = rate.Limit(float64(max(l.granted, 1)) / elapsed.Seconds())
	}
	l.cutTo = max(l.rateAt(now)/2, l.ceiling/minFraction)
	l.cutAt = now
	l.lim.SetLimitAt(now, l.cutTo)
}

// current returns the rate in force.
func (l *limiter) current() rate.Limit {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.recover(now)
	return l.rateAt(now)
}
