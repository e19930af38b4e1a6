package capillarytest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/capillarytest"
)

// add sends POST /v2/customers?query with the default till.
func add(t *testing.T, srv *capillarytest.Server, query, body string) reply {
	t.Helper()
	return send(t, http.MethodPost, srv.URL+"/v2/customers?"+query, body, nil)
}

const externalIDAdd = `{"profiles": [{"identifiers": [{"type": "externalId", "value": "879577211225"}], "source": "INSTORE"}]}`

// The add's rules, one row each, on a server holding Tom Sawyer on INSTORE.
func TestAddRules(t *testing.T) {
	t.Parallel()
	deleted := capillarytest.Customer{ID: "9", Deleted: true, Profile: capillarytest.Profile{
		Identifiers: []capillarytest.Identifier{{Type: "externalId", Value: "gone-1"}}}}
	tests := []struct {
		name, query, body string
		status            int
		errors, warnings  []int
		createdID         string
	}{
		{name: "created", query: "source=INSTORE", body: externalIDAdd, status: 200,
			warnings: []int{8107}, createdID: "500000001"},
		{name: "no query source: the profile's", body: externalIDAdd, status: 200,
			warnings: []int{8107}, createdID: "500000001"},
		{name: "non-loyalty: no status label warning", query: "source=INSTORE",
			body:   `{"loyaltyInfo": {"loyaltyType": "non_loyalty"}, "profiles": [{"identifiers": [{"type": "cuid", "value": "c-1"}], "source": "INSTORE"}]}`,
			status: 200, warnings: []int{}, createdID: "500000001"},
		{name: "exists on the same source", query: "source=INSTORE",
			body:   `{"profiles": [{"identifiers": [{"type": "mobile", "value": "9999000000"}], "source": "INSTORE"}]}`,
			status: 400, errors: []int{8006}},
		{name: "exists on another source: combined", query: "source=WECHAT&accountId=wx-1",
			body:   `{"profiles": [{"firstName": "Tom", "identifiers": [{"type": "email", "value": "tomsawyer@gmail.com"}], "source": "WECHAT", "accountId": "wx-1"}]}`,
			status: 200, warnings: []int{8050}, createdID: tomID},
		{name: "no identifier", query: "source=INSTORE", body: `{"profiles": [{"firstName": "Tom", "source": "INSTORE"}]}`,
			status: 400, errors: []int{8005}},
		{name: "no profile", query: "source=INSTORE", body: `{"extendedFields": {}}`,
			status: 400, errors: []int{8005}},
		{name: "no valid identifier", query: "source=INSTORE",
			body:   `{"profiles": [{"identifiers": [{"type": "email", "value": "not-an-address"}, {"type": "mobile", "value": "12"}], "source": "INSTORE"}]}`,
			status: 400, errors: []int{8005}},
		{name: "profile without source", query: "source=INSTORE", body: `{"profiles": [{"identifiers": [{"type": "externalId", "value": "e"}]}]}`,
			status: 400, errors: []int{8003}},
		{name: "multi-account source without account", body: `{"profiles": [{"identifiers": [{"type": "externalId", "value": "e"}], "source": "WECHAT"}]}`,
			status: 400, errors: []int{8045}},
		{name: "unknown query source", query: "source=SHOP", body: externalIDAdd, status: 400, errors: []int{8003}},
		{name: "deleted after a PII request", query: "source=INSTORE",
			body:   `{"profiles": [{"identifiers": [{"type": "externalId", "value": "gone-1"}], "source": "INSTORE"}]}`,
			status: 400, errors: []int{8026}},
		{name: "every problem at once", query: "source=INSTORE",
			body:   `{"referralCode": 5, "subscriptionInfo": {"subscriptions": [{"channel": 1}]}, "profiles": [{"identifiers": [{"type": "cardnumber", "value": "1", "seriesId": "x"}], "source": "INSTORE", "nickname": "T"}]}`,
			status: 400, errors: []int{400, 400, 400, 400}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer(), deleted), capillarytest.WithSourceAccounts("WECHAT", "wx-1"))
			t.Cleanup(srv.Close)
			got := add(t, srv, tt.query, tt.body)
			require.Equal(t, tt.status, got.status, got.body)
			e := decode(t, got.body)
			if tt.errors != nil {
				assert.Equal(t, tt.errors, codes(e.Errors), got.body)
				return
			}
			assert.Empty(t, e.Errors)
			assert.Equal(t, tt.warnings, codes(e.Warnings))
			assert.Equal(t, tt.createdID, e.CreatedID.String())
		})
	}
}

