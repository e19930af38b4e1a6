package capillarytest

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a fake of the vendor's API on a real HTTP server: stateful, strict, and able to
// fail on demand. Make one with NewServer (or NewUnstartedServer and Start), point the SDK at
// URL, and Close it at the end. Every method but Start is safe for concurrent use, also while
// requests are being served.
type Server struct {
	// URL is the base URL, http://127.0.0.1:port, without a trailing slash; set by Start.
	URL string
	// Listener is where Start serves. NewUnstartedServer leaves it nil, and Start then listens
	// on 127.0.0.1 on a free port; set it before Start to serve elsewhere on loopback.
	Listener net.Listener

	cfg      *config
	rules    []rule
	started  time.Time // by the server's clock: when its customers were created, for reads
	store    *store
	accounts *accountSet
	tokens   tokenStore
	faults   faultQueue
	traffic  traffic
	recorder recorder
	requests atomic.Int64 // numbers the X-Cap-Requestid of each answer

	closing   chan struct{} // closed by Close: ends fault latencies early
	closeOnce sync.Once
	httpSrv   *http.Server
	served    chan struct{} // closed when Serve has returned

	connsMu sync.Mutex
	fresh   map[net.Conn]bool // connections that have not sent a request yet
}

// NewServer makes a server and starts it on 127.0.0.1 on a free port. It panics when an
// option is wrong or no port can be had, as a test cannot go on then.
func NewServer(opts ...Option) *Server {
	s := NewUnstartedServer(opts...)
	s.Start()
	return s
}

// NewUnstartedServer makes a server without starting it, for a caller that sets Listener
// first or only wants its Handler. It panics when an option is wrong.
func NewUnstartedServer(opts ...Option) *Server {
	s, err := New(opts...)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// New is NewUnstartedServer for programs: it reports a wrong option (an empty till, an unknown
// source, an invalid seed customer) as an error instead of panicking.
func New(opts ...Option) (*Server, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		rules:    rules(),
		started:  cfg.now(),
		store:    newStore(),
		accounts: newAccountSet(cfg.accounts),
		recorder: recorder{max: cfg.maxRecorded},
		closing:  make(chan struct{}),
	}
	s.traffic.limit, s.traffic.per = cfg.rateLimit, cfg.rateLimitPer
	if cfg.faultFraction > 0 {
		s.traffic.rng = rand.New(rand.NewPCG(cfg.faultSeed, cfg.faultSeed))
	}
	for _, c := range cfg.seed {
		s.AddCustomer(c) // validated by newConfig
	}
	return s, nil
}

// Start serves on Listener, or on a new listener on 127.0.0.1 on a free port, and sets URL.
// It panics when called twice, when no port can be had, or when Listener is not on a loopback
// address: the fake accepts its well-known credentials, so it never faces a network.
func (s *Server) Start() {
	if s.httpSrv != nil {
		panic("capillarytest: Server started twice")
	}
	if s.Listener == nil {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic("capillarytest: listening on 127.0.0.1: " + err.Error())
		}
		s.Listener = l
	}
	if !loopbackAddr(s.Listener.Addr()) {
		panic("capillarytest: listener address " + s.Listener.Addr().String() + " is not loopback")
	}
	s.URL = "http://" + s.Listener.Addr().String()
	s.httpSrv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		// Dropped and truncated answers are the point of some faults: keep the server's own
		// complaints about them out of the test output.
		ErrorLog:  log.New(io.Discard, "", 0),
		ConnState: s.trackConn,
	}
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		_ = s.httpSrv.Serve(s.Listener) // returns ErrServerClosed on Shutdown/Close
	}()
}

// loopbackAddr reports whether a listener address is on a loopback IP.
func loopbackAddr(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// trackConn remembers the connections that have not sent a request yet. A client's transport
// often dials more connections than it uses; http.Server.Shutdown would wait five seconds for
// each such connection to speak, so Shutdown closes them instead, as httptest does.
func (s *Server) trackConn(c net.Conn, state http.ConnState) {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	if s.fresh == nil {
		s.fresh = map[net.Conn]bool{}
	}
	if state == http.StateNew {
		s.fresh[c] = true
	} else {
		delete(s.fresh, c)
	}
}

func (s *Server) closeFreshConns() {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	for c := range s.fresh {
		_ = c.Close()
		delete(s.fresh, c)
	}
}

// Shutdown stops the server gracefully: it stops accepting, cuts short any fault latency,
// closes idle connections, and waits for the requests in progress until ctx ends (then closes
// their connections).
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeOnce.Do(func() { close(s.closing) })
	if s.httpSrv == nil {
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- s.httpSrv.Shutdown(ctx) }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				_ = s.httpSrv.Close()
			}
			<-s.served
			return err
		case <-tick.C:
			// Repeated until Shutdown returns: a connection accepted just before the listener
			// closed may show up after the first pass.
			s.closeFreshConns()
		}
	}
}

