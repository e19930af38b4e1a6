package capillary

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Retries: which answers are retried (AdviseRetry is the policy the engine follows), the
// budget, the waits and Retry-After, and what a deadline does to them.

// The default is 3 retries (4 attempts), a 30 s attempt timeout, and it is what Do uses.
func TestRetryDefaults(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 3, DefaultMaxRetries)
	assert.Equal(t, 30*time.Second, DefaultAttemptTimeout)
	c, err := NewClient(WithBaseURL(testBaseURL), WithBasicAuth(testTill, testPassword))
	require.NoError(t, err)
	assert.Equal(t, 3, c.defaults.maxRetries)
	assert.Equal(t, 30*time.Second, attemptTimeoutOf(c))

	// End to end with the defaults: Retry-After: 0 makes the waits instant.
	mt := installMock(c)
	rec := script(mt, respond(http.StatusServiceUnavailable, `{}`, "Retry-After", "0"))
	_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	apiErr := requireAPIError(t, err)
	assert.Equal(t, 4, apiErr.Attempts)
	assert.Len(t, rec.all(), 4)
}

// A retried status or transport error followed by a success is a success.
func TestRetryThenSuccess(t *testing.T) {
	t.Parallel()
	fail := func(*http.Request) (*http.Response, error) { return nil, errors.New("connection refused") }
	for name, first := range map[string]httpmock.Responder{
		"transport error": fail,
		"429":             respond(429, ``),
		"521":             respond(521, `<html>busy</html>`),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			rec := script(mt, first, okResponder())
			res, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			require.NoError(t, err)
			assert.Equal(t, 2, res.Attempts)
			assert.Len(t, rec.all(), 2)
		})
	}
}

// Every attempt replays the identical body and headers.
func TestRetryReplaysIdenticalRequest(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t, WithUserContext(UserContext{EntityType: "ADMIN", EntityID: "7"}), WithHeader("X-Trace", "t-1"))
	rec := script(mt, respond(503, `{}`), respond(429, `{}`, "Retry-After", "0"), respond(502, `{}`), okResponder())
	var body UpdateCustomerRequest
	require.NoError(t, jsonUnmarshal(vendorExample(t), &body))
	_, err := c.Customers.Update(testCtx(t), "171891944", &body, &UpdateCustomerParams{Source: SourceInstore, UseAsync: Ptr(false)},
		WithTillAttribution("TILL", "T-1"))
	require.NoError(t, err)
	reqs := rec.all()
	require.Len(t, reqs, 4)
	for i, r := range reqs {
		assert.JSONEq(t, string(vendorExample(t)), string(r.Body), "attempt %d", i+1)
		assert.Equal(t, reqs[0].Body, r.Body, "attempt %d: same bytes", i+1)
		assert.Equal(t, reqs[0].Header, r.Header, "attempt %d: same headers", i+1)
		assert.Equal(t, reqs[0].URL.String(), r.URL.String(), "attempt %d: same URL", i+1)
		assert.Equal(t, http.MethodPut, r.Method)
	}
	assert.Equal(t, testAuthHeader(), reqs[3].Header.Get("Authorization"))
	assert.Equal(t, "T-1", reqs[3].Header.Get("X-CAP-API-ATTRIBUTION-LOOKUP"))
}

// When retries run out, the caller gets the *APIError of the LAST response, with the number of
// attempts, and no "giving up" message.
func TestRetryExhaustedReturnsLastResponse(t *testing.T) {
	t.Parallel()
	var steps []httpmock.Responder
	for i := 1; i <= 4; i++ {
		steps = append(steps, respond(503, vendorError(10000+i, fmt.Sprintf("failure %d", i)), headerRequestID, fmt.Sprintf("rid-%d", i)))
	}
	c, mt := newMockedClient(t)
	script(mt, steps...)
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	apiErr := requireAPIError(t, err)
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Equal(t, "rid-4", apiErr.RequestID)
	assert.Equal(t, 4, apiErr.Attempts)
	assert.Equal(t, []Message{{Code: 10004, Message: "failure 4"}}, apiErr.Errors)
	assert.ErrorIs(t, err, ErrServer)
	assert.NotContains(t, err.Error(), "giving up")
	assert.Contains(t, err.Error(), "4 attempts")
	assert.Contains(t, err.Error(), "rid-4")
	assert.NoError(t, apiErr.Unwrap(), "no other cause")
}

