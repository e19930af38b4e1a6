package capillary

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

// Retried: transport errors, 429, 502, 503, 504, 521. Never: 500 (the vendor's "requests have
// failed"), other 4xx, 501, 3xx.
func TestRetryWhichStatuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status   int
		attempts int
	}{
		{429, 4}, {500, 1}, {502, 4}, {503, 4}, {504, 4}, {521, 4},
		{400, 1}, {401, 1}, {403, 1}, {404, 1}, {405, 1}, {409, 1}, {415, 1}, {422, 1}, {461, 1},
		{501, 1}, {302, 1},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			rec := script(mt, respond(tt.status, `{"errors": [{"code": 1, "message": "x"}]}`))
			_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			apiErr := requireAPIError(t, err)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.attempts, apiErr.Attempts)
			assert.Len(t, rec.all(), tt.attempts)
		})
	}
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

// A Retry-After longer than the time left is not waited for: the call returns promptly with
// that response's *APIError.
func TestRetryAfterBeyondDeadlineReturnsPromptly(t *testing.T) {
	t.Parallel()
	// An hour asked for, testCtx's 30 s left: the call returns before its deadline, so its error
	// is the 503's alone, without context.DeadlineExceeded.
	c, mt := newMockedClient(t, WithRetries(3, time.Millisecond, time.Hour))
	rec := script(mt, respond(503, `{}`, "Retry-After", "3600", headerRequestID, "ra"))
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "did not wait for the deadline")
	apiErr := requireAPIError(t, err)
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Equal(t, "ra", apiErr.RequestID)
	assert.Equal(t, time.Hour, apiErr.RetryAfter)
	assert.Equal(t, 1, apiErr.Attempts)
	assert.Len(t, rec.all(), 1)
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
// client's budget and waits (Retry-After capped at the maximum), and never an Uncertain update.
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
		{"budget spent", &APIError{StatusCode: 503}, 4, false, 0, false},
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

// The engine's own retries follow the same decision: for each answer, a call with one retry
// makes a second attempt exactly when the policy says so of the error of a call without.
func TestAdviseRetryIsTheEnginesPolicy(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 404, 429, 500, 501, 502, 503, 504, 521} {
		for _, read := range []bool{false, true} {
			t.Run(fmt.Sprint(status, read), func(t *testing.T) {
				t.Parallel()
				c, mt := newMockedClient(t, WithRetries(1, 0, 0))
				mt.RegisterNoResponder(respond(status, `{"errors":[{"code":1,"message":"x"}]}`))
				call := func(opts ...Option) error {
					if read {
						_, err := c.Customers.Get(testCtx(t), "1", &GetCustomerParams{Source: SourceInstore}, opts...)
						return err
					}
					_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore(), opts...)
					return err
				}
				once := call(WithRetries(0, 0, 0))
				advice := c.defaults.advise(once, 1)
				apiErr := requireAPIError(t, call())
				assert.Equal(t, advice.Retry, apiErr.Attempts == 2, "retried: %v", advice.Retry)
			})
		}
	}
}
