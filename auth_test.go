package capillary

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Auth: Basic credentials, OAuth tokens (one generation shared, renewal, 401), audit headers.

// The vendor's worked example on the basic-authentication page is not self-consistent; the
// digest of "Pass123" is the one crypto/md5 computes, and that is what the SDK must send.
func TestBasicAuthDigestOfVendorExample(t *testing.T) {
	t.Parallel()
	require.Equal(t, testDigestLiteral, md5Hex("Pass123"))
	c, mt := newMockedClient(t, WithBasicAuth("store123", "Pass123"))
	rec := script(mt)
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err)
	assert.Equal(t, "Basic c3RvcmUxMjM6MmYyM2ZhMzU3OWYzZjc1MTc1NzkzNjQ5MTE1YzFiMjU=", rec.only(t).Header.Get("Authorization"))
	assert.Equal(t, "Basic "+basicToken("store123", testDigestLiteral), rec.only(t).Header.Get("Authorization"))
}

// WithBasicAuth sends Basic base64(till ":" md5hex(password)) for any till and password.
func TestBasicAuthHeader(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, till, password string }{
		{"plain", "store123", "Pass123"},
		{"till with dots and dashes", "eu.store-42.till_1", "s3cr3t"},
		{"password with colon and spaces", "till", "a: b :c"},
		{"unicode password", "till", "pässwörd-密码"},
		{"long password", "till", strings.Repeat("x", 500)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t, WithBasicAuth(tt.till, tt.password))
			rec := script(mt)
			_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			require.NoError(t, err)
			assert.Equal(t, "Basic "+basicToken(tt.till, md5Hex(tt.password)), rec.only(t).Header.Get("Authorization"))
		})
	}
}

// WithBasicAuthDigest sends a digest the caller holds as it is (lower-cased) and refuses
// anything that is not 32 hex characters, without echoing it.
func TestBasicAuthDigest(t *testing.T) {
	t.Parallel()
	good := []struct{ in, sent string }{
		{testDigestLiteral, testDigestLiteral},
		{strings.ToUpper(testDigestLiteral), testDigestLiteral},
		{"2F23fa3579F3f75175793649115C1B25", testDigestLiteral},
	}
	for _, tt := range good {
		c, mt := newMockedClient(t, WithBasicAuthDigest("store123", tt.in))
		rec := script(mt)
		_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
		require.NoError(t, err, tt.in)
		assert.Equal(t, "Basic "+basicToken("store123", tt.sent), rec.only(t).Header.Get("Authorization"), tt.in)
	}
	bad := []string{
		"",
		"2f23fa3579f3f75175793649115c1b2",   // 31
		"2f23fa3579f3f75175793649115c1b255", // 33
		"2f23fa3579f3f75175793649115c1bzz",  // not hex
		"Pass123",                           // a password given as a digest
		md5Hex("x") + md5Hex("y"),           // 64 hex: not an MD5
		" 2f23fa3579f3f75175793649115c1b25", // padded
	}
	for _, d := range bad {
		c, err := NewClient(WithBaseURL(testBaseURL), WithBasicAuthDigest("store123", d))
		require.ErrorIs(t, err, ErrInvalidConfig, "%q", d)
		assert.Nil(t, c)
		if d != "" {
			assert.NotContains(t, err.Error(), d, "the rejected digest is not echoed")
		}
	}
}

// headerCase is one of the per-client/per-call header sets.
type headerCase struct {
	name      string
	client    Option
	call      Option
	clientHdr map[string]string // what the client option sends
	callHdr   map[string]string // what the call option sends instead; "" = not sent
}