// An HTML page on the last retried response still comes back as its *APIError.
func TestRetryExhaustedOnNonJSON(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	script(mt, respond(502, "<html><h1>502 Bad Gateway</h1></html>", headerRequestID, "gw"))
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	apiErr := requireAPIError(t, err)
	assert.Equal(t, 502, apiErr.StatusCode)
	assert.Equal(t, 4, apiErr.Attempts)
	assert.Contains(t, apiErr.Body, "502 Bad Gateway")
	assert.NotContains(t, err.Error(), "giving up")
}

// WithRetries(0, ...) disables retrying, on the client and per call; a per-call WithRetries
// overrides the client's for that call only.
func TestRetryCountOverrides(t *testing.T) {
	t.Parallel()
	t.Run("client WithRetries(0)", func(t *testing.T) {
		t.Parallel()
		c, mt := newMockedClient(t, WithRetries(0, time.Millisecond, time.Millisecond))
		rec := script(mt, respond(503, `{}`))
		_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
		assert.Equal(t, 1, requireAPIError(t, err).Attempts)
		assert.Len(t, rec.all(), 1)
	})
	t.Run("per call", func(t *testing.T) {
		t.Parallel()
		c, mt := newMockedClient(t) // 3 retries
		rec := script(mt, respond(503, `{}`))
		ctx := testCtx(t)
		for _, tc := range []struct {
			opts     []Option
			attempts int
		}{
			{[]Option{WithRetries(1, time.Millisecond, 2*time.Millisecond)}, 2},
			{[]Option{WithRetries(0, 0, 0)}, 1},
			{nil, 4}, // back to the client's
			{[]Option{WithRetries(5, 0, time.Millisecond)}, 6},
			{[]Option{WithUserAgent("x/1")}, 4}, // other per-call options keep the client's retries
		} {
			before := len(rec.all())
			_, err := c.Customers.Update(ctx, "1", minimalBody(), instore(), tc.opts...)
			apiErr := requireAPIError(t, err)
			assert.Equal(t, tc.attempts, apiErr.Attempts)
			assert.Len(t, rec.all(), before+tc.attempts, "requests that reached the client's transport")
		}
	})
}

// backoff honours Retry-After in seconds and as an HTTP date, capped at the max wait.
func TestRetryBackoffRetryAfter(t *testing.T) {
	t.Parallel()
	const minWait, maxWait = 100 * time.Millisecond, 5 * time.Second
	withRA := func(v string) *http.Response {
		return &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {v}}}
	}
	exact := []struct {
		header string
		want   time.Duration
	}{
		{"0", 0},
		{"1", time.Second},
		{"2", 2 * time.Second},
		{"5", 5 * time.Second},
		{"6", maxWait},
		{"3600", maxWait},
		{"99999999999999999", maxWait}, // absurd: no overflow
		{time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), 0},      // in the past
		{time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), maxWait}, // far future: capped
	}
	for _, tt := range exact {
		for attempt := range 3 {
			assert.Equal(t, tt.want, backoffAfter(minWait, maxWait, attempt, withRA(tt.header)), "Retry-After %q attempt %d", tt.header, attempt)
		}
	}
	// A date 3 s ahead (second precision) waits until that second, whenever backoff runs.
	at := time.Now().Add(3 * time.Second).Truncate(time.Second)
	before := time.Now()
	d := backoffAfter(minWait, maxWait, 0, withRA(at.UTC().Format(http.TimeFormat)))
	after := time.Now()
	assert.GreaterOrEqual(t, d, max(at.Sub(after), 0))
	assert.LessOrEqual(t, d, at.Sub(before))
	// Other date forms HTTP allows.
	d = backoffAfter(minWait, maxWait, 0, withRA(time.Now().Add(time.Hour).UTC().Format(time.RFC850)))
	assert.Equal(t, maxWait, d)
	// Garbage and negatives fall back to the exponential backoff.
	for _, bad := range []string{"soon", "-5", "1.5", ""} {
		d := backoffAfter(minWait, maxWait, 0, withRA(bad))
		assert.True(t, d >= minWait && d <= 2*minWait, "Retry-After %q: %s", bad, d)
	}
}