// Close stops the server, waiting a few seconds at most for the requests in progress. It may
// be called more than once.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.Shutdown(ctx)
}

// Handler returns the server's HTTP handler, to serve the fake from an http.Server of your own.
// Dropping a connection (Fault.Drop, Fault.Truncate) needs a ResponseWriter that supports
// http.Hijacker; elsewhere the handler aborts with http.ErrAbortHandler.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// AddCustomer stores a customer, replacing one with the same id; the server keeps its own
// copy. Its source account becomes one the server accepts. It panics when c.Validate fails: a
// test whose seed data is wrong tests nothing.
func (s *Server) AddCustomer(c Customer) {
	if err := c.Validate(); err != nil {
		panic(err.Error())
	}
	for _, p := range c.profiles() {
		s.accounts.add(p.Source, p.AccountID)
	}
	s.store.put(c)
}

// Customer returns a copy of the stored customer, as updates left it.
func (s *Server) Customer(id string) (Customer, bool) { return s.store.get(id) }

// UpdateCounts returns how many update requests reached the customer and how many were
// applied; ok is false when there is no such customer.
func (s *Server) UpdateCounts(id string) (counts UpdateCounts, ok bool) {
	_, _, counts, ok = s.store.read(id)
	return counts, ok
}

// Customers returns copies of every stored customer, in id order.
func (s *Server) Customers() []Customer { return s.store.all() }

// RemoveCustomer deletes a customer and reports whether it existed.
func (s *Server) RemoveCustomer(id string) bool { return s.store.remove(id) }

// Requests returns the requests received so far, in arrival order, credentials masked.
func (s *Server) Requests() []RecordedRequest { return s.recorder.all() }

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() { s.recorder.reset() }

// InjectFaults queues faults for the next requests (see Fault). It panics on a fault that
// cannot be applied, such as a status outside 200-999.
func (s *Server) InjectFaults(faults ...Fault) {
	for i := range faults {
		if err := faults[i].validate(); err != nil {
			panic(err.Error())
		}
	}
	s.faults.push(faults...)
}

// PendingFaults returns how many injected faults no request has taken yet.
func (s *Server) PendingFaults() int { return s.faults.len() }

// ClearFaults drops the faults no request has taken yet.
func (s *Server) ClearFaults() { s.faults.clear() }

// TokenGenerations returns how many OAuth tokens the server has issued.
func (s *Server) TokenGenerations() int { return s.tokens.count() }

// RevokeTokens invalidates every OAuth token issued so far: calls carrying one get 401, as
// when the vendor drops a token before its lifetime ends.
func (s *Server) RevokeTokens() { s.tokens.revoke() }

