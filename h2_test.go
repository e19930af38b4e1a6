package capillary

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The SDK's promises over both protocols it speaks. Most tests run HTTP/1.1 on plain loopback,
// but the vendor's hosts are https, and the SDK's default transport speaks HTTP/2 to any TLS
// server that offers it: in production most calls go over HTTP/2. Each test here runs its
// scenarios over HTTP/1.1 and over HTTP/2 (TLS, through the SDK's own default transport) and
// asks the same of both. Tests elsewhere that run over both: TestRedactionEchoedCredentialsAreRedacted,
// TestE2EBasicAuthAndVendorRules, TestE2EOAuthExpiredTokenRenewedOn401,
// TestE2EDroppedConnectionsAreUncertain.

// forProtocols runs test once per protocol, as parallel subtests.
func forProtocols(t *testing.T, test func(t *testing.T, p protocol)) {
	t.Helper()
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			test(t, p)
		})
	}
}

// receivedRequest is one request as the server read it.
type receivedRequest struct {
	method, path, query string
	header              http.Header
	body                []byte
	contentLength       int64
}

// receiveRequest reads r whole for a test's records.
func receiveRequest(r *http.Request) receivedRequest {
	body, _ := io.ReadAll(r.Body)
	return receivedRequest{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), body, r.ContentLength}
}

