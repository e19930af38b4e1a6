package capillary

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// The retry policy follows the vendor's own integration tool (Connect+), which retries 502, 503,
// 504 and 521 and waits on 429. A 500 is the vendor's answer that the request failed ("requests
// have failed due to errors"), so an update is not sent again; a read, which changes nothing,
// is retried on every 5xx.

// retryableStatuses are retried on every call.
var retryableStatuses = []int{http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout, statusCustomerBusy}

// statusCustomerBusy is the vendor's 521: other actions are running for the same customer. The
// same number comes as a code in the errors list.
const statusCustomerBusy = 521

// beforeAttempt counts the attempts, as retryablehttp's RequestLogHook (it runs once per attempt).
func beforeAttempt(_ retryablehttp.Logger, req *http.Request, retry int) {
	if st := stateFrom(req.Context()); st != nil {
		st.attempts, st.attemptStart = st.earlier+retry+1, time.Now()
	}
}

// checkRetry is the retry policy, as retryablehttp's CheckRetry. An answer (err nil) goes to
// readResponse first; what it judged an error comes back here as err. When a retry is due, the
// wait happens here, bounded by the context: retryablehttp's Backoff hook cannot see the call's
// own settings after a transport error, so it is left at zero (noBackoff).
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st := stateFrom(ctx)
	if err == nil || st == nil {
		return false, nil
	}
	var apiErr *APIError
	answered := errors.As(err, &apiErr)
	if !answered {
		st.last = nil // this attempt has no answer: what an earlier one said is no longer the news
		st.uncertain = st.uncertain || (!st.idempotent && !st.unsent.Load() && mayHaveReachedServer(err))
		st.log(ctx, slog.LevelDebug, "capillary: attempt failed", slog.Int("attempt", st.attempts),
			slog.Duration("latency", time.Since(st.attemptStart)), slog.String("error", st.quote(err).Error()))
	}
	if st.attempts-st.earlier > st.settings.maxRetries ||
		(answered && !retryableAnswer(apiErr, st.idempotent)) || (!answered && !retryableTransportError(ctx, err)) {
		return false, nil
	}
	if ctx.Err() != nil {
		st.waitErr = ctx.Err() // a retry was due, but the context ended first
		return false, nil
	}
	wait := backoff(st.settings.waitMin, st.settings.waitMax, st.attempts-st.earlier-1, resp)
	if answered && apiErr.RetryAfter > 0 {
		if deadline, has := ctx.Deadline(); has && time.Now().Add(wait).After(deadline) {
			apiErr.Err = errors.New("not retried: the server asked to wait " + apiErr.RetryAfter.String() + " (Retry-After), past the call's deadline")
			return false, nil
		}
	}
	st.log(ctx, slog.LevelInfo, "capillary: retrying", slog.Int("attempt", st.attempts+1), slog.Duration("wait", wait))
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true, nil
	case <-ctx.Done():
		st.waitErr = ctx.Err()
		return false, nil
	}
}

// retryableAnswer reports whether an answer is worth another attempt: a status of
// retryableStatuses, any 5xx for a read (idempotent), or the vendor's code 521 in the body.
func retryableAnswer(e *APIError, idempotent bool) bool {
	if slices.Contains(retryableStatuses, e.StatusCode) || (idempotent && e.StatusCode >= 500 && e.StatusCode <= 599) {
		return true
	}
	return slices.ContainsFunc(e.Errors, func(m Message) bool { return m.Code == statusCustomerBusy })
}

// retryableTransportError reports whether a failure to get an answer may pass: not when the
// context ended, not for a host name that does not exist (a configuration error), and not where
// retryablehttp's own judgement says it cannot (a bad certificate, a malformed URL).
func retryableTransportError(ctx context.Context, err error) bool {
	var dnsErr *net.DNSError
	if (errors.As(err, &dnsErr) && dnsErr.IsNotFound) || tlsFailure(err) {
		return false
	}
	retry, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err)
	return retry
}

// mayHaveReachedServer reports whether a transport error leaves open that the server received
// and applied the request. Failures to resolve, connect or agree on TLS come before anything
// is sent.
func mayHaveReachedServer(err error) bool {
	var (
		opErr  *net.OpError
		dnsErr *net.DNSError
	)
	return !(errors.As(err, &opErr) && opErr.Op == "dial") && !errors.As(err, &dnsErr) && !tlsFailure(err)
}

// tlsFailure reports whether err is a failed TLS handshake: a certificate that does not verify,
// a peer that does not speak TLS (net/http's ErrSchemeMismatch when it answered in plain HTTP),
// or its alert.
func tlsFailure(err error) bool {
	var (
		verifyErr *tls.CertificateVerificationError
		recordErr tls.RecordHeaderError
		alertErr  tls.AlertError
		authErr   x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		certErr   x509.CertificateInvalidError
	)
	return errors.As(err, &verifyErr) || errors.As(err, &recordErr) || errors.Is(err, http.ErrSchemeMismatch) || errors.As(err, &alertErr) ||
		errors.As(err, &authErr) || errors.As(err, &hostErr) || errors.As(err, &certErr)
}

// noBackoff is retryablehttp's Backoff: checkRetry has already waited.
func noBackoff(time.Duration, time.Duration, int, *http.Response) time.Duration { return 0 }

// backoff waits what the server asked for in Retry-After, capped at max; otherwise it grows
// exponentially from min with random jitter, so that many clients do not retry in step:
// retry n (from 0) waits a random time between min and min·2^(n+1), at most max. WithRetries
// bounds max to an hour, so the sums cannot overflow.
func backoff(minWait, maxWait time.Duration, retry int, resp *http.Response) time.Duration {
	if wait, ok := retryAfter(resp); ok {
		return min(wait, maxWait)
	}
	ceiling := maxWait
	if n := retry + 1; minWait > 0 && n < 62 && minWait <= maxWait>>n {
		ceiling = minWait << n
	}
	if ceiling <= minWait {
		return minWait
	}
	return minWait + rand.N(ceiling-minWait+1)
}

// retryAfter reads Retry-After as delay-seconds or as an HTTP date; a date in the past is 0.
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
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
// during the wait), on a header map of the retry's own.
func prepareRetry(req *http.Request) error {
	st := stateFrom(req.Context())
	req.Header = req.Header.Clone() // the previous attempt's request may still hold the old map
	st.header = req.Header
	return st.settings.auth.authorize(req.Context(), req.Header)
}

// lastError is retryablehttp's ErrorHandler: the call's error is the last attempt's, not a
// "giving up" error of the library's (readResponse has closed any body).
func lastError(_ *http.Response, err error, _ int) (*http.Response, error) {
	return nil, err
}
