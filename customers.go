package capillary

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// CustomersAPI reads and updates customers: the /v2/customers resource. Client.Customers
// implements it; code that takes a CustomersAPI can be given a substitute in its tests.
type CustomersAPI interface {
	// Update updates the details of customer userID on params.Source: profile, custom and
	// extended fields, channels, loyalty status (non-loyalty to loyalty only) and enrolments.
	// Every problem of the arguments comes at once in a *ValidationError, and nothing is sent;
	// the server's refusals are *APIError (errors.Is: ErrCustomerNotFound for 8015, ...).
	Update(ctx context.Context, userID string, body *UpdateCustomerRequest, params *UpdateCustomerParams, opts ...Option) (*UpdateCustomerResponse, error)

	// UpdateByIdentifier is Update for the customer that id names (mobile, email or
	// externalId): PUT /v2/customers/lookup. MLPSingleEnroll is refused: the vendor does not
	// document it here.
	UpdateByIdentifier(ctx context.Context, id Identifier, body *UpdateCustomerRequest, params *UpdateCustomerParams, opts ...Option) (*UpdateCustomerResponse, error)

	// Get reads customer userID (GET /v2/customers/{id}) with the embeds params asks for. A read
	// is retried on transport errors, 5xx, 429 and 521, and never Uncertain. errors.Is matches
	// ErrCustomerNotFound (8015, 8065), ErrCustomerMerged (8069) and ErrCustomerDeleted (8109).
	Get(ctx context.Context, userID string, params *GetCustomerParams, opts ...Option) (*Customer, error)

	// Lookup reads the customer that ids name (GET /v2/customers/lookup/customerDetails);
	// several identifiers go comma-joined. As Get, and ErrInvalidIdentifier matches 8013.
	Lookup(ctx context.Context, ids []Identifier, params *GetCustomerParams, opts ...Option) (*Customer, error)

	// Create registers a customer (POST /v2/customers, the vendor's add customer). The body
	// needs at least one profile, each with identifiers and a source; params may be nil. Every
	// problem is reported at once in a *ValidationError and nothing is sent.
	//
	// An add cannot update: a customer whose identifier exists on the same source is refused
	// with 8006 (errors.Is matches ErrCustomerExists; ExistingCustomerID reads its id). One
	// whose identifier exists on another source gets a profile on this one, with warning 8050.
	// An answer with a createdId and no errors is a success whatever its HTTP status (the
	// vendor files that combine under 500). A create turned away (429, 503, 521, no connection)
	// is sent again; one that may have been applied (its answer lost, a 502 or 504, a 5xx
	// without the vendor's errors) is not, as the vendor has no idempotency key: it is Uncertain,
	// and Upsert settles it by looking the customer up.
	Create(ctx context.Context, body *CreateCustomerRequest, params *CreateCustomerParams, opts ...Option) (*CreateCustomerResponse, error)

	// Upsert makes the customer look like body, creating it if needed, on params.Source (or
	// the first profile's). It looks the customer up by every identifier of the body that
	// Lookup takes (mobile, email, externalId, cardnumber, cardExternalId, wechat), one call
	// each in the body's order, and refuses identifiers that name two different customers, or
	// an answer whose profiles are two customers' (ErrIdentifierConflict). Found, the customer
	// is updated by id with the body's profiles, loyalty info, extended fields and enrolments
	// (Update's rules; associatedWith, referralCode, statusLabel and subscriptionInfo only
	// apply to a create). Not found, it is created. A create refused with 8006 or 8028 (created
	// in between) updates the existing customer; a create whose answer was lost is settled by
	// looking up again, so a customer is never created twice. The arguments are checked as for
	// Create, and the look-up needs a source Lookup takes (UpsertSources: INSTORE, MARTJACK,
	// WECHAT), an account id on every source but INSTORE, and every profile on that source and
	// account.
	Upsert(ctx context.Context, body *CreateCustomerRequest, params *CreateCustomerParams, opts ...Option) (*UpsertCustomerResponse, error)
}

type customersService struct {
	client *Client
}

// UpdateCustomerParams are the query parameters of the update.
type UpdateCustomerParams struct {
	Source Source `url:"source"` // the source whose profile is updated; required
	// AccountID is the source account, needed for sources with several accounts (WECHAT,
	// FACEBOOK, MOBILE_APP, LINE, WEB_ENGAGE). Sent only when not empty.
	AccountID string `url:"accountId,omitempty"`
	// UseAsync runs loyalty activities in the background (no side effects in the answer) when
	// true. Sent only when set: an explicit false is sent as use_async=false.
	UseAsync        *bool `url:"use_async,omitempty"`
	MLPSingleEnroll *bool `url:"mlp_single_enroll,omitempty"` // true enrols in all the org's loyalty programs
}

// queryKey is the params by value, for the query cache: one element per field (a test checks it).
func (p *UpdateCustomerParams) queryKey() any {
	tristate := func(b *bool) string {
		if b == nil {
			return ""
		}
		return strconv.FormatBool(*b)
	}
	return [4]string{string(p.Source), p.AccountID, tristate(p.UseAsync), tristate(p.MLPSingleEnroll)}
}

func (s *customersService) Update(ctx context.Context, userID string, body *UpdateCustomerRequest, params *UpdateCustomerParams, opts ...Option) (*UpdateCustomerResponse, error) {
	r := &request{
		method:   http.MethodPut,
		path:     "/v2/customers/" + url.PathEscape(userID),
		params:   params,
		body:     body,
		problems: validateUpdate(userID, body, params),
	}
	return s.update(ctx, r, opts)
}

func (s *customersService) update(ctx context.Context, r *request, opts []Option) (*UpdateCustomerResponse, error) {
	var a updateAnswer
	meta, err := s.client.call(ctx, r, &a, opts)
	if err != nil {
		return nil, err
	}
	res := &a.UpdateCustomerResponse
	res.StatusCode, res.RequestID, res.Attempts = meta.status, meta.requestID, meta.attempts
	return res, nil
}

// updateAnswer is an update's answer: the response's fields beside the vendor's errors list.
type updateAnswer struct {
	UpdateCustomerResponse
	Errors List[Message] `json:"errors"`
}

func (a *updateAnswer) lists() ([]Message, []Message, error) { return a.Errors, a.Warnings, nil }

// CheckUpdate checks the arguments of an update as Update does before it sends anything, and
// returns the same *ValidationError or nil, with no Client and no I/O (a bulk dry run). Invalid
// UTF-8 is found only when the body is encoded; a body decoded from JSON has none.
func CheckUpdate(userID string, body *UpdateCustomerRequest, params *UpdateCustomerParams) error {
	return checked(validateUpdate(userID, body, params))
}

// CheckUpdateByIdentifier is CheckUpdate for CustomersAPI.UpdateByIdentifier.
func CheckUpdateByIdentifier(id Identifier, body *UpdateCustomerRequest, params *UpdateCustomerParams) error {
	return checked(validateUpdateByIdentifier(id, body, params))
}

func checked(problems []FieldError) error {
	if len(problems) > 0 {
		return &ValidationError{Problems: problems}
	}
	return nil
}