// 8006 names the existing customer as the vendor words it, and the 8050 combine adds the
// profile to the existing customer.
func TestAddExistsAndCombine(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()), capillarytest.WithSourceAccounts("WECHAT", "wx-1"))
	t.Cleanup(srv.Close)
	got := add(t, srv, "source=INSTORE", `{"profiles": [{"identifiers": [{"type": "mobile", "value": "9999000000"}], "source": "INSTORE"}]}`)
	assert.Equal(t, "Add failed, Customer already exists with id "+tomID+" for same source: mobile 9999000000 is customer "+tomID+"'s on source INSTORE",
		decode(t, got.body).Errors[0].Message)

	got = add(t, srv, "source=WECHAT&accountId=wx-1", `{"profiles": [{"firstName": "Tommy", "identifiers": [{"type": "mobile", "value": "9999000000"}], "source": "WECHAT", "accountId": "wx-1"}]}`)
	require.Equal(t, http.StatusOK, got.status, got.body)
	assert.Equal(t, "Same Customer found in other sources, Combining: the profile was added to customer "+tomID, decode(t, got.body).Warnings[0].Message)
	tom, ok := srv.Customer(tomID)
	require.True(t, ok)
	require.Len(t, tom.OtherProfiles, 1)
	assert.Equal(t, capillarytest.Profile{Source: "WECHAT", AccountID: "wx-1", FirstName: "Tommy",
		Identifiers: []capillarytest.Identifier{{Type: "mobile", Value: "9999000000"}}}, tom.OtherProfiles[0])
	assert.Len(t, srv.Customers(), 1, "no customer was created")
}

// Every add sample of the vendor's page is accepted.
func TestAddVendorSamples(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "add_customer", "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 6)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(file)
			require.NoError(t, err)
			srv := capillarytest.NewServer(capillarytest.WithSourceAccounts("MOBILE_APP", "testmobilepush1"),
				capillarytest.WithSourceAccounts("LINE", "2001914141242"))
			t.Cleanup(srv.Close)
			got := add(t, srv, "", string(body))
			require.Equal(t, http.StatusOK, got.status, got.body)
			assert.Equal(t, "500000001", decode(t, got.body).CreatedID.String())
			assert.Len(t, srv.Customers(), 1)
		})
	}
}

// Two adds of one identifier at once create one customer; the other answers 8006 with its id.
func TestAddConcurrentSameIdentifier(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	const n = 8
	replies := make([]reply, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i] = add(t, srv, "source=INSTORE", externalIDAdd)
		}()
	}
	wg.Wait()
	created := 0
	for _, r := range replies {
		if r.status == http.StatusOK {
			created++
			continue
		}
		assert.Equal(t, []int{8006}, codes(decode(t, r.body).Errors))
	}
	assert.Equal(t, 1, created)
	assert.Len(t, srv.Customers(), 1)
}

// The add and the update are rate limited separately, as the vendor limits each API.
func TestAddRateLimitedApartFromUpdate(t *testing.T) {
	t.Parallel()
	clock := capillarytest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()), capillarytest.WithClock(clock.Now),
		capillarytest.WithRateLimit(1, time.Minute))
	t.Cleanup(srv.Close)
	assert.Equal(t, http.StatusOK, add(t, srv, "source=INSTORE", externalIDAdd).status)
	assert.Equal(t, http.StatusOK, update(t, srv, tomID, "source=INSTORE", `{"extendedFields": {"city": "Pune"}}`).status)
	assert.Equal(t, http.StatusTooManyRequests, add(t, srv, "source=INSTORE", `{"profiles": [{"identifiers": [{"type": "externalId", "value": "2"}], "source": "INSTORE"}]}`).status)
	assert.Equal(t, map[string]int{"POST /v2/customers": 2, "PUT /v2/customers/{userId}": 1}, srv.Peak().ByAPI)
}

