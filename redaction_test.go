package capillary

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Redaction: credentials never appear in an error, a log line or a printed value, in any form
// in which a server may echo them; what errors quote is bounded.

// The plain password is not kept anywhere in the client: only what Basic auth sends (the token,
// and the digest in it, whose forms redaction needs).
func TestBasicAuthPasswordIsNotKept(t *testing.T) {
	t.Parallel()
	const password = "Very-Distinct-Password-8412"
	c, err := NewClient(WithBaseURL(testBaseURL), WithBasicAuth(testTill, password))
	require.NoError(t, err)
	assert.False(t, holdsString(reflect.ValueOf(c), password, map[uintptr]bool{}, 0), "client holds the password")
	// The walker does find what is kept (so the check above can fail).
	assert.True(t, holdsString(reflect.ValueOf(c), basicToken(testTill, md5Hex(password)), map[uintptr]bool{}, 0))
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

func TestOAuthShortKeyIsNotRedacted(t *testing.T) {
	t.Parallel()
	creds := &oauthCredentials{key: "key", secret: "s3cr3t-value"}
	assert.Equal(t, "Invalid key or [redacted]", creds.redact("Invalid key or s3cr3t-value"))
	creds.key = "long-client-key"
	assert.Equal(t, "unknown client [redacted]", creds.redact("unknown client long-client-key"))
}

// Credentials are redacted in every form the SDK sends them, wherever a server echoes them:
// the request id, the body (JSON-escaped, Java-escaped padding, without padding, URL-encoded),
// the vendor's messages, the debug log.
func TestRedactionEchoedCredentialsAreRedacted(t *testing.T) {
	t.Parallel()
	const till, password = "store&42<till>", "p&ss<w>rd"
	digest := md5Hex(password)
	token := basicToken(till, digest)
	unpadded := strings.TrimRight(token, "=")
	require.NotEqual(t, token, unpadded, "the test token must have padding")
	javaEscaped := unpadded + strings.Repeat(`\u003d`, len(token)-len(unpadded))
	jsonTill, _ := json.Marshal(till + ":" + digest)
	forms := []string{token, unpadded, till + ":" + digest, digest, strings.ToUpper(digest)}

	echoes := map[string]func(w http.ResponseWriter, r *http.Request){
		"request id": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(headerRequestID, r.Header.Get("Authorization"))
			writeJSON(w, 400, vendorError(8015, "not found"))
		},
		"java-style body": func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 502, `{"echo":"Basic `+javaEscaped+`"}`)
		},
		"json-escaped body": func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 502, `{"echo":`+string(jsonTill)+`}`)
		},
		"url-encoded body": func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 502, `auth=`+strings.ReplaceAll(base64.URLEncoding.EncodeToString([]byte(till+":"+digest)), "=", "%3D")+`&t=`+strings.ReplaceAll(token, "=", "%3D"))
		},
		"vendor message": func(w http.ResponseWriter, r *http.Request) {
			msg, _ := json.Marshal("bad credentials " + r.Header.Get("Authorization"))
			writeJSON(w, 401, `{"errors":[{"code":401,"message":`+string(msg)+`}]}`)
		},
	}
	for name, echo := range echoes {
		for _, p := range protocols {
			t.Run(p.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				srv := newProtocolServer(t, p, echo)
				var log bytes.Buffer
				c, err := NewClient(WithBaseURL(srv.URL), WithBasicAuth(till, password), WithRetries(0, 0, 0),
					WithLogger(slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))))
				require.NoError(t, err)
				trustServer(c, srv)
				_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
				require.Error(t, err)
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				text := fmt.Sprintf("%v %+v %#v %s %s %v", err, err, err, apiErr.Body, apiErr.RequestID, apiErr.Errors) + log.String()
				for _, form := range append(forms, javaEscaped) {
					assert.NotContains(t, text, form)
				}
				assert.Contains(t, text, "[redacted]")
			})
		}
	}
}

