package capillary

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

// HTTPS is required, except on loopback hosts or with WithInsecureHTTP; a base URL with user
// info, a query or a fragment is refused.
func TestSecurityBaseURL(t *testing.T) {
	t.Parallel()
	auth := WithBasicAuth(testTill, testPassword)
	ok := []struct {
		url    string
		opts   []ClientOption
		wantIs string
	}{
		{url: "https://eu.api.capillarytech.com", wantIs: "https://eu.api.capillarytech.com"},
		{url: "https://eu.api.capillarytech.com/", wantIs: "https://eu.api.capillarytech.com"},
		{url: "http://127.0.0.1:8080", wantIs: "http://127.0.0.1:8080"},
		{url: "http://localhost", wantIs: "http://localhost"},
		{url: "http://LOCALHOST:9", wantIs: "http://LOCALHOST:9"},
		{url: "http://[::1]:8080", wantIs: "http://[::1]:8080"},
		{url: "http://127.5.6.7", wantIs: "http://127.5.6.7"},
		{url: "http://capillary-proxy.internal:8080", opts: []ClientOption{WithInsecureHTTP()}, wantIs: "http://capillary-proxy.internal:8080"},
	}
	for _, tt := range ok {
		c, err := NewClient(append([]ClientOption{WithBaseURL(tt.url), auth}, tt.opts...)...)
		require.NoError(t, err, tt.url)
		assert.Equal(t, tt.wantIs, c.BaseURL())
	}
	bad := []string{
		"http://eu.api.capillarytech.com",
		"http://10.0.0.1",
		"http://localhost.evil.com",
		"http://127.0.0.1.nip.io",
		"ftp://eu.api.capillarytech.com",
		"eu.api.capillarytech.com",
		"https://",
		"https://till:Pass123@eu.api.capillarytech.com",
		"https://till@eu.api.capillarytech.com",
		"https://eu.api.capillarytech.com?source=INSTORE",
		"https://eu.api.capillarytech.com/#frag",
		"https://till:Pass123@exa mple.com",     // unparsable, with a password in it
		"https://till:Pass123@example.com:port", // unparsable port, with a password in it
		"https://till:Pass123@",                 // no host, with a password in it
		"https://till:Pass123@/v2",              // no host, with a password in it
		"",
	}
	for _, u := range bad {
		c, err := NewClient(WithBaseURL(u), auth)
		require.ErrorIs(t, err, ErrInvalidConfig, "%q", u)
		assert.Nil(t, c)
		assert.NotContains(t, err.Error(), "Pass123", "the error for %q shows the password of the URL", u)
	}
}

// Whatever odd base URL is accepted, the request path can never change: a base URL that would
// move /v2/customers/{id} into the query or the fragment is refused.
func TestSecurityBaseURLCannotMoveThePath(t *testing.T) {
	t.Parallel()
	for _, base := range []string{
		"https://eu.api.capillarytech.com?",
		"https://eu.api.capillarytech.com/?",
		"https://eu.api.capillarytech.com#",
		"https://eu.api.capillarytech.com/#",
		"https://eu.api.capillarytech.com//",
	} {
		c, err := NewClient(WithBaseURL(base), WithBasicAuth(testTill, testPassword), noRetries())
		if err != nil {
			assert.ErrorIs(t, err, ErrInvalidConfig, base)
			continue
		}
		mt := installMock(c)
		var got string
		mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
			got = r.URL.String()
			return okResponder()(r)
		})
		_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
		require.NoError(t, err, base)
		assert.Equal(t, "https://eu.api.capillarytech.com/v2/customers/1?source=INSTORE", got, "base URL %q", base)
	}
}

