package bulk

import (
	"context"
	"maps"
	"slices"

	"github.com/capillary-go/capillary"
)

// An upsert run makes each row's customer look like the row, creating it when the vendor does
// not know it: the Runner sends capillary's Upsert instead of the update. Its rows address
// customers by identifier (mobile, email or externalId); the identifier goes into the body's
// profile, so that a created customer has it. A row whose answer was lost, or that an earlier
// run left in flight, is sent again rather than read back: an upsert looks the customer up
// first, so it never creates a customer twice, and the row's action says what it did.

// The actions of an applied upsert row (Result.Action).
const (
	ActionCreated = "created"
	ActionUpdated = "updated"
)

// Upserter is an API whose rows are upserts (SDKUpsert): the Runner calls Upsert instead of
// Update. Like Update, Upsert sends once, without retrying.
type Upserter interface {
	API
	Upsert(ctx context.Context, row *Row, params *capillary.UpdateCustomerParams) (*capillary.UpsertCustomerResponse, error)
}

// SDKUpsert adapts a Client to an Upserter: its Customers service upserts each row, and its
// retry policy advises.
func SDKUpsert(c *capillary.Client) Upserter { return upsertSDK{sdk{c.Customers, c}} }

type upsertSDK struct{ sdk }

func (s upsertSDK) Upsert(ctx context.Context, row *Row, params *capillary.UpdateCustomerParams) (*capillary.UpsertCustomerResponse, error) {
	return s.customers.Upsert(ctx, upsertBody(row, params), createParams(params), noRetries)
}

func (upsertSDK) Validate(row *Row, params *capillary.UpdateCustomerParams) []Problem {
	return checkUpsert(row, params)
}

// OfflineUpsert is Offline for upsert rows: it checks them as SDKUpsert does, and sends nothing.
var OfflineUpsert Upserter = offlineUpsert{}

type offlineUpsert struct{ offline }

func (offlineUpsert) Upsert(context.Context, *Row, *capillary.UpdateCustomerParams) (*capillary.UpsertCustomerResponse, error) {
	return nil, ErrOffline
}

func (offlineUpsert) Validate(row *Row, params *capillary.UpdateCustomerParams) []Problem {
	return checkUpsert(row, params)
}

// checkUpsert validates an upsert row as the SDK does before sending it.
func checkUpsert(row *Row, params *capillary.UpdateCustomerParams) []Problem {
	if !row.byIdentifier() {
		return []Problem{{Field: "userId", Problem: "an upsert finds or creates its customer by identifier (mobile, email or externalId), not by user id"}}
	}
	return problemsOf(capillary.CheckUpsert(upsertBody(row, params), createParams(params)))
}

// createParams are the upsert's params for a row's update params.
func createParams(p *capillary.UpdateCustomerParams) *capillary.CreateCustomerParams {
	return &capillary.CreateCustomerParams{Source: p.Source, AccountID: p.AccountID, MLPSingleEnroll: p.MLPSingleEnroll}
}

// upsertBody is a row's upsert: its update body, whose first profile (made when it has none)
// carries the row's identifier and the source; the top-level custom fields, which the add does
// not take, go into that profile's fields, as the update applies them there.
func upsertBody(row *Row, params *capillary.UpdateCustomerParams) *capillary.CreateCustomerRequest {
	body := &capillary.CreateCustomerRequest{}
	var prof capillary.Profile
	if b := row.Body; b != nil {
		body.LoyaltyInfo, body.ExtendedFields, body.LoyaltyProgramEnrollments, body.Unknown = b.LoyaltyInfo, b.ExtendedFields, b.LoyaltyProgramEnrollments, b.Unknown
		body.Profiles = slices.Clone(b.Profiles)
		if len(b.Profiles) > 0 {
			prof = b.Profiles[0]
		}
		if len(b.Fields) > 0 {
			prof.Fields = maps.Clone(prof.Fields)
			if prof.Fields == nil {
				prof.Fields = map[string]any{}
			}
			maps.Copy(prof.Fields, b.Fields)
		}
	}
	if id := row.Identifier; !slices.ContainsFunc(prof.Identifiers, func(have capillary.Identifier) bool { return have.Type == id.Type && have.Value == id.Value }) {
		prof.Identifiers = append([]capillary.Identifier{{Type: id.Type, Value: id.Value}}, prof.Identifiers...)
	}
	if prof.Source == "" {
		prof.Source, prof.AccountID = params.Source, params.AccountID
	}
	if len(body.Profiles) == 0 {
		body.Profiles = []capillary.Profile{prof}
	} else {
		body.Profiles[0] = prof
	}
	return body
}

// upserts reports whether the run's rows are upserts.
func (ru *run) upserts() bool {
	_, ok := ru.api.(Upserter)
	return ok
}

// send sends a row once: its update, or its upsert, whose action it records.
func (ru *run) send(t *task) (*capillary.UpdateCustomerResponse, error) {
	up, ok := ru.api.(Upserter)
	if !ok {
		return ru.api.Update(ru.callCtx, &t.row, &t.params)
	}
	t.res.Action = ""
	res, err := up.Upsert(ru.callCtx, &t.row, &t.params)
	if err != nil {
		return nil, err
	}
	t.res.Action = ActionUpdated
	if res.Created {
		t.res.Action = ActionCreated
	}
	return &capillary.UpdateCustomerResponse{CreatedID: res.CustomerID, Warnings: res.Warnings, SideEffects: res.SideEffects,
		StatusCode: res.StatusCode, RequestID: res.RequestID, Attempts: res.Attempts}, nil
}