// A token endpoint that echoes the request body, which encoding/json wrote with & < > escaped,
// shows no secret in the *TokenError.
func TestRedactionTokenEchoIsRedacted(t *testing.T) {
	t.Parallel()
	const key, sec = "client-key-&<>-1", "s3cret&<with>marks"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		writeJSON(w, 401, string(body)) // the echo, not the vendor's envelope: quoted as an excerpt
	}))
	defer srv.Close()
	c, err := NewClient(WithBaseURL(srv.URL), WithOAuth(key, sec), WithRetries(0, 0, 0))
	require.NoError(t, err)
	_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	var tokErr *TokenError
	require.ErrorAs(t, err, &tokErr)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	text := fmt.Sprintf("%v %+v %#v", err, err, err) + apiErr.Body
	escaped, _ := json.Marshal(sec)
	for _, form := range []string{sec, strings.Trim(string(escaped), `"`), key} {
		assert.NotContains(t, text, form)
	}
}

// What errors and logs quote is bounded: a 1 MB user id is not copied whole into them.
func TestRedactionErrorsQuoteBoundedText(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	c, mt := newMockedClient(t, WithLogger(slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	script(mt, respond(http.StatusNotFound, vendorError(8015, strings.Repeat("m", 1<<20)), headerRequestID, strings.Repeat("r", 1<<16)))
	_, err := c.Customers.Update(testCtx(t), strings.Repeat("9", 1<<20), minimalBody(), instore())
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 8<<10)
	assert.Less(t, log.Len(), 16<<10)
}

// A server that echoes the credential into what the transport itself quotes (a malformed status
// line or header) or into a value the decoding quotes does not get it into the error text, and
// what is quoted is bounded.
func TestRedactionTransportAndDecodeErrorsAreRedacted(t *testing.T) {
	t.Parallel()
	auth := testAuthHeader()
	token := strings.TrimPrefix(auth, "Basic ")
	answers := map[string]string{
		"status line": "HTTP/1.1 " + token + " OK\r\n\r\n",
		"header line": "HTTP/1.1 200 OK\r\n" + token + "\r\n\r\n",
		"field value": "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" +
			`{"createdId":["` + auth + `","` + strings.Repeat("x", 100_000) + `"]}`,
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url := hostileServer(t, func(conn net.Conn) {
				_, _ = io.WriteString(conn, answer)
				_ = conn.Close()
			})
			_, err := newServerClient(t, url, WithRetries(0, 0, 0)).Customers.Update(testCtx(t), "1", minimalBody(), instore())
			require.Error(t, err)
			text := fmt.Sprintf("%v %+v", err, err)
			assert.NotContains(t, text, token)
			assert.Less(t, len(text), 4<<10)
		})
	}
}

// An OAuth secret echoed Java-style, with a character outside the BMP as a surrogate pair, is
// redacted; a secret that is not valid UTF-8 is refused, since JSON cannot carry it.
func TestRedactionSurrogatePairEcho(t *testing.T) {
	t.Parallel()
	const sec = "s3cr3t-\U0001F511-TAIL"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set(headerRequestID, `echo s3cr3t-\ud83d\udd11-TAIL`)
		writeJSON(w, 401, `{"error":"bad secret s3cr3t-\ud83d\udd11-TAIL"}`)
	}))
	defer srv.Close()
	c, err := NewClient(WithBaseURL(srv.URL), WithOAuth("the-key-123", sec), WithRetries(0, 0, 0))
	require.NoError(t, err)
	_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.Error(t, err)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	text := fmt.Sprintf("%v", err) + apiErr.Body + apiErr.RequestID
	assert.NotContains(t, text, "TAIL")

	_, err = NewClient(WithBaseURL(srv.URL), WithOAuth("the-key-123", "abc\xffdef"))
	require.ErrorIs(t, err, ErrInvalidConfig)
}

// secretsOf are every form the test till's credentials take.
func secretsOf(till, password string) []string {
	digest := md5Hex(password)
	return []string{password, digest, strings.ToUpper(digest), basicToken(till, digest)}
}

// assertNoSecrets fails if text holds any credential.
func assertNoSecrets(t *testing.T, text string, secrets []string, what string) {
	t.Helper()
	for _, s := range secrets {
		assert.NotContains(t, text, s, "%s leaks a credential", what)
	}
}

