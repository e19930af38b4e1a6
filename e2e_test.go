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