// serveHTTP records the request, takes the fault meant for it, and answers: every answer,
// faults included, carries an X-Cap-Requestid.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := fmt.Sprintf("capfake-%08d", s.requests.Add(1))
	w.Header().Set(headerRequestID, requestID)
	rt, userID, allow := match(r)
	api := "other"
	if rt != nil {
		api = rt.id.String()
	}
	wait, admitted := s.traffic.arrive(api, s.cfg.now())
	body, tooLarge, err := readBody(r.Body, s.cfg.maxBodyBytes)
	recorded := RecordedRequest{
		Time: s.cfg.now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(),
		Header: maskedHeader(r.Header), Body: body, RequestID: requestID,
	}
	if strings.HasSuffix(r.URL.Path, tokenPath) {
		// Also under a prefix the fake does not serve (a base URL with a path): the secret in
		// the body is a credential wherever it was sent.
		recorded.Body = maskedTokenBody(body)
	}
	handle := s.recorder.add(recorded)
	if err != nil {
		// A body that cannot be read (a malformed chunk, a client gone) is not processed: say
		// so, rather than the empty 200 that returning from the handler would send.
		a := failure(http.StatusBadRequest, invalidInput+": reading the body: "+err.Error())
		s.finish(handle, r, requestID, a.status, nil, principal{})
		w.Header().Set("Connection", "close")
		write(w, a, false)
		return
	}

	if !s.wait(r.Context(), s.cfg.latency, nil) {
		s.finish(handle, r, requestID, 0, nil, principal{})
		drop(w)
		return
	}
	if !admitted {
		a := rateLimited(api, wait)
		s.finish(handle, r, requestID, a.status, nil, principal{})
		write(w, a, false)
		return
	}
	fault, faulted := s.faults.take(r.URL.Path)
	if !faulted && rt != nil && rt.id&updates != 0 {
		fault, faulted = s.traffic.randomFault(s.cfg.faultFraction)
	}
	var f *Fault
	if faulted {
		f = &fault
		if !s.wait(r.Context(), f.Latency, f.Release) {
			// The client gave up, or the server is closing: answer nothing rather than the
			// empty 200 that returning from the handler would send.
			s.finish(handle, r, requestID, 0, f, principal{})
			drop(w)
			return
		}
	}
	var a answer
	var who principal
	// The fake's logic runs unless the fault answers in its stead or drops the connection,
	// and also then when the fault says the request was Handled.
	if f == nil || f.Handled || (f.Status == 0 && !f.Drop) {
		a, who = s.route(r, rt, userID, allow, body, tooLarge, f)
	}
	if f != nil {
		if f.Status != 0 {
			a = f.answer(s.rules)
		}
		if f.Malformed {
			a.body = malformed(a.body)
		}
		if f.Drop {
			s.finish(handle, r, requestID, 0, f, who)
			drop(w)
			return
		}
	}
	s.finish(handle, r, requestID, a.status, f, who)
	write(w, a, f != nil && f.Truncate)
}

// finish completes the record of a request and logs it.
func (s *Server) finish(handle int, r *http.Request, requestID string, status int, f *Fault, who principal) {
	s.recorder.finish(handle, func(rec *RecordedRequest) {
		rec.Status, rec.AuthScheme, rec.Principal = status, who.scheme, who.name
		if f != nil {
			copied := *f
			rec.Fault = &copied
		}
	})
	if s.cfg.logger == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", status), slog.String("request_id", requestID),
	}
	if f != nil {
		attrs = append(attrs, slog.String("fault", f.String()))
	}
	s.cfg.logger.LogAttrs(r.Context(), slog.LevelInfo, "capillarytest: request", attrs...)
}

// wait holds a request for d, then until release is closed (a nil release does not hold); it
// reports false when the client or the server gave up first.
func (s *Server) wait(ctx context.Context, d time.Duration, release <-chan struct{}) bool {
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return false
		case <-s.closing:
			return false
		}
	}
	if release == nil {
		return true
	}
	select {
	case <-release:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
}

// route answers a request that reached the fake's logic: 404 for a path the fake does not
// serve, 405 (with Allow) for another method on one it serves, else the route's rules and answer.
func (s *Server) route(r *http.Request, rt *route, userID, allow string, body []byte, tooLarge bool, f *Fault) (answer, principal) {
	switch {
	case allow == "":
		return failure(http.StatusNotFound, "Resource not found: no resource at "+r.URL.Path), principal{}
	case rt == nil:
		a := failure(http.StatusMethodNotAllowed, "Method not allowed: "+r.Method+" is not allowed on "+r.URL.Path+"; the fake serves "+allow)
		a.header.Set("Allow", allow)
		return a, principal{}
	}
	var warnings []int
	if f != nil {
		warnings = f.Warnings
	}
	return s.serve(r, rt, userID, body, tooLarge, warnings)
}

// readBody reads at most limit bytes; tooLarge reports that the body went on beyond.
func readBody(r io.Reader, limit int64) (body []byte, tooLarge bool, err error) {
	body, err = io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(body)) > limit {
		return body[:limit], true, nil
	}
	return body, false, nil
}

// isJSON reports whether a Content-Type is application/json (parameters such as charset are
// allowed, and a charset must be UTF-8, the only one JSON has).
func isJSON(contentType string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/json" {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

// write sends an answer; with truncate it sends half of the body after a Content-Length that
// promised all of it, then closes the connection.
func write(w http.ResponseWriter, a answer, truncate bool) {
	h := w.Header()
	for name, values := range a.header {
		h[name] = values
	}
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(a.status)
	if !truncate {
		_, _ = w.Write(a.body)
		return
	}
	_, _ = w.Write(a.body[:len(a.body)/2])
	_ = http.NewResponseController(w).Flush()
	drop(w)
}

// drop closes the connection under the request without another byte.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2, or a ResponseWriter of the caller's: aborting is the only way left to fail
		// the answer, and net/http turns it into a reset connection or stream.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
