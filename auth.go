package capillary

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The vendor's headers that the SDK itself reads or writes.
const (
	headerOAuthToken = "X-CAP-API-OAUTH-TOKEN"
	headerRequestID  = "X-Cap-Requestid"
)

// authenticator puts credentials on a request.
type authenticator interface {
	// authorize sets the credential header on h.
	authorize(ctx context.Context, h http.Header) error
	// renew is told that the server answered 401 to a request carrying h. It reports whether
	// fresh credentials may cure that, after discarding the rejected ones.
	renew(h http.Header) bool
	// redact replaces every credential in s, for text that came from elsewhere (a response
	// body quoted in an error, a request id) and might echo one.
	redact(s string) string
}

// secret is a credential. Printed on its own it shows [redacted] under every fmt verb; fmt does
// not call that method for an unexported struct field, so every type holding a secret has a
// Format method of its own (Client, basicAuth, tokenSource, oauthCredentials).
type secret string

// Format prints [redacted] whatever the verb.
func (secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[redacted]") }

// basicAuth is the vendor's Basic scheme: the header value, computed once (the password is not
// kept), and every form of the credential a server could echo, for redact.
type basicAuth struct {
	header []string // {"Basic base64(till:md5hex(password))"}, shared by every request
	forms  []secret // longest first, so that a form containing another is replaced whole
}

func newBasicAuth(till, digest string) basicAuth {
	token := base64.StdEncoding.EncodeToString([]byte(till + ":" + digest))
	return basicAuth{
		header: []string{"Basic " + token},
		// The base64 token with and without its padding, the decoded "till:digest", and the
		// digest in either case.
		forms: []secret{secret(token), secret(strings.TrimRight(token, "=")), secret(till + ":" + digest),
			secret(strings.ToLower(digest)), secret(strings.ToUpper(digest))},
	}
}

// Format prints [redacted].
func (basicAuth) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[redacted]") }

func (b basicAuth) authorize(_ context.Context, h http.Header) error {
	h["Authorization"] = b.header
	return nil
}

// renew reports false: a refused till password does not get better by asking again.
func (basicAuth) renew(http.Header) bool { return false }

// redact hides every form of the credential a server could echo.
func (b basicAuth) redact(s string) string { return redactAll(s, b.forms...) }

// redactAll replaces each non-empty credential in s with [redacted], in every form in which it
// can come back: as sent, JSON-escaped (encoding/json writes & < > as \u0026..., a Java
// server = as \u003d) and URL-encoded. Credentials containing others come first.
func redactAll(s string, creds ...secret) string {
	if s == "" {
		return s
	}
	// An echo may escape any character; matching on the unescaped text catches every escaping.
	if u := unescapeJSON(s); u != s && containsAny(u, creds) {
		s = u
	}
	for _, c := range creds {
		if c == "" {
			continue
		}
		s = strings.ReplaceAll(s, string(c), "[redacted]")
		// A URL-encoded form differs by a %XX or a + (for a space): without either, none is here.
		if strings.ContainsAny(s, "%+") {
			for _, form := range []string{url.QueryEscape(string(c)), url.PathEscape(string(c))} {
				s = strings.ReplaceAll(s, form, "[redacted]")
			}
		}
	}
	return s
}

func containsAny(s string, creds []secret) bool {
	for _, c := range creds {
		if c != "" && strings.Contains(s, string(c)) {
			return true
		}
	}
	return false
}

// unescapeJSON resolves the escapes of JSON strings (\uXXXX, \/, \", \\) found anywhere in s.
func unescapeJSON(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch c := s[i+1]; {
		case c == '/' || c == '"' || c == '\\':
			b.WriteByte(c)
			i++
		case c == 'u' && i+6 <= len(s):
			r, err := strconv.ParseUint(s[i+2:i+6], 16, 32)
			if err != nil {
				b.WriteByte(s[i])
				continue
			}
			i += 5
			if utf16.IsSurrogate(rune(r)) && i+7 <= len(s) && s[i+1:i+3] == `\u` {
				if low, err := strconv.ParseUint(s[i+3:i+7], 16, 32); err == nil {
					if pair := utf16.DecodeRune(rune(r), rune(low)); pair != utf8.RuneError {
						r, i = uint64(pair), i+6
					}
				}
			}
			b.WriteRune(rune(r)) // a lone surrogate becomes U+FFFD, as encoding/json decodes it
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
