package capillarytest

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Peak is the most requests the server saw in any one-minute window, by its clock: over all
// requests, and for each API ("PUT /v2/customers/{userId}", ...). Every request counts, those
// refused included.
type Peak struct {
	// All is the peak over every request.
	All int
	// ByAPI is the peak of each API that was called.
	ByAPI map[string]int
}

// window holds the times of the requests within a span, oldest first.
type window []time.Time

// after drops the times up to from: a request exactly a span old has left the span.
func (w window) after(from time.Time) window {
	i := 0
	for i < len(w) && !w[i].After(from) {
		i++
	}
	return w[i:]
}

// traffic counts requests for the peaks and enforces WithRateLimit, per API.
type traffic struct {
	mu       sync.Mutex
	limit    int           // 0: no limit
	per      time.Duration // the limit's span
	admitted map[string]window
	seen     map[string]window // the last minute, per API; "" for every request
	peak     map[string]int
	rng      *rand.Rand // random faults; nil when none
}

// arrive counts a request to api at now and admits it, or says how long until the rate limit
// would admit it.
func (t *traffic) arrive(api string, now time.Time) (wait time.Duration, admitted bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.seen == nil {
		t.seen, t.peak, t.admitted = map[string]window{}, map[string]int{}, map[string]window{}
	}
	for _, key := range []string{"", api} {
		t.seen[key] = append(t.seen[key].after(now.Add(-time.Minute)), now)
		t.peak[key] = max(t.peak[key], len(t.seen[key]))
	}
	if t.limit == 0 {
		return 0, true
	}
	recent := t.admitted[api].after(now.Add(-t.per))
	if len(recent) >= t.limit {
		t.admitted[api] = recent
		return recent[0].Add(t.per).Sub(now), false
	}
	t.admitted[api] = append(recent, now)
	return 0, true
}

// peaks returns the peaks so far.
func (t *traffic) peaks() Peak {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := Peak{All: t.peak[""], ByAPI: map[string]int{}}
	for api, n := range t.peak {
		if api != "" {
			p.ByAPI[api] = n
		}
	}
	return p
}

// randomFault draws the fault of an update request under WithRandomFaults: with the configured
// probability one of 429, 521, or a connection dropped after the update was applied.
func (t *traffic) randomFault(fraction float64) (Fault, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rng == nil || t.rng.Float64() >= fraction {
		return Fault{}, false
	}
	return []Fault{RateLimited(1), CustomerBusy(), DropAfterHandling()}[t.rng.IntN(3)], true
}

// rateLimited is the answer beyond WithRateLimit: 429 with the vendor's envelope and a
// Retry-After of the whole seconds until the API admits a request again.
func rateLimited(api string, wait time.Duration) answer {
	a := failure(http.StatusTooManyRequests, "Too Many Requests: rate limit of "+api+" exceeded")
	a.header.Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
	return a
}

// Peak returns the most requests the server saw in any one-minute window, by its clock.
func (s *Server) Peak() Peak { return s.traffic.peaks() }
