package capillary

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Helpers shared by the tests. Every wait is bounded by waitBound, far above the work, so that
// reaching it means a hang, never a slow machine; deadlines pass when the test says so.

// Test credentials. The digest and token are computed here with crypto/md5, independently of
// the SDK, so a wrong digest in the SDK cannot hide behind the same wrong digest in the test.
const (
	testBaseURL  = "https://eu.api.capillarytech.com"
	testTill     = "store123.till"
	testPassword = "Pass123"
	// md5("Pass123"), checked against crypto/md5 in TestBasicAuthDigestOfVendorExample.
	testDigestLiteral = "2f23fa3579f3f75175793649115c1b25"
)

// md5Hex is the lower-case MD5 hex digest of s.
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// basicToken is base64(till ":" digest), the part after "Basic ".
func basicToken(till, digest string) string {
	return base64.StdEncoding.EncodeToString([]byte(till + ":" + digest))
}

// testAuthHeader is the Authorization header the test credentials must produce.
func testAuthHeader() string { return "Basic " + basicToken(testTill, md5Hex(testPassword)) }

// fastRetries keeps the default retry count but waits only milliseconds.
func fastRetries() Option { return WithRetries(3, time.Millisecond, 5*time.Millisecond) }

// transportOf is the ONE place the tests reach into the SDK's transport: the default pooled
// transport a Client sends through. If the internals are renamed, only this function changes.
func transportOf(c *Client) *http.Transport { return c.transport.(*http.Transport) }

// attemptTimeoutOf is the per-attempt timeout the client's transport applies.
func attemptTimeoutOf(c *Client) time.Duration { return c.defaults.timeout }

// newMockedClient builds a client for the EU host with the test till, fast retries and opts
// (which win over those defaults), and installs a fresh httpmock transport, one per test, on
// the retry client's inner *http.Client. It never touches http.DefaultTransport.
func newMockedClient(t *testing.T, opts ...ClientOption) (*Client, *httpmock.MockTransport) {
	t.Helper()
	all := append([]ClientOption{WithBaseURL(testBaseURL), WithBasicAuth(testTill, testPassword), fastRetries()}, opts...)
	c, err := NewClient(all...)
	require.NoError(t, err)
	return c, installMock(c)
}

// installMock puts a fresh httpmock transport under c and returns it.
func installMock(c *Client) *httpmock.MockTransport {
	mt := httpmock.NewMockTransport()
	c.transport = mt
	return mt
}

// captured is one request as the transport saw it.
type captured struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
}

// recorder answers the update endpoint with a script of responders (the last one repeats) and
// keeps every request it received.
type recorder struct {
	mu    sync.Mutex
	reqs  []captured
	steps []httpmock.Responder
}

// updateURL matches PUT {testBaseURL}/v2/customers/... and nothing else: a request to another
// host or with another method finds no responder and fails the call.
var updateURL = regexp.MustCompile(`^` + regexp.QuoteMeta(testBaseURL) + `/v2/customers/`)

// script registers the responders for PUT /v2/customers/... on mt.
func script(mt *httpmock.MockTransport, steps ...httpmock.Responder) *recorder {
	return scriptAt(mt, http.MethodPut, updateURL, steps...)
}

// scriptAt registers the responders for method on the URLs that match re.
func scriptAt(mt *httpmock.MockTransport, method string, re *regexp.Regexp, steps ...httpmock.Responder) *recorder {
	if len(steps) == 0 {
		steps = []httpmock.Responder{okResponder()}
	}
	rec := &recorder{steps: steps}
	mt.RegisterRegexpResponder(method, re, rec.respond)
	return rec
}

func (r *recorder) respond(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	u := *req.URL
	r.mu.Lock()
	i := len(r.reqs)
	r.reqs = append(r.reqs, captured{Method: req.Method, URL: &u, Header: req.Header.Clone(), Body: body})
	step := r.steps[min(i, len(r.steps)-1)]
	r.mu.Unlock()
	return step(req)
}

// all returns a copy of the requests received so far.
func (r *recorder) all() []captured {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]captured(nil), r.reqs...)
}

// only returns the single request received, failing the test if there was not exactly one.
func (r *recorder) only(t *testing.T) captured {
	t.Helper()
	reqs := r.all()
	require.Len(t, reqs, 1, "requests received")
	return reqs[0]
}

const okBody = `{"createdId": 171891944, "warnings": [], "sideEffects": []}`

// respond answers status with body and headers given as name/value pairs.
func respond(status int, body string, headerPairs ...string) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headerPairs); i += 2 {
			resp.Header.Set(headerPairs[i], headerPairs[i+1])
		}
		resp.Request = req
		return resp, nil
	}
}

func okResponder() httpmock.Responder { return respond(http.StatusOK, okBody) }

// vendorError is the vendor's error envelope for one code.
func vendorError(code int, message string) string {
	return `{"warnings": [], "errors": [{"status": false, "code": ` + strconv.Itoa(code) + `, "message": "` + message + `"}]}`
}

