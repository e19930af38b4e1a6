package capillary

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// tokenPath is the vendor's OAuth token endpoint, on the same host as the API.
const tokenPath = "/v3/oauth/token/generate"

// ErrOAuthCredentials matches a *TokenError whose generation the server refused (a wrong key or
// secret, a disabled API client), not one that never reached it.
var ErrOAuthCredentials = errors.New("capillary: OAuth key or secret refused")

// WithOAuth authenticates with an OAuth API client's key and secret: the SDK generates a token
// (POST /v3/oauth/token/generate), sends it as X-CAP-API-OAUTH-TOKEN, shares it between calls
// (one generation at a time), and renews it before its ttlSeconds run out and after a 401.
func WithOAuth(key, secretKey string) ClientOption {
	creds := &oauthCredentials{key: secret(key), secret: secret(secretKey)}
	return clientOption(func(s *clientSettings) {
		switch {
		case key == "" && secretKey == "":
			s.problems.add("WithOAuth", "key and secret are empty")
		case key == "":
			s.problems.add("WithOAuth", "key is empty")
		case secretKey == "":
			s.problems.add("WithOAuth", "secret is empty")
		case !utf8.ValidString(key) || !utf8.ValidString(secretKey):
			s.problems.add("WithOAuth", "key or secret is not valid UTF-8, which JSON cannot carry")
		default:
			s.setCredentials("WithOAuth", nil, creds)
		}
	})
}

// AttributionEntityType says what X-CAP-API-ATTRIBUTION-ENTITY-CODE names, for calls made
// with an OAuth token.
type AttributionEntityType string

// The attribution entity types the vendor documents; TILL is the server's default.
const (
	AttributionTill             AttributionEntityType = "TILL"
	AttributionStoreCode        AttributionEntityType = "STORE_CODE"
	AttributionStoreName        AttributionEntityType = "STORE_NAME"
	AttributionStoreExternalID  AttributionEntityType = "STORE_EXTERNAL_ID"
	AttributionStoreExternalID1 AttributionEntityType = "STORE_EXTERNAL_ID_1"
	AttributionStoreExternalID2 AttributionEntityType = "STORE_EXTERNAL_ID_2"
)

var attributionEntityTypes = []AttributionEntityType{
	AttributionTill, AttributionStoreCode, AttributionStoreName, AttributionStoreExternalID,
	AttributionStoreExternalID1, AttributionStoreExternalID2,
}

// WithOAuthAttribution attributes OAuth calls to a till or store: entityType and code go out
// as X-CAP-API-ATTRIBUTION-ENTITY-TYPE and X-CAP-API-ATTRIBUTION-ENTITY-CODE.
func WithOAuthAttribution(entityType AttributionEntityType, code string) Option {
	return func(s *callSettings) {
		switch {
		case !slices.Contains(attributionEntityTypes, entityType):
			s.problems.add("WithOAuthAttribution.entityType", "%q is not a documented attribution entity type (%s)", string(entityType), listOf(attributionEntityTypes))
		case code == "":
			s.problems.add("WithOAuthAttribution.code", "is required")
		default:
			s.setHeader("WithOAuthAttribution.entityType", "X-CAP-API-ATTRIBUTION-ENTITY-TYPE", string(entityType))
			s.setHeader("WithOAuthAttribution.code", "X-CAP-API-ATTRIBUTION-ENTITY-CODE", code)
		}
	}
}

// oauthCredentials are an API client's key and secret. As an authenticator they serve the token
// calls, which carry both in the body: they add no header and redact both.
type oauthCredentials struct {
	key, secret secret
}

func (*oauthCredentials) authorize(context.Context, http.Header) error { return nil }

// redact hides the secret, and the key if long enough to hide without mangling words.
func (c *oauthCredentials) redact(s string) string {
	if strings.Contains(s, `"accessToken"`) { // a generation's answer: its token is not known yet
		s = regexp.MustCompile(`("accessToken"\s*:\s*)"(?:[^"\\]|\\.)*"`).ReplaceAllString(s, `${1}"[redacted]"`)
	}
	if len(c.key) < 8 {
		return redactAll(s, c.secret)
	}
	return redactAll(s, c.secret, c.key)
}

// TokenError is a failed generation of an OAuth token.
type TokenError struct {
	Err error // the server's *APIError (then errors.Is ErrOAuthCredentials), or the transport error
}

// Error says that the token could not be generated, and why.
func (e *TokenError) Error() string {
	return "capillary: generating an OAuth token: " + strings.TrimPrefix(e.Err.Error(), "capillary: ")
}

// Unwrap returns the cause.
func (e *TokenError) Unwrap() error { return e.Err }

// Is matches ErrOAuthCredentials when the server refused the generation: a 401 or 403, or the
// vendor's errors list below 500 and not 429. A proxy's 404 page is not a refused key.
func (e *TokenError) Is(target error) bool {
	var apiErr *APIError
	if target != ErrOAuthCredentials || !errors.As(e.Err, &apiErr) {
		return false
	}
	status := apiErr.StatusCode
	return status == http.StatusUnauthorized || status == http.StatusForbidden ||
		(len(apiErr.Errors) > 0 && status < 500 && status != http.StatusTooManyRequests)
}

