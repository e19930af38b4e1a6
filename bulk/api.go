package bulk

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/capillary-go/capillary"
)

// API is what a Runner calls: SDK adapts the SDK's customers service; tests give their own.
// Its methods are called from several goroutines at once.
type API interface {
	// Update sends the row's update once, by user id or by identifier, without retrying: the
	// Runner retries, so that the rate limit governs every attempt and it sees every 429.
	Update(ctx context.Context, row *Row, params *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerResponse, error)
	// Read returns what the customer the row addresses holds now, in the shape of an update
	// body (names, fields, identifiers and channels of the source's profile, loyalty type,
	// extended fields, enrolments), to compare with the row after an answer was lost. It reads once, without
	// retrying, as Update sends.
	Read(ctx context.Context, row *Row, params *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerRequest, error)
	// Validate checks the row's update offline, as Update would, and sends nothing.
	Validate(row *Row, params *capillary.UpdateCustomerParams) []Problem
	// AdviseRetry is the SDK's retry policy (capillary.Client.AdviseRetry) applied to the
	// error of attempt number attempt of an Update or a Read: the Runner keeps none of its own.
	AdviseRetry(err error, attempt int) capillary.RetryAdvice
}

// ErrCannotRead is for an API.Read that has no way to read a customer: rows whose answer is
// lost then stay uncertain.
var ErrCannotRead = errors.New("bulk: reading customers back is not available")

// noRetries turns the SDK's retries off for one call: the Runner makes each attempt itself.
var noRetries = capillary.WithRetries(0, 0, 0)

// SDK adapts a Client to API: its Customers service sends, and its retry policy advises.
func SDK(c *capillary.Client) API { return sdk{c.Customers, c} }

type sdk struct {
	customers capillary.CustomersAPI
	client    *capillary.Client
}

func (s sdk) AdviseRetry(err error, attempt int) capillary.RetryAdvice {
	return s.client.AdviseRetry(err, attempt)
}

func (s sdk) Update(ctx context.Context, row *Row, params *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerResponse, error) {
	if row.byIdentifier() {
		return s.customers.UpdateByIdentifier(ctx, row.Identifier, row.Body, params, noRetries)
	}
	return s.customers.Update(ctx, row.UserID, row.Body, params, noRetries)
}

// Read gets the customer by user id, or looks it up by the row's identifier, on the source the
// row updates, with the loyalty programs when the row enrols the customer in one. A source a read
// does not take is read as ALL (every profile: held picks the one updated).
func (s sdk) Read(ctx context.Context, row *Row, params *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerRequest, error) {
	get := &capillary.GetCustomerParams{Source: params.Source, AccountID: params.AccountID}
	if row.Body != nil && len(row.Body.LoyaltyProgramEnrollments) > 0 {
		get.Embed = []capillary.Embed{capillary.EmbedMLP}
	}
	userID := row.UserID
	if row.byIdentifier() {
		ids := []capillary.Identifier{row.Identifier}
		// The lookup reads a source it takes, with the source's account unless INSTORE; for any
		// other row the customer's id is looked up on INSTORE and the customer read by it.
		if slices.Contains(capillary.LookupSources(), get.Source) && (get.Source == capillary.SourceInstore || get.AccountID != "") {
			c, err := s.customers.Lookup(ctx, ids, get, noRetries)
			if err != nil {
				return nil, err
			}
			return held(c, params), nil
		}
		found, err := s.customers.Lookup(ctx, ids, &capillary.GetCustomerParams{Source: capillary.SourceInstore}, noRetries)
		if err != nil {
			return nil, err
		}
		userID = found.ID.String()
	}
	if !slices.Contains(capillary.GetSources(), get.Source) {
		get.Source = capillary.SourceAll
	}
	c, err := s.customers.Get(ctx, userID, get, noRetries)
	if err != nil {
		return nil, err
	}
	return held(c, params), nil
}

// held is what a customer read back holds, in the shape of an update body: the names, fields,
// identifiers and channels of its profile on the source updated (none if it has none there),
// its loyalty type and extended fields, and the programs it is in with their tiers.
func held(c *capillary.Customer, params *capillary.UpdateCustomerParams) *capillary.UpdateCustomerRequest {
	out := &capillary.UpdateCustomerRequest{ExtendedFields: c.ExtendedFields}
	if c.LoyaltyInfo != nil {
		out.LoyaltyInfo = &capillary.LoyaltyInfo{LoyaltyType: c.LoyaltyInfo.LoyaltyType}
	}
	// Only a profile on the source updated can show its values; the account's when it is there
	// (the vendor's read may name the account otherwise than its update does).
	var p *capillary.CustomerProfile
	for i := range c.Profiles {
		if q := &c.Profiles[i]; strings.EqualFold(string(q.Source), string(params.Source)) && (p == nil || q.AccountID == params.AccountID) {
			p = q
		}
	}
	if p != nil {
		out.Profiles = []capillary.Profile{{FirstName: p.FirstName, LastName: p.LastName, Fields: p.Fields, Identifiers: p.Identifiers, CommChannels: p.CommChannels}}
	}
	for _, d := range c.LoyaltyProgramDetails {
		e := capillary.LoyaltyProgramEnrollment{ProgramID: d.ProgramID}
		if tier := int(d.SlabSNo); tier > 0 {
			e.TierNumber = &tier
		}
		out.LoyaltyProgramEnrollments = append(out.LoyaltyProgramEnrollments, e)
	}
	return out
}

func (sdk) Validate(row *Row, params *capillary.UpdateCustomerParams) []Problem {
	return check(row, params)
}

// check validates a row's update as the SDK does before sending it.
func check(row *Row, params *capillary.UpdateCustomerParams) []Problem {
	if row.byIdentifier() {
		return problemsOf(capillary.CheckUpdateByIdentifier(row.Identifier, row.Body, params))
	}
	return problemsOf(capillary.CheckUpdate(row.UserID, row.Body, params))
}

// ErrOffline is the error of every call through Offline.
var ErrOffline = errors.New("bulk: offline: nothing is sent")

// Offline is an API that checks rows as the SDK does and sends nothing, for dry runs: Update
// and Read fail with ErrOffline.
var Offline API = offline{}

type offline struct{}

func (offline) Update(context.Context, *Row, *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerResponse, error) {
	return nil, ErrOffline
}

func (offline) Read(context.Context, *Row, *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerRequest, error) {
	return nil, ErrOffline
}

func (offline) Validate(row *Row, params *capillary.UpdateCustomerParams) []Problem {
	return check(row, params)
}

func (offline) AdviseRetry(error, int) capillary.RetryAdvice { return capillary.RetryAdvice{} }

// problemsOf turns the SDK's validation error into problems; other errors are none.
func problemsOf(err error) []Problem {
	var ve *capillary.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	out := make([]Problem, len(ve.Problems))
	for i, p := range ve.Problems {
		out[i] = Problem{Field: p.Field, Problem: p.Problem}
	}
	return out
}
