package capillary

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// retryBodyLimit caps how much of a response that will be retried is kept, to report it if
// the call then ends before another answer arrives.
const retryBodyLimit = 64 << 10

// newTransport is a pooled transport of its own per client, keeping enough idle connections
// for many concurrent callers to reuse theirs.
func newTransport() *http.Transport {
	t := cleanhttp.DefaultPooledTransport()
	t.MaxIdleConns = 0 // no overall cap: cleanhttp's 100 would undercut the per-host 256
	t.MaxIdleConnsPerHost = 256
	return t
}

// newRetryClient configures go-retryablehttp explicitly: no logger of its own, the SDK's retry
// policy, backoff and error handler, and hooks that keep each call's state. prev is the
// client's config when the retry client is for one call's options: unless the call brings its
// own http.Client, it keeps the client's transport, and with it the pool of connections.
func newRetryClient(s *settings, host string, prev *config) *retryablehttp.Client {
	hc := newHTTPClient(s, host)
	inner := hc.Transport
	if prev != nil && prev.httpClient == s.httpClient {
		inner = prev.retry.HTTPClient.Transport
	}
	if at, ok := inner.(attemptTransport); ok {
		inner = at.next
	}
	if inner == nil {
		inner = http.DefaultTransport
	}
	// The caller's own http.Client.Timeout stands unless WithAttemptTimeout overrides it;
	// otherwise the attempt transport bounds each attempt.
	var timeout time.Duration
	if s.timeoutSet || hc.Timeout == 0 {
		timeout, hc.Timeout = s.timeout, 0
	}
	hc.Transport = attemptTransport{next: inner, timeout: timeout}
	return &retryablehttp.Client{
		HTTPClient:     hc,
		Logger:         nil,
		RetryMax:       s.maxRetries,
		RetryWaitMin:   s.retryWaitMin,
		RetryWaitMax:   s.retryWaitMax,
		CheckRetry:     checkRetry,
		Backoff:        backoff,
		ErrorHandler:   keepLastResponse,
		RequestLogHook: beforeAttempt,
		PrepareRetry:   prepareRetry,
	}
}

// attemptTransport is the transport the retry client sees. It does two things:
//
//   - It bounds each attempt (connecting, sending, and reading the whole answer) by timeout, as
//     a context deadline that lasts until the answer's body is closed. http.Client.Timeout would
//     do the same, but for any transport other than a bare *http.Transport (this one, a mock,
//     a caller's wrapper) it costs a goroutine and a timer per call.
//   - It hides the real transport's CloseIdleConnections: retryablehttp calls it after every
//     call that ends without success (the context ended during a wait, a transport error), and
//     on a client shared by many goroutines that dropped every caller's idle connections, so
//     that each failed call, and the calls around it, opened new ones: reconnect storms exactly
//     when the server is struggling. Idle connections still close after the transport's idle
//     timeout, or with Client.CloseIdleConnections.
type attemptTransport struct {
	next    http.RoundTripper
	timeout time.Duration // 0: no bound of the SDK's
}

// errAttemptTimeout is the cause of an attempt's context when its time runs out.
var errAttemptTimeout = errors.New("attempt timed out")

// RoundTrip sends one attempt within the attempt timeout.
func (t attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.timeout <= 0 {
		return t.next.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeoutCause(req.Context(), t.timeout, errAttemptTimeout)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, t.explain(ctx, err)
	}
	resp.Body = &attemptBody{ReadCloser: resp.Body, ctx: ctx, cancel: cancel, t: t}
	return resp, nil
}

// explain marks an error caused by the attempt's own deadline (not the caller's context) as a
// timeout, so that it reads as one and is retried as one.
func (t attemptTransport) explain(ctx context.Context, err error) error {
	if err != nil && context.Cause(ctx) == errAttemptTimeout {
		return &attemptTimeoutError{timeout: t.timeout, err: err}
	}
	return err
}

// attemptBody ends the attempt's deadline when the answer has been read and closed.
type attemptBody struct {
	io.ReadCloser
	ctx    context.Context
	cancel context.CancelFunc
	t      attemptTransport
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = b.t.explain(b.ctx, err)
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// attemptTimeoutError is an attempt that ran out of its time. It is a net.Error whose
// Timeout is true, like http.Client.Timeout's errors.
type attemptTimeoutError struct {
	timeout time.Duration
	err     error
}

func (e *attemptTimeoutError) Error() string {
	return "attempt timed out after " + e.timeout.String() + " (WithAttemptTimeout): " + e.err.Error()
}
func (e *attemptTimeoutError) Unwrap() error   { return e.err }
func (e *attemptTimeoutError) Timeout() bool   { return true }
func (e *attemptTimeoutError) Temporary() bool { return true }

// callState is one call's bookkeeping, carried in its context so the shared retry client's
// hooks can reach it.
type callState struct {
	cfg          *config
	method, path string
	attempts     int
	attemptStart time.Time

	// uncertain is set when an earlier attempt may have been applied although it failed.
	uncertain bool

	// The last response that was retried, kept to report it if the call ends while waiting.
	lastStatus int
	lastHeader http.Header
	lastBody   []byte
}

// retryableStatus reports whether a status is worth another attempt: rate limiting, the
// server errors that pass, and 521 (another action is running for the same customer).
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout, 521:
		return true
	}
	return false
}

