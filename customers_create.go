package capillary

import (
	"context"
	"errors"
	"net/http"
	"regexp"
)

// codeCustomerExists is the vendor's answer to an add of a customer that exists on the same
// source: "Add failed, Customer already exists with id {0} for same source".
const codeCustomerExists = 8006

func (s *customersService) Create(ctx context.Context, body *CreateCustomerRequest, params *CreateCustomerParams, opts ...Option) (*CreateCustomerResponse, error) {
	r := &request{
		method:   http.MethodPost,
		path:     "/v2/customers",
		params:   params,
		body:     body,
		problems: validateCreate(body, params),
		// A replay racing an applied attempt could add a second customer; Upsert looks up instead.
		noReplay: true,
	}
	var a createAnswer
	meta, err := s.client.call(ctx, r, &a, opts)
	if err != nil {
		return nil, err
	}
	res := (*CreateCustomerResponse)(&a.UpdateCustomerResponse)
	res.StatusCode, res.RequestID, res.Attempts = meta.status, meta.requestID, meta.attempts
	return res, nil
}

// CheckCreate is CheckUpdate for CustomersAPI.Create.
func CheckCreate(body *CreateCustomerRequest, params *CreateCustomerParams) error {
	return checked(validateCreate(body, params))
}

// CheckUpsert is CheckUpdate for CustomersAPI.Upsert: the create's checks, and what its
// look-up needs.
func CheckUpsert(body *CreateCustomerRequest, params *CreateCustomerParams) error {
	return checked(validateUpsert(body, params))
}

// createAnswer is a create's answer, the update's envelope.
type createAnswer struct{ updateAnswer }

// applied reports that the answer names the customer it created: with no errors, that settles
// a create whatever its HTTP status, as the vendor files its successful 8050 combine under 500.
func (a *createAnswer) applied() bool { return a.CreatedID != "" }

// appliedAnyway reports whether an answer says its call was applied whatever its HTTP status
// (createAnswer.applied).
func appliedAnyway(out answer) bool {
	a, ok := out.(interface{ applied() bool })
	return ok && a.applied()
}

// existingIDPattern finds the id in 8006's message, "... already exists with id 123 ...".
var existingIDPattern = regexp.MustCompile(`(?i)\bid\s*:?\s*(\d+)`)

// ExistingCustomerID returns the id of the existing customer that an add refused with code
// 8006 names in its message, and whether err is such a refusal naming one.
func ExistingCustomerID(err error) (ID, bool) {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return "", false
	}
	for _, m := range apiErr.Errors {
		if m.Code == codeCustomerExists {
			if match := existingIDPattern.FindStringSubmatch(m.Message); match != nil {
				return ID(match[1]), true
			}
		}
	}
	return "", false
}