// vendorExample is the vendor's example request body, copied verbatim from the spec's curl.
func vendorExample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/vendor_example_request.json")
	require.NoError(t, err)
	return b
}

// instore is the params of the vendor's example call.
func instore() *UpdateCustomerParams { return &UpdateCustomerParams{Source: SourceInstore} }

// minimalBody is a valid body with one field to update.
func minimalBody() *UpdateCustomerRequest {
	return &UpdateCustomerRequest{LoyaltyInfo: &LoyaltyInfo{LoyaltyType: LoyaltyTypeLoyalty}}
}

// testCtx is a context that ends with the test, bounded so a hang fails instead of blocking.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitBound)
	t.Cleanup(cancel)
	return ctx
}

// countingServer is an httptest server that counts requests and new connections.
type countingServer struct {
	*httptest.Server
	requests atomic.Int64
	conns    atomic.Int64
}

// protocol is how a test server speaks: HTTP/1.1 on plain loopback, as most tests run, or
// HTTP/2 over TLS, as the SDK's default transport speaks to the vendor's https hosts.
type protocol struct {
	name string
	h2   bool
}

// protocols are both, for a test that runs its scenarios over each.
var protocols = []protocol{{"HTTP/1.1", false}, {"HTTP/2", true}}

// newCountingServer starts a plain-http loopback server running h, counting every request and
// every new connection (ConnState StateNew).
func newCountingServer(t *testing.T, h http.HandlerFunc) *countingServer {
	t.Helper()
	return newProtocolServer(t, protocol{}, h)
}

// newProtocolServer is newCountingServer speaking p: over HTTP/2 it serves TLS, and the test
// fails if a request arrives over another protocol. Its client is newProtocolClient.
func newProtocolServer(t *testing.T, p protocol, h http.HandlerFunc) *countingServer {
	t.Helper()
	requireLoopback(t)
	var wrongProto atomic.Int64
	cs := &countingServer{}
	cs.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.requests.Add(1)
		if p.h2 != (r.ProtoMajor == 2) {
			wrongProto.Add(1)
		}
		h(w, r)
	}))
	cs.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			cs.conns.Add(1)
		}
	}
	if p.h2 {
		cs.EnableHTTP2 = true
		cs.StartTLS()
	} else {
		cs.Start()
	}
	t.Cleanup(func() {
		cs.Close()
		if n := wrongProto.Load(); n > 0 {
			t.Errorf("%d requests did not arrive over %s", n, p.name)
		}
	})
	return cs
}

// newProtocolClient is newServerClient for srv, sending through the SDK's own default
// transport, made to trust srv's certificate when it serves TLS (see trustServer).
func newProtocolClient(t *testing.T, srv *countingServer, opts ...ClientOption) *Client {
	t.Helper()
	c := newServerClient(t, srv.URL, opts...)
	trustServer(c, srv)
	return c
}

// trustServer makes c's own default transport trust srv's certificate, if srv serves TLS;
// nothing else changes in that transport. It must run before c's first call.
func trustServer(c *Client, srv *countingServer) {
	if srv.TLS == nil {
		return
	}
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	transportOf(c).TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
}

// newServerClient builds a client for a loopback httptest server (plain http is allowed on
// loopback), with the test till and fast retries; opts win.
func newServerClient(t *testing.T, baseURL string, opts ...ClientOption) *Client {
	t.Helper()
	all := append([]ClientOption{WithBaseURL(baseURL), WithBasicAuth(testTill, testPassword), fastRetries()}, opts...)
	c, err := NewClient(all...)
	require.NoError(t, err)
	return c
}

// writeJSON answers status with a JSON body.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// jsonUnmarshal is json.Unmarshal, named for the tests that decode the vendor's example.
func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// acceptLoopback accepts connections on a loopback port, handing each to handle on the
// accepting goroutine, and closes them all when the test ends. It returns the address.
func acceptLoopback(t *testing.T, handle func(conn net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	var conns []net.Conn // the accepting goroutine's until done
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		for _, c := range conns {
			_ = c.Close()
		}
	})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, conn)
			handle(conn)
		}
	}()
	return ln.Addr().String()
}

// scriptMethod registers a script of responders for method on any URL of the test host.
func scriptMethod(mt *httpmock.MockTransport, method string, steps ...httpmock.Responder) *recorder {
	rec := &recorder{steps: steps}
	mt.RegisterRegexpResponder(method, regexp.MustCompile(`^`+regexp.QuoteMeta(testBaseURL)+`/`), rec.respond)
	return rec
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(b)
}

// noRetries turns retrying off so that one response decides the call.
func noRetries() Option { return WithRetries(0, time.Millisecond, time.Millisecond) }

// callOnce sends one update against a mock that answers status with body.
func callOnce(t *testing.T, status int, body string, headerPairs ...string) (*UpdateCustomerResponse, error) {
	t.Helper()
	c, mt := newMockedClient(t, noRetries())
	rec := script(mt, respond(status, body, headerPairs...))
	res, err := c.Customers.Update(testCtx(t), "171891944", minimalBody(), instore())
	require.Len(t, rec.all(), 1)
	return res, err
}

