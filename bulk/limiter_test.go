package bulk

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/capillary-go/capillary/capillarytest"
)

func TestLimiterHalvesOn429AndRecoversToTheConfiguredRate(t *testing.T) {
	t.Parallel()
	clock := capillarytest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := newLimiter(50, clock.Now, sleepOn(clock))
	assert.Equal(t, rate.Limit(50), l.current())

	l.throttled(clock.Now())
	assert.Equal(t, rate.Limit(25), l.current())
	assert.Equal(t, rate.Limit(25), l.lim.Limit(), "the rate.Limiter paces at the halved rate")

	clock.Advance(recoveryPeriod / 2)
	assert.InDelta(t, 37.5, float64(l.current()), 1e-9, "half way back after half the recovery period")

	clock.Advance(recoveryPeriod)
	assert.Equal(t, rate.Limit(50), l.current(), "never above the configured rate")
	clock.Advance(time.Hour)
	assert.Equal(t, rate.Limit(50), l.current())
}

func TestLimiter429sOfOneBurstHalveOnce(t *testing.T) {
	t.Parallel()
	clock := capillarytest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := newLimiter(40, clock.Now, sleepOn(clock))
	sent := clock.Now()
	clock.Advance(time.Second)
	for range 5 { // five calls let through before the cut answer 429 together
		l.throttled(sent)
	}
	assert.InDelta(t, 20, float64(l.current()), 1e-9)

	l.throttled(clock.Now()) // a call let through after the cut, but within a second of it
	assert.InDelta(t, 20, float64(l.current()), 1e-9)

	clock.Advance(cutInterval)
	l.throttled(clock.Now()) // a call let through after the cut, a second later: halves again
	assert.InDelta(t, 10+(40-20)*float64(cutInterval)/float64(recoveryPeriod)/2, float64(l.current()), 1e-9)
}

func TestLimiterHasAFloor(t *testing.T) {
	t.Parallel()
	clock := capillarytest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := newLimiter(64, clock.Now, sleepOn(clock))
	for range 20 {
		l.throttled(clock.Now())
		clock.Advance(cutInterval)
	}
	l.throttled(clock.Now())
	assert.Equal(t, rate.Limit(64/minFraction), l.current())
}

func TestLimiterWithoutRateClimbsBackToThePaceReachedThenIsUnlimited(t *testing.T) {
	t.Parallel()
	clock := capillarytest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := newLimiter(rate.Inf, clock.Now, sleepOn(clock))
	for range 100 {
		_, err := l.wait(testCtx(t))
		require.NoError(t, err)
	}
	clock.Advance(10 * time.Second) // 100 calls in 10 s: 10 a second
	l.throttled(clock.Now())
	assert.InDelta(t, 5, float64(l.current()), 1e-9)
	clock.Advance(recoveryPeriod / 2)
	assert.InDelta(t, 7.5, float64(l.current()), 1e-9, "climbing back to the pace reached")

	clock.Advance(recoveryPeriod / 2)
	assert.Equal(t, rate.Inf, l.current(), "recovered: unlimited again")
	for range 50 {
		_, err := l.wait(testCtx(t))
		require.NoError(t, err)
	}
	clock.Advance(time.Second) // 50 calls in the second since the recovery
	l.throttled(clock.Now())
	assert.InDelta(t, 25, float64(l.current()), 1e-9, "the pace is measured afresh")
}

func TestWithRateKeepsOnePercentHeadroom(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		n    float64
		per  time.Duration
		want rate.Limit
	}{
		{3000, time.Minute, 3000.0 / 60.6},
		{10, time.Second, 10 / 1.01},
		{36000, time.Hour, 36000.0 / 3601},
	} {
		s, err := newSettings([]Option{WithRate(tt.n, tt.per)})
		require.NoError(t, err)
		assert.InDelta(t, float64(tt.want), float64(s.limit), 1e-9)
	}
}

// sleepOn is a limiter's wait that advances the manual clock by the wait, as if it had slept.
func sleepOn(c *capillarytest.ManualClock) func(context.Context, time.Duration) error {
	return func(_ context.Context, d time.Duration) error {
		c.Advance(d)
		return nil
	}
}