func userContextAndAttributionCases() []headerCase {
	return []headerCase{
		{
			name: "user context",
			client: WithUserContext(UserContext{EntityType: "ADMIN_USER", EntityID: "admin-7",
				EntitySource: "MEMBER_CARE", EntitySourceID: "mc-1"}),
			call: WithUserContext(UserContext{EntityType: "INTEGRATION", EntityID: "job-99", EntitySource: "API"}),
			clientHdr: map[string]string{
				"USER-CONTEXT-ENTITY-TYPE": "ADMIN_USER", "USER-CONTEXT-ENTITY-ID": "admin-7",
				"USER-CONTEXT-ENTITY-SOURCE": "MEMBER_CARE", "USER-CONTEXT-ENTITY-SOURCE-ID": "mc-1",
			},
			callHdr: map[string]string{
				"USER-CONTEXT-ENTITY-TYPE": "INTEGRATION", "USER-CONTEXT-ENTITY-ID": "job-99",
				"USER-CONTEXT-ENTITY-SOURCE": "API", "USER-CONTEXT-ENTITY-SOURCE-ID": "",
			},
		},
		{
			name:   "till attribution",
			client: WithTillAttribution("TILL_CODE", "Store-A.Till-1"),
			call:   WithTillAttribution("TILL_CODE", "store-b.TILL-2"),
			clientHdr: map[string]string{
				"X-CAP-API-ATTRIBUTION-LOOKUP-TYPE": "TILL_CODE", "X-CAP-API-ATTRIBUTION-LOOKUP": "Store-A.Till-1",
			},
			callHdr: map[string]string{
				"X-CAP-API-ATTRIBUTION-LOOKUP-TYPE": "TILL_CODE", "X-CAP-API-ATTRIBUTION-LOOKUP": "store-b.TILL-2",
			},
		},
	}
}

// User-context and till-attribution headers set on the client go on every call; set on a call
// they replace the client's for that call only, and the next call is back to the client's.
func TestAuditHeadersPerClientAndPerCall(t *testing.T) {
	t.Parallel()
	for _, tc := range userContextAndAttributionCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t, tc.client)
			rec := script(mt)
			ctx := testCtx(t)
			_, err := c.Customers.Update(ctx, "1", minimalBody(), instore())
			require.NoError(t, err)
			_, err = c.Customers.Update(ctx, "1", minimalBody(), instore(), tc.call)
			require.NoError(t, err)
			_, err = c.Customers.Update(ctx, "1", minimalBody(), instore())
			require.NoError(t, err)
			// A later call with some other per-call option starts from the client's values too.
			_, err = c.Customers.Update(ctx, "1", minimalBody(), instore(), WithHeader("X-Other", "1"))
			require.NoError(t, err)

			reqs := rec.all()
			require.Len(t, reqs, 4)
			for i, want := range []map[string]string{tc.clientHdr, tc.callHdr, tc.clientHdr, tc.clientHdr} {
				for name, value := range want {
					if value == "" {
						assert.Empty(t, reqs[i].Header.Values(name), "call %d: %s", i, name)
						continue
					}
					assert.Equal(t, []string{value}, reqs[i].Header.Values(name), "call %d: %s (sent as given, case kept)", i, name)
				}
				assert.Equal(t, testAuthHeader(), reqs[i].Header.Get("Authorization"), "call %d", i)
			}
		})
	}
}

// Without the options, none of the audit or attribution headers is sent; set only on a call,
// they go on that call alone.
func TestAuditHeadersOnlyWhenSet(t *testing.T) {
	t.Parallel()
	names := []string{"USER-CONTEXT-ENTITY-TYPE", "USER-CONTEXT-ENTITY-ID", "USER-CONTEXT-ENTITY-SOURCE",
		"USER-CONTEXT-ENTITY-SOURCE-ID", "X-CAP-API-ATTRIBUTION-LOOKUP-TYPE", "X-CAP-API-ATTRIBUTION-LOOKUP",
		"X-CAP-API-ATTRIBUTION-ENTITY-TYPE", "X-CAP-API-ATTRIBUTION-ENTITY-CODE"}
	c, mt := newMockedClient(t)
	rec := script(mt)
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore(),
		WithUserContext(UserContext{EntityID: "only-id"}), WithTillAttribution("TILL", "t1"))
	require.NoError(t, err)
	_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err)
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "only-id", reqs[0].Header.Get("USER-CONTEXT-ENTITY-ID"))
	assert.Empty(t, reqs[0].Header.Values("USER-CONTEXT-ENTITY-TYPE"), "empty fields are not sent")
	assert.Equal(t, "t1", reqs[0].Header.Get("X-CAP-API-ATTRIBUTION-LOOKUP"))
	for _, name := range names {
		assert.Empty(t, reqs[1].Header.Values(name), name)
	}
}

// Retries carry the same credentials as the first attempt.
func TestBasicAuthOnEveryAttempt(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t, WithUserContext(UserContext{EntityType: "ADMIN"}))
	rec := script(mt, respond(http.StatusServiceUnavailable, `{}`), respond(http.StatusServiceUnavailable, `{}`), okResponder())
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore(), WithTillAttribution("TILL", "x"))
	require.NoError(t, err)
	reqs := rec.all()
	require.Len(t, reqs, 3)
	for i, r := range reqs {
		assert.Equal(t, []string{testAuthHeader()}, r.Header.Values("Authorization"), "attempt %d", i+1)
		assert.Equal(t, "ADMIN", r.Header.Get("USER-CONTEXT-ENTITY-TYPE"), "attempt %d", i+1)
		assert.Equal(t, "x", r.Header.Get("X-CAP-API-ATTRIBUTION-LOOKUP"), "attempt %d", i+1)
	}
}

