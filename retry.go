package capillary

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
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

// retryableTransportError reports whether a failure to get an answer may pass: not when the
// context ended, not for a host name that does not exist (a configuration error), and not where
// retryablehttp's own judgement says it cannot (a bad certificate, a malformed URL).
func retryableTransportError(err error) bool {
	var (
		dnsErr  *net.DNSError
		timeout *attemptTimeoutError
		urlErr  *url.Error
	)
	switch {
	case errors.As(err, &timeout):
		return true
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &dnsErr) && dnsErr.IsNotFound || tlsFailure(err):
		return false
	case errors.As(err, &urlErr):
		retry, _ := retryablehttp.DefaultRetryPolicy(context.Background(), nil, urlErr)
		return retry
	}
	return true
}

// uncertainAttempt reports whether a failed attempt of an update may have been applied. Without
// an answer (status 0), only a failure to resolve, connect or agree on TLS rules it out. A 2xx
// whose answer cannot be read was accepted; a 201 with errors applied a part ("one or more
// requests have failed"); a 5xx without the vendor's errors list may be a gateway that cut a
// success off, unless it says the request was turned away (503, 521).
func uncertainAttempt(status int, unreadable bool, vendorErrors int, transportErr error) bool {
	var (
		opErr  *net.OpError
		dnsErr *net.DNSError
	)
	switch {
	case status == 0:
		return !(errors.As(transportErr, &opErr) && opErr.Op == "dial") && !errors.As(transportErr, &dnsErr) && !tlsFailure(transportErr)
	case status >= 200 && status <= 299:
		return unreadable || status == http.StatusCreated
	case status >= 500:
		return vendorErrors == 0 && status != http.StatusServiceUnavailable && status != statusCustomerBusy
	}
	return false
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

// wait is how long to wait before retrying after attempt number attempt (from 1), when the
// server asked for retryAfter or not.
func (s *callSettings) wait(attempt int, retryAfter time.Duration, asked bool) time.Duration {
	return backoff(s.waitMin, s.waitMax, attempt-1, retryAfter, asked)
}

// backoff waits what the server asked for in Retry-After, capped at max; otherwise it grows
// exponentially from min with random jitter, so that many clients do not retry in step:
// retry n (from 0) waits a random time between min and min·2^(n+1), at most max. WithRetries
// bounds max to an hour, so the sums cannot overflow.
func backoff(minWait, maxWait time.Duration, retry int, retryAfter time.Duration, asked bool) time.Duration {
	if asked {
		return min(retryAfter, maxWait)
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
