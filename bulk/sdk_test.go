package bulk_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/bulk"
	"github.com/capillary-go/capillary/capillarytest"
)

// results keeps a run's outcomes by row.
type results struct {
	mu   sync.Mutex
	rows map[int]bulk.Result
}

func (r *results) Sending(*bulk.Result) error { return nil }

func (r *results) Finished(res *bulk.Result) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rows[res.Row] = *res
	return nil
}

func newFake(t *testing.T, ids ...string) (*capillarytest.Server, *capillary.Client) {
	t.Helper()
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	for _, id := range ids {
		srv.AddCustomer(capillarytest.Customer{ID: id, Profile: capillarytest.Profile{FirstName: "before"}})
	}
	c, err := capillary.NewClient(capillary.WithBaseURL(srv.URL),
		capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword))
	require.NoError(t, err)
	return srv, c
}

func ctxFor(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestRunAgainstTheFake(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t, "101", "102", "103")
	// The first request is turned away as busy, the second throttled: each is sent again.
	srv.InjectFaults(capillarytest.CustomerBusy(), capillarytest.RateLimited(-1))
	in := "userId,firstName,fields.city\n101,Ann,Pune\n102,Bob,\n103,,\n999,Zed,\n"
	rows, err := bulk.ReadCSV(strings.NewReader(in))
	require.NoError(t, err)
	r, err := bulk.New(bulk.SDK(c), bulk.WithConcurrency(1), bulk.WithSource(capillary.SourceInstore, ""))
	require.NoError(t, err)
	got := &results{rows: map[int]bulk.Result{}}
	sum, err := r.Run(ctxFor(t), rows, got)
	require.NoError(t, err)

	assert.Equal(t, 4, sum.Rows)
	assert.Equal(t, 2, sum.Applied)
	assert.Equal(t, 1, sum.Invalid)
	assert.Equal(t, 1, sum.Refused)
	assert.Equal(t, 1, sum.Throttled)
	assert.Equal(t, map[string]int{"invalid": 1, "8015": 1}, sum.Failures)

	ann, _ := srv.Customer("101")
	assert.Equal(t, "Ann", ann.FirstName)
	assert.Equal(t, map[string]any{"city": "Pune"}, ann.Fields)
	bob, _ := srv.Customer("102")
	assert.Equal(t, "Bob", bob.FirstName)

	assert.Equal(t, bulk.Applied, got.rows[1].Status)
	assert.Equal(t, "101", got.rows[1].CreatedID)
	assert.Equal(t, bulk.Applied, got.rows[2].Status)
	assert.Equal(t, 4, got.rows[1].Attempts+got.rows[2].Attempts, "the rows turned away were sent again")
	assert.Equal(t, bulk.Invalid, got.rows[3].Status)
	require.Len(t, got.rows[3].Problems, 1)
	assert.Equal(t, "body", got.rows[3].Problems[0].Field)
	assert.Contains(t, got.rows[3].Problems[0].Problem, "has nothing to update")
	assert.Equal(t, bulk.Refused, got.rows[4].Status)
	assert.Equal(t, capillary.Int(8015), got.rows[4].Errors[0].Code)
	assert.NotEmpty(t, got.rows[4].RequestID)

	puts := 0
	for _, req := range srv.Requests() {
		if req.Method == "PUT" {
			puts++
		}
	}
	assert.Equal(t, 5, puts, "the invalid row was never sent")
}

func TestSDKValidateSendsNothing(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t, "101")
	api := bulk.SDK(c)
	row := &bulk.Row{Number: 1, UserID: "101", Body: &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr(strings.Repeat("x", 101))}}}}
	problems := api.Validate(row, &capillary.UpdateCustomerParams{Source: "NOPE"})
	assert.Equal(t, []bulk.Problem{
		{Field: "params.source", Problem: problems[0].Problem},
		{Field: "profiles[0].firstName", Problem: "is 101 characters long; the vendor keeps at most 100"},
	}, problems)
	row.Body.Profiles[0].FirstName = capillary.Ptr("ok")
	assert.Empty(t, api.Validate(row, &capillary.UpdateCustomerParams{Source: capillary.SourceInstore}))
	assert.Empty(t, srv.Requests())
}

// runRows runs rows against the fake with one worker and returns the outcomes by row.
func runRows(t *testing.T, c *capillary.Client, rows []bulk.Row) (*bulk.Summary, map[int]bulk.Result) {
	t.Helper()
	r, err := bulk.New(bulk.SDK(c), bulk.WithConcurrency(1), bulk.WithSource(capillary.SourceInstore, ""))
	require.NoError(t, err)
	got := &results{rows: map[int]bulk.Result{}}
	sum, err := r.Run(ctxFor(t), func(yield func(bulk.Row, error) bool) {
		for _, row := range rows {
			if !yield(row, nil) {
				return
			}
		}
	}, got)
	require.NoError(t, err)
	return sum, got.rows
}

