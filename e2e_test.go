package capillary_test

// End-to-end tests of the SDK against capillarytest, the fake of the vendor's API: real HTTP on
// loopback, the vendor's rules, state read back from the server.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/capillarytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const e2eCustomer = "171891944"

func e2eServer(t *testing.T, opts ...capillarytest.Option) *capillarytest.Server {
	t.Helper()
	capillary.RequireLoopback(t)
	srv := capillarytest.NewServer(opts...)
	t.Cleanup(srv.Close)
	e2eSeed(srv)
	return srv
}

// e2eSeed stores the customer the end-to-end tests update.
func e2eSeed(srv *capillarytest.Server) {
	srv.AddCustomer(capillarytest.Customer{ID: e2eCustomer, Profile: capillarytest.Profile{Source: "INSTORE"}, LoyaltyType: "non_loyalty"})
}

// e2eTarget is the fake served over one protocol, and the options a client needs to reach it.
type e2eTarget struct {
	name string
	srv  *capillarytest.Server
	url  string
	opts []capillary.ClientOption
}

// e2eTargets serves e2eServer's fake over HTTP/1.1 on its own listener and over HTTP/2 (TLS)
// from an httptest server, whose client trusts it: the SDK's promises hold over both.
func e2eTargets(t *testing.T, opts ...capillarytest.Option) []e2eTarget {
	t.Helper()
	h1 := e2eServer(t, opts...)
	fake := capillarytest.NewUnstartedServer(opts...)
	e2eSeed(fake)
	h2 := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 {
			t.Errorf("a request over HTTP/%d.%d", r.ProtoMajor, r.ProtoMinor)
		}
		fake.Handler().ServeHTTP(w, r)
	}))
	h2.EnableHTTP2 = true
	h2.StartTLS()
	t.Cleanup(h2.Close)
	t.Cleanup(fake.Close) // first: it cuts short a held fault latency, which h2.Close waits for
	return []e2eTarget{
		{"HTTP/1.1", h1, h1.URL, nil},
		{"HTTP/2", fake, h2.URL, []capillary.ClientOption{capillary.WithHTTPClient(h2.Client())}},
	}
}

func e2eUpdate(ctx context.Context, c *capillary.Client, first string) (*capillary.UpdateCustomerResponse, error) {
	return c.Customers.Update(ctx, e2eCustomer,
		&capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr(first)}}},
		&capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
}

func TestE2EOAuthOneTokenForConcurrentCalls(t *testing.T) {
	t.Parallel()
	srv := e2eServer(t)
	c, err := capillary.NewClient(capillary.WithBaseURL(srv.URL),
		capillary.WithOAuth(capillarytest.DefaultOAuthKey, capillarytest.DefaultOAuthSecret))
	require.NoError(t, err)

	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e2eUpdate(t.Context(), c, "Tom")
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, srv.TokenGenerations())
	for _, r := range srv.Requests() {
		if r.Path != "/v3/oauth/token/generate" {
			assert.Equal(t, "oauth", r.AuthScheme, "every update authenticated with the token")
			assert.Empty(t, r.Header.Get("Authorization"))
		}
	}
}