// The client prints its endpoint only, under every verb; so do options and the service.
func TestRedactionClientFormattingHidesCredentials(t *testing.T) {
	t.Parallel()
	secrets := secretsOf(testTill, testPassword)
	c, err := NewClient(WithBaseURL(testBaseURL), WithBasicAuth(testTill, testPassword),
		WithUserContext(UserContext{EntityID: "audit-1"}))
	require.NoError(t, err)
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q", "%v %+v %#v %s %x"} {
		args := []any{c}
		if n := strings.Count(format, "%"); n > 1 {
			args = []any{c, c, c, c, c}
		}
		out := fmt.Sprintf(format, args...)
		assertNoSecrets(t, out, secrets, "fmt "+format+" of the client")
		assert.Contains(t, fmt.Sprintf("%v", c), testBaseURL)
	}
	other := fmt.Sprintf("%v %+v %#v", c.Customers, *c, WithBasicAuth(testTill, testPassword))
	assertNoSecrets(t, other, secrets, "fmt of the service, client value and option")
	var nilClient *Client
	assert.NotPanics(t, func() { _ = fmt.Sprint(nilClient) })

	d, err := NewClient(WithBaseURL(testBaseURL), WithBasicAuthDigest(testTill, md5Hex(testPassword)))
	require.NoError(t, err)
	assertNoSecrets(t, fmt.Sprintf("%v %+v %#v %s %x", d, d, d, d, d), secrets, "fmt of a digest client")
}