// Without Retry-After, the wait grows exponentially from min, with jitter, never above max.
func TestRetryBackoffExponentialWithJitter(t *testing.T) {
	t.Parallel()
	const minWait, maxWait = 100 * time.Millisecond, 3 * time.Second
	resp := &http.Response{StatusCode: 503, Header: http.Header{}}
	for attempt := 0; attempt <= 40; attempt++ {
		// The n-th retry (attempt n-1) waits between min and min·2^n, capped at max.
		upper := maxWait
		if attempt < 10 {
			upper = min(maxWait, minWait<<(attempt+1))
		}
		seen := map[time.Duration]bool{}
		for range 200 {
			d := backoffAfter(minWait, maxWait, attempt, resp)
			require.GreaterOrEqual(t, d, minWait, "attempt %d", attempt)
			require.LessOrEqual(t, d, upper, "attempt %d", attempt)
			seen[d] = true
		}
		// Every retry is jittered, the first included: clients failed by the same outage must
		// not all come back at the same instant.
		assert.Greater(t, len(seen), 10, "attempt %d: jitter", attempt)
	}
	// The range really grows: late attempts reach waits early ones cannot.
	var late time.Duration
	for range 200 {
		late = max(late, backoffAfter(minWait, maxWait, 5, nil))
	}
	assert.Greater(t, late, 2*minWait)
	// Degenerate bounds.
	assert.Equal(t, time.Second, backoffAfter(time.Second, time.Second, 7, nil))
	assert.Equal(t, time.Duration(0), backoffAfter(0, 0, 3, nil))
	for range 100 {
		d := backoffAfter(0, 10*time.Millisecond, 3, nil)
		assert.True(t, d >= 0 && d <= 10*time.Millisecond, d)
	}
	// Large minimum waits and many attempts must not overflow into short or negative waits.
	for attempt := 0; attempt < 64; attempt++ {
		d := backoffAfter(10*time.Second, time.Minute, attempt, nil)
		assert.True(t, d >= 10*time.Second && d <= time.Minute, "attempt %d: %s", attempt, d)
	}
}

// End to end over a real connection: Retry-After is honoured (a wait of a second happens)...
func TestRetryAfterHonouredEndToEnd(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusTooManyRequests, `{}`)
			return
		}
		writeJSON(w, http.StatusOK, okBody)
	})
	// A max wait of an hour: had the SDK waited that instead, testCtx would end the call.
	c := newServerClient(t, srv.URL, WithRetries(2, time.Millisecond, time.Hour))
	start := time.Now()
	res, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	elapsed := time.Since(start)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Attempts)
	assert.GreaterOrEqual(t, elapsed, time.Second, "waited what Retry-After asked")
}

// ...and capped at the max wait, in seconds or as an HTTP date.
func TestRetryAfterCappedEndToEnd(t *testing.T) {
	t.Parallel()
	for name, header := range map[string]func() string{
		"seconds":   func() string { return "30" },
		"HTTP date": func() string { return time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int64
			srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) <= 2 {
					w.Header().Set("Retry-After", header())
					writeJSON(w, http.StatusServiceUnavailable, `{}`)
					return
				}
				writeJSON(w, http.StatusOK, okBody)
			})
			const maxWait = 150 * time.Millisecond
			c := newServerClient(t, srv.URL, WithRetries(3, time.Millisecond, maxWait))
			start := time.Now()
			res, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			elapsed := time.Since(start)
			require.NoError(t, err, "not the 30 s asked for: testCtx would have ended the call")
			assert.Equal(t, 3, res.Attempts)
			assert.GreaterOrEqual(t, elapsed, 2*maxWait, "two capped waits")
		})
	}
}