// The server's clock says the token expired although the client still thinks it fresh: the
// 401 makes the client generate a new token once and replay the update.
func TestE2EOAuthExpiredTokenRenewedOn401(t *testing.T) {
	t.Parallel()
	clock := capillarytest.NewManualClock(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
	for _, target := range e2eTargets(t, capillarytest.WithClock(clock.Now), capillarytest.WithTokenTTL(5*time.Minute)) {
		c, err := capillary.NewClient(append(target.opts, capillary.WithBaseURL(target.url),
			capillary.WithOAuth(capillarytest.DefaultOAuthKey, capillarytest.DefaultOAuthSecret))...)
		require.NoError(t, err)

		_, err = e2eUpdate(t.Context(), c, "Tom")
		require.NoError(t, err, target.name)
		clock.Advance(10 * time.Minute)
		res, err := e2eUpdate(t.Context(), c, "Thomas")
		require.NoError(t, err, target.name)
		assert.Equal(t, 2, target.srv.TokenGenerations(), target.name)
		assert.Equal(t, 2, res.Attempts, "%s: the refused attempt and its replay", target.name)
		got, _ := target.srv.Customer(e2eCustomer)
		assert.Equal(t, "Thomas", got.FirstName, target.name)
	}
}

func TestE2EOAuthWrongSecret(t *testing.T) {
	t.Parallel()
	srv := e2eServer(t)
	c, err := capillary.NewClient(capillary.WithBaseURL(srv.URL), capillary.WithOAuth(capillarytest.DefaultOAuthKey, "wrong-secret"))
	require.NoError(t, err)
	_, err = e2eUpdate(t.Context(), c, "Tom")
	require.ErrorIs(t, err, capillary.ErrOAuthCredentials)
	assert.NotContains(t, err.Error(), "wrong-secret")
	assert.Zero(t, srv.TokenGenerations())
}

func TestE2EBasicAuthAndVendorRules(t *testing.T) {
	t.Parallel()
	for _, target := range e2eTargets(t) {
		c, err := capillary.NewClient(append(target.opts, capillary.WithBaseURL(target.url),
			capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword),
			capillary.WithRetries(3, time.Millisecond, 5*time.Millisecond))...)
		require.NoError(t, err)
		params := &capillary.UpdateCustomerParams{Source: capillary.SourceInstore, UseAsync: capillary.Ptr(false)}
		enrol := &capillary.UpdateCustomerRequest{
			LoyaltyInfo: &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty},
			LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{
				ProgramID: 699, TierNumber: capillary.Ptr(2), LoyaltyPoints: capillary.Ptr(int64(75)),
			}},
		}

		// Rate limited first: the 429's Retry-After is honoured and the update then goes through.
		target.srv.InjectFaults(capillarytest.RateLimited(0))
		res, err := c.Customers.Update(t.Context(), e2eCustomer, enrol, params)
		require.NoError(t, err)
		assert.Equal(t, 2, res.Attempts)
		assert.Equal(t, capillary.ID(e2eCustomer), res.CreatedID)
		require.Len(t, res.SideEffects, 2, "points, and the tier change of an enrolment at tier 2")
		assert.Equal(t, capillary.SideEffectPoints, res.SideEffects[0].Type)
		assert.EqualValues(t, 75, res.SideEffects[0].AwardedPoints)
		assert.Equal(t, "slab", res.SideEffects[1].Type)

		// The same enrolment again is refused; a downgrade is refused with 8018; an unknown
		// customer with 8015.
		_, err = c.Customers.Update(t.Context(), e2eCustomer, enrol, params)
		var apiErr *capillary.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.EqualValues(t, 10002, apiErr.Errors[0].Code)

		_, err = c.Customers.Update(t.Context(), e2eCustomer,
			&capillary.UpdateCustomerRequest{LoyaltyInfo: &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeNonLoyalty}}, params)
		assert.ErrorIs(t, err, capillary.ErrLoyaltyDowngrade)

		_, err = c.Customers.Update(t.Context(), "999", enrol, params)
		assert.ErrorIs(t, err, capillary.ErrCustomerNotFound)

		got, _ := target.srv.Customer(e2eCustomer)
		assert.Equal(t, "loyalty", got.LoyaltyType)
		require.Len(t, got.Enrollments, 1)
	}
}

