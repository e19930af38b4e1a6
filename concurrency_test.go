package capillary

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// One Client used by 50 goroutines at once, each with its own user id, body, per-call options
// and retries: every request carries its own data, nothing crosses over, -race stays quiet.
func TestConcurrencyOneClientManyGoroutines(t *testing.T) {
	t.Parallel()
	const workers = 50
	c, mt := newMockedClient(t, WithUserContext(UserContext{EntityType: "ADMIN", EntityID: "shared"}))

	var mu sync.Mutex
	seen := map[string][]captured{} // by user id
	attempts := map[string]int{}
	mt.RegisterRegexpResponder(http.MethodPut, updateURL, func(req *http.Request) (*http.Response, error) {
		body, _ := io.ReadAll(req.Body)
		id := strings.TrimPrefix(req.URL.Path, "/v2/customers/")
		mu.Lock()
		seen[id] = append(seen[id], captured{Method: req.Method, URL: req.URL, Header: req.Header.Clone(), Body: body})
		attempts[id]++
		n := attempts[id]
		mu.Unlock()
		// Odd workers get one 503 before their answer: retries interleave with first attempts.
		var i int
		_, _ = fmt.Sscanf(id, "%d", &i)
		if i%2 == 1 && n == 1 {
			return respond(503, `{}`)(req)
		}
		return respond(200, `{"createdId": "`+id+`"}`, headerRequestID, "rid-"+id)(req)
	})

	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("%d", i)
			var opts []Option
			if i%3 == 0 {
				opts = append(opts, WithUserContext(UserContext{EntityType: "WORKER", EntityID: id}))
			}
			if i%5 == 0 {
				opts = append(opts, WithTillAttribution("TILL_CODE", "till-"+id))
			}
			body := &UpdateCustomerRequest{Profiles: []Profile{{FirstName: Ptr("name-" + id)}}}
			res, err := c.Customers.Update(testCtx(t), id, body, &UpdateCustomerParams{Source: SourceInstore, AccountID: "acc-" + id}, opts...)
			if err != nil {
				errs <- fmt.Errorf("%s: %w", id, err)
				return
			}
			if string(res.CreatedID) != id || res.RequestID != "rid-"+id {
				errs <- fmt.Errorf("%s: got the answer of %s / %s", id, res.CreatedID, res.RequestID)
			}
			if want := 1 + i%2; res.Attempts != want {
				errs <- fmt.Errorf("%s: %d attempts, want %d", id, res.Attempts, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	require.Len(t, seen, workers)
	for i := range workers {
		id := fmt.Sprintf("%d", i)
		reqs := seen[id]
		require.Len(t, reqs, 1+i%2, id)
		for _, r := range reqs {
			assert.JSONEq(t, `{"profiles":[{"firstName":"name-`+id+`"}]}`, string(r.Body), id)
			assert.Equal(t, "acc-"+id, r.URL.Query().Get("accountId"), id)
			wantType, wantID := "ADMIN", "shared"
			if i%3 == 0 {
				wantType, wantID = "WORKER", id
			}
			assert.Equal(t, wantType, r.Header.Get("USER-CONTEXT-ENTITY-TYPE"), id)
			assert.Equal(t, wantID, r.Header.Get("USER-CONTEXT-ENTITY-ID"), id)
			wantTill := ""
			if i%5 == 0 {
				wantTill = "till-" + id
			}
			assert.Equal(t, wantTill, r.Header.Get("X-CAP-API-ATTRIBUTION-LOOKUP"), id)
			assert.Equal(t, testAuthHeader(), r.Header.Get("Authorization"), id)
		}
	}
	// The client's own settings are untouched by the per-call options.
	_, err := c.Customers.Update(testCtx(t), "100", minimalBody(), instore())
	require.NoError(t, err)
	mu.Lock()
	last := seen["100"][0]
	mu.Unlock()
	assert.Equal(t, "shared", last.Header.Get("USER-CONTEXT-ENTITY-ID"))
	assert.Equal(t, testAuthHeader(), last.Header.Get("Authorization"))
}

// Concurrent calls against a real server, with errors and retries mixed in, under -race. What
// each customer gets depends on the customer alone, not on the order in which the calls
// arrive: customer i%4 == 0 is busy (503) on its first attempt, i%4 == 1 is unknown (8015),
// the others are updated.
func TestConcurrencyRealServer(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	attempts := map[string]int{}
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimPrefix(r.URL.Path, "/v2/customers/")
		mu.Lock()
		attempts[id]++
		first := attempts[id] == 1
		mu.Unlock()
		i, _ := strconv.Atoi(id)
		switch {
		case i%4 == 0 && first:
			writeJSON(w, http.StatusServiceUnavailable, `{}`)
		case i%4 == 1:
			writeJSON(w, http.StatusBadRequest, vendorError(8015, "Customer not found for the given identifiers"))
		default:
			writeJSON(w, http.StatusOK, okBody)
		}
	})
	c := newServerClient(t, srv.URL, WithRetries(5, time.Millisecond, 2*time.Millisecond))
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Customers.Update(testCtx(t), strconv.Itoa(i), minimalBody(), instore())
			switch i % 4 {
			case 0:
				if assert.NoError(t, err, i) {
					assert.Equal(t, 2, res.Attempts, i)
				}
			case 1:
				assert.ErrorIs(t, err, ErrCustomerNotFound, i)
			default:
				if assert.NoError(t, err, i) {
					assert.Equal(t, 1, res.Attempts, i)
				}
			}
		}()
	}
	wg.Wait()
}