// Through the SDK: a created customer reads back with Get and Lookup and can be updated, and
// Upsert updates it rather than creating it twice.
func TestSDKCreateReadUpdateUpsert(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	c := newClient(t, srv)
	ctx := context.Background()
	params := &capillary.CreateCustomerParams{Source: capillary.SourceInstore}
	body := &capillary.CreateCustomerRequest{Profiles: []capillary.Profile{{
		FirstName:   capillary.Ptr("Huck"),
		Identifiers: []capillary.Identifier{{Type: capillary.IdentifierMobile, Value: "919988221100"}},
		Source:      capillary.SourceInstore,
	}}}

	res, err := c.Customers.Create(ctx, body, params)
	require.NoError(t, err)
	id := string(res.CreatedID)

	got, err := c.Customers.Get(ctx, id, &capillary.GetCustomerParams{Source: capillary.SourceInstore})
	require.NoError(t, err)
	assert.Equal(t, "Huck", capillary.Deref(got.Profiles[0].FirstName))
	found, err := c.Customers.Lookup(ctx, body.Profiles[0].Identifiers, &capillary.GetCustomerParams{Source: capillary.SourceInstore})
	require.NoError(t, err)
	assert.Equal(t, res.CreatedID, found.ID)

	_, err = c.Customers.Update(ctx, id, &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{LastName: capillary.Ptr("Finn")}}},
		&capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
	require.NoError(t, err)

	_, err = c.Customers.Create(ctx, body, params)
	assert.ErrorIs(t, err, capillary.ErrCustomerExists)
	existing, ok := capillary.ExistingCustomerID(err)
	assert.True(t, ok)
	assert.Equal(t, res.CreatedID, existing)

	body.Profiles[0].FirstName = capillary.Ptr("Huckleberry")
	up, err := c.Customers.Upsert(ctx, body, params)
	require.NoError(t, err)
	assert.Equal(t, &capillary.UpsertCustomerResponse{CustomerID: res.CreatedID, Warnings: capillary.List[capillary.Message]{},
		SideEffects: capillary.List[capillary.SideEffect]{}, StatusCode: 200, RequestID: up.RequestID, Attempts: 2}, up)
	stored, _ := srv.Customer(id)
	assert.Equal(t, "Huckleberry", stored.FirstName)
	assert.Equal(t, "Finn", stored.LastName)
	assert.Len(t, srv.Customers(), 1)
}

// Upserts of many customers, half of them known, under random faults (429, 521, answers lost
// after the write was applied), leave one customer per identifier holding its row's values;
// run again, they create nothing.
func TestSDKUpsertUnderFaults(t *testing.T) {
	t.Parallel()
	const rows = 200
	var seed []capillarytest.Customer
	for i := 0; i < rows; i += 2 {
		seed = append(seed, capillarytest.Customer{ID: strconv.Itoa(1000 + i), Profile: capillarytest.Profile{Source: "INSTORE",
			Identifiers: []capillarytest.Identifier{{Type: "externalId", Value: "row-" + strconv.Itoa(i)}}}})
	}
	srv := capillarytest.NewServer(capillarytest.WithCustomers(seed...), capillarytest.WithRandomFaults(0.1, 7))
	t.Cleanup(srv.Close)
	c := newClient(t, srv, capillary.WithRetries(10, time.Millisecond, 2*time.Millisecond))
	params := &capillary.CreateCustomerParams{Source: capillary.SourceInstore}

	upsertAll := func(run int) (created int) {
		results := make([]*capillary.UpsertCustomerResponse, rows)
		var wg sync.WaitGroup
		work := make(chan int)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					body := &capillary.CreateCustomerRequest{Profiles: []capillary.Profile{{
						FirstName:   capillary.Ptr("run" + strconv.Itoa(run)),
						Identifiers: []capillary.Identifier{{Type: capillary.IdentifierExternalID, Value: "row-" + strconv.Itoa(i)}},
						Source:      capillary.SourceInstore,
					}}}
					res, err := c.Customers.Upsert(context.Background(), body, params)
					if assert.NoError(t, err, "row %d", i) {
						results[i] = res
					}
				}
			}()
		}
		for i := range rows {
			work <- i
		}
		close(work)
		wg.Wait()
		for _, res := range results {
			if res != nil && res.Created {
				created++
			}
		}
		return created
	}

	assert.Equal(t, rows/2, upsertAll(1), "the unknown half is created")
	assert.Zero(t, upsertAll(2), "the second run creates nothing")
	faulted := 0
	for _, r := range srv.Requests() {
		if r.Fault != nil {
			faulted++
		}
	}
	assert.Positive(t, faulted, "faults were injected")
	customers := srv.Customers()
	require.Len(t, customers, rows)
	holders := map[string]int{}
	for _, cust := range customers {
		assert.Equal(t, "run2", cust.FirstName, "customer %s", cust.ID)
		for _, id := range cust.Identifiers {
			holders[id.Value]++
		}
	}
	for i := range rows {
		assert.Equal(t, 1, holders["row-"+strconv.Itoa(i)], "row %d", i)
	}
}

