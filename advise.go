package capillary

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// RetryAdvice is what the SDK's retry policy makes of an error the SDK returned.
type RetryAdvice struct {
	// Retry is true when the SDK would try the call again (never for an Uncertain update).
	Retry bool
	// Wait is how long it would wait first: the server's Retry-After, else the backoff for
	// this attempt.
	Wait time.Duration
	// RateLimited is true when the answer was a 429: the caller should slow down.
	RateLimited bool
}

// AdviseRetry applies c's retry policy (its WithRetries waits) to err, the error of attempt
// number attempt (1 for the first) of a call made through c. It is the decision the SDK's own
// retries follow, for a caller that sends each attempt itself (with WithRetries(0, 0, 0)); the
// caller bounds how many attempts it makes.
func (c *Client) AdviseRetry(err error, attempt int) RetryAdvice {
	var (
		apiErr *APIError
		reqErr *RequestError
		advice RetryAdvice
	)
	switch {
	case err == nil || FailsEveryCall(err):
		return advice
	case errors.As(err, &apiErr):
		advice.RateLimited = apiErr.StatusCode == http.StatusTooManyRequests
		advice.Retry = !apiErr.Uncertain && retryableAnswer(apiErr, apiErr.Method == http.MethodGet)
	case errors.As(err, &reqErr):
		advice.Retry = !reqErr.Uncertain && !errors.Is(err, context.Canceled) &&
			retryableTransportError(context.Background(), reqErr.Err)
	}
	if !advice.Retry {
		return advice
	}
	if apiErr != nil && apiErr.RetryAfter > 0 {
		advice.Wait = min(apiErr.RetryAfter, c.defaults.waitMax)
	} else {
		advice.Wait = backoff(c.defaults.waitMin, c.defaults.waitMax, max(attempt-1, 0), nil)
	}
	return advice
}
