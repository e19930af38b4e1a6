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

// oauthErrorEnvelope is an error of the token endpoint, as the vendor's sample gives it:
// {"data":null,"errors":[...]}.
type oauthErrorEnvelope struct {
	Data   *tokenData `json:"data"`
	Errors []message  `json:"errors"`
}

// decodeToken reads the body of a token generation, {"key","secret"}, into c.doc, and
// returns what is wrong with its shape.
func (c *call) decodeToken(body []byte) []string {
	b := &bodyChecker{}
	if obj, ok := b.document(body); ok {
		c.doc = obj
		b.unknown(obj, "", "key", "secret")
		for _, name := range []string{"key", "secret"} {
			if _, ok := obj[name].(string); !ok && obj[name] != nil {
				b.fail(name, "must be a string, not %s", kind(obj[name]))
			} else if !ok {
				b.fail(name, "is required")
			}
		}
	}
	return b.problems
}

// checkClient refuses a key and secret that are not those of an OAuth client of the server.
func checkClient(c *call) {
	key, _ := c.doc["key"].(string)
	secret, _ := c.doc["secret"].(string)
	want, known := c.s.cfg.oauthClients[key]
	if !known || subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
		c.refuse("")
	}
}

// generateToken answers POST /v3/oauth/token/generate with a new token for the client.
func (s *Server) generateToken(c *call) answer {
	key, _ := c.doc["key"].(string)
	token := s.tokens.issue(key, c.now, s.cfg.tokenTTL)
	return jsonAnswer(http.StatusOK, tokenAnswer{Data: tokenData{AccessToken: token, TTLSeconds: int64(s.cfg.tokenTTL / time.Second)}})
}
