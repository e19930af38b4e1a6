package bulk

import (
	"errors"

	"github.com/capillary-go/capillary"
)

// uncertain reports whether the SDK says that a failed call may have been applied.
func uncertain(err error) bool {
	var (
		apiErr *capillary.APIError
		reqErr *capillary.RequestError
	)
	return (errors.As(err, &apiErr) && apiErr.Uncertain) || (errors.As(err, &reqErr) && reqErr.Uncertain)
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

func (discard) Sending(*Result) error  { return nil }
func (discard) Finished(*Result) error { return nil }