// No redirect is followed, to another host or the same one: the target receives nothing, and
// the caller gets the 3xx as an *APIError naming the Location.
func TestSecurityRedirectsAreRefused(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, sameHost := range []bool{false, true} {
			t.Run(fmt.Sprint(status, sameHost), func(t *testing.T) {
				t.Parallel()
				var evilAuth atomic.Value
				evil := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
					evilAuth.Store(r.Header.Get("Authorization"))
					writeJSON(w, http.StatusOK, okBody)
				})
				// A different host: localhost vs 127.0.0.1 (also a different port).
				target := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1) + "/elsewhere"
				if sameHost {
					target = "/moved"
				}
				origin := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, target, status)
				})
				c := newServerClient(t, origin.URL)
				_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
				apiErr := requireAPIError(t, err)
				assert.Equal(t, status, apiErr.StatusCode)
				assert.Equal(t, 1, apiErr.Attempts, "a redirect is not retried")
				assert.Contains(t, err.Error(), "redirect to \""+target+"\" not followed")
				assert.EqualValues(t, 1, origin.requests.Load())
				assert.Zero(t, evil.requests.Load(), "the other host received a request")
				assert.Zero(t, evil.conns.Load(), "the other host received a connection")
				assert.Nil(t, evilAuth.Load())
			})
		}
	}
}

// The client prints its endpoint only, under every verb; so do options and the service.
func TestSecurityClientFormattingHidesCredentials(t *testing.T) {
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
func TestSecurityErrorsHideCredentials(t *testing.T) {
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
func TestSecurityLogging(t *testing.T) {
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
func TestSecurityNoLoggingByDefault(t *testing.T) {
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

// The per-attempt timeout fires on a slow server; each attempt is bounded, and a retry follows.
// The server never answers, so only the attempt timeout can end each attempt: the outcome does
// not depend on how fast the machine is (a timer never fires early, so three attempts last at
// least three timeouts), and testCtx's 30 s would end a call that the timeout did not.
func TestSecurityAttemptTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	c := newServerClient(t, srv.URL, WithAttemptTimeout(100*time.Millisecond), WithRetries(2, time.Millisecond, 2*time.Millisecond))
	start := time.Now()
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	elapsed := time.Since(start)
	require.Error(t, err)
	var netErr net.Error
	require.ErrorAs(t, err, &netErr)
	assert.True(t, netErr.Timeout(), "a timeout: %v", err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the attempt timeout, not testCtx, ended the call")
	assert.GreaterOrEqual(t, elapsed, 300*time.Millisecond, "three attempts of 100 ms")
	// On a loaded machine an attempt may time out before its request reaches the handler.
	assert.LessOrEqual(t, srv.requests.Load(), int64(3))
	assert.Contains(t, err.Error(), "3 attempts")
	assert.NotContains(t, err.Error(), "source=")

	// A slow body counts against the attempt too.
	slowBody := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"createdId": `)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	c2 := newServerClient(t, slowBody.URL, WithAttemptTimeout(100*time.Millisecond), WithRetries(0, 0, 0))
	_, err = c2.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.ErrorAs(t, err, &netErr)
	assert.True(t, netErr.Timeout(), "a timeout: %v", err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the attempt timeout, not testCtx, ended the call")
}

// WithHTTPClient: the caller's client is copied, not changed, and its transport is used; the
// SDK still applies its redirect policy and attempt timeout.
func TestSecurityWithHTTPClient(t *testing.T) {
	t.Parallel()
	var used atomic.Int64
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.com/steal", http.StatusTemporaryRedirect)
	})
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := newServerClient(t, srv.URL, WithHTTPClient(hc), WithRetries(0, 0, 0))
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	apiErr := requireAPIError(t, err)
	assert.Equal(t, http.StatusTemporaryRedirect, apiErr.StatusCode)
	assert.EqualValues(t, 1, used.Load(), "the caller's transport carried the call, and only once")
	assert.Nil(t, hc.CheckRedirect, "the caller's client is not modified")
	assert.Zero(t, hc.Timeout)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The type that holds a credential prints as [redacted] under every verb.
func TestSecuritySecretFormatting(t *testing.T) {
	t.Parallel()
	s := secret("Basic " + basicToken(testTill, md5Hex(testPassword)))
	out := fmt.Sprintf("%v|%+v|%#v|%s|%q|%x|%X|%d", s, s, s, s, s, s, s, s)
	assert.Equal(t, "[redacted]|[redacted]|[redacted]|[redacted]|[redacted]|[redacted]|[redacted]|[redacted]", out)
	assert.Equal(t, "[redacted]", fmt.Sprint(struct{ S secret }{s}.S))
}
