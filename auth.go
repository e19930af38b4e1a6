package capillary

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
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

// authenticator puts credentials on a request (authorize) and hides them in text that may echo
// them (redact). Only an OAuth *tokenSource can renew what a 401 refused.
type authenticator interface {
	authorize(ctx context.Context, h http.Header) error
	redact(s string) string
}

// secret is a credential that prints [redacted] under every verb. fmt skips that method for an
// unexported field, so every type holding a secret has a Format of its own.
type secret string

// Format prints [redacted] whatever the verb.
func (secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[redacted]") }

// basicAuth is the vendor's Basic scheme: the header value (the password is not kept), and
// every form of the credential a server could echo.
type basicAuth struct {
	header []string // {"Basic base64(till:md5hex(password))"}, shared by every request
	forms  []secret // longest first, so that a form containing another is replaced whole
}

func newBasicAuth(till, digest string) basicAuth {
	token := base64.StdEncoding.EncodeToString([]byte(till + ":" + digest))
	return basicAuth{
		header: []string{"Basic " + token},
		// The token with and without padding, "till:digest", and the digest in either case.
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

func (b basicAuth) redact(s string) string { return redactAll(s, b.forms...) }

// redactAll replaces each non-empty credential in s with [redacted], as sent, JSON-escaped
// (\u0026, \u003d) or URL-encoded. Credentials containing others come first.
func redactAll(s string, creds ...secret) string {
	// An echo may escape any character; matching on the unescaped text catches every escaping.
	if u := unescapeJSON(s); u != s && slices.ContainsFunc(creds, func(c secret) bool { return c != "" && strings.Contains(u, string(c)) }) {
		s = u
	}
	for _, c := range creds {
		if c == "" {
			continue
		}
		s = strings.ReplaceAll(s, string(c), "[redacted]")
		// A URL-encoded form differs by a %XX or a +: without either, none is here.
		if strings.ContainsAny(s, "%+") {
			for _, form := range []string{url.QueryEscape(string(c)), url.PathEscape(string(c))} {
				s = strings.ReplaceAll(s, form, "[redacted]")
				s = strings.ReplaceAll(s, percentEscape.ReplaceAllStringFunc(form, strings.ToLower), "[redacted]") // .NET writes %2f
			}
		}
	}
	return s
}

var percentEscape = regexp.MustCompile(`%[0-9A-F]{2}`)

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

// redactJSON redacts every string of a JSON document, keys included, keeping it JSON; a
// document that is not JSON is returned as it is.
func redactJSON(data []byte, redact func(string) string) []byte {
	var tree any
	if decodeKeepingNumbers(data, &tree) != nil {
		return data
	}
	if out, err := json.Marshal(redactTree(tree, redact)); err == nil {
		return out
	}
	return data
}

func redactTree(v any, redact func(string) string) any {
	switch v := v.(type) {
	case string:
		return redact(v)
	case []any:
		for i := range v {
			v[i] = redactTree(v[i], redact)
		}
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[redact(k)] = redactTree(x, redact)
		}
		return m
	}
	return v
}
