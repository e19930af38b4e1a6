package capillary

import (
	"errors"
	"net/http"
	"slices"
	"time"
)

// The SDK's retry decision, in one place: the engine's CheckRetry and Backoff (call.go) adapt
// it, and AdviseRetry gives it to callers that send each attempt themselves (bulk).

// RetryAdvice is what the SDK's retry policy makes of an error the SDK returned.
type RetryAdvice struct {
	Retry       bool          // the SDK would try the call again (never for an Uncertain update)
	Wait        time.Duration // how long it would wait first: the server's Retry-After, else the backoff for this attempt
	RateLimited bool          // the answer was a 429: the caller should slow down
}

// AdviseRetry applies c's retry policy (its WithRetries waits) to err, the error of attempt
// number attempt (1 for the first) of a call made through c. It is the policy the Client's own
// retries follow, with one difference: inside a call the SDK replays an update whose attempt may
// have been applied (a 502, a broken connection), as the vendor's tool does, while an error the
// SDK returned with Uncertain set is never advised for a retry: read the customer back first.
// How many attempts to make is the caller's to bound (the bulk runner's WithMaxAttempts), as
// WithRetries bounds the Client's own.
func (c *Client) AdviseRetry(err error, attempt int) RetryAdvice {
	a := c.defaults.advise(err, attempt)
	var apiErr *APIError
	var reqErr *RequestError
	if errors.As(err, &apiErr) && apiErr.Uncertain || errors.As(err, &reqErr) && reqErr.Uncertain {
		a.Retry, a.Wait = false, 0
	}
	return a
}

// advise is the retry policy: whether the error of attempt number attempt (from 1) is worth
// another attempt, and how long to wait first. The budget is not its business: the engine's is
// go-retryablehttp's RetryMax, and a caller of AdviseRetry bounds its own attempts. An *APIError is judged by its
// status and codes, anything else by its transport cause; a refusal before sending (a
// *ValidationError) or a failed token generation is not retried.
func (s *callSettings) advise(err error, attempt int) RetryAdvice {
	var (
		apiErr     *APIError
		tokenErr   *TokenError
		invalid    *ValidationError
		a          RetryAdvice
		retryAfter time.Duration
	)
	switch {
	case err == nil || errors.As(err, &tokenErr) || errors.As(err, &invalid):
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
		a.Wait = s.wait(attempt, retryAfter, retryAfter > 0)
	}
	return a
}
