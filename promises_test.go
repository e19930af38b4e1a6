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
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 7: every promise holds under hostile answers. Each test here failed before its fix.

// Every value an option accepts works; absurd ones are refused by NewClient.
func TestPromiseAbsurdRetrySettingsAreRefused(t *testing.T) {
	t.Parallel()
	for _, opt := range []ClientOption{
		WithRetries(1, 0, math.MaxInt64),
		WithRetries(math.MaxInt, time.Millisecond, time.Second),
		WithAttemptTimeout(math.MaxInt64),
	} {
		_, err := NewClient(WithBaseURL(testBaseURL), WithBasicAuth(testTill, testPassword), opt)
		require.ErrorIs(t, err, ErrInvalidConfig)
	}
	// The largest accepted setting works: a plain 503 is retried after a backoff within it.
	c, mt := newMockedClient(t, WithRetries(1, 0, maxRetryWaitLimit))
	script(mt, respond(http.StatusServiceUnavailable, `{}`), okResponder())
	ctx, cancel := context.WithCancel(testCtx(t))
	cancel() // the wait may be up to an hour: end it at once, the point is that nothing panics
	_, err := c.Customers.Update(context.WithoutCancel(ctx), "1", minimalBody(), instore(), WithRetries(1, 0, time.Millisecond))
	require.NoError(t, err)
	assert.NotPanics(t, func() {
		for retry := range 70 {
			d := backoffAfter(0, maxRetryWaitLimit, retry, nil)
			require.True(t, d >= 0 && d <= maxRetryWaitLimit, d)
		}
	})
}

// hostileServer accepts one connection at a time on loopback and hands it to serve after
// reading the request head; it closes every connection when the test ends.
func hostileServer(t *testing.T, serve func(conn net.Conn)) string {
	t.Helper()
	return "http://" + acceptLoopback(t, func(conn net.Conn) {
		if _, err := http.ReadRequest(bufio.NewReader(conn)); err == nil {
			go serve(conn)
		}
	})
}

// The context bounds the call whatever the server answers: a 101 that keeps the connection, a
// body that never ends, a connection taken over before any answer.
func TestPromiseDeadlineBoundsHostileAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		serve func(conn net.Conn, served chan<- struct{})
		check func(t *testing.T, err error)
	}{
		{"101 and the connection kept", func(conn net.Conn, served chan<- struct{}) {
			// No cancel here: the call must end by itself, refusing the 101 without reading it.
			_, _ = io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n")
		}, func(t *testing.T, err error) {
			apiErr := requireAPIError(t, err)
			assert.Equal(t, http.StatusSwitchingProtocols, apiErr.StatusCode)
		}},
		{"a body that never ends", func(conn net.Conn, served chan<- struct{}) {
			_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"createdId\"")
			served <- struct{}{}
		}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, context.Canceled)
		}},
		{"no answer at all", func(_ net.Conn, served chan<- struct{}) {
			served <- struct{}{}
		}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, context.Canceled)
			var reqErr *RequestError
			require.ErrorAs(t, err, &reqErr)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			served := make(chan struct{}, 1)
			url := hostileServer(t, func(conn net.Conn) { tt.serve(conn, served) })
			c := newServerClient(t, url, WithRetries(0, 0, 0), WithAttemptTimeout(maxAttemptTimeLimit))
			ctx, cancel := context.WithCancel(testCtx(t))
			defer cancel()
			go func() {
				<-served
				cancel() // the server has done its worst: the call must end now
			}()
			_, err := c.Customers.Update(ctx, "1", minimalBody(), instore())
			require.Error(t, err)
			tt.check(t, err)
		})
	}
}

// Credentials are redacted in every form the SDK sends them, wherever a server echoes them:
// the request id, the body (JSON-escaped, Java-escaped padding, without padding, URL-encoded),
// the vendor's messages, the debug log.
func TestPromiseEchoedCredentialsAreRedacted(t *testing.T) {
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
func TestPromiseTokenEchoIsRedacted(t *testing.T) {
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

// A certificate that fails verification means nothing was sent: the error is not uncertain.
func TestPromiseTLSFailureIsNotUncertain(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, okBody) }))
	defer srv.Close()
	c, err := NewClient(WithBaseURL(srv.URL), WithBasicAuth(testTill, testPassword), fastRetries())
	require.NoError(t, err)
	_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.False(t, reqErr.Uncertain, err.Error())
	assert.Equal(t, 1, reqErr.Attempts, "a certificate does not get better by asking again")
}

// The headers the transport owns are refused: Accept-Encoding would switch off transparent
// decompression and make every applied update an error.
func TestPromiseTransportHeadersAreRefused(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"Accept-Encoding", "accept-encoding", "Connection", "Transfer-Encoding", "Host", "TE", "Upgrade"} {
		_, err := NewClient(WithBaseURL(testBaseURL), WithBasicAuth(testTill, testPassword), WithHeader(name, "gzip"))
		require.ErrorIs(t, err, ErrInvalidConfig, name)
		assert.Contains(t, err.Error(), name)
	}
	// A gzip answer to the SDK's own request is decoded by the transport.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Contains(t, r.Header.Get("Accept-Encoding"), "gzip")
		writeJSON(w, 200, okBody)
	}))
	defer srv.Close()
	_, err := newServerClient(t, srv.URL).Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err)
}

