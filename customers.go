package capillary

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/google/go-querystring/query"
)

// CustomersAPI is what CustomersService does, for callers who substitute their own
// implementation in their tests.
type CustomersAPI interface {
	// Update updates a customer's details; see CustomersService.Update.
	Update(ctx context.Context, userID string, body *UpdateCustomerRequest, params *UpdateCustomerParams, opts ...Option) (*UpdateCustomerResponse, error)
}

var _ CustomersAPI = (*CustomersService)(nil)

// CustomersService updates customers: the /v2/customers resource.
type CustomersService struct {
	client *Client
}

// UpdateCustomerParams are the query parameters of the update.
type UpdateCustomerParams struct {
	// Source is the source whose profile is updated; it is required.
	Source Source `url:"source"`
	// AccountID is the source account, needed for sources with several accounts (WECHAT,
	// FACEBOOK, MOBILE_APP, LINE, WEB_ENGAGE). It is sent only when not empty.
	AccountID string `url:"accountId,omitempty"`
	// UseAsync runs loyalty activities in the background (no side effects in the answer) when
	// true. Sent only when set: an explicit false is sent as use_async=false.
	UseAsync *bool `url:"use_async,omitempty"`
	// MLPSingleEnroll, when true, enrols the customer in all of the org's loyalty programs.
	MLPSingleEnroll *bool `url:"mlp_single_enroll,omitempty"`
}

// Update updates the details of customer userID on params.Source: profile, custom and extended
// fields, communication channels, loyalty status (non-loyalty to loyalty only) and program
// enrolments. Identifiers and the source type cannot be changed this way.
//
// The arguments are checked first: every problem is reported at once in a *ValidationError and
// nothing is sent. The server's refusals come back as *APIError (errors.Is matches
// ErrCustomerNotFound for code 8015, ErrInvalidSourceAccount for 3217, and so on). opts apply
// to this call only.
func (s *CustomersService) Update(ctx context.Context, userID string, body *UpdateCustomerRequest, params *UpdateCustomerParams, opts ...Option) (*UpdateCustomerResponse, error) {
	cfg, problems := s.client.callConfig(opts)
	if ctx == nil {
		problems = append(problems, FieldError{Field: "ctx", Problem: "is nil; use context.Background()"})
	}
	path, rawQuery, payload, err := encodeUpdate(userID, body, params, problems)
	if err != nil {
		return nil, err
	}
	var out updateEnvelope
	meta, err := cfg.do(ctx, http.MethodPut, path, rawQuery, payload, &out)
	if err != nil {
		return nil, err
	}
	res := &out.UpdateCustomerResponse
	res.StatusCode, res.RequestID, res.Attempts = meta.status, meta.requestID, meta.attempts
	return res, nil
}

// encodeUpdate checks an update's arguments and encodes its path, query and body: the work of
// a call before any I/O, apart from the headers. The problems already found (call options, a
// nil context) come first in the *ValidationError it returns.
func encodeUpdate(userID string, body *UpdateCustomerRequest, params *UpdateCustomerParams, problems []FieldError) (path, rawQuery string, payload []byte, err error) {
	problems = append(problems, validateUpdate(userID, body, params)...)
	if len(problems) > 0 {
		return "", "", nil, &ValidationError{Problems: problems}
	}
	q, err := query.Values(params)
	if err != nil {
		return "", "", nil, &ValidationError{Problems: []FieldError{{Field: "params", Problem: err.Error()}}}
	}
	payload, err = json.Marshal(body)
	if err != nil {
		return "", "", nil, &ValidationError{Problems: []FieldError{{Field: "body", Problem: "cannot be encoded as JSON: " + err.Error()}}}
	}
	return "/v2/customers/" + url.PathEscape(userID), q.Encode(), payload, nil
}

// updateEnvelope decodes the update's answer and the vendor's errors list in one pass.
type updateEnvelope struct {
	UpdateCustomerResponse
	Errors []Message `json:"errors"`
}

func (e *updateEnvelope) reset()                    { *e = updateEnvelope{} }
func (e *updateEnvelope) vendorErrors() []Message   { return e.Errors }
func (e *updateEnvelope) vendorWarnings() []Message { return e.Warnings }