// The context deadline bounds the whole call, waits included: the call returns at the deadline
// with the last response's *APIError, which also matches context.DeadlineExceeded.
func TestRetryContextDeadlineBoundsWaits(t *testing.T) {
	t.Parallel()
	// The wait is an hour and the deadline passes during it: receive bounds the call far below.
	hook := &waitHook{}
	c, mt := newMockedClient(t, WithRetries(10, time.Hour, time.Hour), hook.option())
	rec := script(mt, respond(503, vendorError(500, "busy"), headerRequestID, "last"))
	d := newManualDeadline(t)
	hook.onWait(d.expire)
	err := receive(t, goUpdate(d, c)).err
	apiErr := requireAPIError(t, err)
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Equal(t, "last", apiErr.RequestID)
	assert.Equal(t, 1, apiErr.Attempts)
	assert.Equal(t, []Message{{Code: 500, Message: "busy"}}, apiErr.Errors)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, ErrServer)
	assert.Len(t, rec.all(), 1)
}

// Cancelling during a wait behaves the same, with context.Canceled.
func TestRetryContextCancelDuringWait(t *testing.T) {
	t.Parallel()
	hook := &waitHook{}
	c, mt := newMockedClient(t, WithRetries(3, time.Hour, time.Hour), hook.option())
	script(mt, respond(429, `{}`))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hook.onWait(cancel)
	err := receive(t, goUpdate(ctx, c)).err
	apiErr := requireAPIError(t, err)
	assert.Equal(t, 429, apiErr.StatusCode)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, ErrRateLimited)
}

// ...but a Retry-After that the cap brings within the deadline is retried.
func TestRetryAfterCappedWithinDeadlineIsRetried(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t, WithRetries(3, time.Millisecond, 5*time.Millisecond))
	rec := script(mt, respond(503, `{}`, "Retry-After", "30"))
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	assert.Equal(t, 4, requireAPIError(t, err).Attempts)
	assert.Len(t, rec.all(), 4)
}