// Sequential calls reuse one keep-alive connection: bodies are read to the end and closed,
// for successes, vendor errors and retried answers alike.
func TestConcurrencyKeepAlive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		h    func(n int64) (int, string)
		opts []Option
	}{
		{"successes", func(int64) (int, string) { return 200, okBody }, nil},
		{"vendor errors", func(int64) (int, string) {
			return 404, vendorError(8015, "Customer not found for the given identifiers")
		}, nil},
		{"200 with errors", func(int64) (int, string) { return 200, vendorError(8018, "no downgrade") }, nil},
		{"non-JSON error pages", func(int64) (int, string) { return 400, "<html>" + strings.Repeat("bad ", 2000) + "</html>" }, nil},
		{"a retry in every call", func(n int64) (int, string) {
			if n%2 == 1 {
				return 503, `{"errors": []}`
			}
			return 200, okBody
		}, nil},
		{"per-call options", func(int64) (int, string) { return 200, okBody },
			[]Option{WithUserContext(UserContext{EntityID: "x"})}},
		{"per-call retries and timeout", func(int64) (int, string) { return 200, okBody },
			[]Option{WithRetries(1, time.Millisecond, time.Millisecond), WithAttemptTimeout(10 * time.Second)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int64
			srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
				status, body := tt.h(n.Add(1))
				writeJSON(w, status, body)
			})
			c := newServerClient(t, srv.URL)
			for range 20 {
				_, _ = c.Customers.Update(testCtx(t), "1", minimalBody(), instore(), tt.opts...)
			}
			assert.GreaterOrEqual(t, srv.requests.Load(), int64(20))
			assertConnsReused(t, srv.conns.Load(), srv.requests.Load(), 1)
		})
	}
}

// Calls that end without success (retries exhausted, the deadline reached while waiting to
// retry) leave their connection in the pool too: retryablehttp closes the pool's idle
// connections after such calls, which on a shared client would also cut every other caller's.
func TestConcurrencyKeepAliveAfterFailedCalls(t *testing.T) {
	t.Parallel()
	t.Run("retries exhausted", func(t *testing.T) {
		t.Parallel()
		srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 503, `{}`) })
		c := newServerClient(t, srv.URL, WithRetries(1, time.Millisecond, time.Millisecond))
		for range 20 {
			_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			assert.Equal(t, 2, requireAPIError(t, err).Attempts)
		}
		assert.EqualValues(t, 40, srv.requests.Load())
		assertConnsReused(t, srv.conns.Load(), 40, 1)
	})
	t.Run("deadline reached while waiting", func(t *testing.T) {
		t.Parallel()
		// The deadline passes during the hour-long wait that follows each 503. The transport
		// drains each answer first, so that only the SDK closing the pool can cost a connection.
		srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 503, `{}`) })
		hook := &waitHook{}
		c := newServerClient(t, srv.URL, WithRetries(3, time.Hour, time.Hour),
			WithHTTPClient(&http.Client{Transport: newDrainingTransport(t)}), hook.option())
		const calls = 8
		for range calls {
			d := newManualDeadline(t)
			hook.onWait(d.expire)
			res := receive(t, goUpdate(d, c))
			assert.ErrorIs(t, res.err, context.DeadlineExceeded)
		}
		assert.EqualValues(t, calls, srv.requests.Load())
		assertConnsReused(t, srv.conns.Load(), calls, 1)
	})
	t.Run("a failing caller does not cut a concurrent caller's connection", func(t *testing.T) {
		t.Parallel()
		srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v2/customers/2" {
				writeJSON(w, 503, `{}`)
				return
			}
			writeJSON(w, 200, okBody)
		})
		c := newServerClient(t, srv.URL, WithRetries(0, 0, 0))
		for range 10 {
			_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			require.NoError(t, err)
			_, err = c.Customers.Update(testCtx(t), "2", minimalBody(), instore(), WithRetries(1, 0, 0))
			require.Error(t, err)
		}
		assertConnsReused(t, srv.conns.Load(), srv.requests.Load(), 1)
	})
}

// A recorder can be shared by concurrent calls (test helper sanity, run under -race).
func TestConcurrencyRecorderHelper(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	rec := script(mt, okResponder())
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Customers.Update(testCtx(t), fmt.Sprint(i), minimalBody(), instore())
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Len(t, rec.all(), 20)
	assert.Equal(t, 20, mt.GetTotalCallCount())
}
