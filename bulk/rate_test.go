package bulk

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/capillarytest"
)

// maxInWindow is the most of the sorted times that fall in one window [t, t+per).
func maxInWindow(at []time.Time, per time.Duration) int {
	most, j := 0, 0
	for i := range at {
		for j < len(at) && at[j].Before(at[i].Add(per)) {
			j++
		}
		most = max(most, j-i)
	}
	return most
}

// In no window of the rate's period does the limiter let more calls through than the rate,
// from the first call, through a 429's cut and its recovery; and it lets through nearly that.
func TestLimiterNeverAboveTheRateInAnyWindow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		n     float64
		per   time.Duration
		calls int
	}{
		{"60/min", 60, time.Minute, 300},
		{"1000/h", 1000, time.Hour, 2500},
		{"3000/min", 3000, time.Minute, 9000},
		{"10/s", 10, time.Second, 100},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := newSettings([]Option{WithRate(tt.n, tt.per)})
			require.NoError(t, err)
			clock := capillarytest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			l := newLimiter(s.limit, clock.Now, sleepOn(clock))
			var at []time.Time
			for i := range tt.calls {
				sentAt, err := l.wait(testCtx(t))
				require.NoError(t, err)
				at = append(at, sentAt)
				if i == tt.calls/2 {
					l.throttled(sentAt) // halves, then climbs back to the rate over a minute
				}
			}
			assert.LessOrEqual(t, maxInWindow(at, tt.per), int(tt.n))
			assert.GreaterOrEqual(t, maxInWindow(at[:tt.calls/2], tt.per), int(tt.n*0.98), "the rate is used")
		})
	}
}

// timedAPI records when each update and each read-back went out, on the run's clock.
type timedAPI struct {
	*fakeAPI
	clock *capillarytest.ManualClock
	mu    sync.Mutex
	at    []time.Time
}

func (a *timedAPI) sentNow() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.at = append(a.at, a.clock.Now())
}

func (a *timedAPI) Update(ctx context.Context, row *Row, p *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerResponse, error) {
	a.sentNow()
	return a.fakeAPI.Update(ctx, row, p)
}

func (a *timedAPI) Read(ctx context.Context, row *Row, p *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerRequest, error) {
	a.sentNow()
	return a.fakeAPI.Read(ctx, row, p)
}

// Retries and read-backs count against the rate as updates do.
func TestRunNeverAboveTheRateCountingRetriesAndReadBacks(t *testing.T) {
	t.Parallel()
	clock := capillarytest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	api := &timedAPI{clock: clock, fakeAPI: newFakeAPI(func(_ context.Context, row *Row, n int) (*capillary.UpdateCustomerResponse, error) {
		switch {
		case row.Number%3 == 0 && n == 1:
			return nil, busy()
		case row.Number%5 == 0 && n == 1:
			return nil, dropped() // read back, then sent again
		}
		return ok(), nil
	})}
	r := newRunner(t, api, WithConcurrency(1), WithRate(60, time.Minute))
	r.cfg.now, r.cfg.sleep = clock.Now, sleepOn(clock)
	r.cfg.after = (&immediately{}).after
	sum, err := r.Run(testCtx(t), seq(nameRows(150)), nil)
	require.NoError(t, err)
	assert.Equal(t, 150, sum.Applied)
	assert.Equal(t, 150+50+20, sum.Sent, "each row, again after each 521 (a third), again after each loss (the fifths that are not thirds)")
	assert.Equal(t, 20, sum.Reads)
	require.Equal(t, 150+50+20+20, len(api.at))
	assert.LessOrEqual(t, maxInWindow(api.at, time.Minute), 60)
}