// A non-JSON answer that was being retried when the deadline came is still reported, with its
// excerpt and the context's error.
func TestRetryContextDeadlineAfterNonJSONAnswer(t *testing.T) {
	t.Parallel()
	hook := &waitHook{}
	c, mt := newMockedClient(t, WithRetries(3, time.Hour, time.Hour), hook.option())
	script(mt, respond(502, "<html><h1>502 Bad Gateway</h1></html>", headerRequestID, "gw-1"))
	d := newManualDeadline(t)
	hook.onWait(d.expire)
	err := receive(t, goUpdate(d, c)).err
	apiErr := requireAPIError(t, err)
	assert.Equal(t, 502, apiErr.StatusCode)
	assert.Equal(t, "gw-1", apiErr.RequestID)
	assert.Contains(t, apiErr.Body, "502 Bad Gateway")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// backoffAfter is backoff after an answer resp (nil for none), as the retry client's Backoff.
func backoffAfter(minWait, maxWait time.Duration, retry int, resp *http.Response) time.Duration {
	ra, asked := retryAfter(resp)
	return backoff(minWait, maxWait, retry, ra, asked)
}

// AdviseRetry is the retry policy applied to an error the SDK returned: retried statuses,
// reads on every 5xx, code 521 in the body, transport errors but not configuration ones, the
// client's waits (Retry-After capped at the maximum), and never an Uncertain update.
func TestAdviseRetry(t *testing.T) {
	t.Parallel()
	c, err := NewClient(WithBaseURL(testBaseURL), WithBasicAuth(testTill, testPassword), WithRetries(3, 100*time.Millisecond, time.Second))
	require.NoError(t, err)
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	tests := []struct {
		name        string
		err         error
		attempt     int
		retry       bool
		wait        time.Duration // exact, or 0 for the backoff's range of the first retry
		rateLimited bool
	}{
		{"503", &APIError{StatusCode: 503}, 1, true, 0, false},
		{"429 with Retry-After", &APIError{StatusCode: 429, RetryAfter: 500 * time.Millisecond}, 1, true, 500 * time.Millisecond, true},
		{"429 with a long Retry-After: the maximum wait", &APIError{StatusCode: 429, RetryAfter: time.Hour}, 1, true, time.Second, true},
		{"code 521 in a 400", &APIError{StatusCode: 400, Errors: []Message{{Code: 521}}}, 1, true, 0, false},
		{"500 of an update", &APIError{StatusCode: 500}, 1, false, 0, false},
		{"500 of a read", &APIError{StatusCode: 500, read: true}, 1, true, 0, false},
		{"404", &APIError{StatusCode: 404, Errors: []Message{{Code: 8015}}}, 1, false, 0, false},
		{"502 that may have been applied", &APIError{StatusCode: 502, Uncertain: true}, 1, false, 0, false},
		{"past the client's own budget: the caller bounds its attempts", &APIError{StatusCode: 503, RetryAfter: time.Second}, 9, true, time.Second, false},
		{"last retry within the budget", &APIError{StatusCode: 503, RetryAfter: time.Second}, 3, true, time.Second, false},
		{"connection refused", &RequestError{Err: refused}, 1, true, 0, false},
		{"connection broken after sending", &RequestError{Err: errors.New("connection reset"), Uncertain: true}, 1, false, 0, false},
		{"attempt timed out", &RequestError{Err: &attemptTimeoutError{timeout: time.Second, err: errAttemptTimeout}}, 1, true, 0, false},
		{"caller's context ended", &RequestError{Err: context.Canceled}, 1, false, 0, false},
		{"unknown host", &RequestError{Err: &net.DNSError{Err: "no such host", IsNotFound: true}}, 1, false, 0, false},
		{"refused before sending", &ValidationError{Problems: []FieldError{{Field: "userId"}}}, 1, false, 0, false},
		{"token generation failed", &TokenError{Err: &APIError{StatusCode: 503}}, 1, false, 0, false},
		{"wrapped", fmt.Errorf("row 7: %w", &APIError{StatusCode: 504}), 1, true, 0, false},
		{"no error", nil, 1, false, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := c.AdviseRetry(tt.err, tt.attempt)
			assert.Equal(t, tt.retry, a.Retry)
			assert.Equal(t, tt.rateLimited, a.RateLimited)
			if tt.wait > 0 {
				assert.Equal(t, tt.wait, a.Wait)
			} else if a.Retry {
				assert.True(t, a.Wait >= 100*time.Millisecond && a.Wait <= 200*time.Millisecond, "first retry's backoff: %s", a.Wait)
			}
		})
	}
}

// Retried: 429, 502, 503, 504, 521, and for a read every 5xx; never 500 for an update (the
// vendor's "requests have failed"), other 4xx, 3xx. The engine follows AdviseRetry's policy: a
// call with one retry makes a second attempt exactly when the policy says so of the error of a
// call without.
func TestRetryWhichStatuses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		status       int
		update, read bool
	}{
		{429, true, true}, {500, false, true}, {501, false, true}, {502, true, true}, {503, true, true},
		{504, true, true}, {521, true, true}, {400, false, false}, {401, false, false}, {403, false, false},
		{404, false, false}, {409, false, false}, {422, false, false}, {461, false, false}, {302, false, false},
	} {
		for _, read := range []bool{false, true} {
			t.Run(fmt.Sprint(tt.status, read), func(t *testing.T) {
				t.Parallel()
				c, mt := newMockedClient(t, WithRetries(1, 0, 0))
				mt.RegisterNoResponder(respond(tt.status, `{"errors":[{"code":1,"message":"x"}]}`))
				call := func(opts ...Option) error {
					if read {
						_, err := c.Customers.Get(testCtx(t), "1", &GetCustomerParams{Source: SourceInstore}, opts...)
						return err
					}
					_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore(), opts...)
					return err
				}
				want := map[bool]bool{false: tt.update, true: tt.read}[read]
				assert.Equal(t, want, c.defaults.advise(call(WithRetries(0, 0, 0)), 1).Retry, "the policy")
				apiErr := requireAPIError(t, call())
				assert.Equal(t, tt.status, apiErr.StatusCode)
				assert.Equal(t, want, apiErr.Attempts == 2, "the engine: %d attempts", apiErr.Attempts)
			})
		}
	}
}