// A huge ttlSeconds does not overflow into a token per call.
func TestPromiseHugeTokenTTL(t *testing.T) {
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

// What errors and logs quote is bounded: a 1 MB user id is not copied whole into them.
func TestPromiseErrorsQuoteBoundedText(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	c, mt := newMockedClient(t, WithLogger(slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	script(mt, respond(http.StatusNotFound, vendorError(8015, strings.Repeat("m", 1<<20)), headerRequestID, strings.Repeat("r", 1<<16)))
	_, err := c.Customers.Update(testCtx(t), strings.Repeat("9", 1<<20), minimalBody(), instore())
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 8<<10)
	assert.Less(t, log.Len(), 16<<10)
}

// First contact: every mistake a new user makes gets a message that says what to do.
func TestPromiseFirstContactMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []ClientOption
		want []string
	}{
		{"no scheme", []ClientOption{WithBaseURL("eu.api.capillarytech.com"), WithBasicAuth("t", "p")}, []string{"no scheme", "https://eu.api.capillarytech.com"}},
		{"version in the base URL", []ClientOption{WithBaseURL("https://eu.api.capillarytech.com/v2"), WithBasicAuth("t", "p")}, []string{"/v2", "leave it out"}},
		{"unknown region", []ClientOption{WithRegion("mars"), WithBasicAuth("t", "p")}, []string{`"mars"`, "india, asia2, eu, us, china"}},
		{"two kinds of credentials", []ClientOption{WithRegion(RegionEU), WithBasicAuth("t", "p"), WithOAuth("k", "s")}, []string{"WithOAuth", "WithBasicAuth", "not both"}},
		{"empty basic credentials", []ClientOption{WithRegion(RegionEU), WithBasicAuth("", "")}, []string{"till id is empty", "password is empty"}},
		{"empty oauth credentials", []ClientOption{WithRegion(RegionEU), WithOAuth("", "")}, []string{"key and secret are empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewClient(tt.opts...)
			require.ErrorIs(t, err, ErrInvalidConfig)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	// Regions in any case.
	c, err := NewClient(WithRegion("EU"), WithBasicAuth("t", "p"))
	require.NoError(t, err)
	assert.Equal(t, "https://eu.api.capillarytech.com", c.BaseURL())
}

// A host name that does not exist is a configuration error: not retried.
func TestPromiseUnknownHostIsNotRetried(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	attempts := 0
	mt.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
		attempts++
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "eu.api.example", IsNotFound: true}}
	})
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.Equal(t, 1, attempts)
	assert.False(t, reqErr.Uncertain)
	assert.Contains(t, err.Error(), "no such host")
}

// A 429 whose Retry-After outlasts the deadline returns at once and says what the server asked.
func TestPromiseRetryAfterPastDeadlineIsExplained(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	rec := script(mt, respond(http.StatusTooManyRequests, `{}`, "Retry-After", "3600"))
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore(), WithRetries(3, time.Millisecond, time.Hour))
	require.ErrorIs(t, err, ErrRateLimited)
	assert.Len(t, rec.all(), 1)
	assert.Contains(t, err.Error(), "retry after 1h0m0s")
	assert.Contains(t, err.Error(), "past the call's deadline")
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "the call ended before its deadline")
}

// A server that echoes the credential into what the transport itself quotes (a malformed status
// line or header) or into a value the decoding quotes does not get it into the error text, and
// what is quoted is bounded.
func TestPromiseTransportAndDecodeErrorsAreRedacted(t *testing.T) {
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

// The answers that leave open whether an update was applied, and those that do not.
func TestPromiseUncertainAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		uncertain bool
	}{
		{"201, one or more requests failed", 201, `{"createdId":1,"errors":[{"code":91015,"message":"extended field update failed"}]}`, true},
		{"200 with the vendor's refusal", 200, vendorError(8015, "Customer not found"), false},
		{"524 from a gateway", 524, `<html>timeout</html>`, true},
		{"520 from a gateway", 520, ``, true},
		{"503 turned away", 503, `<html>down</html>`, false},
		{"502 with the vendor's errors", 502, vendorError(500, "All requests have failed due to errors"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t, WithRetries(0, 0, 0))
			script(mt, respond(tt.status, tt.body))
			_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			assert.Equal(t, tt.uncertain, requireAPIError(t, err).Uncertain, err.Error())
		})
	}
}

// A token that cannot be generated means nothing was sent: neither a read nor an update is
// uncertain, and a token endpoint's 5xx is retried.
func TestPromiseTokenFailureIsNotUncertain(t *testing.T) {
	t.Parallel()
	var generations atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		generations.Add(1)
		writeJSON(w, http.StatusBadGateway, ``)
	}))
	defer srv.Close()
	c, err := NewClient(WithBaseURL(srv.URL), WithOAuth("the-key", "the-secret"), fastRetries())
	require.NoError(t, err)
	_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	var tokErr *TokenError
	require.ErrorAs(t, err, &tokErr)
	assert.NotContains(t, err.Error(), "may have been applied")
	assert.EqualValues(t, 4, generations.Load(), "a token call is retried like a read")
	_, err = c.Customers.Get(testCtx(t), "1", &GetCustomerParams{Source: SourceInstore})
	require.ErrorAs(t, err, &tokErr)
	assert.NotContains(t, err.Error(), "may have been applied")
}

// An OAuth secret echoed Java-style, with a character outside the BMP as a surrogate pair, is
// redacted; a secret that is not valid UTF-8 is refused, since JSON cannot carry it.
func TestPromiseSurrogatePairEcho(t *testing.T) {
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
