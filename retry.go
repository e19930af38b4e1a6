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
	"slices"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// The SDK's retry decision, in one place. It follows the vendor's own tool (Connect+): retry
// 502, 503, 504 and 521, wait on 429. A 500 says the request failed, so only a read retries it.

var retryableStatuses = []int{http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout, statusCustomerBusy}

// statusCustomerBusy is the vendor's 521 (other actions run for the customer), also an error code.
const statusCustomerBusy = 521

// RetryAdvice is what the SDK's retry policy makes of an error the SDK returned.
type RetryAdvice struct {
	Retry       bool          // the SDK would try the call again (never for an Uncertain update)
	Wait        time.Duration // how long it would wait first: the server's Retry-After, else the backoff for this attempt
	RateLimited bool          // the answer was a 429: the caller should slow down
}

// AdviseRetry applies c's retry policy (its WithRetries waits) to err, the error of attempt
// number attempt (1 for the first) of a call made through c. Unlike the Client's own retries, it
// never advises retrying an Uncertain error (read the customer back first); the caller bounds
// the attempts.
func (c *Client) AdviseRetry(err error, attempt int) RetryAdvice {
	a := c.defaults.advise(err, attempt)
	if isUncertain(err) {
		a.Retry, a.Wait = false, 0
	}
	return a
}

// isUncertain reports whether err is a call the SDK judged may have been applied.
func isUncertain(err error) bool {
	var (
		apiErr *APIError
		reqErr *RequestError
	)
	return errors.As(err, &apiErr) && apiErr.Uncertain || errors.As(err, &reqErr) && reqErr.Uncertain
}

// advise is the retry policy for the error of attempt number attempt (from 1). An *APIError is
// judged by its status and codes, anything else by its transport cause; the budget is the caller's.
func (s *callSettings) advise(err error, attempt int) RetryAdvice {
	var (
		apiErr     *APIError
		a          RetryAdvice
		retryAfter time.Duration
	)
	switch {
	case err == nil || errors.As(err, new(*TokenError)) || errors.As(err, new(*ValidationError)) || errors.Is(err, ErrIdentifierConflict):
		return a
	case errors.As(err, &apiErr):
		a.Retry = slices.Contains(retryableStatuses, apiErr.StatusCode) ||
			(apiErr.read && apiErr.StatusCode >= 500 && apiErr.StatusCode <= 599) ||
			slices.ContainsFunc(apiErr.Errors, func(m Message) bool { return m.Code == statusCustomerBusy })
		a.RateLimited, retryAfter = apiErr.StatusCode == http.StatusTooManyRequests, apiErr.RetryAfter
	default:
		a.Retry = retryableTransportError(err)
	}
	if a.Retry {
		a.Wait = backoff(s.waitMin, s.waitMax, attempt-1, retryAfter, retryAfter > 0)
	}
	return a
}

// retryableTransportError reports whether a failure to get an answer may pass: not an ended
// context, an unknown host, or what retryablehttp's own policy refuses (a bad certificate).
func retryableTransportError(err error) bool {
	var (
		dnsErr *net.DNSError
		urlErr *url.Error
	)
	switch {
	case errors.As(err, new(*attemptTimeoutError)):
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

// uncertainAttempt reports whether a failed attempt of an update may have been applied: without
// an answer (status 0) unless it never connected; a 2xx unreadable or a 201 (partly applied);
// a 5xx without the vendor's errors list, unless it turned the request away (503, 521).
func uncertainAttempt(status int, unreadable bool, vendorErrors int, transportErr error) bool {
	var opErr *net.OpError
	switch {
	case status == 0:
		return !(errors.As(transportErr, &opErr) && opErr.Op == "dial") && !errors.As(transportErr, new(*net.DNSError)) && !tlsFailure(transportErr)
	case status >= 200 && status <= 299:
		return unreadable || status == http.StatusCreated
	case status >= 500:
		return vendorErrors == 0 && status != http.StatusServiceUnavailable && status != statusCustomerBusy
	}
	return false
}

// FailsEveryCall reports whether err will fail every call made through the same client until
// its configuration changes: refused credentials, a certificate that does not verify or a
// server that does not speak TLS, or a host name that does not exist.
func FailsEveryCall(err error) bool {
	if errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrForbidden) || errors.Is(err, ErrOAuthCredentials) {
		return true
	}
	var dnsErr *net.DNSError
	return (errors.As(err, &dnsErr) && dnsErr.IsNotFound) || tlsFailure(err)
}

// tlsFailure reports whether err is a failed TLS handshake: a certificate that does not verify,
// a peer answering in plain HTTP, or a TLS alert.
func tlsFailure(err error) bool {
	return errors.As(err, new(*tls.CertificateVerificationError)) || errors.As(err, new(tls.RecordHeaderError)) ||
		errors.Is(err, http.ErrSchemeMismatch) || errors.As(err, new(tls.AlertError)) || errors.As(err, new(x509.UnknownAuthorityError)) ||
		errors.As(err, new(x509.HostnameError)) || errors.As(err, new(x509.CertificateInvalidError))
}

// backoff waits what Retry-After asked (capped at maxWait), else a random time between minWait
// and minWait·2^(retry+1) (retry from 0), at most maxWait, so that clients do not retry in step.
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
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		return time.Duration(min(secs, int64(time.Duration(1<<62)/time.Second))) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}