// tokenSource generates, caches and renews an OAuth token for one client.
type tokenSource struct {
	creds  *oauthCredentials
	client *Client          // sends the token calls, with its default settings
	now    func() time.Time // the clock, replaced in tests

	mu                 sync.Mutex
	token, previous    secret     // previous: an answer to a replayed call may still echo it
	renewAt, expiresAt time.Time  // a margin before it expires, and when the server stops taking it
	inflight           *tokenCall // the generation under way, which every caller waits for
}

// tokenCall is one generation; done closes when token or err is set.
type tokenCall struct {
	done  chan struct{}
	token secret
	err   error
}

func (ts *tokenSource) authorize(ctx context.Context, h http.Header) error {
	tok, err := ts.current(ctx)
	if err != nil {
		return err
	}
	h.Del("Authorization")
	h.Set(headerOAuthToken, string(tok))
	return nil
}

// current returns the cached token, or waits for the one generation under way, starting it if
// needed apart from any caller, so that one caller giving up fails no other.
func (ts *tokenSource) current(ctx context.Context) (secret, error) {
	ts.mu.Lock()
	if ts.token != "" && ts.now().Before(ts.renewAt) {
		tok := ts.token
		ts.mu.Unlock()
		return tok, nil
	}
	call := ts.inflight
	if call == nil {
		call = &tokenCall{done: make(chan struct{})}
		ts.inflight = call
		go ts.generate(context.WithoutCancel(ctx), call)
	}
	ts.mu.Unlock()
	select {
	case <-call.done:
		return call.token, call.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (ts *tokenSource) generate(ctx context.Context, call *tokenCall) {
	ctx, cancel := context.WithTimeout(ctx, ts.generationBudget())
	defer cancel()
	issued := ts.now()
	tok, ttl, err := ts.fetch(ctx)

	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.inflight = nil
	defer close(call.done)
	switch {
	case err == nil:
		if ts.token != "" {
			ts.previous = ts.token
		}
		call.token, ts.token, ts.renewAt, ts.expiresAt = tok, tok, issued.Add(ttl-renewalMargin(ttl)), issued.Add(ttl)
	case ts.token != "" && ts.now().Before(ts.expiresAt):
		call.token = ts.token // an early renewal failed while the old token holds: use it, retry later
	default:
		call.err = &TokenError{Err: err}
	}
}

// generationBudget bounds a generation: every attempt and wait at their longest.
func (ts *tokenSource) generationBudget() time.Duration {
	s := ts.client.defaults
	return (s.timeout + s.waitMax) * time.Duration(s.maxRetries+1)
}

// renewalMargin is how long before expiry a token is replaced: a fifth of its life, at most a
// minute, so that no call leaves with a token about to lapse.
func renewalMargin(ttl time.Duration) time.Duration {
	return min(ttl/5, time.Minute)
}

type tokenAnswer struct {
	Data     *tokenData    `json:"data"`
	Errors   List[Message] `json:"errors"`
	Warnings List[Message] `json:"warnings"`
}

func (a *tokenAnswer) lists() ([]Message, []Message, error) { return a.Errors, a.Warnings, nil }

type tokenData struct {
	AccessToken string `json:"accessToken"`
	TTLSeconds  Int    `json:"ttlSeconds"` // a number or a string
}

// defaultTokenTTL is assumed without ttlSeconds; maxTokenTTL caps it, so that it cannot overflow.
const (
	defaultTokenTTL = time.Minute
	maxTokenTTL     = 24 * time.Hour
)

func (ts *tokenSource) fetch(ctx context.Context) (secret, time.Duration, error) {
	var out tokenAnswer
	// A read: it changes no customer, so it is retried on every 5xx and never uncertain.
	if _, err := ts.client.call(ctx, &request{
		method: http.MethodPost,
		path:   tokenPath,
		body: struct {
			Key    string `json:"key"`
			Secret string `json:"secret"`
		}{string(ts.creds.key), string(ts.creds.secret)},
		read: true,
		auth: ts.creds,
	}, &out, nil); err != nil {
		return "", 0, err
	}
	if out.Data == nil || strings.TrimSpace(out.Data.AccessToken) == "" {
		return "", 0, errors.New("the token endpoint's answer carried no accessToken")
	}
	ttl := defaultTokenTTL
	if secs := out.Data.TTLSeconds; secs > 0 {
		ttl = time.Duration(min(int64(secs), int64(maxTokenTTL/time.Second))) * time.Second
	}
	return secret(out.Data.AccessToken), ttl, nil
}

// renew drops the token a 401 was answered to, unless another call has replaced it already.
func (ts *tokenSource) renew(h http.Header) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if sent := h.Get(headerOAuthToken); sent != "" && sent == string(ts.token) {
		ts.previous, ts.token = ts.token, ""
	}
}

func (ts *tokenSource) redact(s string) string {
	ts.mu.Lock()
	tok, prev := ts.token, ts.previous
	ts.mu.Unlock()
	return redactAll(ts.creds.redact(s), tok, prev)
}

// Format prints [redacted]: a token source holds the key, the secret and the token.
func (*tokenSource) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[redacted]") }

// Format prints [redacted].
func (*oauthCredentials) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[redacted]") }