func firstName(name string) *capillary.UpdateCustomerRequest {
	return &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr(name)}}}
}

func TestLostAnswersAreSettledByReadingBack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fault      capillarytest.Fault
		sends      int
		settlement string
	}{
		{"applied, then the connection dropped", capillarytest.DropAfterHandling(), 1,
			"the answer was lost (capillary: PUT /v2/customers/101: EOF (it may have been applied)); read back: the customer holds every value of the row"},
		{"dropped before it was applied", capillarytest.DropConnection(), 2,
			"read back: not applied (profiles[0].firstName is \"before\", not \"Ann\"), sent again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newFake(t, "101")
			srv.InjectFaults(tt.fault)
			sum, got := runRows(t, c, []bulk.Row{{Number: 1, UserID: "101", Body: firstName("Ann")}})
			assert.Equal(t, 1, sum.Applied)
			res := got[1]
			assert.Equal(t, bulk.Applied, res.Status)
			assert.Equal(t, tt.sends, res.Attempts)
			assert.Contains(t, res.Settlement, tt.settlement)
			counts, _ := srv.UpdateCounts("101")
			assert.Equal(t, 1, counts.Applied, "applied once")
			ann, _ := srv.Customer("101")
			assert.Equal(t, "Ann", ann.FirstName)
		})
	}
}

// A row updated on a source that reads do not take (ECOMMERCE) is read back on ALL.
func TestReadBackOnASourceReadsDoNotTake(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t, "101")
	srv.InjectFaults(capillarytest.DropAfterHandling())
	sum, got := runRows(t, c, []bulk.Row{{Number: 1, UserID: "101", Source: capillary.SourceEcommerce, Body: firstName("Ann")}})
	assert.Equal(t, 1, sum.Applied)
	assert.Contains(t, got[1].Settlement, "read back: the customer holds every value of the row")
	var read []string
	for _, r := range srv.Requests() {
		if r.Method == "GET" {
			read = append(read, r.Query.Encode())
		}
	}
	assert.Equal(t, []string{"source=ALL"}, read)
}

// A row by identifier is read back even on a source the lookup cannot read as it is: one it
// does not take (ECOMMERCE), or one it takes only with an account (MARTJACK without one).
func TestReadBackByIdentifierOnASourceTheLookupCannotRead(t *testing.T) {
	t.Parallel()
	for _, source := range []capillary.Source{capillary.SourceEcommerce, capillary.SourceMartjack} {
		t.Run(string(source), func(t *testing.T) {
			t.Parallel()
			srv, c := newFake(t)
			srv.AddCustomer(capillarytest.Customer{ID: "201", Profile: capillarytest.Profile{FirstName: "before",
				CommChannels: []capillarytest.CommChannel{{Type: "mobile", Value: "919999000001", Primary: true}}}})
			srv.InjectFaults(capillarytest.DropAfterHandling())
			mobile := capillary.Identifier{Type: capillary.IdentifierMobile, Value: "919999000001"}
			sum, got := runRows(t, c, []bulk.Row{{Number: 1, Identifier: mobile, Source: source, Body: firstName("Bea")}})
			assert.Equal(t, 1, sum.Applied, "%+v", got[1])
			assert.Contains(t, got[1].Settlement, "read back: the customer holds every value of the row")
			counts, _ := srv.UpdateCounts("201")
			assert.Equal(t, 1, counts.Received, "sent once")
		})
	}
}

func TestRowsByIdentifier(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t)
	srv.AddCustomer(capillarytest.Customer{
		ID: "201",
		Profile: capillarytest.Profile{
			FirstName:    "before",
			CommChannels: []capillarytest.CommChannel{{Type: "mobile", Value: "919999000001", Primary: true}},
		},
	})
	srv.InjectFaults(capillarytest.DropAfterHandling())
	mobile := capillary.Identifier{Type: capillary.IdentifierMobile, Value: "919999000001"}
	sum, got := runRows(t, c, []bulk.Row{
		{Number: 1, Identifier: mobile, Body: firstName("Bea")},
		{Number: 2, Identifier: capillary.Identifier{Type: capillary.IdentifierMobile, Value: "910000000000"}, Body: firstName("Nobody")},
		{Number: 3, Identifier: capillary.Identifier{Type: capillary.IdentifierCardExternalID, Value: "C1"}, Body: firstName("Card")},
	})
	assert.Equal(t, 1, sum.Applied)
	assert.Equal(t, bulk.Applied, got[1].Status)
	assert.Contains(t, got[1].Settlement, "read back: the customer holds every value of the row")
	assert.Equal(t, &mobile, got[1].Identifier)
	bea, _ := srv.Customer("201")
	assert.Equal(t, "Bea", bea.FirstName)
	assert.Equal(t, bulk.Refused, got[2].Status)
	assert.True(t, got[2].Errors[0].Code > 0, "%+v", got[2])
	assert.Equal(t, bulk.Invalid, got[3].Status, "the update by identifier takes mobile, email, externalId and cardnumber")
	assert.Equal(t, "identifier.type", got[3].Problems[0].Field)
}