func beforeAttempt(_ retryablehttp.Logger, req *http.Request, _ int) {
	if st := stateFrom(req.Context()); st != nil {
		st.attemptStart = time.Now()
	}
}

// checkRetry decides after every attempt. Transport errors are retried unless they cannot
// pass (a bad certificate, a malformed URL: retryablehttp's own judgement); responses only for
// the statuses of retryableStatus, and not when the server asks for a wait that outlasts the
// call's deadline.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st := stateFrom(ctx)
	st.attempts++
	latency := slog.Duration("latency", time.Since(st.attemptStart))
	attempt := slog.Int("attempt", st.attempts)
	if err != nil {
		// This attempt has no answer: what an earlier one said is no longer the news.
		st.uncertain = st.uncertain || mayHaveReachedServer(err)
		st.lastStatus, st.lastHeader, st.lastBody = 0, nil, nil
		if ctxErr := ctx.Err(); ctxErr != nil {
			return false, ctxErr
		}
		retry, policyErr := retryablehttp.DefaultRetryPolicy(ctx, nil, err)
		st.log(ctx, slog.LevelDebug, "capillary: attempt failed", attempt, latency,
			slog.String("error", transportCause(err).Error()), slog.Bool("retry", retry))
		return retry, policyErr
	}
	// The budget is enforced here rather than left to retryablehttp, which on running out would
	// close the pool's idle connections and hand its ErrorHandler a response to clean up.
	// An answer that arrives as the context ends is still read and reported; it is only not
	// retried.
	retry := retryableStatus(resp.StatusCode) && st.attempts <= st.cfg.maxRetries && ctx.Err() == nil
	if retry {
		if wait, ok := retryAfter(resp); ok {
			if deadline, has := ctx.Deadline(); has && time.Now().Add(min(wait, st.cfg.retryWaitMax)).After(deadline) {
				retry = false
			}
		}
	}
	st.log(ctx, slog.LevelDebug, "capillary: attempt", attempt, latency,
		slog.Int("status", resp.StatusCode), slog.String("request_id", resp.Header.Get(HeaderRequestID)),
		slog.Bool("retry", retry))
	if retry {
		st.keep(resp)
		st.uncertain = st.uncertain || mayHaveBeenApplied(resp.StatusCode)
	}
	return retry, nil
}

// mayHaveReachedServer reports whether a transport error leaves open that the server received
// and applied the request: anything but a failure to connect.
func mayHaveReachedServer(err error) bool {
	var opErr *net.OpError
	return !(errors.As(err, &opErr) && opErr.Op == "dial")
}

// mayHaveBeenApplied reports whether a retried status leaves open that the update was applied:
// a 500, or a gateway's 502 or 504 that may have cut off an answer. 429, 503 and 521 say the
// request was turned away.
func mayHaveBeenApplied(status int) bool {
	return status == http.StatusInternalServerError || status == http.StatusBadGateway || status == http.StatusGatewayTimeout
}

// keep buffers a response about to be retried (retryablehttp would drain it), so that the call
// can still report it if its context ends during the wait.
func (st *callState) keep(resp *http.Response) {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, retryBodyLimit))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	st.lastStatus, st.lastHeader, st.lastBody = resp.StatusCode, resp.Header, body
}

// transportCause strips *url.Error's "Put "<url>":" prefix, which carries the query.
func transportCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// backoff waits what the server asked for in Retry-After, capped at max; otherwise it grows
// exponentially from min with random jitter, so that many clients do not retry in step: the
// n-th retry (attemptNum n-1) waits a random time between min and min·2^n, at most max.
func backoff(minWait, maxWait time.Duration, attemptNum int, resp *http.Response) time.Duration {
	if resp != nil {
		if wait, ok := retryAfter(resp); ok {
			return min(wait, maxWait)
		}
	}
	ceiling := maxWait
	if n := attemptNum + 1; minWait > 0 && n < 63 && minWait <= maxWait>>n {
		ceiling = minWait << n // cannot overflow: it is at most maxWait
	}
	if ceiling <= minWait {
		return minWait
	}
	return minWait + rand.N(ceiling-minWait+1)
}

// retryAfter reads Retry-After as delay-seconds or as an HTTP date; a date in the past is 0.
func retryAfter(resp *http.Response) (time.Duration, bool) {
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(time.Duration(1<<62)/time.Second))) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}

// prepareRetry refreshes the credentials before a retry (an OAuth token may have expired
// during the wait) and logs the retry.
func prepareRetry(req *http.Request) error {
	ctx := req.Context()
	st := stateFrom(ctx)
	req.Header = req.Header.Clone() // the previous attempt's request may still hold the old map
	st.log(ctx, slog.LevelInfo, "capillary: retrying", slog.Int("attempt", st.attempts+1))
	return st.cfg.auth.authorize(ctx, req.Header)
}

// keepLastResponse replaces retryablehttp's "giving up" error: when retries run out on a
// response, that response is handed back so the caller gets its *APIError.
func keepLastResponse(resp *http.Response, err error, _ int) (*http.Response, error) {
	if err == nil && resp != nil {
		return resp, nil
	}
	if resp != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, retryBodyLimit))
		_ = resp.Body.Close()
	}
	return nil, err
}