// The wire: method, path, query, every header and the exact body arrive as sent; a gzip answer
// is decoded by the transport.
func TestProtocolsWire(t *testing.T) {
	t.Parallel()
	forProtocols(t, func(t *testing.T, p protocol) {
		got := make(chan receivedRequest, 2)
		srv := newProtocolServer(t, p, func(w http.ResponseWriter, r *http.Request) {
			got <- receiveRequest(r)
			if r.Method == http.MethodGet {
				writeJSON(w, http.StatusOK, `{"id": 7, "warnings": []}`)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			_, _ = io.WriteString(zw, okBody)
			_ = zw.Close()
		})
		c := newProtocolClient(t, srv, WithUserAgent("pos-sync/1.4"), WithHeader("X-Trace-Id", "trace-42"),
			WithUserContext(UserContext{EntityType: "ADMIN_USER", EntityID: "José Müller", EntitySource: "API", EntitySourceID: "s-1"}))
		example := vendorExample(t)
		var body UpdateCustomerRequest
		require.NoError(t, json.Unmarshal(example, &body))
		res, err := c.Customers.Update(testCtx(t), "171891944", &body,
			&UpdateCustomerParams{Source: SourceInstore, UseAsync: Ptr(false)}, WithHeader("X-Call", "per-call"))
		require.NoError(t, err)
		assert.Equal(t, ID("171891944"), res.CreatedID, "the gzip answer decoded")

		put := receive(t, got)
		assert.Equal(t, http.MethodPut, put.method)
		assert.Equal(t, "/v2/customers/171891944", put.path)
		assert.Equal(t, "source=INSTORE&use_async=false", put.query)
		assert.JSONEq(t, string(example), string(put.body))
		wantBody, err := json.Marshal(&body)
		require.NoError(t, err)
		assert.Equal(t, string(wantBody), string(put.body), "the exact bytes")
		assert.EqualValues(t, len(put.body), put.contentLength, "a Content-Length the server can trust")
		h := put.header
		assert.Equal(t, []string{testAuthHeader()}, h.Values("Authorization"))
		assert.Equal(t, []string{"application/json"}, h.Values("Content-Type"))
		assert.Equal(t, []string{"application/json"}, h.Values("Accept"))
		assert.Equal(t, []string{userAgent("pos-sync/1.4")}, h.Values("User-Agent"))
		assert.Equal(t, []string{"trace-42"}, h.Values("X-Trace-Id"))
		assert.Equal(t, []string{"per-call"}, h.Values("X-Call"))
		assert.Equal(t, []string{"ADMIN_USER"}, h.Values("User-Context-Entity-Type"))
		assert.Equal(t, []string{"José Müller"}, h.Values("User-Context-Entity-Id"))
		assert.Equal(t, []string{"API"}, h.Values("User-Context-Entity-Source"))
		assert.Equal(t, []string{"s-1"}, h.Values("User-Context-Entity-Source-Id"))
		assert.Empty(t, h.Values(headerOAuthToken))

		_, err = c.Customers.Get(testCtx(t), "17742", &GetCustomerParams{Source: SourceWeChat, AccountID: "a&b=c"})
		require.NoError(t, err)
		get := receive(t, got)
		assert.Equal(t, http.MethodGet, get.method)
		assert.Equal(t, "/v2/customers/17742", get.path)
		assert.Equal(t, "accountId=a%26b%3Dc&source=WECHAT", get.query)
		assert.Empty(t, get.body)
		assert.Equal(t, []string{testAuthHeader()}, get.header.Values("Authorization"))
		assert.Empty(t, get.header.Values("X-Call"), "a per-call header is for that call only")
	})
}

// The retry policy: 429, 502, 503, 504 and 521 are retried with the identical request, a 500
// is retried for a read and not for an update, and Retry-After (on the 429) is read, up to
// maxWait (TestRetryAfterHonouredEndToEnd waits the whole second).
func TestProtocolsRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status   int
		read     bool
		attempts int
	}{
		{http.StatusTooManyRequests, false, 2},
		{http.StatusBadGateway, false, 2},
		{http.StatusServiceUnavailable, false, 2},
		{http.StatusGatewayTimeout, false, 2},
		{statusCustomerBusy, false, 2},
		{http.StatusInternalServerError, false, 1},
		{http.StatusInternalServerError, true, 2},
	}
	forProtocols(t, func(t *testing.T, p protocol) {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%d read %v", tt.status, tt.read), func(t *testing.T) {
				t.Parallel()
				var (
					mu   sync.Mutex
					seen []receivedRequest
				)
				srv := newProtocolServer(t, p, func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					seen = append(seen, receiveRequest(r))
					first := len(seen) == 1
					mu.Unlock()
					switch {
					case first:
						if tt.status == http.StatusTooManyRequests {
							w.Header().Set("Retry-After", "1") // read, and capped at maxWait
						}
						writeJSON(w, tt.status, `{}`)
					case tt.read:
						writeJSON(w, http.StatusOK, `{"id": 7, "warnings": []}`)
					default:
						writeJSON(w, http.StatusOK, okBody)
					}
				})
				var waits []slog.Value // what the SDK logged it would wait before each retry
				logger := slog.New(&hookHandler{fn: func(r slog.Record) {
					r.Attrs(func(a slog.Attr) bool {
						if a.Key == "wait" {
							mu.Lock()
							waits = append(waits, a.Value)
							mu.Unlock()
						}
						return true
					})
				}})
				c := newProtocolClient(t, srv, WithRetries(3, time.Millisecond, 50*time.Millisecond), WithLogger(logger),
					WithUserContext(UserContext{EntityType: "ADMIN", EntityID: "7"}))
				var err error
				if tt.read {
					_, err = c.Customers.Get(testCtx(t), "7", &GetCustomerParams{Source: SourceInstore})
				} else {
					_, err = c.Customers.Update(testCtx(t), "1", perfBody(), instore())
				}
				mu.Lock()
				defer mu.Unlock()
				require.Len(t, seen, tt.attempts)
				if tt.attempts == 1 {
					assert.Equal(t, tt.status, requireAPIError(t, err).StatusCode)
					assert.Empty(t, waits)
					return
				}
				require.NoError(t, err)
				for i, r := range seen {
					assert.Equal(t, seen[0], r, "attempt %d: the identical request", i+1)
				}
				require.Len(t, waits, 1)
				if tt.status == http.StatusTooManyRequests {
					assert.Equal(t, 50*time.Millisecond, waits[0].Duration(), "Retry-After: 1, capped at maxWait")
				} else {
					assert.LessOrEqual(t, waits[0].Duration(), 2*time.Millisecond, "the backoff's first wait")
				}
			})
		}
	})
}

// perfBody is the vendor's example update as the SDK's types hold it.
func perfBody() *UpdateCustomerRequest {
	_, body, _ := perfExampleUpdate()
	return body
}