// Every field of the SDK's CreateCustomerRequest reaches the fake, which takes it.
func TestSDKCreateEveryField(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	c := newClient(t, srv)
	ist := time.FixedZone("IST", 5*3600+1800)
	body := &capillary.CreateCustomerRequest{
		Profiles: []capillary.Profile{{
			FirstName: capillary.Ptr("Huck"), LastName: capillary.Ptr("Finn"), Fields: map[string]any{},
			Identifiers: []capillary.Identifier{{Type: capillary.IdentifierMobile, Value: "919988221100"},
				{Type: capillary.IdentifierCardNumber, Value: "12345678", SeriesID: 73, StatusLabel: "ACTIVE"}},
			CommChannels: []capillary.CommChannel{{Type: capillary.ChannelEmail, Value: "huck@example.com", Primary: capillary.Ptr(true)}},
			Source:       capillary.SourceInstore,
		}},
		LoyaltyInfo:               &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty},
		AssociatedWith:            capillary.Ptr("bukl.till"),
		ExtendedFields:            map[string]any{"city": "Hannibal"},
		LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: 469, LoyaltyPoints: capillary.Ptr(json.Number("0"))}},
		ReferralCode:              capillary.Ptr(""),
		StatusLabel:               capillary.Ptr("active-1"),
		SubscriptionInfo: &capillary.SubscriptionInfo{Subscriptions: []capillary.Subscription{
			{Channel: "SMS", Priority: "BULK", Type: "OPTIN", AccountID: "a1", SourceName: "INSTORE"}}},
		CreateDate:       capillary.NewDateTime(time.Date(2024, 5, 11, 16, 36, 17, 0, ist)),
		EndPointsEnabled: []string{"REFERRAL_ENDPOINT"},
		Activity:         "REGISTRATION",
	}
	res, err := c.Customers.Create(context.Background(), body, &capillary.CreateCustomerParams{Source: capillary.SourceInstore})
	require.NoError(t, err)
	got, ok := srv.Customer(string(res.CreatedID))
	require.True(t, ok)
	assert.Equal(t, "Huck", got.FirstName)
	assert.Equal(t, []capillarytest.Subscription{{Channel: "SMS", Priority: "BULK", Type: "OPTIN"}}, got.Subscriptions)
	assert.Len(t, got.Enrollments, 1)
}

// Upserts of one new customer at once: the look-ups all find nobody, one create succeeds and
// the others answer 8006, whose customer they update. One customer, created once.
func TestSDKUpsertRace(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	c := newClient(t, srv)
	const n = 8
	start := make(chan struct{})
	created := make(chan bool, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			body := &capillary.CreateCustomerRequest{Profiles: []capillary.Profile{{
				FirstName:   capillary.Ptr("racer" + strconv.Itoa(i)),
				Identifiers: []capillary.Identifier{{Type: capillary.IdentifierExternalID, Value: "race-1"}},
				Source:      capillary.SourceInstore,
			}}}
			res, err := c.Customers.Upsert(context.Background(), body, &capillary.CreateCustomerParams{Source: capillary.SourceInstore})
			if assert.NoError(t, err) {
				created <- res.Created
			}
		}()
	}
	close(start)
	wg.Wait()
	close(created)
	count := 0
	for c := range created {
		if c {
			count++
		}
	}
	assert.Equal(t, 1, count, "created once")
	assert.Len(t, srv.Customers(), 1)
}
