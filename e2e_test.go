package capillary_test

// End-to-end tests of the SDK against capillarytest, the fake of the vendor's API: real HTTP on
// loopback, the vendor's rules, state read back from the server.

import (
	"context"
	"encoding/json"
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
				ProgramID: 699, TierNumber: capillary.Ptr(2), LoyaltyPoints: capillary.Ptr(json.Number("75")),
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
		LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: 699, TierNumber: capillary.Ptr(2), LoyaltyPoints: capillary.Ptr(json.Number("75"))}},
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
	assert.Equal(t, capillary.Int(699), cust.LoyaltyProgramDetails[0].ProgramID)
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

// The SDK and the fake agree on the read sources: MAPP_SDK is a lookup's (the fake has no
// profile on it: 8065) and not Get's, and a lookup on ALL needs an account id like every source
// but INSTORE.
func TestE2EReadSources(t *testing.T) {
	t.Parallel()
	c, _ := readClient(t)
	mobile := []capillary.Identifier{{Type: capillary.IdentifierMobile, Value: "919999000001"}}

	_, err := c.Customers.Get(t.Context(), e2eCustomer, &capillary.GetCustomerParams{Source: capillary.SourceMappSDK})
	assert.ErrorIs(t, err, capillary.ErrInvalidRequest, "the vendor lists MAPP_SDK for the lookup only")
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

// The parts an embed or include adds come back from the fake, for a customer seeded with them,
// typed, with nothing in Unknown: cards and their status, the card's series and status label
// on its identifier, fraud details, promotional points, group programs and alternate currencies.
func TestE2EReadParts(t *testing.T) {
	t.Parallel()
	capillary.RequireLoopback(t)
	ist := time.FixedZone("IST", 5*3600+1800)
	tom := readTom()
	tom.LoyaltyType = "loyalty"
	tom.Enrollments = []capillarytest.Enrollment{{ProgramID: 699, TierNumber: 2, Points: 75, TierExpiryDate: time.Date(2030, 6, 30, 23, 59, 59, 0, ist),
		PartnerPrograms: []capillarytest.PartnerProgram{{ID: 5, Name: "1stProgram", MembershipID: "916215776456", TierNumber: 1, TierName: "1stSlab"}}}}
	tom.UpgradeStrategies = []capillarytest.Strategy{{BasedOn: "CUMULATIVE_PURCHASES", Threshold: 5000, Value: 1200.5, ValidUpto: time.Date(2030, 12, 31, 0, 0, 0, 0, ist)}}
	tom.RenewStrategies = []capillarytest.Strategy{{BasedOn: "VISITS", Threshold: 10, Value: 4}}
	tom.Cards = []capillarytest.Card{{Number: "TTM001", ExternalID: "card-uuid-1", SeriesID: 19, SeriesCode: "422", SeriesName: "sushicard"}}
	tom.FraudStatus = "MARKED_AS_FRAUD"
	tom.Promotions = []capillarytest.Promotion{{ProgramID: 699, Name: "Goodwill Promotion", Points: 200.5,
		IssuedOn: time.Date(2019, 12, 12, 11, 23, 3, 0, ist), ExpiryDate: time.Date(2020, 12, 31, 23, 59, 59, 0, ist)}}
	tom.GroupPrograms = []capillarytest.GroupProgram{{ID: 1414, Title: "Group", ProgramIDs: []int64{699, 700}, Points: 420}}
	tom.AlternateCurrencies = []capillarytest.AlternateCurrency{{ProgramID: 699, ProgramName: "Program 699", Name: "miles", Earned: 10.5, LifetimeEarned: 12.5, Redeemed: 2}}
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tom), capillarytest.WithPrograms(699, 700))
	t.Cleanup(srv.Close)
	c, err := capillary.NewClient(capillary.WithBaseURL(srv.URL), capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword))
	require.NoError(t, err)

	got, err := c.Customers.Get(t.Context(), e2eCustomer, &capillary.GetCustomerParams{Source: capillary.SourceInstore,
		Embed:                []capillary.Embed{capillary.EmbedMLP, capillary.EmbedPromotionalPoints},
		IncludedFraudDetails: capillary.Ptr(true), IncludedUserGroup2LoyaltyDetails: capillary.Ptr(true),
		GapToUpgrade: capillary.Ptr(0), GapToRenew: capillary.Ptr(0)})
	require.NoError(t, err)
	assert.Empty(t, capillary.UnknownIn(got))

	require.Len(t, got.CardDetails, 1)
	card := got.CardDetails[0]
	assert.Equal(t, "TTM001", card.CardNumber)
	assert.Equal(t, "card-uuid-1", card.CardExternalID)
	assert.Equal(t, capillary.ID("19"), card.SeriesID)
	assert.Equal(t, "DIGITAL", card.Type)
	assert.True(t, bool(card.ActiveAndDigital))
	require.NotNil(t, card.StatusInfo)
	assert.Equal(t, "ACTIVE", card.StatusInfo.Status)
	assert.True(t, bool(card.StatusInfo.IsActive))
	assert.Contains(t, got.Profiles[0].Identifiers, capillary.Identifier{Type: capillary.IdentifierCardNumber, Value: "TTM001", SeriesID: 19, StatusLabel: "ACTIVE"})
	assert.NotEmpty(t, got.Profiles[0].IdentifiersAll)

	require.NotNil(t, got.FraudDetails)
	assert.Equal(t, "MARKED_AS_FRAUD", got.FraudDetails.Status)
	assert.Equal(t, &capillary.Actor{}, got.FraudDetails.MarkedBy)
	require.NotNil(t, got.PromotionalPoints)
	require.Len(t, got.PromotionalPoints.CustomerPromotionType, 1)
	promo := got.PromotionalPoints.CustomerPromotionType[0]
	assert.Equal(t, capillary.Number(200.5), promo.Points)
	assert.Equal(t, capillary.Int(699), promo.ProgramID)
	assert.Equal(t, "GOODWILL", promo.PromotionSource.PromotionSourceType)
	assert.True(t, promo.ExpiryDate.Equal(time.Date(2020, 12, 31, 23, 59, 59, 0, ist)))
	assert.Empty(t, got.PromotionalPoints.LineitemPromotionType)
	require.Len(t, got.GroupLoyaltyProgramDetails, 1)
	group := got.GroupLoyaltyProgramDetails[0]
	assert.Equal(t, capillary.Int(1414), group.GroupProgramID)
	assert.Equal(t, []capillary.Int{699, 700}, []capillary.Int{group.ProgramsList[0].ID, group.ProgramsList[1].ID})
	assert.Equal(t, capillary.Number(420), group.LoyaltyPoints)
	require.Len(t, got.LoyaltyProgramDetails, 1)
	assert.Equal(t, capillary.Int(699), got.LoyaltyProgramDetails[0].ProgramID)
	assert.Equal(t, capillary.Number(0), got.LoyaltyProgramDetails[0].DelayedExpiredPoints)
	assert.Equal(t, []capillary.LinkedPartnerProgram{{PartnerProgramID: 5, PartnerProgramName: "1stProgram", PartnerProgramDescription: "1stProgram",
		PartnerProgramType: "EXTERNAL", PartnerMembershipID: "916215776456", TierBased: true, PartnerTierNumber: 1, PartnerTierName: "1stSlab"}},
		got.LoyaltyProgramDetails[0].LinkedPartnerPrograms)
	assert.Nil(t, got.AlternateCurrencyDetails, "not asked for")
	require.Len(t, got.UpgradeStrategies, 1)
	upgrade := got.UpgradeStrategies[0]
	assert.Equal(t, "CUMULATIVE_PURCHASES", upgrade.UpgradeBasedOn)
	assert.Equal(t, capillary.Number(3799.5), upgrade.CustomerUpgradeEntityValues.GapToUpgrade)
	assert.Equal(t, 2030, upgrade.CustomerUpgradeEntityValues.ValueValidUpto.Year())
	require.Len(t, got.GapToRenewSummary, 1)
	renew := got.GapToRenewSummary[0]
	assert.Equal(t, time.June, renew.TierExpiryDate.Month())
	assert.False(t, bool(renew.RenewConfirmed))
	assert.Equal(t, capillary.Number(6), renew.RenewStrategies[0].CustomerGapToRenewValue)

	// The card number finds the customer; alternate currencies are Lookup's embed.
	looked, err := c.Customers.Lookup(t.Context(), []capillary.Identifier{{Type: capillary.IdentifierCardNumber, Value: "TTM001"}},
		&capillary.GetCustomerParams{Source: capillary.SourceInstore, Embed: []capillary.Embed{capillary.EmbedAlternateCurrencies}})
	require.NoError(t, err)
	assert.Empty(t, capillary.UnknownIn(looked))
	assert.Equal(t, capillary.ID(e2eCustomer), looked.ID)
	require.Len(t, looked.AlternateCurrencyDetails, 1)
	assert.Equal(t, capillary.Int(699), looked.AlternateCurrencyDetails[0].ProgramID)
	assert.Equal(t, &capillary.AlternateCurrencyData{Name: "miles", Earned: 10.5, LifetimeEarned: 12.5, Redeemed: 2,
		TotalAvailable: 10.5, TotalRedeemed: 2}, looked.AlternateCurrencyDetails[0].AlternateCurrencyData)
	assert.Nil(t, looked.FraudDetails, "not asked for")
	assert.Nil(t, looked.PromotionalPoints, "not asked for")
}