// fakeClock is a time source tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// oauthServer is a vendor stand-in: a token endpoint that counts generations and a customer
// endpoint that accepts only the tokens it issued and has not revoked.
type oauthServer struct {
	*httptest.Server
	generations atomic.Int32
	release     chan struct{} // when set, generations wait for it
	ttl         int
	mu          sync.Mutex
	valid       map[string]bool
	seenTokens  []string
	refuse      bool // answer generations with 401 and the vendor's envelope
}

func newOAuthServer(t *testing.T) *oauthServer {
	t.Helper()
	requireLoopback(t)
	s := &oauthServer{ttl: 300, valid: map[string]bool{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *oauthServer) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(headerRequestID, "req-"+r.URL.Path)
	if r.URL.Path == tokenPath {
		if r.Header.Get("Authorization") != "" || r.Header.Get(headerOAuthToken) != "" {
			http.Error(w, "token calls carry no credentials header", http.StatusBadRequest)
			return
		}
		var body struct{ Key, Secret string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Key != "the-key" || body.Secret != "the-secret" || s.refuse {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"data":null,"errors":[{"status":false,"code":401,"message":"Invalid key or secret the-secret"}]}`)
			return
		}
		if s.release != nil {
			select { // held until the test releases it, or the client gives up
			case <-s.release:
			case <-r.Context().Done():
				return
			}
		}
		n := s.generations.Add(1)
		tok := fmt.Sprintf("token-%d", n)
		s.mu.Lock()
		s.valid[tok] = true
		s.mu.Unlock()
		_, _ = fmt.Fprintf(w, `{"data":{"accessToken":%q,"ttlSeconds":%d},"errors":null}`, tok, s.ttl)
		return
	}
	tok := r.Header.Get(headerOAuthToken)
	s.mu.Lock()
	ok := s.valid[tok]
	s.seenTokens = append(s.seenTokens, tok)
	s.mu.Unlock()
	if !ok || r.Header.Get("Authorization") != "" {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"warnings":[],"errors":[{"status":false,"code":401,"message":"Invalid token"}]}`)
		return
	}
	_, _ = io.WriteString(w, `{"createdId":171891944,"warnings":[],"sideEffects":[]}`)
}

func (s *oauthServer) revokeAll() {
	s.mu.Lock()
	s.valid = map[string]bool{}
	s.mu.Unlock()
}

func newOAuthClient(t *testing.T, srv *oauthServer, opts ...ClientOption) (*Client, *fakeClock) {
	t.Helper()
	base := []ClientOption{WithBaseURL(srv.URL), WithOAuth("the-key", "the-secret"), WithRetries(2, time.Millisecond, 2*time.Millisecond)}
	c, err := NewClient(append(base, opts...)...)
	require.NoError(t, err)
	clock := &fakeClock{now: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	c.auth.(*tokenSource).now = clock.Now
	return c, clock
}

func oauthUpdate(ctx context.Context, c *Client, opts ...Option) (*UpdateCustomerResponse, error) {
	return c.Customers.Update(ctx, "171891944",
		&UpdateCustomerRequest{LoyaltyInfo: &LoyaltyInfo{LoyaltyType: LoyaltyTypeLoyalty}},
		&UpdateCustomerParams{Source: SourceInstore}, opts...)
}

func TestOAuthConcurrentCallsShareOneGeneration(t *testing.T) {
	t.Parallel()
	srv := newOAuthServer(t)
	srv.release = make(chan struct{})
	c, _ := newOAuthClient(t, srv)

	const callers = 50
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := oauthUpdate(context.Background(), c)
			errs <- err
		}()
	}
	// Every caller is now waiting on the one generation the first of them started.
	require.Eventually(t, func() bool { return c.auth.(*tokenSource).waiting() }, waitBound, time.Millisecond)
	close(srv.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, srv.generations.Load())
	for _, tok := range srv.seenTokens {
		assert.Equal(t, "token-1", tok)
	}
}