// A stream reset or a dropped connection after the request was sent leaves an update uncertain
// and is retried as the policy says; a read is never uncertain; a refused connection is retried
// and is not uncertain, nothing was sent. When the status came before the drop, the call has
// an answer, a 200 that cannot be read: not retried, and uncertain for an update.
func TestProtocolsDroppedAnswers(t *testing.T) {
	t.Parallel()
	forProtocols(t, func(t *testing.T, p protocol) {
		tests := []struct {
			name     string
			abort    func(w http.ResponseWriter)
			attempts int
			body     string // of the *APIError, when the status came before the drop
		}{
			{"before the answer", func(http.ResponseWriter) {}, 4, ""},
			{"in the middle of a 200", func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusOK)
				_, _ = io.WriteString(w, `{"createdId": 17`)
				w.(http.Flusher).Flush()
			}, 1, `{"createdId": 17`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				srv := newProtocolServer(t, p, func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body)
					tt.abort(w)
					panic(http.ErrAbortHandler) // HTTP/1.1 drops the connection, HTTP/2 resets the stream
				})
				c := newProtocolClient(t, srv)
				_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
				requireDropped(t, err, tt.attempts, tt.body, true)
				_, err = c.Customers.Get(testCtx(t), "7", &GetCustomerParams{Source: SourceInstore})
				requireDropped(t, err, tt.attempts, tt.body, false)
				assert.EqualValues(t, 2*tt.attempts, srv.requests.Load())
			})
		}
		t.Run("connection refused", func(t *testing.T) {
			t.Parallel()
			scheme := map[bool]string{false: "http", true: "https"}[p.h2]
			c := newServerClient(t, scheme+"://127.0.0.1:1") // a port no test listens on
			_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			requireDropped(t, err, 4, "", false)
		})
	})
}

// requireDropped checks the error of a call whose answers were lost: an *APIError with what
// came of the body when the status came first, otherwise a *RequestError.
func requireDropped(t *testing.T, err error, attempts int, body string, uncertain bool) {
	t.Helper()
	require.Error(t, err)
	if body != "" {
		apiErr := requireAPIError(t, err)
		assert.Equal(t, http.StatusOK, apiErr.StatusCode)
		assert.Equal(t, body, apiErr.Body)
		assert.Equal(t, attempts, apiErr.Attempts)
		assert.Equal(t, uncertain, apiErr.Uncertain, "%v", err)
	} else {
		var reqErr *RequestError
		require.ErrorAs(t, err, &reqErr)
		assert.Equal(t, attempts, reqErr.Attempts)
		assert.Equal(t, uncertain, reqErr.Uncertain, "%v", err)
	}
	assert.Equal(t, uncertain, strings.Contains(err.Error(), "may have been applied"), "%v", err)
	assert.NotErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
}

