package capillary

// Helpers that keep the tests independent of timing and load: every wait is bounded by
// waitBound, far above the work, so that reaching it means a hang and never a slow machine;
// deadlines pass when the test says so (manualDeadline), at a point the test picks, not at a
// time that a loaded machine may or may not reach first.

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// waitBound bounds every wait in the tests.
const waitBound = 30 * time.Second

// receive returns the next value from ch, failing the test if none comes within waitBound.
func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	timer := time.NewTimer(waitBound)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("nothing received within %s", waitBound)
		panic("unreachable")
	}
}

// callResult is what a call returned, for calls run in a goroutine.
type callResult struct {
	res *UpdateCustomerResponse
	err error
}

// goUpdate starts an update in a goroutine; receive its result with receive.
func goUpdate(ctx context.Context, c *Client, opts ...Option) <-chan callResult {
	done := make(chan callResult, 1)
	go func() {
		res, err := c.Customers.Update(ctx, "1", minimalBody(), instore(), opts...)
		done <- callResult{res, err}
	}()
	return done
}

// manualDeadline is a context whose deadline passes when the test calls expire: from then on
// Done is closed and Err is context.DeadlineExceeded. It has no Deadline time, so nothing
// compares it with a clock. The test ends it at the latest.
type manualDeadline struct {
	context.Context // values only: context.Background
	done            chan struct{}
	once            sync.Once
}

func newManualDeadline(t *testing.T) *manualDeadline {
	d := &manualDeadline{Context: context.Background(), done: make(chan struct{})}
	t.Cleanup(d.expire)
	return d
}

func (d *manualDeadline) Done() <-chan struct{} { return d.done }

func (d *manualDeadline) Err() error {
	select {
	case <-d.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

func (d *manualDeadline) expire() { d.once.Do(func() { close(d.done) }) }

// waitHook is a logger for NewClient that calls the function given to onWait when the SDK
// logs that it is about to wait before a retry (a record with a "wait" attribute): a test ends
// a call's context there to have it end during the wait, wherever the clock stands.
type waitHook struct {
	mu sync.Mutex
	fn func()
}

func (h *waitHook) option() Option {
	return WithLogger(slog.New(&hookHandler{fn: func(r slog.Record) {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key != "wait" {
				return true
			}
			h.mu.Lock()
			fn := h.fn
			h.mu.Unlock()
			if fn != nil {
				fn()
			}
			return false
		})
	}}))
}

// onWait sets what happens at the next waits.
func (h *waitHook) onWait(fn func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fn = fn
}

// hookHandler is a slog.Handler that calls fn with every record.
type hookHandler struct{ fn func(slog.Record) }

func (h *hookHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *hookHandler) Handle(_ context.Context, r slog.Record) error {
	h.fn(r)
	return nil
}

func (h *hookHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *hookHandler) WithGroup(string) slog.Handler      { return h }

// assertConnsReused checks that requests were carried by few connections: at least one, at
// most minConns (one per concurrent caller) plus a quarter of the requests. A connection per
// request (an answer not drained, a transport per call, the pool closed after a failure)
// fails it. Exactly minConns cannot be asked for: net/http drops a connection whose writer
// goroutine has not confirmed the request within 50 ms (maxWriteWaitBeforeConnReuse in
// net/http/transport.go), which a loaded machine sometimes exceeds.
func assertConnsReused(t *testing.T, conns, requests, minConns int64) {
	t.Helper()
	most := minConns + (requests+3)/4
	assert.True(t, conns >= 1 && conns <= most, "%d requests opened %d connections, want 1 to %d", requests, conns, most)
}

// drainingTransport reads each answer whole before handing it on, so that the connection is
// back in the pool before the SDK sees the answer: a test that ends the call's context right
// after the answer then cannot close the connection by cancelling its read. It forwards
// CloseIdleConnections, so that the SDK closing the pool still shows.
type drainingTransport struct{ next *http.Transport }

func newDrainingTransport(t *testing.T) drainingTransport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return drainingTransport{next: tr}
}

func (d drainingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func (d drainingTransport) CloseIdleConnections() { d.next.CloseIdleConnections() }

// loopback is whether this process can connect to itself on 127.0.0.1, found out once.
var loopback = sync.OnceValue(func() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	conn, err := net.DialTimeout("tcp", ln.Addr().String(), waitBound)
	if err != nil {
		return err
	}
	return conn.Close()
})

// requireLoopback fails the test at once, saying why, when loopback networking is down (a
// network namespace with lo down, a sandbox): the test's calls could only fail, after
// retrying and waiting.
func requireLoopback(t *testing.T) {
	t.Helper()
	if err := loopback(); err != nil {
		t.Fatalf("this test needs loopback networking (127.0.0.1), which is unavailable: %v", err)
	}
}

// RequireLoopback is requireLoopback, for the tests of package capillary_test.
var RequireLoopback = requireLoopback
