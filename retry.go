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
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retryBodyLimit caps how much of a response that will be retried is kept, to report it if
// the call then ends before another answer arrives.
const retryBodyLimit = 64 << 10

// newRetryClient configures go-retryablehttp explicitly: no logger of its own, the SDK's retry
// policy, backoff and error handler, and hooks that keep each call's state, over the
// http.Client of newHTTPClient.
func newRetryClient(s *settings, host string, prev *config) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:     newHTTPClient(s, host, prev),
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