// Hostile answers: too large, cut short, not JSON. (Echoed credentials: over both protocols in
// TestRedactionEchoedCredentialsAreRedacted.)
func TestProtocolsHostileAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		serve func(w http.ResponseWriter, r *http.Request)
		check func(t *testing.T, apiErr *APIError)
	}{
		{"a body larger than 1 MiB", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, `{"createdId": 1, "junk": "`+strings.Repeat("x", 2<<20)+`"}`)
		}, func(t *testing.T, apiErr *APIError) {
			assert.Equal(t, http.StatusOK, apiErr.StatusCode)
			assert.ErrorContains(t, apiErr, "exceeds 1048576 bytes")
			assert.True(t, apiErr.Uncertain, "a 2xx was accepted")
		}},
		{"a body shorter than its Content-Length", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "500")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"warnings":[],"errors":[{"status":false,"code":8015`)
		}, func(t *testing.T, apiErr *APIError) {
			assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
			assert.Contains(t, apiErr.Body, `"code":8015`)
			assert.ErrorIs(t, apiErr, io.ErrUnexpectedEOF)
			assert.False(t, apiErr.Uncertain)
		}},
		{"garbage", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte("\x00\xff{{not json"))
		}, func(t *testing.T, apiErr *APIError) {
			assert.Equal(t, http.StatusOK, apiErr.StatusCode)
			assert.ErrorContains(t, apiErr, "decoding the answer")
			assert.True(t, apiErr.Uncertain, "a 2xx was accepted")
		}},
		{"an HTML error page", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "<html><body>\n<h1>502 Bad Gateway</h1>\n</body></html>")
		}, func(t *testing.T, apiErr *APIError) {
			assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
			assert.Equal(t, "<html><body> <h1>502 Bad Gateway</h1> </body></html>", apiErr.Body)
			assert.ErrorIs(t, apiErr, ErrServer)
			assert.Equal(t, 4, apiErr.Attempts, "a 502 is retried")
		}},
	}
	forProtocols(t, func(t *testing.T, p protocol) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				srv := newProtocolServer(t, p, tt.serve)
				c := newProtocolClient(t, srv)
				_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
				tt.check(t, requireAPIError(t, err))
			})
		}
	})
}

// heldServer answers its first request at once, so that the connection is set up (TLS and all)
// before any short attempt timeout, and holds every later one, after its status line and part
// of its body when slowBody, until the request ends or the test does. Each held request is
// announced on the returned channel.
func heldServer(t *testing.T, p protocol, slowBody bool) (*countingServer, <-chan struct{}) {
	t.Helper()
	release := make(chan struct{})
	held := make(chan struct{}, 8)
	srv := newProtocolServer(t, p, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/v2/customers/"+warmUpID {
			writeJSON(w, http.StatusOK, okBody)
			return
		}
		if slowBody {
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, `{"createdId": `)
			w.(http.Flusher).Flush()
		}
		held <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before the server's Close
	return srv, held
}

// warmUpID is the customer of the call that warmUp makes, which heldServer answers at once.
const warmUpID = "999"

// warmUp makes the call that sets up c's connection to a heldServer.
func warmUp(t *testing.T, c *Client) {
	t.Helper()
	_, err := c.Customers.Update(testCtx(t), warmUpID, minimalBody(), instore())
	require.NoError(t, err)
}

// The caller's cancellation during an attempt reads as context.Canceled, its deadline as
// context.DeadlineExceeded, with its cause; an attempt timeout matches neither. The server holds
// the answer (or its body) until the call has ended.
func TestProtocolsContextEnds(t *testing.T) {
	t.Parallel()
	errMine := errors.New("the caller's own reason")
	tests := []struct {
		name  string
		end   func(ctx context.Context) (context.Context, func())
		check func(t *testing.T, err error)
	}{
		{"cancelled", func(ctx context.Context) (context.Context, func()) {
			ctx, cancel := context.WithCancel(ctx)
			return ctx, cancel
		}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, context.Canceled)
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
		}},
		{"cancelled with a cause", func(ctx context.Context) (context.Context, func()) {
			ctx, cancel := context.WithCancelCause(ctx)
			return ctx, func() { cancel(errMine) }
		}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, context.Canceled)
			assert.ErrorIs(t, err, errMine)
		}},
		{"deadline", func(context.Context) (context.Context, func()) {
			d := newManualDeadline(t)
			return d, d.expire
		}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.NotErrorIs(t, err, context.Canceled)
		}},
	}
	forProtocols(t, func(t *testing.T, p protocol) {
		for _, slowBody := range []bool{false, true} {
			for _, tt := range tests {
				t.Run(fmt.Sprintf("%s slow body %v", tt.name, slowBody), func(t *testing.T) {
					t.Parallel()
					srv, held := heldServer(t, p, slowBody)
					c := newProtocolClient(t, srv, WithRetries(0, 0, 0))
					warmUp(t, c)
					ctx, end := tt.end(testCtx(t))
					done := goUpdate(ctx, c)
					receive(t, held)
					end()
					err := receive(t, done).err
					require.Error(t, err)
					tt.check(t, err)
					var timeout *attemptTimeoutError
					assert.False(t, errors.As(err, &timeout), "not an attempt timeout: %v", err)
				})
			}
			t.Run(fmt.Sprintf("attempt timeout slow body %v", slowBody), func(t *testing.T) {
				t.Parallel()
				srv, _ := heldServer(t, p, slowBody)
				c := newProtocolClient(t, srv, WithRetries(0, 0, 0))
				warmUp(t, c)
				_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore(), WithAttemptTimeout(100*time.Millisecond))
				var netErr net.Error
				require.ErrorAs(t, err, &netErr)
				assert.True(t, netErr.Timeout(), "a timeout: %v", err)
				assert.Contains(t, err.Error(), "attempt timed out after 100ms")
				assert.NotErrorIs(t, err, context.Canceled)
				assert.NotErrorIs(t, err, context.DeadlineExceeded)
			})
		}
	})
}

// Connections: sequential calls share one connection, whatever their options and whether they
// failed; a failed call does not close the connection that other calls use. Over HTTP/2 the
// connection outlives a reset stream and an attempt that timed out, too.
func TestProtocolsConnectionReuse(t *testing.T) {
	t.Parallel()
	forProtocols(t, func(t *testing.T, p protocol) {
		var fail atomic.Bool
		srv := newProtocolServer(t, p, func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			if fail.Load() {
				writeJSON(w, http.StatusServiceUnavailable, `{}`)
				return
			}
			writeJSON(w, http.StatusOK, okBody)
		})
		c := newProtocolClient(t, srv)
		calls := []struct {
			fail bool
			opts []Option
		}{
			{false, nil},
			{true, nil}, // retries run out: retryablehttp asks to close the idle connections
			{false, []Option{WithHeader("X-Call", "1")}},
			{false, []Option{WithTillAttribution("TILL_CODE", "other-till"), WithUserContext(UserContext{EntityID: "9"})}},
			{true, []Option{WithRetries(0, 0, 0)}},
			{false, []Option{WithAttemptTimeout(time.Minute)}},
		}
		for range 5 {
			for i, call := range calls {
				fail.Store(call.fail)
				_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore(), call.opts...)
				require.Equal(t, call.fail, err != nil, "call %d: %v", i, err)
			}
		}
		requests, conns := srv.requests.Load(), srv.conns.Load()
		if p.h2 {
			assert.EqualValues(t, 1, conns, "%d requests over one HTTP/2 connection", requests)
		} else {
			assertConnsReused(t, conns, requests, 1)
		}
		c.CloseIdleConnections() // the caller's own call to close them does close them
		_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
		require.NoError(t, err)
		assert.Equal(t, conns+1, srv.conns.Load(), "a new connection after CloseIdleConnections")
	})
	t.Run("HTTP/2 after a reset stream and an attempt timeout", func(t *testing.T) {
		t.Parallel()
		p := protocols[1]
		srv, held := heldServer(t, p, false)
		var reset atomic.Bool
		srv.Config.Handler = wrapHandler(srv.Config.Handler, func(r *http.Request) {
			if reset.Load() && r.URL.Path != "/v2/customers/"+warmUpID {
				panic(http.ErrAbortHandler)
			}
		})
		c := newProtocolClient(t, srv, WithRetries(0, 0, 0))
		warmUp(t, c)
		_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore(), WithAttemptTimeout(100*time.Millisecond))
		require.Error(t, err)
		select {
		case <-held:
		default: // under load the attempt may have timed out before its request arrived
		}
		reset.Store(true)
		_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
		require.Error(t, err)
		warmUp(t, c)
		assert.EqualValues(t, 1, srv.conns.Load(), "one HTTP/2 connection")
	})
}

// wrapHandler runs before, then h.
func wrapHandler(h http.Handler, before func(r *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		before(r)
		h.ServeHTTP(w, r)
	})
}

// OAuth: concurrent calls cause one token generation, and a 401 renews the token once and
// replays the call.
func TestProtocolsOAuth(t *testing.T) {
	t.Parallel()
	forProtocols(t, func(t *testing.T, p protocol) {
		s := &oauthServer{ttl: 300, valid: map[string]bool{}}
		srv := newProtocolServer(t, p, s.serve)
		s.Server = srv.Server
		c, _ := newOAuthClient(t, s)
		trustServer(c, srv)
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := oauthUpdate(testCtx(t), c)
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
		assert.EqualValues(t, 1, s.generations.Load())

		s.revokeAll() // the server forgets the token before its ttl says so
		res, err := oauthUpdate(testCtx(t), c)
		require.NoError(t, err)
		assert.Equal(t, 2, res.Attempts, "the refused attempt and its replay")
		assert.EqualValues(t, 2, s.generations.Load())
		s.mu.Lock()
		defer s.mu.Unlock()
		assert.Equal(t, []string{"token-1", "token-2"}, s.seenTokens[len(s.seenTokens)-2:])
	})
}

// A failing caller does not disturb another caller's call in flight on the same client, and
// over HTTP/2 all of them share one connection, whose streams fail alone: a reset stream, an
// answer cut off at the size cap, an answer retried out, an attempt that timed out.
func TestProtocolsFailingCallerBesideAnother(t *testing.T) {
	t.Parallel()
	forProtocols(t, func(t *testing.T, p protocol) {
		release := make(chan struct{})
		var once sync.Once
		t.Cleanup(func() { once.Do(func() { close(release) }) }) // before the server's Close
		held := make(chan struct{}, 1)
		srv := newProtocolServer(t, p, func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			switch r.URL.Path {
			case "/v2/customers/1": // the other caller's, held until the failures are over
				held <- struct{}{}
				select {
				case <-release:
				case <-r.Context().Done():
					return
				}
			case "/v2/customers/2":
				panic(http.ErrAbortHandler)
			case "/v2/customers/3":
				writeJSON(w, http.StatusOK, `{"junk": "`+strings.Repeat("x", 2<<20)+`"}`)
				return
			case "/v2/customers/4":
				writeJSON(w, http.StatusServiceUnavailable, `{}`)
				return
			case "/v2/customers/5": // held until the attempt times out
				select {
				case <-release:
				case <-r.Context().Done():
				}
				return
			}
			writeJSON(w, http.StatusOK, okBody)
		})
		c := newProtocolClient(t, srv)
		warmUp(t, c)
		done := goUpdate(testCtx(t), c)
		receive(t, held)
		for _, id := range []string{"2", "3", "4"} {
			_, err := c.Customers.Update(testCtx(t), id, minimalBody(), instore())
			require.Error(t, err, id)
		}
		_, err := c.Customers.Update(testCtx(t), "5", minimalBody(), instore(), WithAttemptTimeout(100*time.Millisecond), WithRetries(0, 0, 0))
		require.Error(t, err)
		once.Do(func() { close(release) })
		res := receive(t, done)
		require.NoError(t, res.err)
		assert.Equal(t, 1, res.res.Attempts)
		warmUp(t, c)
		if p.h2 {
			assert.EqualValues(t, 1, srv.conns.Load(), "%d requests over one HTTP/2 connection", srv.requests.Load())
		}
	})
}

// silentListener accepts connections on loopback and never says a word on them: a TLS client
// waits for the server's hello until its context ends. Each connection accepted is announced on
// the channel; every one is closed when the test ends.
func silentListener(t *testing.T) (string, <-chan struct{}) {
	t.Helper()
	requireLoopback(t)
	accepted := make(chan struct{}, 16)
	addr := acceptLoopback(t, func(net.Conn) {
		select {
		case accepted <- struct{}{}:
		default:
		}
	})
	return addr, accepted
}

// An https attempt (HTTP/2's only way) that ends during the TLS handshake sent nothing: the
// update is not uncertain, whether the attempt timed out, the transport's handshake timeout
// fired or the caller gave up, as the README promises for a failure to agree on TLS.
func TestProtocolsTLSHandshakeThatNeverEnds(t *testing.T) {
	t.Parallel()
	addr, _ := silentListener(t)
	c := newServerClient(t, "https://"+addr, WithRetries(1, time.Millisecond, time.Millisecond))
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore(), WithAttemptTimeout(100*time.Millisecond))
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.Contains(t, err.Error(), "attempt timed out after 100ms")
	assert.Equal(t, 2, reqErr.Attempts, "a timeout is retried")
	assert.False(t, reqErr.Uncertain, "nothing was sent: %v", err)

	// The transport's own TLSHandshakeTimeout (10 s by default), shortened: not uncertain either.
	c = newServerClient(t, "https://"+addr, WithRetries(0, 0, 0))
	transportOf(c).TLSHandshakeTimeout = 100 * time.Millisecond
	_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.ErrorAs(t, err, &reqErr)
	assert.Contains(t, err.Error(), "TLS handshake timeout")
	assert.False(t, reqErr.Uncertain, "nothing was sent: %v", err)

	addr, accepted := silentListener(t)
	c = newServerClient(t, "https://"+addr, WithRetries(0, 0, 0))
	ctx, cancel := context.WithCancel(testCtx(t))
	done := goUpdate(ctx, c)
	receive(t, accepted) // the client waits for the server's hello: the caller gives up
	cancel()
	err = receive(t, done).err
	require.ErrorAs(t, err, &reqErr)
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, reqErr.Uncertain, "nothing was sent: %v", err)
}

// A transport wrapping net/http's own, as tracing middleware does, still tells through the trace
// that nothing was sent; a transport that is not net/http's keeps the error it gives an attempt
// that ran out of time, such as a dial's i/o timeout, which is not uncertain either.
func TestProtocolsWrappedTransports(t *testing.T) {
	t.Parallel()
	addr, _ := silentListener(t)
	inner := newTransport(DefaultAttemptTimeout)
	t.Cleanup(inner.CloseIdleConnections)
	wrapped := &http.Client{Transport: roundTripFunc(inner.RoundTrip)}
	c := newServerClient(t, "https://"+addr, WithHTTPClient(wrapped), WithRetries(0, 0, 0))
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore(), WithAttemptTimeout(100*time.Millisecond))
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.Contains(t, err.Error(), "attempt timed out after 100ms")
	assert.False(t, reqErr.Uncertain, "nothing was sent: %v", err)

	dialTimeout := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		<-r.Context().Done() // the attempt timeout
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("i/o timeout: %w", context.DeadlineExceeded)}
	})}
	c = newServerClient(t, "https://"+addr, WithHTTPClient(dialTimeout), WithRetries(0, 0, 0))
	_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore(), WithAttemptTimeout(100*time.Millisecond))
	require.ErrorAs(t, err, &reqErr)
	var opErr *net.OpError
	require.ErrorAs(t, err, &opErr, "the transport's own error is kept: %v", err)
	assert.Contains(t, err.Error(), "attempt timed out after 100ms (WithAttemptTimeout): dial tcp")
	assert.False(t, reqErr.Uncertain, "a failure to connect: %v", err)
}

// blackHoleProxy forwards TCP connections to target until cut: from then on the connections it
// carries forward nothing either way and are not closed, as when a NAT or a load balancer
// forgets a connection silently; connections made after the cut are forwarded again. Every
// connection is closed when the test ends.
func blackHoleProxy(t *testing.T, target string) (addr string, cut func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		mu     sync.Mutex
		conns  []net.Conn
		dead   []*atomic.Bool
		closed bool // the test has ended: a connection accepted since is closed at once
		wg     sync.WaitGroup
	)
	pipe := func(dst, src net.Conn, dead *atomic.Bool) {
		defer wg.Done()
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if err != nil {
				_ = dst.Close()
				return
			}
			if !dead.Load() {
				_, _ = dst.Write(buf[:n])
			}
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				_ = client.Close()
				continue
			}
			d := &atomic.Bool{}
			mu.Lock()
			if closed {
				mu.Unlock()
				_, _ = client.Close(), server.Close()
				continue
			}
			conns, dead = append(conns, client, server), append(dead, d)
			wg.Add(2)
			mu.Unlock()
			go pipe(server, client, d)
			go pipe(client, server, d)
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		closed = true
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String(), func() {
		mu.Lock()
		defer mu.Unlock()
		for _, d := range dead {
			d.Store(true)
		}
	}
}

// A connection that dies silently is given up over HTTP/2 as over HTTP/1.1. Over HTTP/1.1 an
// attempt that times out closes its connection and the retry dials anew; over HTTP/2 every
// call and every retry shares one connection, which the SDK's default transport checks with a
// ping when it has heard nothing for a while, closing it when the ping goes unanswered, within
// one default attempt timeout. The test shortens those timeouts; the attempt timeout stays
// long, so only the ping can end the first attempt.
func TestProtocolsSilentlyDeadHTTP2Connection(t *testing.T) {
	t.Parallel()
	srv := newProtocolServer(t, protocols[1], func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, http.StatusOK, okBody)
	})
	addr, cut := blackHoleProxy(t, srv.Listener.Addr().String())
	c := newServerClient(t, "https://"+addr, WithAttemptTimeout(maxAttemptTimeLimit))
	trustServer(c, srv)
	h2 := transportOf(c).HTTP2
	require.NotNil(t, h2, "the default transport checks its HTTP/2 connections")
	assert.Positive(t, h2.SendPingTimeout)
	assert.LessOrEqual(t, h2.SendPingTimeout+h2.PingTimeout, DefaultAttemptTimeout, "a dead connection is found within one attempt")
	short := newServerClient(t, srv.URL, WithAttemptTimeout(4*time.Second))
	shortH2 := transportOf(short).HTTP2
	assert.Equal(t, 2*time.Second, shortH2.SendPingTimeout, "half of the client's attempt timeout")
	assert.Equal(t, 2*time.Second, shortH2.PingTimeout)
	h2.SendPingTimeout, h2.PingTimeout = 500*time.Millisecond, 500*time.Millisecond

	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err)
	cut()
	_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err, "the dead connection was given up and the call went through on another")
	assert.GreaterOrEqual(t, srv.conns.Load(), int64(2))
}