// Every attempt's connection drops, the first after the fake applied the update: the caller
// gets a *RequestError that says how many attempts ran and that the call may have been applied.
func TestE2EDroppedConnectionsAreUncertain(t *testing.T) {
	t.Parallel()
	for _, target := range e2eTargets(t) {
		c, err := capillary.NewClient(append(target.opts, capillary.WithBaseURL(target.url),
			capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword),
			capillary.WithRetries(3, time.Millisecond, 5*time.Millisecond))...)
		require.NoError(t, err)
		target.srv.InjectFaults(capillarytest.DropAfterHandling(), capillarytest.DropConnection(), capillarytest.DropConnection(), capillarytest.DropConnection())
		_, err = c.Customers.Update(t.Context(), e2eCustomer,
			&capillary.UpdateCustomerRequest{LoyaltyInfo: &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty}},
			&capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
		var reqErr *capillary.RequestError
		require.ErrorAs(t, err, &reqErr, target.name)
		assert.Equal(t, 4, reqErr.Attempts, target.name)
		assert.True(t, reqErr.Uncertain, target.name)
		got, _ := target.srv.Customer(e2eCustomer)
		assert.Equal(t, "loyalty", got.LoyaltyType, "%s: the first attempt was applied", target.name)
	}
}

// readTom is the vendor's example customer with an identifier of each type a lookup takes and
// a WECHAT profile.
func readTom() capillarytest.Customer {
	return capillarytest.Customer{
		ID: e2eCustomer,
		Profile: capillarytest.Profile{
			Source:    "INSTORE",
			FirstName: "Tom",
			LastName:  "Sawyer",
			CommChannels: []capillarytest.CommChannel{
				{Type: "mobile", Value: "919999000001", Primary: true},
				{Type: "email", Value: "tom.sawyer@example.com", Primary: true},
			},
			Identifiers: []capillarytest.Identifier{{Type: "externalId", Value: "MPQSP100"}, {Type: "cardnumber", Value: "TTM001"},
				{Type: "cardExternalId", Value: "card-uuid-1"}},
		},
		LoyaltyType: "non_loyalty",
		OtherProfiles: []capillarytest.Profile{{Source: "WECHAT", AccountID: "wx-1", FirstName: "Tom",
			Identifiers: []capillarytest.Identifier{{Type: "wechat", Value: "wc_2"}}}},
		Subscriptions: []capillarytest.Subscription{{Channel: "EMAIL", Priority: "TRANS", Type: "OPTIN"}},
	}
}

func readClient(t *testing.T, opts ...capillarytest.Option) (*capillary.Client, *capillarytest.Server) {
	t.Helper()
	capillary.RequireLoopback(t)
	srv := capillarytest.NewServer(append([]capillarytest.Option{capillarytest.WithCustomers(readTom()), capillarytest.WithPrograms(699)}, opts...)...)
	t.Cleanup(srv.Close)
	c, err := capillary.NewClient(capillary.WithBaseURL(srv.URL),
		capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword))
	require.NoError(t, err)
	return c, srv
}

// An update's effect is read back, embeds included.
func TestE2EGetReadsBackAnUpdate(t *testing.T) {
	t.Parallel()
	c, _ := readClient(t)
	_, err := c.Customers.Update(t.Context(), e2eCustomer, &capillary.UpdateCustomerRequest{
		Profiles:                  []capillary.Profile{{FirstName: capillary.Ptr("Becky"), Fields: map[string]any{"city": "Hannibal"}}},
		LoyaltyInfo:               &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty},
		LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: 699, TierNumber: capillary.Ptr(2), LoyaltyPoints: capillary.Ptr(int64(75))}},
	}, &capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
	require.NoError(t, err)

	cust, err := c.Customers.Get(t.Context(), e2eCustomer, &capillary.GetCustomerParams{Source: capillary.SourceAll,
		Embed: []capillary.Embed{capillary.EmbedPoints, capillary.EmbedMLP, capillary.EmbedSubscriptions}})
	require.NoError(t, err)
	assert.Equal(t, capillary.ID(e2eCustomer), cust.ID)
	require.Len(t, cust.Profiles, 2, "source ALL: every profile")
	instore := cust.Profiles[0]
	assert.Equal(t, capillary.SourceInstore, instore.Source)
	assert.Equal(t, "Becky", capillary.Deref(instore.FirstName))
	assert.Equal(t, "Hannibal", instore.Fields["city"])
	assert.Equal(t, capillary.LoyaltyTypeLoyalty, cust.LoyaltyInfo.LoyaltyType)
	require.NotNil(t, cust.PointsSummary)
	assert.Equal(t, capillary.Number(75), cust.PointsSummary.LoyaltyPoints)
	require.Len(t, cust.LoyaltyProgramDetails, 1)
	assert.Equal(t, capillary.ID("699"), cust.LoyaltyProgramDetails[0].ProgramID)
	assert.Equal(t, capillary.Int(2), cust.LoyaltyProgramDetails[0].SlabSNo)
	require.NotNil(t, cust.SubscriptionInfo)
	assert.Equal(t, "EMAIL", cust.SubscriptionInfo.Subscriptions[0].Channel)
	assert.NotEmpty(t, cust.RequestID)
}

