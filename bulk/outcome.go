package bulk

import (
	"errors"
	"net/http"
	"time"

	"github.com/capillary-go/capillary"
)

// kind is what an update's answer means for its row.
type kind int

const (
	succeeded  kind = iota
	invalid         // refused by the SDK before sending
	throttled       // 429: the rate limit
	turnedAway      // 521, 503, no connection: not applied; try again later
	lost            // no answer, or one that may hide an applied update: read back
	refused         // the vendor's refusal, or a failure that is not worth another try
)

// classify reads an update's error. 429, 521 and 503 turn the call away whatever their body
// says. A 500, 502 or 504 without the vendor's errors list may have come after the update was
// applied, as may a call the SDK reports Uncertain; with the list, it is a refusal.
func classify(err error) kind {
	if err == nil {
		return succeeded
	}
	if errors.Is(err, capillary.ErrInvalidRequest) {
		return invalid
	}
	var apiErr *capillary.APIError
	if errors.As(err, &apiErr) {
		switch {
		case apiErr.Uncertain:
			return lost
		case apiErr.StatusCode == http.StatusTooManyRequests:
			return throttled
		case errors.Is(err, capillary.ErrCustomerBusy), apiErr.StatusCode == http.StatusServiceUnavailable:
			return turnedAway
		case len(apiErr.Errors) == 0 && (apiErr.StatusCode == http.StatusInternalServerError ||
			apiErr.StatusCode == http.StatusBadGateway || apiErr.StatusCode == http.StatusGatewayTimeout):
			return lost
		}
		return refused
	}
	var reqErr *capillary.RequestError
	if errors.As(err, &reqErr) {
		if reqErr.Uncertain {
			return lost
		}
		return turnedAway
	}
	return refused
}

// retryAfterOf is the Retry-After of a 429, or 0.
func retryAfterOf(err error) time.Duration {
	var apiErr *capillary.APIError
	if errors.As(err, &apiErr) {
		return apiErr.RetryAfter
	}
	return 0
}

// isNotFound reports whether a read found no such customer.
func isNotFound(err error) bool {
	return errors.Is(err, capillary.ErrCustomerNotFound)
}

// fillResponse records a successful answer.
func (r *Result) fillResponse(resp *capillary.UpdateCustomerResponse) {
	r.Errors, r.Error = nil, ""
	if resp == nil {
		return
	}
	r.CreatedID = resp.CreatedID.String()
	r.HTTPStatus = resp.StatusCode
	r.RequestID = resp.RequestID
	r.Warnings = resp.Warnings
	r.SideEffects = resp.SideEffects
}

// fillError records a failed answer: the vendor's codes and messages when it sent them, the
// error in words otherwise.
func (r *Result) fillError(err error) {
	r.Errors, r.Warnings, r.HTTPStatus, r.RequestID = nil, nil, 0, ""
	var apiErr *capillary.APIError
	if errors.As(err, &apiErr) {
		r.HTTPStatus, r.RequestID = apiErr.StatusCode, apiErr.RequestID
		r.Errors, r.Warnings = apiErr.Errors, apiErr.Warnings
		if len(apiErr.Errors) > 0 {
			return
		}
	}
	r.Error = err.Error()
}

// discard is the Journal of a run that records nothing.
type discard struct{}

func (discard) Sending(int) error      { return nil }
func (discard) Finished(*Result) error { return nil }