// Reads are retried after a broken connection and a proxy's 5xx page (the statuses:
// TestRetryWhichStatuses), and are never uncertain.
func TestReadsAreIdempotent(t *testing.T) {
	t.Parallel()
	broken := func(*http.Request) (*http.Response, error) { return nil, errors.New("connection reset by peer") }
	for name, first := range map[string]httpmock.Responder{
		"transport error": broken,
		"500":             respond(http.StatusInternalServerError, `<html>oops</html>`),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			rec := scriptMethod(mt, http.MethodGet, first, respond(http.StatusOK, `{"id": 7, "warnings": []}`))
			cust, err := c.Customers.Get(testCtx(t), "7", &GetCustomerParams{Source: SourceInstore})
			require.NoError(t, err)
			assert.Equal(t, 2, cust.Attempts)
			assert.Len(t, rec.all(), 2)
		})
	}
	t.Run("retries run out: not uncertain", func(t *testing.T) {
		t.Parallel()
		c, mt := newMockedClient(t)
		scriptMethod(mt, http.MethodGet, broken)
		_, err := c.Customers.Lookup(testCtx(t), []Identifier{{Type: IdentifierMobile, Value: "919999000001"}}, &GetCustomerParams{Source: SourceInstore})
		var reqErr *RequestError
		require.ErrorAs(t, err, &reqErr)
		assert.False(t, reqErr.Uncertain)
		assert.Equal(t, 4, reqErr.Attempts)
		assert.NotErrorIs(t, err, context.Canceled, "the caller cancelled nothing")
		assert.NotContains(t, err.Error(), "context canceled")
	})
}

// The context bounds the call whatever the server answers: a 101 that keeps the connection, a
// body that never ends, a connection taken over before any answer.
func TestRetryDeadlineBoundsHostileAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		serve func(conn net.Conn, served chan<- struct{})
		check func(t *testing.T, err error)
	}{
		{"101 and the connection kept", func(conn net.Conn, served chan<- struct{}) {
			// No cancel here: the call must end by itself, refusing the 101 without reading it.
			_, _ = io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n")
		}, func(t *testing.T, err error) {
			apiErr := requireAPIError(t, err)
			assert.Equal(t, http.StatusSwitchingProtocols, apiErr.StatusCode)
		}},
		{"a body that never ends", func(conn net.Conn, served chan<- struct{}) {
			_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"createdId\"")
			served <- struct{}{}
		}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, context.Canceled)
		}},
		{"no answer at all", func(_ net.Conn, served chan<- struct{}) {
			served <- struct{}{}
		}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, context.Canceled)
			var reqErr *RequestError
			require.ErrorAs(t, err, &reqErr)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			served := make(chan struct{}, 1)
			url := hostileServer(t, func(conn net.Conn) { tt.serve(conn, served) })
			c := newServerClient(t, url, WithRetries(0, 0, 0), WithAttemptTimeout(maxAttemptTimeLimit))
			ctx, cancel := context.WithCancel(testCtx(t))
			defer cancel()
			go func() {
				<-served
				cancel() // the server has done its worst: the call must end now
			}()
			_, err := c.Customers.Update(ctx, "1", minimalBody(), instore())
			require.Error(t, err)
			tt.check(t, err)
		})
	}
}

// A host name that does not exist is a configuration error: not retried.
func TestRetryUnknownHostIsNotRetried(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	attempts := 0
	mt.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
		attempts++
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "eu.api.example", IsNotFound: true}}
	})
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.Equal(t, 1, attempts)
	assert.False(t, reqErr.Uncertain)
	assert.Contains(t, err.Error(), "no such host")
}