// Lookup finds the customer by each identifier type it takes.
func TestE2ELookupByEachIdentifierType(t *testing.T) {
	t.Parallel()
	c, _ := readClient(t)
	instore := &capillary.GetCustomerParams{Source: capillary.SourceInstore}
	for _, tt := range []struct {
		id     capillary.Identifier
		params *capillary.GetCustomerParams
	}{
		{capillary.Identifier{Type: capillary.IdentifierMobile, Value: "919999000001"}, instore},
		{capillary.Identifier{Type: capillary.IdentifierEmail, Value: "tom.sawyer@example.com"}, instore},
		{capillary.Identifier{Type: capillary.IdentifierExternalID, Value: "MPQSP100"}, instore},
		{capillary.Identifier{Type: capillary.IdentifierCardNumber, Value: "TTM001"}, instore},
		{capillary.Identifier{Type: capillary.IdentifierCardExternalID, Value: "card-uuid-1"}, instore},
		{capillary.Identifier{Type: capillary.IdentifierWechat, Value: "wc_2"}, &capillary.GetCustomerParams{Source: capillary.SourceWeChat, AccountID: "wx-1"}},
	} {
		cust, err := c.Customers.Lookup(t.Context(), []capillary.Identifier{tt.id}, tt.params)
		require.NoError(t, err, tt.id.Type)
		assert.Equal(t, capillary.ID(e2eCustomer), cust.ID, tt.id.Type)
	}
	_, err := c.Customers.Lookup(t.Context(), []capillary.Identifier{{Type: capillary.IdentifierMobile, Value: "910000000000"}}, instore)
	assert.ErrorIs(t, err, capillary.ErrCustomerNotFound)
}

// The SDK and the fake agree on the read sources: MAPP_SDK is one (the fake has no profile on
// it: 8065), and a lookup on ALL needs an account id like every source but INSTORE.
func TestE2EReadSources(t *testing.T) {
	t.Parallel()
	c, _ := readClient(t)
	mobile := []capillary.Identifier{{Type: capillary.IdentifierMobile, Value: "919999000001"}}

	_, err := c.Customers.Get(t.Context(), e2eCustomer, &capillary.GetCustomerParams{Source: capillary.SourceMappSDK})
	assert.ErrorIs(t, err, capillary.ErrCustomerNotFound)
	_, err = c.Customers.Lookup(t.Context(), mobile, &capillary.GetCustomerParams{Source: capillary.SourceMappSDK, AccountID: "app-1"})
	assert.ErrorIs(t, err, capillary.ErrCustomerNotFound)

	_, err = c.Customers.Lookup(t.Context(), mobile, &capillary.GetCustomerParams{Source: capillary.SourceAll})
	assert.ErrorIs(t, err, capillary.ErrInvalidRequest, "refused before it is sent, as the fake would")
	cust, err := c.Customers.Lookup(t.Context(), mobile, &capillary.GetCustomerParams{Source: capillary.SourceAll, AccountID: "wx-1"})
	require.NoError(t, err)
	assert.Len(t, cust.Profiles, 2, "source ALL: every profile")
}

