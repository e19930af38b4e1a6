package capillary

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// GetCustomerParams are the query parameters of Get and Lookup. Each is checked against the
// call that documents it: those marked "Get only" are refused by Lookup.
type GetCustomerParams struct {
	// Source is the source whose profile is read, or SourceAll for every source; it is required.
	// Get and Lookup each take the sources the vendor lists for them (GetSources, LookupSources).
	Source Source `url:"source"`
	// AccountID is the source account. Lookup needs it for every source but INSTORE (ALL too).
	AccountID string `url:"accountId,omitempty"`
	// Embed adds parts to the answer (EmbedPoints, EmbedMLP, ...); sent as one comma list. Each
	// call takes the embeds the vendor documents for it: EmbedAlternateCurrencies and the card
	// embeds are Lookup's, EmbedReturnedPoints and EmbedAssociatedImages are Get's.
	Embed []Embed `url:"embed,comma,omitempty"`
	// IncludedOnlyCurrentProfile hides the profiles of other sources (Get only).
	IncludedOnlyCurrentProfile *bool `url:"includedOnlyCurrentProfile,omitempty"`
	// UG2JoinedStartDate keeps the user groups the customer joined from then on (Get only).
	UG2JoinedStartDate *DateTime `url:"ug2JoinedStartDate,omitempty"`
	// UG2JoinedEndDate keeps the user groups the customer joined until then (Get only).
	UG2JoinedEndDate *DateTime `url:"ug2JoinedEndDate,omitempty"`
	// UG2Offset skips that many user groups (Get only).
	UG2Offset *int `url:"ug2Offset,omitempty"`
	// UG2Limit is how many user groups to answer with (Get only).
	UG2Limit *int `url:"ug2Limit,omitempty"`
	// UG2SortBy orders the user groups; the vendor's default is JoinedDate (Get only).
	UG2SortBy string `url:"ug2SortBy,omitempty"`
	// UG2SortOrder is SortAscending or SortDescending, the vendor's default (Get only).
	UG2SortOrder SortOrder `url:"ug2SortOrder,omitempty"`
	// UG2PaginationDetails adds Customer.UG2Pagination to the answer (Get only).
	UG2PaginationDetails *bool `url:"ug2PaginationDetails,omitempty"`
	// IncludedFraudDetails adds the customer's fraud status (Customer.FraudDetails).
	IncludedFraudDetails *bool `url:"includedFraudDetails,omitempty"`
	// IncludedUserGroup2LoyaltyDetails adds the loyalty details of the customer's groups
	// (Customer.GroupLoyaltyProgramDetails).
	IncludedUserGroup2LoyaltyDetails *bool `url:"includedUserGroup2LoyaltyDetails,omitempty"`
	// IncludedAllUserGroup2 adds the customer's details in every user group.
	IncludedAllUserGroup2 *bool `url:"includedAllUserGroup2,omitempty"`
	// UserGroup2ID reads the customer's details in one user group.
	UserGroup2ID *int64 `url:"userGroup2Id,omitempty"`
	// GapToUpgrade adds what the customer lacks to reach the next tier, that many days ahead
	// (0 today, 1 tomorrow), as UpgradeStrategies; it needs EmbedMLP.
	GapToUpgrade *int `url:"gapToUpgrade,omitempty"`
	// GapToRenew adds what the customer lacks to keep the current tier, that many days ahead,
	// as GapToRenewSummary; it needs EmbedMLP.
	GapToRenew *int `url:"gapToRenew,omitempty"`
}

// byIdentifierQuery is the query of the update by identifier.
type byIdentifierQuery struct {
	Source          Source         `url:"source"`
	AccountID       string         `url:"accountId,omitempty"`
	IdentifierName  IdentifierType `url:"identifierName"`
	IdentifierValue string         `url:"identifierValue"`
	UseAsync        *bool          `url:"use_async,omitempty"`
}

// lookupQuery is the query of Lookup: the read's params and the identifiers, comma-joined with
// names and values in the same order.
type lookupQuery struct {
	*GetCustomerParams
	IdentifierName  string `url:"identifierName"`
	IdentifierValue string `url:"identifierValue"`
}

func (s *customersService) UpdateByIdentifier(ctx context.Context, id Identifier, body *UpdateCustomerRequest, params *UpdateCustomerParams, opts ...Option) (*UpdateCustomerResponse, error) {
	r := &request{
		method:   http.MethodPut,
		path:     "/v2/customers/lookup",
		body:     body,
		problems: validateUpdateByIdentifier(id, body, params),
	}
	if params != nil {
		r.params = &byIdentifierQuery{Source: params.Source, AccountID: params.AccountID,
			IdentifierName: id.Type, IdentifierValue: id.Value, UseAsync: params.UseAsync}
	}
	return s.update(ctx, r, opts)
}

func (s *customersService) Get(ctx context.Context, userID string, params *GetCustomerParams, opts ...Option) (*Customer, error) {
	return s.read(ctx, &request{
		method:   http.MethodGet,
		path:     "/v2/customers/" + url.PathEscape(userID),
		params:   params,
		problems: validateGet(userID, params),
	}, opts)
}

func (s *customersService) Lookup(ctx context.Context, ids []Identifier, params *GetCustomerParams, opts ...Option) (*Customer, error) {
	names, values := make([]string, len(ids)), make([]string, len(ids))
	for i, id := range ids {
		names[i], values[i] = string(id.Type), id.Value
	}
	return s.read(ctx, &request{
		method: http.MethodGet,
		path:   "/v2/customers/lookup/customerDetails",
		params: &lookupQuery{GetCustomerParams: params,
			IdentifierName: strings.Join(names, ","), IdentifierValue: strings.Join(values, ",")},
		problems: validateLookup(ids, params),
	}, opts)
}

// read sends a read, which changes nothing: retried on every 5xx, 429 and transport error, and
// never uncertain.
func (s *customersService) read(ctx context.Context, r *request, opts []Option) (*Customer, error) {
	r.read = true
	var a readAnswer
	meta, err := s.client.call(ctx, r, &a, opts)
	if err != nil {
		return nil, err
	}
	a.StatusCode, a.RequestID, a.Attempts = meta.status, meta.requestID, meta.attempts
	return &a.Customer, nil
}

// readAnswer is a read's answer: the customer, whose Unknown holds the vendor's errors list.
type readAnswer struct{ Customer }

func (a *readAnswer) lists() ([]Message, []Message, error) {
	var errs List[Message]
	for name, raw := range a.Unknown {
		if strings.EqualFold(name, "errors") {
			if err := json.Unmarshal(raw, &errs); err != nil {
				return nil, nil, err
			}
			delete(a.Unknown, name)
		}
	}
	if len(a.Unknown) == 0 {
		a.Unknown = nil
	}
	return errs, a.Warnings, nil
}