// A Retry-After that outlasts the deadline (an hour asked for, testCtx's 30 s left) is not waited
// for: the call returns at once with that answer's *APIError, which says what the server asked.
func TestRetryAfterPastDeadlineReturnsAtOnce(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	rec := script(mt, respond(http.StatusTooManyRequests, `{}`, "Retry-After", "3600", headerRequestID, "ra"))
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore(), WithRetries(3, time.Millisecond, time.Hour))
	require.ErrorIs(t, err, ErrRateLimited)
	apiErr := requireAPIError(t, err)
	assert.Equal(t, "ra", apiErr.RequestID)
	assert.Equal(t, time.Hour, apiErr.RetryAfter)
	assert.Equal(t, 1, apiErr.Attempts)
	assert.Len(t, rec.all(), 1)
	assert.Contains(t, err.Error(), "retry after 1h0m0s")
	assert.Contains(t, err.Error(), "past the call's deadline")
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "the call ended before its deadline")
}

// The per-attempt timeout fires on a slow server; each attempt is bounded, and a retry follows.
// The server never answers, so only the attempt timeout can end each attempt: the outcome does
// not depend on how fast the machine is (a timer never fires early, so three attempts last at
// least three timeouts), and testCtx's 30 s would end a call that the timeout did not.
func TestRetryAttemptTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	c := newServerClient(t, srv.URL, WithAttemptTimeout(100*time.Millisecond), WithRetries(2, time.Millisecond, 2*time.Millisecond))
	start := time.Now()
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	elapsed := time.Since(start)
	require.Error(t, err)
	var netErr net.Error
	require.ErrorAs(t, err, &netErr)
	assert.True(t, netErr.Timeout(), "a timeout: %v", err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the attempt timeout, not testCtx, ended the call")
	assert.GreaterOrEqual(t, elapsed, 300*time.Millisecond, "three attempts of 100 ms")
	// On a loaded machine an attempt may time out before its request reaches the handler.
	assert.LessOrEqual(t, srv.requests.Load(), int64(3))
	assert.Contains(t, err.Error(), "3 attempts")
	assert.NotContains(t, err.Error(), "source=")

	// A slow body counts against the attempt too.
	slowBody := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"createdId": `)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	c2 := newServerClient(t, slowBody.URL, WithAttemptTimeout(100*time.Millisecond), WithRetries(0, 0, 0))
	_, err = c2.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.ErrorAs(t, err, &netErr)
	assert.True(t, netErr.Timeout(), "a timeout: %v", err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the attempt timeout, not testCtx, ended the call")
}

// The vendor's code 521 in the body ("multiple actions are running for the same customer") is
// ErrCustomerBusy, and retried like status 521.
func TestCustomerBusyCodeIsRetried(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	busy := respond(http.StatusBadRequest, vendorError(521, "Multiple actions are running for the same customer. Please try after some time."))
	rec := script(mt, busy, busy, busy, busy)
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	apiErr := requireAPIError(t, err)
	assert.ErrorIs(t, err, ErrCustomerBusy)
	assert.Equal(t, 4, apiErr.Attempts)
	assert.Len(t, rec.all(), 4)
	assert.False(t, apiErr.Uncertain)

	c, mt = newMockedClient(t)
	rec = script(mt, busy, okResponder())
	_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err)
	assert.Len(t, rec.all(), 2)
}

// The context ends while the second attempt is in flight: the first attempt's 503 is old news,
// and the second may have been applied.
func TestDeadlineDuringAttemptIsNotReportedAsEarlierAnswer(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	release := make(chan struct{})
	second := make(chan struct{}, 1)
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set(headerRequestID, "first-503")
			writeJSON(w, http.StatusServiceUnavailable, `{"errors":[]}`)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body) // so the server notices when the client hangs up
		second <- struct{}{}
		select { // the second attempt gets no answer before the deadline
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before the server's Close
	c := newServerClient(t, srv.URL)
	d := newManualDeadline(t)
	done := goUpdate(d, c)
	receive(t, second) // the second attempt reached the server: now the deadline passes
	d.expire()
	err := receive(t, done).err
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr), "no answer to the last attempt: %v", err)
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.Equal(t, 2, reqErr.Attempts)
	assert.True(t, reqErr.Uncertain, "the second attempt reached the server")
	assert.NotContains(t, err.Error(), "first-503")
}

// The context ends during the wait before a retry: the answer that was being retried is the
// last word, reported with the context's error.
func TestDeadlineDuringWaitReportsLastAnswer(t *testing.T) {
	t.Parallel()
	srv := newCountingServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set(headerRequestID, "busy-1")
		writeJSON(w, 521, `{"errors":[]}`)
	})
	hook := &waitHook{}
	c := newServerClient(t, srv.URL, WithRetries(3, time.Hour, time.Hour), hook.option())
	d := newManualDeadline(t)
	hook.onWait(d.expire) // the deadline passes during the wait
	err := receive(t, goUpdate(d, c)).err
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 521, apiErr.StatusCode)
	assert.Equal(t, "busy-1", apiErr.RequestID)
	assert.ErrorIs(t, err, ErrCustomerBusy)
	assert.False(t, apiErr.Uncertain, "521 turns the request away")
}

// Each answer that fails every call is told from those that fail one: the error of a real call.
func TestFailsEveryCall(t *testing.T) {
	t.Parallel()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	t.Cleanup(plain.Close)
	selfSigned := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	selfSigned.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake refused is the point
	selfSigned.StartTLS()
	t.Cleanup(selfSigned.Close)
	mocked := func(status int, body string) []ClientOption {
		tr := httpmock.NewMockTransport()
		tr.RegisterNoResponder(httpmock.NewStringResponder(status, body))
		tokens := `{"data":{"accessToken":"tok","ttlSeconds":3600}}`
		if status == http.StatusUnauthorized && strings.Contains(body, "token") {
			tokens = body
		}
		tr.RegisterResponder(http.MethodPost, testBaseURL+"/v3/oauth/token/generate", httpmock.NewStringResponder(status, tokens))
		return []ClientOption{WithBaseURL(testBaseURL), WithHTTPClient(&http.Client{Transport: tr})}
	}
	tests := []struct {
		name  string
		opts  []ClientOption
		fatal bool
	}{
		{"401 to Basic auth", append(mocked(401, `{"errors":[{"code":401,"message":"Unauthorized"}]}`), WithBasicAuth(testTill, "wrong")), true},
		{"403", append(mocked(403, `{"errors":[{"code":403,"message":"Forbidden"}]}`), WithBasicAuth(testTill, testPassword)), true},
		{"OAuth secret refused", append(mocked(401, `{"errors":[{"code":401,"message":"bad token secret"}]}`), WithOAuth("key-123456", "wrong")), true},
		{"certificate that does not verify", []ClientOption{WithBaseURL(selfSigned.URL), WithBasicAuth(testTill, testPassword)}, true},
		{"https to an http server", []ClientOption{WithBaseURL(strings.Replace(plain.URL, "http:", "https:", 1)), WithBasicAuth(testTill, testPassword)}, true},
		{"host that does not exist", []ClientOption{WithBaseURL("https://no-such-host.invalid"), WithBasicAuth(testTill, testPassword), WithHTTPClient(&http.Client{Transport: &http.Transport{
			// As net.Dial fails for a name the DNS does not know, whatever resolver the machine has.
			DialContext: func(_ context.Context, network, addr string) (net.Conn, error) {
				return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "no-such-host.invalid", IsNotFound: true}}
			},
		}})}, true},
		{"a customer not found", append(mocked(400, `{"errors":[{"code":8015,"message":"Customer not found"}]}`), WithBasicAuth(testTill, testPassword)), false},
		{"busy", append(mocked(521, `{"errors":[{"code":521,"message":"busy"}]}`), WithBasicAuth(testTill, testPassword)), false},
		{"rate limited", append(mocked(429, ``), WithBasicAuth(testTill, testPassword)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(append(tt.opts, WithRetries(0, 0, 0))...)
			require.NoError(t, err)
			_, err = c.Customers.Get(context.Background(), "1", &GetCustomerParams{Source: SourceInstore})
			require.Error(t, err)
			assert.Equal(t, tt.fatal, FailsEveryCall(err), "%v", err)
			assert.False(t, c.AdviseRetry(err, 1).Retry && tt.fatal)
		})
	}
	assert.False(t, FailsEveryCall(nil))
}