// Under dual eligibility several identifiers go comma-joined, and the primary one decides.
func TestE2ELookupDualEligibility(t *testing.T) {
	t.Parallel()
	c, _ := readClient(t, capillarytest.WithDualEligibility(), capillarytest.WithPrimaryIdentifier("mobile"))
	cust, err := c.Customers.Lookup(t.Context(), []capillary.Identifier{
		{Type: capillary.IdentifierEmail, Value: "tom.sawyer@example.com"},
		{Type: capillary.IdentifierMobile, Value: "919999000001"},
	}, &capillary.GetCustomerParams{Source: capillary.SourceInstore})
	require.NoError(t, err)
	assert.Equal(t, capillary.ID(e2eCustomer), cust.ID)
}

// The update by identifier applies to the customer the identifier names.
func TestE2EUpdateByIdentifier(t *testing.T) {
	t.Parallel()
	c, srv := readClient(t)
	for _, id := range []capillary.Identifier{
		{Type: capillary.IdentifierMobile, Value: "919999000001"},
		{Type: capillary.IdentifierEmail, Value: "tom.sawyer@example.com"},
		{Type: capillary.IdentifierExternalID, Value: "MPQSP100"},
	} {
		res, err := c.Customers.UpdateByIdentifier(t.Context(), id,
			&capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{LastName: capillary.Ptr(string(id.Type))}}},
			&capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
		require.NoError(t, err, id.Type)
		assert.Equal(t, capillary.ID(e2eCustomer), res.CreatedID)
		stored, ok := srv.Customer(e2eCustomer)
		require.True(t, ok)
		assert.Equal(t, string(id.Type), stored.LastName)
	}
	_, err := c.Customers.UpdateByIdentifier(t.Context(), capillary.Identifier{Type: capillary.IdentifierMobile, Value: "910000000000"},
		&capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{LastName: capillary.Ptr("x")}}},
		&capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
	assert.ErrorIs(t, err, capillary.ErrCustomerNotFound)
}

// Merged and PII-deleted customers are told apart.
func TestE2EMergedAndDeleted(t *testing.T) {
	t.Parallel()
	c, srv := readClient(t)
	srv.AddCustomer(capillarytest.Customer{ID: "500", Profile: capillarytest.Profile{Source: "INSTORE"}, MergedInto: e2eCustomer})
	srv.AddCustomer(capillarytest.Customer{ID: "501", Profile: capillarytest.Profile{Source: "INSTORE"}, Deleted: true})
	instore := &capillary.GetCustomerParams{Source: capillary.SourceInstore}
	_, err := c.Customers.Get(t.Context(), "500", instore)
	assert.ErrorIs(t, err, capillary.ErrCustomerMerged)
	assert.NotErrorIs(t, err, capillary.ErrCustomerDeleted)
	_, err = c.Customers.Get(t.Context(), "501", instore)
	assert.ErrorIs(t, err, capillary.ErrCustomerDeleted)
	assert.NotErrorIs(t, err, capillary.ErrCustomerMerged)
	_, err = c.Customers.Get(t.Context(), "502", instore)
	assert.ErrorIs(t, err, capillary.ErrCustomerNotFound)
}

// A read whose answer is lost is retried, and an update whose answer is lost is settled by
// reading the customer back.
func TestE2EReadBackSettlesALostAnswer(t *testing.T) {
	t.Parallel()
	c, srv := readClient(t)
	srv.InjectFaults(capillarytest.DropAfterHandling())
	_, err := c.Customers.Update(t.Context(), e2eCustomer,
		&capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr("Huck")}}},
		&capillary.UpdateCustomerParams{Source: capillary.SourceInstore}, capillary.WithRetries(0, 0, 0))
	var reqErr *capillary.RequestError
	require.ErrorAs(t, err, &reqErr)
	require.True(t, reqErr.Uncertain)

	srv.InjectFaults(capillarytest.DropAfterHandling(), capillarytest.Fault{Status: http.StatusServiceUnavailable})
	cust, err := c.Customers.Get(t.Context(), e2eCustomer, &capillary.GetCustomerParams{Source: capillary.SourceInstore},
		capillary.WithRetries(3, time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)
	assert.Equal(t, 3, cust.Attempts, "a dropped answer and a 503 retried")
	assert.Equal(t, "Huck", capillary.Deref(cust.Profiles[0].FirstName), "the lost update was applied")
}
