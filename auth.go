package capillary

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// authenticator puts credentials on a request.
type authenticator interface {
	// authorize sets the credential header on h.
	authorize(ctx context.Context, h http.Header) error
	// renew is told that the server answered 401 to a request carrying h. It reports whether
	// fresh credentials may cure that, after discarding the rejected ones.
	renew(h http.Header) bool
	// redact replaces every credential in s, for text that came from elsewhere (a response
	// body quoted in an error) and might echo one.
	redact(s string) string
}

// secret is a credential. Printed on its own it shows [redacted] under every fmt verb; fmt does
// not call that method for an unexported struct field, so every type holding a secret has a
// Format method of its own (Client, basicAuth, tokenSource, oauthCredentials).
type secret string

// Format prints [redacted] whatever the verb.
func (secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[redacted]") }

// basicAuth is the vendor's Basic scheme; the header value is computed once, and neither the
// password nor the bare digest is kept.
type basicAuth struct {
	header secret // "Basic base64(till:md5hex(password))"
}

func newBasicAuth(till, digest string) basicAuth {
	return basicAuth{header: secret("Basic " + base64.StdEncoding.EncodeToString([]byte(till+":"+digest)))}
}

// Format prints [redacted].
func (basicAuth) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[redacted]") }

func (b basicAuth) authorize(_ context.Context, h http.Header) error {
	h["Authorization"] = []string{string(b.header)}
	return nil
}

// renew reports false: a refused till password does not get better by asking again.
func (basicAuth) renew(http.Header) bool { return false }

// redact hides every form of the credential a server could echo: the base64 token, the
// decoded "till:digest", and the digest in either case (longest first). They are derived here,
// on the error path, rather than kept.
func (b basicAuth) redact(s string) string {
	token := strings.TrimPrefix(string(b.header), "Basic ")
	decoded, _ := base64.StdEncoding.DecodeString(token)
	_, digest, _ := strings.Cut(string(decoded), ":")
	return redactAll(s, secret(token), secret(decoded), secret(strings.ToLower(digest)), secret(strings.ToUpper(digest)))
}

// redactAll replaces each non-empty form in s with [redacted]; forms containing others come
// first, so that they are replaced whole.
func redactAll(s string, forms ...secret) string {
	for _, f := range forms {
		if f != "" {
			s = strings.ReplaceAll(s, string(f), "[redacted]")
		}
	}
	return s
}