// Errors of every kind carry no credential in their text, %+v or %#v.
func TestRedactionErrorsHideCredentials(t *testing.T) {
	t.Parallel()
	secrets := secretsOf(testTill, testPassword)
	token := basicToken(testTill, md5Hex(testPassword))
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"html echoing the Authorization header", http.StatusUnauthorized,
			`<html><body>Rejected header: Authorization: Basic ` + token + `</body></html>`},
		{"token after 200 bytes of junk", http.StatusBadRequest,
			strings.Repeat("x", 200) + " Basic " + token + " " + strings.Repeat("y", 100)},
		{"token straddling the 256-byte excerpt cut", http.StatusBadRequest,
			strings.Repeat("x", 230) + token + strings.Repeat("z", 100)},
		{"vendor error message echoing the token", http.StatusUnauthorized,
			`{"errors": [{"status": false, "code": 401, "message": "Invalid credentials: Basic ` + token + `"}]}`},
		{"vendor warning echoing the token", http.StatusBadRequest,
			`{"warnings": [{"code": 1, "message": "auth ` + token + `"}], "errors": [{"code": 8015, "message": "not found"}]}`},
		{"json body echoing the token", http.StatusForbidden,
			`{"echo": {"Authorization": "Basic ` + token + `"}}`},
		{"body echoing the decoded till:digest", http.StatusUnauthorized,
			`<p>Login failed for ` + testTill + `:` + md5Hex(testPassword) + `</p>`},
		{"vendor error echoing the digest", http.StatusUnauthorized,
			`{"errors": [{"code": 401, "message": "bad password hash ` + md5Hex(testPassword) + `"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := callOnce(t, tt.status, tt.body)
			apiErr := requireAPIError(t, err)
			for _, out := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err),
				fmt.Sprintf("%#v", *apiErr), fmt.Sprintf("%+v", apiErr.Errors), fmt.Sprintf("%+v", apiErr.Warnings)} {
				assertNoSecrets(t, out, secrets, "error text")
				// No prefix of the token long enough to matter either.
				assert.NotContains(t, out, token[:16], "a piece of the token")
			}
		})
	}

	// Validation and configuration errors.
	c, mt := newMockedClient(t)
	script(mt)
	_, err := c.Customers.Update(testCtx(t), "", nil, nil, WithHeader("X-Till", "a\n"+testPassword))
	assertNoSecrets(t, fmt.Sprintf("%v %+v %#v", err, err, err), secrets, "validation error")
	_, err = NewClient(WithBaseURL("http://eu.api.capillarytech.com"), WithBasicAuth(testTill, testPassword))
	assertNoSecrets(t, fmt.Sprintf("%v %+v %#v", err, err, err), secrets, "config error")

	// A transport error.
	c2, mt2 := newMockedClient(t, WithRetries(0, 0, 0))
	mt2.RegisterNoResponder(func(*http.Request) (*http.Response, error) { return nil, errors.New("tls: handshake failure") })
	_, err = c2.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.Error(t, err)
	assertNoSecrets(t, fmt.Sprintf("%v %+v %#v", err, err, err), secrets, "transport error")
}

// logLine is one JSON log record.
type logLine map[string]any

func parseLog(t *testing.T, buf *bytes.Buffer) []logLine {
	t.Helper()
	var lines []logLine
	sc := bufio.NewScanner(bytes.NewReader(buf.Bytes()))
	for sc.Scan() {
		var l logLine
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), sc.Text())
		lines = append(lines, l)
	}
	return lines
}

// Logging is opt-in and metadata only: method, path without query, status, attempt, latency,
// request id; never credentials, the query or the body.
func TestRedactionLogging(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt := newMockedClient(t, WithLogger(logger), WithUserContext(UserContext{EntityID: "auditor-secret-id"}))
	script(mt, respond(503, `{"errors": [{"code": 1, "message": "echo Sawyer"}]}`, headerRequestID, "rid-1"),
		respond(200, okBody, headerRequestID, "rid-2"))
	var body UpdateCustomerRequest
	require.NoError(t, json.Unmarshal(vendorExample(t), &body))
	_, err := c.Customers.Update(testCtx(t), "171891944", &body,
		&UpdateCustomerParams{Source: SourceWeChat, AccountID: "acct-secret-77", UseAsync: Ptr(false)})
	require.NoError(t, err)

	text := buf.String()
	assertNoSecrets(t, text, secretsOf(testTill, testPassword), "the log")
	for _, leak := range []string{"acct-secret-77", "source=", "WECHAT", "use_async", "Sawyer", "tomsawyer", "9999000000",
		"Bangalore", "auditor-secret-id", "?"} {
		assert.NotContains(t, text, leak)
	}

	lines := parseLog(t, &buf)
	var attempts []logLine
	for _, l := range lines {
		assert.Equal(t, "PUT", l["method"], "every line names the call: %v", l)
		assert.Equal(t, "/v2/customers/171891944", l["path"], "path without query: %v", l)
		if _, ok := l["status"]; ok {
			attempts = append(attempts, l)
		}
	}
	require.Len(t, attempts, 2, "one line per attempt: %s", text)
	for i, l := range attempts {
		assert.EqualValues(t, i+1, l["attempt"])
		assert.Contains(t, l, "latency")
		assert.Equal(t, "DEBUG", l["level"])
	}
	assert.EqualValues(t, 503, attempts[0]["status"])
	assert.Equal(t, "rid-1", attempts[0]["request_id"])
	assert.EqualValues(t, 200, attempts[1]["status"])
	assert.Equal(t, "rid-2", attempts[1]["request_id"])
}

// Without WithLogger nothing is logged, not even through slog's default logger.
func TestRedactionNoLoggingByDefault(t *testing.T) {
	// Not parallel: it swaps slog's default logger.
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })
	c, mt := newMockedClient(t)
	script(mt, respond(503, `{}`), okResponder())
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err)
	assert.Empty(t, buf.String())
}

// The type that holds a credential prints as [redacted] under every verb.
func TestRedactionSecretFormatting(t *testing.T) {
	t.Parallel()
	s := secret("Basic " + basicToken(testTill, md5Hex(testPassword)))
	out := fmt.Sprintf("%v|%+v|%#v|%s|%q|%x|%X|%d", s, s, s, s, s, s, s, s)
	assert.Equal(t, "[redacted]|[redacted]|[redacted]|[redacted]|[redacted]|[redacted]|[redacted]|[redacted]", out)
	assert.Equal(t, "[redacted]", fmt.Sprint(struct{ S secret }{s}.S))
}

// holdsString walks v (unexported fields included) looking for a string containing s.
func holdsString(v reflect.Value, s string, seen map[uintptr]bool, depth int) bool {
	if depth > 40 || !v.IsValid() {
		return false
	}
	switch v.Kind() {
	case reflect.String:
		return strings.Contains(v.String(), s)
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return false
		}
		seen[v.Pointer()] = true
		return holdsString(v.Elem(), s, seen, depth+1)
	case reflect.Interface:
		return !v.IsNil() && holdsString(v.Elem(), s, seen, depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if holdsString(v.Field(i), s, seen, depth+1) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return strings.Contains(string(v.Bytes()), s)
		}
		for i := range v.Len() {
			if holdsString(v.Index(i), s, seen, depth+1) {
				return true
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if holdsString(it.Key(), s, seen, depth+1) || holdsString(it.Value(), s, seen, depth+1) {
				return true
			}
		}
	}
	return false
}

// A success that echoes a credential, in its warnings, side effects or fields the SDK does not
// model, is returned without it.
func TestSecuritySuccessEchoingCredentialsIsRedacted(t *testing.T) {
	t.Parallel()
	secrets := secretsOf(testTill, testPassword)
	token := basicToken(testTill, md5Hex(testPassword))
	digest := md5Hex(testPassword)
	body := `{"createdId": 171891944, "warnings": [{"code": 8057, "message": "not an email: Basic ` + token + `"}],
		"sideEffects": [{"type": "points", "awardedPoints": 10, "note": "for ` + testTill + `:` + digest + `"}],
		"echo": {"Authorization": "Basic ` + token + `"}}`
	res, err := callOnce(t, http.StatusOK, body)
	require.NoError(t, err)
	encoded, err := json.Marshal(res)
	require.NoError(t, err)
	for _, out := range []string{string(encoded), fmt.Sprintf("%+v", res), fmt.Sprintf("%#v", res), fmt.Sprintf("%+v", res.Warnings), fmt.Sprintf("%+v", res.SideEffects)} {
		assertNoSecrets(t, out, secrets, "a success")
		assert.NotContains(t, out, token[:16], "a piece of the token")
	}
	assert.Equal(t, "not an email: Basic [redacted]", res.Warnings[0].Message)
	assert.Equal(t, "171891944", res.CreatedID.String(), "the rest is as it came")
}

// A base URL carrying a password is refused without quoting it, also when it does not parse
// (a '/' in the password reads as a port) or has no scheme.
func TestRedactionBaseURLUserInfoIsNotQuoted(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"https://till:s3cr/et@eu.api.capillarytech.com", "https://till:s3cr%zzet@eu.api.capillarytech.com", "till:s3cret@eu.api.capillarytech.com", "https://till:s3cret@eu.api.capillarytech.com"} {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			_, err := NewClient(WithBaseURL(raw), WithBasicAuth(testTill, testPassword))
			require.ErrorIs(t, err, ErrInvalidConfig)
			assert.Contains(t, err.Error(), "user info")
			assert.NotContains(t, err.Error(), "s3cr")
			env := map[string]string{"CAPILLARY_BASE_URL": raw, "CAPILLARY_TILL": testTill, "CAPILLARY_PASSWORD": testPassword}
			_, err = OptionsFromEnv(func(k string) string { return env[k] })
			require.Error(t, err)
			assert.Contains(t, err.Error(), "CAPILLARY_BASE_URL must not carry user info")
			assert.NotContains(t, err.Error(), "s3cr")
		})
	}
}

// An echo URL-encoded with lower-case hex (.NET's HttpUtility.UrlEncode writes %2f) is
// redacted as the upper-case one is: an OAuth secret or token may hold '/', '+' and '='.
func TestRedactionLowerCaseURLEscapes(t *testing.T) {
	t.Parallel()
	const cred = "AbCd/Ef+Gh=IjKl/Mn+Op=="
	for _, echo := range []string{url.QueryEscape(cred), url.PathEscape(cred)} {
		lower := regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(echo, strings.ToLower)
		require.NotEqual(t, echo, lower)
		assert.Equal(t, "echo [redacted]", redactAll("echo "+lower, secret(cred)))
	}
}

// A token answer the SDK cannot use (a ttlSeconds it cannot read, a 502 that carries a token)
// is quoted without the token the server issued in it.
func TestRedactionIssuedTokenIsNotQuoted(t *testing.T) {
	t.Parallel()
	const token = "LIVE-TOKEN-d41d8cd98f00b204"
	answers := map[string]struct {
		status int
		body   string
	}{
		"unreadable ttl": {200, `{"data":{"accessToken":"` + token + `","ttlSeconds":"1h"}}`},
		"gateway error":  {502, `{"data": {"accessToken" : "` + token + `"}}`},
	}
	for name, a := range answers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, a.status, a.body) }))
			defer srv.Close()
			c, err := NewClient(WithBaseURL(srv.URL), WithOAuth("client-key-1", "s3cret"), WithRetries(0, 0, 0))
			require.NoError(t, err)
			_, err = c.Customers.Get(testCtx(t), "1", &GetCustomerParams{Source: SourceInstore})
			require.ErrorAs(t, err, new(*TokenError))
			assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), token)
			assert.Contains(t, err.Error(), "accessToken")
		})
	}
}