func TestOAuthTokenRenewedBeforeExpiry(t *testing.T) {
	t.Parallel()
	srv := newOAuthServer(t)
	c, clock := newOAuthClient(t, srv)
	ctx := context.Background()

	_, err := oauthUpdate(ctx, c)
	require.NoError(t, err)
	clock.Advance(200 * time.Second) // ttl 300 s, renewed a minute early: still fresh
	_, err = oauthUpdate(ctx, c)
	require.NoError(t, err)
	assert.EqualValues(t, 1, srv.generations.Load())

	clock.Advance(41 * time.Second) // 241 s: inside the last minute
	_, err = oauthUpdate(ctx, c)
	require.NoError(t, err)
	assert.EqualValues(t, 2, srv.generations.Load())
	assert.Equal(t, []string{"token-1", "token-1", "token-2"}, srv.seenTokens)
}

func TestOAuthRenewalMargin(t *testing.T) {
	t.Parallel()
	for ttl, want := range map[time.Duration]time.Duration{
		10 * time.Second: 2 * time.Second,
		5 * time.Minute:  time.Minute,
		time.Hour:        time.Minute,
	} {
		assert.Equal(t, want, renewalMargin(ttl), ttl)
	}
}

func TestOAuth401RenewsTokenOnceAndReplays(t *testing.T) {
	t.Parallel()
	srv := newOAuthServer(t)
	c, _ := newOAuthClient(t, srv)
	ctx := context.Background()

	_, err := oauthUpdate(ctx, c)
	require.NoError(t, err)
	srv.revokeAll() // the server forgets the token before its ttl says so

	res, err := oauthUpdate(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, ID("171891944"), res.CreatedID)
	assert.EqualValues(t, 2, srv.generations.Load())
	assert.Equal(t, []string{"token-1", "token-1", "token-2"}, srv.seenTokens)
}

