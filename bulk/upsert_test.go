package bulk

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
)

// fakeUpserter answers upserts with a function of the row and of how many times it was sent.
type fakeUpserter struct {
	*fakeAPI
	upsert func(row *Row, n int) (*capillary.UpsertCustomerResponse, error)
}

func (f *fakeUpserter) Upsert(ctx context.Context, row *Row, params *capillary.UpdateCustomerParams) (*capillary.UpsertCustomerResponse, error) {
	f.mu.Lock()
	f.sends[row.Number]++
	n := f.sends[row.Number]
	f.mu.Unlock()
	return f.upsert(row, n)
}

// mobileRows are n upsert rows addressing customers by mobile.
func mobileRows(n int) []Row {
	rows := nameRows(n)
	for i := range rows {
		rows[i].UserID, rows[i].Identifier = "", capillary.Identifier{Type: capillary.IdentifierMobile, Value: "9199000000" + itoa(i+1)}
	}
	return rows
}

// An upsert run records what each row did, counts both, sends a row whose answer was lost
// again rather than reading it back, and calls a row lost every time uncertain.
func TestUpsertRun(t *testing.T) {
	t.Parallel()
	lost := &capillary.RequestError{Method: "POST", Path: "/v2/customers", Uncertain: true, Err: errors.New("connection reset")}
	f := &fakeUpserter{fakeAPI: newFakeAPI(nil), upsert: func(row *Row, n int) (*capillary.UpsertCustomerResponse, error) {
		switch {
		case row.Number == 2 && n == 1: // created, and the answer lost
			return nil, lost
		case row.Number == 3:
			return nil, lost
		}
		return &capillary.UpsertCustomerResponse{Created: row.Number == 1, CustomerID: capillary.ID("7" + itoa(row.Number)), StatusCode: 200}, nil
	}}
	r, err := New(f, WithConcurrency(2), WithSource(capillary.SourceInstore, ""))
	require.NoError(t, err)
	j := newMemJournal()
	rows := mobileRows(4)
	rows[3].Settle = true // in flight when an earlier run stopped
	sum, err := r.Run(testCtx(t), seq(rows), j)
	require.NoError(t, err)

	assert.Equal(t, ActionCreated, j.result(t, 1).Action)
	assert.Equal(t, "71", j.result(t, 1).CreatedID)
	assert.Equal(t, ActionUpdated, j.result(t, 2).Action, "sent again: the customer is found")
	assert.Equal(t, 2, j.result(t, 2).Attempts)
	assert.Equal(t, Uncertain, j.result(t, 3).Status)
	assert.Empty(t, j.result(t, 3).Action)
	assert.Equal(t, DefaultMaxAttempts, f.sent(3))
	assert.Equal(t, ActionUpdated, j.result(t, 4).Action)
	assert.Equal(t, 1, sum.Created)
	assert.Equal(t, 2, sum.Updated)
	assert.Equal(t, 3, sum.Applied)
	assert.Equal(t, 1, sum.Uncertain)
	assert.Zero(t, sum.Reads, "upserts are never read back")
}

// An upsert row is checked as the SDK's Upsert checks it: it needs an identifier, and the
// look-up's account id.
func TestUpsertValidate(t *testing.T) {
	t.Parallel()
	byID := nameRow(1)
	assert.Equal(t, []Problem{{Field: "userId", Problem: "an upsert finds or creates its customer by identifier (mobile, email or externalId), not by user id"}},
		OfflineUpsert.Validate(&byID, &capillary.UpdateCustomerParams{Source: capillary.SourceInstore}))
	row := mobileRows(1)[0]
	assert.Empty(t, OfflineUpsert.Validate(&row, &capillary.UpdateCustomerParams{Source: capillary.SourceInstore}))
	assert.Equal(t, []Problem{{Field: "params.accountId", Problem: "is required for an upsert on source WECHAT: its look-up needs it (every source but INSTORE)"}},
		OfflineUpsert.Validate(&row, &capillary.UpdateCustomerParams{Source: capillary.SourceWeChat}))
}

// A row's upsert body: the update's, with the identifier and the source in its profile.
func TestUpsertBody(t *testing.T) {
	t.Parallel()
	mobile := capillary.Identifier{Type: capillary.IdentifierMobile, Value: "919900000001"}
	params := &capillary.UpdateCustomerParams{Source: capillary.SourceWeChat, AccountID: "wx-1"}
	tests := []struct {
		name string
		row  Row
		want *capillary.CreateCustomerRequest
	}{
		{"no profile", Row{Identifier: mobile, Body: &capillary.UpdateCustomerRequest{ExtendedFields: map[string]any{"city": "Pune"}, Fields: map[string]any{"tier": "gold"}}},
			&capillary.CreateCustomerRequest{ExtendedFields: map[string]any{"city": "Pune"},
				Profiles: []capillary.Profile{{Identifiers: []capillary.Identifier{mobile}, Source: capillary.SourceWeChat, AccountID: "wx-1", Fields: map[string]any{"tier": "gold"}}}}},
		{"a profile with the identifier and a source", Row{Identifier: mobile, Body: &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{
			{FirstName: capillary.Ptr("Ann"), Identifiers: []capillary.Identifier{mobile}, Source: capillary.SourceInstore}}}},
			&capillary.CreateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr("Ann"), Identifiers: []capillary.Identifier{mobile}, Source: capillary.SourceInstore}}}},
		{"no body", Row{Identifier: mobile},
			&capillary.CreateCustomerRequest{Profiles: []capillary.Profile{{Identifiers: []capillary.Identifier{mobile}, Source: capillary.SourceWeChat, AccountID: "wx-1"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, upsertBody(&tt.row, params))
		})
	}
}

// An upsert row whose answer was lost, sent again and then turned away until its attempts ran
// out, may still have been applied by the lost try: it is uncertain, not refused.
func TestUpsertLostThenTurnedAwayIsUncertain(t *testing.T) {
	t.Parallel()
	lost := &capillary.RequestError{Method: "POST", Path: "/v2/customers", Uncertain: true, Err: errors.New("connection reset")}
	busy := &capillary.APIError{StatusCode: 503, Method: "GET", Path: "/v2/customers/lookup/customerDetails"}
	f := &fakeUpserter{fakeAPI: newFakeAPI(nil), upsert: func(_ *Row, n int) (*capillary.UpsertCustomerResponse, error) {
		if n == 1 {
			return nil, lost
		}
		return nil, busy
	}}
	r := newRunner(t, f, WithSource(capillary.SourceInstore, ""))
	r.cfg.after = (&immediately{}).after
	j := newMemJournal()
	sum, err := r.Run(testCtx(t), seq(mobileRows(1)), j)
	require.NoError(t, err)
	assert.Equal(t, DefaultMaxAttempts, f.sent(1))
	assert.Equal(t, Uncertain, j.result(t, 1).Status, "the first try may have created or updated the customer")
	assert.Equal(t, 1, sum.Uncertain)
}
