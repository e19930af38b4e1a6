package capillarytest_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/capillarytest"
)

func TestRateLimitPerAPI(t *testing.T) {
	t.Parallel()
	clock := capillarytest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := capillarytest.NewServer(capillarytest.WithClock(clock.Now), capillarytest.WithCustomers(tomSawyer()),
		capillarytest.WithRateLimit(2, time.Minute))
	t.Cleanup(srv.Close)

	assert.Equal(t, 200, update(t, srv, tomID, "source=INSTORE", `{}`).status)
	clock.Advance(20 * time.Second)
	assert.Equal(t, 200, update(t, srv, tomID, "source=INSTORE", `{}`).status)
	r := update(t, srv, tomID, "source=INSTORE", `{}`)
	assert.Equal(t, 429, r.status)
	assert.Equal(t, "40", r.header.Get("Retry-After"), "the first admitted request leaves the window in 40 s")
	assert.Equal(t, []int{429}, codes(decode(t, r.body).Errors))
	assert.Equal(t, 200, get(t, srv, "/v2/customers/"+tomID, "source=INSTORE").status, "another API has its own limit")

	clock.Advance(40 * time.Second)
	assert.Equal(t, 200, update(t, srv, tomID, "source=INSTORE", `{}`).status, "a minute after the first, one more is admitted")
	r = update(t, srv, tomID, "source=INSTORE", `{}`)
	assert.Equal(t, 429, r.status)
	assert.Equal(t, "20", r.header.Get("Retry-After"))

	counts, _ := srv.UpdateCounts(tomID)
	assert.Equal(t, capillarytest.UpdateCounts{Received: 3, Applied: 3}, counts, "a refused request never reaches the customer")
	assert.Equal(t, capillarytest.Peak{All: 5, ByAPI: map[string]int{"PUT /v2/customers/{userId}": 4, "GET /v2/customers/{userId}": 1}},
		srv.Peak(), "every request counts in the peak, the refused ones too")
}

func TestPeakIsASlidingMinute(t *testing.T) {
	t.Parallel()
	clock := capillarytest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := capillarytest.NewServer(capillarytest.WithClock(clock.Now))
	t.Cleanup(srv.Close)
	call := func(n int) {
		for range n {
			send(t, http.MethodGet, srv.URL+"/nowhere", "", map[string]string{})
		}
	}
	call(3)
	clock.Advance(59 * time.Second)
	call(2)
	clock.Advance(2 * time.Second) // the first three are now more than a minute old
	call(2)
	assert.Equal(t, capillarytest.Peak{All: 5, ByAPI: map[string]int{"other": 5}}, srv.Peak())
	call(2)
	assert.Equal(t, 6, srv.Peak().All)
}

func TestRandomFaults(t *testing.T) {
	t.Parallel()
	run := func(fraction float64, seed uint64) (statuses []int, applied int) {
		srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()), capillarytest.WithRandomFaults(fraction, seed))
		t.Cleanup(srv.Close)
		for range 30 {
			resp, err := rawPut(t, srv, 30*time.Second)
			if err != nil {
				statuses = append(statuses, 0)
				continue
			}
			resp.Body.Close()
			statuses = append(statuses, resp.StatusCode)
		}
		assert.Equal(t, 200, get(t, srv, "/v2/customers/"+tomID, "source=INSTORE").status, "reads never get a random fault")
		counts, _ := srv.UpdateCounts(tomID)
		return statuses, counts.Applied
	}
	all, applied := run(1, 7)
	seen := map[int]int{}
	for _, s := range all {
		seen[s]++
	}
	assert.Zero(t, seen[200], "every update gets a fault")
	assert.Equal(t, 30, seen[429]+seen[521]+seen[0], "%v", seen)
	assert.Positive(t, seen[429])
	assert.Positive(t, seen[521])
	assert.Positive(t, seen[0])
	assert.Equal(t, seen[0], applied, "a dropped connection comes after the update was applied, the others before")

	again, _ := run(1, 7)
	assert.Equal(t, all, again, "the seed fixes the draw")
	none, applied := run(0, 7)
	assert.Equal(t, 30, applied)
	assert.NotContains(t, none, 429)
}

func TestLatency(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()), capillarytest.WithLatency(time.Hour))
	t.Cleanup(srv.Close)
	_, err := rawPut(t, srv, 50*time.Millisecond) // the answer cannot come within the hour
	var timeout interface{ Timeout() bool }
	require.True(t, errors.As(err, &timeout), "%v", err)
	assert.True(t, timeout.Timeout())
}

func TestTrafficOptionsRefuseNonsense(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]capillarytest.Option{
		"zero rate":      capillarytest.WithRateLimit(0, time.Minute),
		"zero span":      capillarytest.WithRateLimit(1, 0),
		"latency":        capillarytest.WithLatency(-1),
		"fraction above": capillarytest.WithRandomFaults(1.5, 1),
		"fraction below": capillarytest.WithRandomFaults(-0.1, 1),
	} {
		assert.Panics(t, func() { capillarytest.NewUnstartedServer(opt) }, name)
	}
}