func TestOAuth401TwiceIsReturned(t *testing.T) {
	t.Parallel()
	srv := newOAuthServer(t)
	srv.ttl = 300
	c, _ := newOAuthClient(t, srv)
	// Every token is refused at once: one renewal, then the 401 is the caller's.
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == tokenPath {
			srv.serve(w, r)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"errors":[{"status":false,"code":401,"message":"Invalid token"}]}`)
	})
	_, err := oauthUpdate(context.Background(), c)
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.EqualValues(t, 2, srv.generations.Load())
}

func TestOAuthWrongCredentialsIsTypedError(t *testing.T) {
	t.Parallel()
	srv := newOAuthServer(t)
	srv.refuse = true
	c, _ := newOAuthClient(t, srv)

	_, err := oauthUpdate(context.Background(), c)
	var tokErr *TokenError
	require.ErrorAs(t, err, &tokErr)
	assert.ErrorIs(t, err, ErrOAuthCredentials)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	assert.NotContains(t, err.Error(), "the-secret", "the server echoed the secret; the error must not")
	assert.NotContains(t, fmt.Sprintf("%+v %#v", err, c), "the-secret")
	assert.Len(t, srv.seenTokens, 0, "no customer call without a token")
}

func TestOAuthNetworkFailureIsNotCredentialsError(t *testing.T) {
	t.Parallel()
	srv := newOAuthServer(t)
	c, _ := newOAuthClient(t, srv)
	srv.Close() // nothing listens any more

	_, err := oauthUpdate(context.Background(), c)
	var tokErr *TokenError
	require.ErrorAs(t, err, &tokErr)
	assert.NotErrorIs(t, err, ErrOAuthCredentials)
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr), "no server answered")
}

func TestOAuthSendsTokenHeaderAndAttribution(t *testing.T) {
	t.Parallel()
	var got http.Header
	srv := newOAuthServer(t)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != tokenPath {
			got = r.Header.Clone()
		}
		srv.serve(w, r)
	})
	c, _ := newOAuthClient(t, srv, WithOAuthAttribution(AttributionStoreCode, "store-42"))
	_, err := oauthUpdate(context.Background(), c)
	require.NoError(t, err)
	assert.Equal(t, "token-1", got.Get(headerOAuthToken))
	assert.Empty(t, got.Get("Authorization"))
	assert.Equal(t, "STORE_CODE", got.Get("X-CAP-API-ATTRIBUTION-ENTITY-TYPE"))
	assert.Equal(t, "store-42", got.Get("X-CAP-API-ATTRIBUTION-ENTITY-CODE"))
}

func TestOAuthCallerGivingUpDoesNotFailOthers(t *testing.T) {
	t.Parallel()
	srv := newOAuthServer(t)
	srv.release = make(chan struct{})
	c, _ := newOAuthClient(t, srv)

	impatient, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := oauthUpdate(impatient, c)
		done <- err
	}()
	require.Eventually(t, func() bool { return c.auth.(*tokenSource).waiting() }, waitBound, time.Millisecond)
	cancel()
	require.ErrorIs(t, receive(t, done), context.Canceled)

	patient := make(chan error, 1)
	go func() {
		_, err := oauthUpdate(context.Background(), c)
		patient <- err
	}()
	close(srv.release)
	require.NoError(t, receive(t, patient))
	assert.EqualValues(t, 1, srv.generations.Load(), "the cancelled caller's generation served the next one")
}

// waiting reports whether a generation is under way.
func (ts *tokenSource) waiting() bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.inflight != nil
}

// An early renewal that fails (the token endpoint is down) does not throw away a token the
// server still takes; once the token has expired, the failure is the caller's.
func TestOAuthFailedRenewalKeepsValidToken(t *testing.T) {
	t.Parallel()
	srv := newOAuthServer(t)
	c, clock := newOAuthClient(t, srv, WithRetries(0, 0, 0))
	ctx := context.Background()
	_, err := oauthUpdate(ctx, c)
	require.NoError(t, err)

	down := true
	var mu sync.Mutex
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		d := down
		mu.Unlock()
		if r.URL.Path == tokenPath && d {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		srv.serve(w, r)
	})
	clock.Advance(250 * time.Second) // past the renewal point (240 s), before expiry (300 s)
	_, err = oauthUpdate(ctx, c)
	require.NoError(t, err, "the old token still holds")
	assert.Equal(t, "token-1", srv.seenTokens[len(srv.seenTokens)-1])

	clock.Advance(60 * time.Second) // 310 s: expired
	_, err = oauthUpdate(ctx, c)
	var tokErr *TokenError
	require.ErrorAs(t, err, &tokErr)
	assert.NotErrorIs(t, err, ErrOAuthCredentials, "a 503 is an outage, not a refused key")

	mu.Lock()
	down = false
	mu.Unlock()
	_, err = oauthUpdate(ctx, c)
	require.NoError(t, err)
	assert.EqualValues(t, 2, srv.generations.Load())
}

func TestTokenErrorClassification(t *testing.T) {
	t.Parallel()
	refusal := []Message{{Code: 401, Message: "Invalid key or secret"}}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"401", &APIError{StatusCode: 401}, true},
		{"403", &APIError{StatusCode: 403}, true},
		{"400 with the vendor's errors", &APIError{StatusCode: 400, Errors: refusal}, true},
		{"200 with the vendor's errors", &APIError{StatusCode: 200, Errors: refusal}, true},
		{"a proxy's 404 page", &APIError{StatusCode: 404, Body: "<html>404 page not found</html>"}, false},
		{"429", &APIError{StatusCode: 429, Errors: refusal}, false},
		{"500 with errors", &APIError{StatusCode: 500, Errors: refusal}, false},
		{"no answer", &RequestError{Err: errors.New("connection refused")}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, errors.Is(&TokenError{Err: tt.err}, ErrOAuthCredentials), tt.name)
	}
}

func TestOAuthGenerationBudget(t *testing.T) {
	t.Parallel()
	ts := &tokenSource{client: &Client{defaults: callSettings{timeout: 30 * time.Second, waitMax: 10 * time.Second, maxRetries: 3}}}
	assert.Equal(t, 160*time.Second, ts.generationBudget())
	ts.client.defaults = callSettings{timeout: maxAttemptTimeLimit, waitMax: maxRetryWaitLimit, maxRetries: maxRetriesLimit}
	assert.Equal(t, 101*(maxAttemptTimeLimit+maxRetryWaitLimit), ts.generationBudget(), "the largest settings do not overflow")
}

// A huge ttlSeconds does not overflow into a token per call.
func TestAuthHugeTokenTTL(t *testing.T) {
	t.Parallel()
	srv := newOAuthServer(t)
	srv.ttl = 18446744074 // seconds: as nanoseconds it wraps around to about 0.29 s
	c, clock := newOAuthClient(t, srv)
	for range 3 {
		_, err := oauthUpdate(testCtx(t), c)
		require.NoError(t, err)
		clock.Advance(time.Minute)
	}
	assert.EqualValues(t, 1, srv.generations.Load())
}