func TestRowsInFlightInAnEarlierRunAreReadBackFirst(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t, "101", "102")
	srv.AddCustomer(capillarytest.Customer{ID: "101", Profile: capillarytest.Profile{FirstName: "Ann"}}) // the earlier run's update was applied
	sum, got := runRows(t, c, []bulk.Row{
		{Number: 1, UserID: "101", Body: firstName("Ann"), Settle: true},
		{Number: 2, UserID: "102", Body: firstName("Bob"), Settle: true},
	})
	assert.Equal(t, 2, sum.Applied)
	assert.Equal(t, 1, sum.Sent, "only the row that was not applied is sent")
	assert.Equal(t, 0, got[1].Attempts)
	assert.Contains(t, got[1].Settlement, "in flight when an earlier run stopped; read back: the customer holds every value of the row")
	assert.Equal(t, 1, got[2].Attempts)
	counts, _ := srv.UpdateCounts("101")
	assert.Zero(t, counts.Received)
}

// A lost answer is settled by every value the row sends, compared as the text that was sent.
func TestReadBackComparesEveryValueAsSent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fault      capillarytest.Fault // DropConnection when not set
		seed       capillarytest.Profile
		body       *capillary.UpdateCustomerRequest
		status     bulk.Status
		sends      int
		settlement string
		check      func(t *testing.T, p capillarytest.Profile)
	}{
		{
			name:   "zip 01234 over 1234, dropped before it was applied: sent again",
			seed:   capillarytest.Profile{FirstName: "Ann", Fields: map[string]any{"zip": json.Number("1234")}},
			body:   &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{Fields: map[string]any{"zip": "01234"}}}},
			status: bulk.Applied, sends: 2, settlement: "read back: not applied (profiles[0].fields.zip is 1234, not 01234), sent again",
			check: func(t *testing.T, p capillarytest.Profile) { assert.Equal(t, "01234", p.Fields["zip"]) },
		},
		{
			name:   "a removal dropped before it was applied: sent again",
			seed:   capillarytest.Profile{FirstName: "Ann", Fields: map[string]any{"pet": "cat"}},
			body:   &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr("Ann"), Fields: map[string]any{"pet": nil}}}},
			status: bulk.Applied, sends: 2, settlement: "read back: not applied (profiles[0].fields.pet is cat, not removed), sent again",
			check: func(t *testing.T, p capillarytest.Profile) { assert.NotContains(t, p.Fields, "pet") },
		},
		{
			name:   "a removal applied, then the answer lost: applied, not sent again",
			fault:  capillarytest.DropAfterHandling(),
			seed:   capillarytest.Profile{FirstName: "Ann", Fields: map[string]any{"pet": "cat"}},
			body:   &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr("Ann"), Fields: map[string]any{"pet": nil}}}},
			status: bulk.Applied, sends: 1, settlement: "read back: the customer holds every value of the row",
		},
		{
			name: "an unsubscribe the read does not show: uncertain, with the reason",
			seed: capillarytest.Profile{FirstName: "Ann", CommChannels: []capillarytest.CommChannel{{Type: "email", Value: "ann@example.com", Primary: true}}},
			body: &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr("Ann"),
				CommChannels: []capillary.CommChannel{{Type: capillary.ChannelEmail, Value: "ann@example.com", Subscribed: capillary.Ptr(false)}}}}},
			status: bulk.Uncertain, sends: 1, settlement: "the read-back cannot tell: profiles[0].commChannels[0].subscribed: the read-back does not show it",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newFake(t)
			srv.AddCustomer(capillarytest.Customer{ID: "101", Profile: tt.seed})
			fault := tt.fault
			if !fault.Drop {
				fault = capillarytest.DropConnection()
			}
			srv.InjectFaults(fault)
			_, got := runRows(t, c, []bulk.Row{{Number: 1, UserID: "101", Body: tt.body}})
			res := got[1]
			assert.Equal(t, tt.status, res.Status, "%+v", res)
			assert.Equal(t, tt.sends, res.Attempts)
			assert.Contains(t, res.Settlement, tt.settlement)
			if tt.check != nil {
				p, _ := srv.Customer("101")
				tt.check(t, p.Profile)
			}
		})
	}
}
