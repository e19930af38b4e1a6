package capillarytest

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"sync"
	"time"
)

// tokenState is what check finds out about a token.
type tokenState int

const (
	tokenValid tokenState = iota
	tokenExpired
	tokenUnknown
)

// tokenStore holds the OAuth tokens issued. Every generation issues a new token; older ones
// stay valid until they expire, as nothing in the vendor's documentation revokes them.
type tokenStore struct {
	mu        sync.Mutex
	tokens    map[string]issuedToken
	generated int
}

type issuedToken struct {
	key     string
	expires time.Time
}

// issue makes a token for key that lives ttl from now.
func (t *tokenStore) issue(key string, now time.Time, ttl time.Duration) string {
	token := rand.Text() // 26 base32 characters from crypto/rand: unguessable, header-safe
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tokens == nil {
		t.tokens = map[string]issuedToken{}
	}
	for tok, it := range t.tokens { // forget expired tokens, so a long-running server stays small
		if !now.Before(it.expires) {
			delete(t.tokens, tok)
		}
	}
	t.tokens[token] = issuedToken{key: key, expires: now.Add(ttl)}
	t.generated++
	return token
}

// check reports whether token is live at now, and whose it is. A token is dead from the
// instant its lifetime ends.
func (t *tokenStore) check(token string, now time.Time) (key string, state tokenState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	it, ok := t.tokens[token]
	switch {
	case !ok:
		return "", tokenUnknown
	case !now.Before(it.expires):
		return it.key, tokenExpired
	}
	return it.key, tokenValid
}

func (t *tokenStore) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.generated
}

// revoke forgets every token, so that calls carrying one get 401.
func (t *tokenStore) revoke() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tokens = nil
}

// tokenAnswer is the success body of /v3/oauth/token/generate.
type tokenAnswer struct {
	Data   tokenData `json:"data"`
	Errors []message `json:"errors"` // always null on success, as in the vendor's sample
}

type tokenData struct {
	AccessToken string `json:"accessToken"`
	TTLSeconds  int64  `json:"ttlSeconds"`
}

// oauthErrorEnvelope is an error of the token endpoint: the v3 shape (data null, errors) with
// the v2 warnings list too, so a client reading either shape finds the errors.
type oauthErrorEnvelope struct {
	Data     *tokenData `json:"data"`
	Errors   []message  `json:"errors"`
	Warnings []message  `json:"warnings"`
}

func oauthFailure(status, code int, detail string) answer {
	return jsonAnswer(status, oauthErrorEnvelope{Errors: []message{newMessage(code, detail)}, Warnings: []message{}})
}

// handleTokenGenerate answers POST /v3/oauth/token/generate with {"key","secret"}: a new token
// for a known client, 401 for a wrong key or secret.
func (s *Server) handleTokenGenerate(r *http.Request, body []byte, tooLarge bool) answer {
	if r.Method != http.MethodPost {
		a := oauthFailure(http.StatusMethodNotAllowed, CodeMethodNotAllowed, r.Method+" is not allowed; use POST")
		a.header.Set("Allow", http.MethodPost)
		return a
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		return oauthFailure(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "send the body as Content-Type: application/json")
	}
	if tooLarge {
		return oauthFailure(http.StatusBadRequest, CodeInvalidInput, "the body is too large")
	}
	b := &bodyChecker{ignoreUnknown: s.cfg.ignoreUnknown}
	obj, ok := b.document(body)
	var key, secret string
	if ok {
		b.unknown(obj, "", "key", "secret")
		key, _ = b.str(obj["key"], "key", CodeInvalidInput)
		secret, _ = b.str(obj["secret"], "secret", CodeInvalidInput)
		if obj["key"] == nil {
			b.fail(CodeInvalidInput, "key", "is required")
		}
		if obj["secret"] == nil {
			b.fail(CodeInvalidInput, "secret", "is required")
		}
	}
	if len(b.errs) > 0 {
		return jsonAnswer(http.StatusBadRequest, oauthErrorEnvelope{Errors: b.errs, Warnings: []message{}})
	}
	want, known := s.cfg.oauthClients[key]
	if !known || subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
		return oauthFailure(http.StatusUnauthorized, CodeUnauthorized, "invalid key or secret")
	}
	token := s.tokens.issue(key, s.cfg.now(), s.cfg.tokenTTL)
	return jsonAnswer(http.StatusOK, tokenAnswer{Data: tokenData{AccessToken: token, TTLSeconds: int64(s.cfg.tokenTTL / time.Second)}})
}