// Points are decimals: a fractional loyaltyPoints is sent as written, credited, and read back.
func TestE2EFractionalPoints(t *testing.T) {
	t.Parallel()
	c, srv := readClient(t)
	res, err := c.Customers.Update(t.Context(), e2eCustomer, &capillary.UpdateCustomerRequest{
		LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: 699, LoyaltyPoints: capillary.Ptr(json.Number("12.50"))}},
	}, &capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
	require.NoError(t, err)
	assert.Equal(t, capillary.Number(12.5), res.SideEffects[0].AwardedPoints)
	reqs := srv.Requests()
	assert.Contains(t, string(reqs[len(reqs)-1].Body), `"loyaltyPoints":12.50`)

	cust, err := c.Customers.Get(t.Context(), e2eCustomer, &capillary.GetCustomerParams{Source: capillary.SourceInstore,
		Embed: []capillary.Embed{capillary.EmbedPoints, capillary.EmbedMLP}})
	require.NoError(t, err)
	assert.Equal(t, capillary.Number(12.5), cust.PointsSummary.LoyaltyPoints)
	assert.Equal(t, capillary.Number(12.5), cust.LoyaltyProgramDetails[0].LoyaltyPoints)
}

// The update by identifier takes a card number, and the fake finds the customer by it.
func TestE2EUpdateByCardNumber(t *testing.T) {
	t.Parallel()
	c, srv := readClient(t)
	_, err := c.Customers.UpdateByIdentifier(t.Context(), capillary.Identifier{Type: capillary.IdentifierCardNumber, Value: "TTM001"},
		&capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{LastName: capillary.Ptr("Finn")}}},
		&capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
	require.NoError(t, err)
	got, _ := srv.Customer(e2eCustomer)
	assert.Equal(t, "Finn", got.LastName)
}
