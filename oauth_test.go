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

func TestOAuthOptionsRejected(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]ClientOption{
		"empty key":          WithOAuth("", "s"),
		"empty secret":       WithOAuth("k", ""),
		"unknown entity":     WithOAuthAttribution("SHOP", "x"),
		"empty code":         WithOAuthAttribution(AttributionTill, ""),
		"CRLF in attributed": WithOAuthAttribution(AttributionTill, "a\r\nX-Evil: 1"),
	} {
		_, err := NewClient(WithRegion(RegionEU), WithOAuth("k", "s"), opt)
		require.ErrorIs(t, err, ErrInvalidConfig, name)
	}
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

func TestOAuthSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	srv := newOAuthServer(t)
	c, _ := newOAuthClient(t, srv)
	_, err := oauthUpdate(context.Background(), c)
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
		out := fmt.Sprintf(verb, c) + fmt.Sprintf(verb, c.Customers) + fmt.Sprintf(verb, c.auth)
		for _, s := range []string{"the-secret", "the-key", "token-1"} {
			assert.False(t, strings.Contains(out, s), "%s printed %s", verb, s)
		}
	}
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

func TestOAuthShortKeyIsNotRedacted(t *testing.T) {
	t.Parallel()
	creds := &oauthCredentials{key: "key", secret: "s3cr3t-value"}
	auth := tokenRequestAuth{creds: creds}
	assert.Equal(t, "Invalid key or [redacted]", auth.redact("Invalid key or s3cr3t-value"))
	creds.key = "long-client-key"
	assert.Equal(t, "unknown client [redacted]", auth.redact("unknown client long-client-key"))
}

func TestOAuthGenerationBudget(t *testing.T) {
	t.Parallel()
	ts := &tokenSource{client: &Client{defaults: callSettings{timeout: 30 * time.Second, waitMax: 10 * time.Second, maxRetries: 3}}}
	assert.Equal(t, 160*time.Second, ts.generationBudget())
	ts.client.defaults = callSettings{timeout: maxAttemptTimeLimit, waitMax: maxRetryWaitLimit, maxRetries: maxRetriesLimit}
	assert.Equal(t, 101*(maxAttemptTimeLimit+maxRetryWaitLimit), ts.generationBudget(), "the largest settings do not overflow")
}