// requireAPIError asserts err is an *APIError and returns it.
func requireAPIError(t *testing.T, err error) *APIError {
	t.Helper()
	require.Error(t, err)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, "error %T: %v", err, err)
	return apiErr
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

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// waitBound bounds every wait in the tests.
const waitBound = 30 * time.Second

// receive returns the next value from ch, failing the test if none comes within waitBound.
func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	timer := time.NewTimer(waitBound)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("nothing received within %s", waitBound)
		panic("unreachable")
	}
}

// callResult is what a call returned, for calls run in a goroutine.
type callResult struct {
	res *UpdateCustomerResponse
	err error
}

// goUpdate starts an update in a goroutine; receive its result with receive.
func goUpdate(ctx context.Context, c *Client, opts ...Option) <-chan callResult {
	done := make(chan callResult, 1)
	go func() {
		res, err := c.Customers.Update(ctx, "1", minimalBody(), instore(), opts...)
		done <- callResult{res, err}
	}()
	return done
}

// manualDeadline is a context whose deadline passes when the test calls expire: from then on
// Done is closed and Err is context.DeadlineExceeded. It has no Deadline time, so nothing
// compares it with a clock. The test ends it at the latest.
type manualDeadline struct {
	context.Context // values only: context.Background
	done            chan struct{}
	once            sync.Once
}

func newManualDeadline(t *testing.T) *manualDeadline {
	d := &manualDeadline{Context: context.Background(), done: make(chan struct{})}
	t.Cleanup(d.expire)
	return d
}

func (d *manualDeadline) Done() <-chan struct{} { return d.done }

func (d *manualDeadline) Err() error {
	select {
	case <-d.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

func (d *manualDeadline) expire() { d.once.Do(func() { close(d.done) }) }

// waitHook is a logger for NewClient that calls the function given to onWait when the SDK
// logs that it is about to wait before a retry (a record with a "wait" attribute): a test ends
// a call's context there to have it end during the wait, wherever the clock stands.
type waitHook struct {
	mu sync.Mutex
	fn func()
}

func (h *waitHook) option() Option {
	return WithLogger(slog.New(&hookHandler{fn: func(r slog.Record) {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key != "wait" {
				return true
			}
			h.mu.Lock()
			fn := h.fn
			h.mu.Unlock()
			if fn != nil {
				fn()
			}
			return false
		})
	}}))
}

// onWait sets what happens at the next waits.
func (h *waitHook) onWait(fn func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fn = fn
}

// hookHandler is a slog.Handler that calls fn with every record.
type hookHandler struct{ fn func(slog.Record) }

func (h *hookHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *hookHandler) Handle(_ context.Context, r slog.Record) error {
	h.fn(r)
	return nil
}

func (h *hookHandler) WithAttrs([]slog.Attr) slog.Handler { return h }

func (h *hookHandler) WithGroup(string) slog.Handler { return h }

// assertConnsReused checks that requests were carried by few connections: at least one, at
// most minConns (one per concurrent caller) plus a quarter of the requests. A connection per
// request (an answer not drained, a transport per call, the pool closed after a failure)
// fails it. Exactly minConns cannot be asked for: net/http drops a connection whose writer
// goroutine has not confirmed the request within 50 ms (maxWriteWaitBeforeConnReuse in
// net/http/transport.go), which a loaded machine sometimes exceeds.
func assertConnsReused(t *testing.T, conns, requests, minConns int64) {
	t.Helper()
	most := minConns + (requests+3)/4
	assert.True(t, conns >= 1 && conns <= most, "%d requests opened %d connections, want 1 to %d", requests, conns, most)
}

// drainingTransport reads each answer whole before handing it on, so that the connection is
// back in the pool before the SDK sees the answer: a test that ends the call's context right
// after the answer then cannot close the connection by cancelling its read. It forwards
// CloseIdleConnections, so that the SDK closing the pool still shows.
type drainingTransport struct{ next *http.Transport }

func newDrainingTransport(t *testing.T) drainingTransport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return drainingTransport{next: tr}
}

func (d drainingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func (d drainingTransport) CloseIdleConnections() { d.next.CloseIdleConnections() }

// loopback is whether this process can connect to itself on 127.0.0.1, found out once.
var loopback = sync.OnceValue(func() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	conn, err := net.DialTimeout("tcp", ln.Addr().String(), waitBound)
	if err != nil {
		return err
	}
	return conn.Close()
})

// requireLoopback fails the test at once, saying why, when loopback networking is down (a
// network namespace with lo down, a sandbox): the test's calls could only fail, after
// retrying and waiting.
func requireLoopback(t *testing.T) {
	t.Helper()
	if err := loopback(); err != nil {
		t.Fatalf("this test needs loopback networking (127.0.0.1), which is unavailable: %v", err)
	}
}

// RequireLoopback is requireLoopback, for the tests of package capillary_test.
var RequireLoopback = requireLoopback
