package capillary

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"
)

// request is one API call as a service method describes it.
type request struct {
	method, path string
	params       any           // the query, from `url` tags; nil for none
	body         any           // the JSON body; nil for none
	read         bool          // changes nothing: retried on every 5xx, never uncertain
	noReplay     bool          // a create: not sent again once an attempt may have been applied (no idempotency key)
	problems     []FieldError  // what the service's validation found
	auth         authenticator // nil: the client's credentials
}

// answer is what a call decodes a body into; lists takes out the vendor's errors and warnings.
type answer interface {
	lists() (errors, warnings []Message, err error)
}

type callMeta struct {
	status    int
	requestID string
	attempts  int
}

// call makes one API call, from its arguments to its result: check and encode (nothing is sent
// if anything is wrong), authorise, then attempt through a go-retryablehttp client made for the
// call, whose hooks judge each answer, decide (retry.go), wait and re-authorise.
func (c *Client) call(ctx context.Context, r *request, out answer, opts []Option) (callMeta, error) {
	s := c.settingsFor(opts)
	p := append(problems(nil), s.problems...)
	if ctx == nil {
		p.add("ctx", "is nil; use context.Background()")
	}
	p = append(p, r.problems...)
	var rawQuery string
	if len(p) == 0 && r.params != nil {
		var err error
		if rawQuery, err = c.queries.encode(r.params); err != nil {
			p.add("params", "%s", err)
		}
	}
	var body any // nil, not an empty []byte, so that a GET goes out without a body
	if len(p) == 0 && r.body != nil {
		// Bytes, so every attempt replays the same body. A Marshaler is asked directly:
		// json.Marshal would check and copy its output again (8%, docs/performance.md).
		var payload []byte
		var err error
		if m, ok := r.body.(json.Marshaler); ok {
			payload, err = m.MarshalJSON()
		} else {
			payload, err = json.Marshal(r.body)
		}
		if err != nil {
			p = append(p, bodyProblems(err)...)
		}
		body = payload
	}
	if len(p) > 0 {
		return callMeta{}, &ValidationError{Problems: p}
	}

	st := &callState{settings: s, auth: c.auth, method: r.method, path: quoteLimit(r.path), read: r.read, noReplay: r.noReplay, out: out}
	if r.auth != nil {
		st.auth = r.auth
	}
	if err := ctx.Err(); err != nil {
		return callMeta{}, st.requestError(err) // over before it started: nothing is sent
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, c.baseURL+r.path+rawQuery, body)
	if err != nil {
		return callMeta{}, st.requestError(err)
	}
	for name, values := range s.header {
		req.Header[name] = values // shared slices, only read: setting a header replaces its slice
	}
	if err := st.auth.authorize(ctx, req.Header); err != nil {
		return callMeta{}, err // a *TokenError, or the context's error while waiting for one
	}
	// The retry client and its http.Client live in the call's state, itself the transport: one
	// allocation. It has no CloseIdleConnections, which retryablehttp calls after a failed call.
	st.next = c.transport
	_, st.netHTTP = c.transport.(*http.Transport)
	st.http = http.Client{Transport: st, Jar: c.jar, CheckRedirect: refuseRedirect}
	st.retry = retryablehttp.Client{
		HTTPClient:   &st.http,
		RetryMax:     s.maxRetries,
		RetryWaitMin: s.waitMin,
		RetryWaitMax: s.waitMax,
		CheckRetry:   st.checkRetry,
		Backoff:      st.backoff,
		PrepareRetry: st.prepareRetry,
		ErrorHandler: lastError,
	}
	req.SetResponseHandler(st.judge)
	for renewed := false; ; renewed = true {
		if _, err = st.retry.Do(req); err == nil {
			return callMeta{st.status, st.requestID, st.attempts}, nil
		}
		// A rejected OAuth token: send the call once more with a new one and a fresh budget. A
		// refused till password does not get better by asking again.
		ts, oauth := st.auth.(*tokenSource)
		if renewed || !oauth || !errors.Is(err, ErrUnauthorized) {
			return callMeta{}, st.callError(ctx, err)
		}
		ts.renew(req.Header)
		st.try = 0
		if err = st.prepareRetry(req.Request); err != nil {
			return callMeta{}, st.callError(ctx, err)
		}
	}
}

// queryCache encodes params with go-querystring, keeping the queries of params with a queryKey
// (an update's), at most maxCachedQueries per client: it saves 6% (docs/performance.md).
type queryCache struct {
	m sync.Map
	n atomic.Int64
}

const maxCachedQueries = 64

func (qc *queryCache) encode(params any) (string, error) {
	keyed, cacheable := params.(interface{ queryKey() any })
	if cacheable {
		if q, ok := qc.m.Load(keyed.queryKey()); ok {
			return q.(string), nil
		}
	}
	values, err := query.Values(params)
	if err != nil || len(values) == 0 {
		return "", err
	}
	q := "?" + values.Encode()
	if cacheable && qc.n.Add(1) <= maxCachedQueries {
		qc.m.Store(keyed.queryKey(), q)
	}
	return q, nil
}

// bodyProblems are the problems of a body that could not be encoded (invalid UTF-8, by path).
func bodyProblems(err error) []FieldError {
	var invalid *ValidationError
	if errors.As(err, &invalid) {
		return invalid.Problems
	}
	return []FieldError{{Field: "body", Problem: "cannot be encoded as JSON: " + err.Error()}}
}

// callState is one call's bookkeeping, which the hooks of its retry client share.
type callState struct {
	retry   retryablehttp.Client
	http    http.Client
	next    http.RoundTripper // the Client's shared transport
	netHTTP bool              // next is net/http's, whose bodies end with the request's context
	attempt context.Context   // the current attempt's, with its deadline
	cancel  context.CancelFunc
	stop    func() bool // ends the AfterFunc that closes another transport's body, if any

	settings     *callSettings
	auth         authenticator
	method, path string
	read         bool
	noReplay     bool
	out          answer

	attempts  int       // sent, over every run of the retry client
	try       int       // the attempt of the current run, from 1: what the retry budget counts
	started   time.Time // of the current attempt
	status    int
	requestID string
	uncertain bool        // an attempt may have been applied although the call fails
	unsent    atomic.Bool // an update's attempt is known not to have sent its request yet
	last      *APIError   // the last attempt's answer, when it was an error
	lastErr   error       // the last attempt's transport error, when it had no answer
}

// refuseRedirect hands a redirect back as the answer, which judge refuses.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// lastError is retryablehttp's ErrorHandler: the call's error is the last attempt's.
func lastError(_ *http.Response, err error, _ int) (*http.Response, error) { return nil, err }

// checkRetry is retryablehttp's CheckRetry over advise; judge's *APIError comes back as err.
func (st *callState) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if err == nil {
		return false, nil
	}
	if resp == nil { // no answer: what an earlier attempt said is no longer the news
		st.last, st.lastErr = nil, err
		st.uncertain = st.uncertain || !st.read && !st.unsent.Load() && uncertainAttempt(0, false, 0, err)
		st.log(ctx, slog.LevelDebug, "capillary: attempt failed", slog.Int("attempt", st.attempts),
			slog.Duration("latency", time.Since(st.started)), slog.String("error", st.quote(err).Error()))
	}
	if !st.settings.advise(err, st.try).Retry || st.noReplay && st.uncertain {
		return false, nil
	}
	if ctx.Err() != nil {
		return false, ctx.Err() // a retry was due, but the context ended first
	}
	if deadline, has := ctx.Deadline(); has && st.last != nil && st.last.RetryAfter > 0 &&
		time.Now().Add(min(st.last.RetryAfter, st.settings.waitMax)).After(deadline) {
		st.last.Err = errors.New("not retried: the server asked to wait " + st.last.RetryAfter.String() + " (Retry-After), past the call's deadline")
		return false, nil
	}
	return true, nil
}

// backoff is retryablehttp's Backoff: the policy's wait before retry n (from 0).
func (st *callState) backoff(_, _ time.Duration, n int, resp *http.Response) time.Duration {
	ra, asked := retryAfter(resp)
	wait := backoff(st.settings.waitMin, st.settings.waitMax, n, ra, asked)
	st.log(context.Background(), slog.LevelInfo, "capillary: retrying", slog.Int("attempt", st.attempts+1), slog.Duration("wait", wait))
	return wait
}

// prepareRetry is retryablehttp's PrepareRetry: fresh credentials (a token may have expired
// while waiting), on a header map of its own, as the previous request may still hold the old.
func (st *callState) prepareRetry(req *http.Request) error {
	req.Header = req.Header.Clone()
	return st.auth.authorize(req.Context(), req.Header)
}

// judge is the response handler: it decodes a success into out, or returns its *APIError.
func (st *callState) judge(resp *http.Response) error {
	defer st.endAttempt(resp.Body)
	st.status, st.requestID = resp.StatusCode, quoteLimit(st.auth.redact(resp.Header.Get(headerRequestID)))
	st.log(resp.Request.Context(), slog.LevelDebug, "capillary: attempt", slog.Int("attempt", st.attempts),
		slog.Duration("latency", time.Since(st.started)), slog.Int("status", st.status), slog.String("request_id", st.requestID))

	accepted := resp.StatusCode >= 200 && resp.StatusCode <= 299
	body, cause := st.readBody(resp)
	var errs, warnings []Message
	if cause == nil {
		if st.auth.redact(string(body)) != string(body) {
			body = redactJSON(body, st.auth.redact) // what the SDK returns never holds a credential
		}
		reflect.ValueOf(st.out).Elem().SetZero() // an answer keeps nothing of an earlier attempt's
		if cause = json.Unmarshal(body, st.out); cause == nil {
			errs, warnings, cause = st.out.lists()
		}
		if cause == nil && (accepted || appliedAnyway(st.out)) && len(errs) == 0 {
			st.last = nil
			return nil
		}
		if cause != nil {
			cause = fmt.Errorf("decoding the answer: %w", cause)
		}
	}
	st.uncertain = st.uncertain || !st.read && uncertainAttempt(resp.StatusCode, cause != nil, len(errs), nil)
	e := &APIError{StatusCode: resp.StatusCode, RequestID: st.requestID, Method: st.method, Path: st.path, read: st.read}
	e.RetryAfter, _ = retryAfter(resp)
	e.Errors, e.Warnings = st.redactMessages(errs), st.redactMessages(warnings)
	if len(e.Errors) == 0 {
		// Redact before cutting: a credential straddling the cut would no longer match.
		e.Body = excerpt(st.auth.redact(string(body)))
	}
	if cause != nil {
		e.Err = st.quote(cause)
	}
	st.last, st.lastErr = e, nil
	return e
}

func (st *callState) readBody(resp *http.Response) ([]byte, error) {
	if resp.StatusCode < 200 {
		// A 101 hands over the connection: reading it would wait for the server.
		return nil, fmt.Errorf("unexpected status %d: the server did not answer the request", resp.StatusCode)
	}
	// One byte past the cap tells a body that is too long from one that fits exactly.
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		// No vendor page documents a redirect: credentials and data go only to the base URL.
		return body, fmt.Errorf("redirect to %q not followed: the SDK sends credentials and data only to its base URL", resp.Header.Get("Location"))
	case err != nil:
		return body, fmt.Errorf("reading the answer: %w", explain(st.attempt, st.settings.timeout, err))
	case len(body) > maxBodyBytes:
		return body[:maxBodyBytes], fmt.Errorf("response body exceeds %d bytes", maxBodyBytes)
	}
	return body, nil
}

// maxBodyBytes caps how much of an answer is read: the vendor's are a few kilobytes.
const maxBodyBytes = 1 << 20

// callError builds the call's error: the last answer's *APIError, else a *RequestError. What
// ended the call after that answer (the context during a wait, a failed renewal) is its cause.
func (st *callState) callError(ctx context.Context, err error) error {
	var cause error
	if waited := err == ctx.Err(); waited || st.last != nil && !errors.Is(err, st.last) {
		cause = err // the call ended after the last attempt for another reason
	}
	e := st.last
	if e == nil {
		if cause != nil && st.lastErr != nil {
			err = fmt.Errorf("%w (while waiting to retry after: %w)", cause, st.quote(st.lastErr))
		}
		return st.requestError(err)
	}
	e.Attempts, e.Uncertain = st.attempts, st.uncertain
	switch {
	case cause == nil:
	case e.Err == nil:
		e.Err = cause
	default:
		e.Err = fmt.Errorf("%w (after: %w)", cause, e.Err)
	}
	return e
}

func (st *callState) requestError(err error) *RequestError {
	return &RequestError{Method: st.method, Path: st.path, Attempts: st.attempts, Uncertain: st.uncertain, Err: st.quote(err)}
}

// log logs metadata only.
func (st *callState) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if l := st.settings.logger; l != nil && l.Enabled(ctx, level) {
		base := []slog.Attr{slog.String("method", st.method), slog.String("path", st.path)}
		l.LogAttrs(ctx, level, msg, append(base, attrs...)...)
	}
}

// redactMessages returns a copy of the vendor's messages, redacted and cut to quotable length.
func (st *callState) redactMessages(msgs []Message) []Message {
	if msgs == nil {
		return nil
	}
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		m.Message = quoteLimit(st.auth.redact(m.Message))
		out[i] = m
	}
	return out
}

// quote makes an error that may quote the server (a status line, a field) safe to show:
// redacted and bounded, with errors.Is and errors.As still seeing the cause.
func (st *callState) quote(err error) error {
	var q *quotedError
	if errors.As(err, &q) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &quotedError{text: quoteLimit(st.auth.redact(transportCause(err).Error())), err: err}
}

type quotedError struct {
	text string
	err  error
}

func (e *quotedError) Error() string { return e.text }

func (e *quotedError) Unwrap() error { return e.err }

// excerpt is the start of a body as one printable line, for an error message.
func excerpt(body string) string {
	const limit = 256
	s := strings.ToValidUTF8(body[:min(len(body), limit)], "\uFFFD")
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if len(body) > limit {
		s += "…"
	}
	return s
}

// quoteLimit cuts text an error or a log line quotes to a length that cannot flood them.
func quoteLimit(s string) string {
	const limit = 1024
	if len(s) <= limit {
		return s
	}
	return strings.ToValidUTF8(s[:limit], "") + "…"
}

// errAttemptTimeout is the cause of an attempt's context when its time runs out.
var errAttemptTimeout = errors.New("attempt timed out")

// RoundTrip sends one attempt, bounded by the attempt timeout until judge closes its body. For
// an update, net/http's trace says whether the request was written.
func (st *callState) RoundTrip(req *http.Request) (*http.Response, error) {
	st.attempts, st.try, st.started = st.attempts+1, st.try+1, time.Now()
	timeout := st.settings.timeout
	ctx, cancel := context.WithTimeoutCause(req.Context(), timeout, errAttemptTimeout)
	if unsent := &st.unsent; !st.read {
		// Until the headers are written nothing was sent: an error then leaves the update certain.
		unsent.Store(false)
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			GetConn:      func(string) { unsent.Store(true) },
			WroteHeaders: func() { unsent.Store(false) },
		})
	}
	resp, err := st.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		err = explain(ctx, timeout, err) // before cancel, which would make every error look cancelled
		cancel()
		return nil, err
	}
	st.attempt, st.cancel, st.stop = ctx, cancel, nil
	if body := resp.Body; !st.netHTTP {
		st.stop = context.AfterFunc(ctx, func() { _ = body.Close() })
	}
	return resp, nil
}

// endAttempt closes the answer, which judge has read, and ends the attempt's deadline.
func (st *callState) endAttempt(body io.Closer) {
	if st.stop != nil {
		st.stop()
	}
	_ = body.Close()
	st.cancel()
}

// explain makes an error caused by the attempt's deadline an *attemptTimeoutError (retried), and
// one caused by the caller's context carry that context's error and cause.
func explain(ctx context.Context, timeout time.Duration, err error) error {
	switch {
	case err == nil || ctx.Err() == nil:
		return err
	case context.Cause(ctx) == errAttemptTimeout:
		if err == context.DeadlineExceeded || err == context.Canceled {
			err = errAttemptTimeout // a wrapped one (a dial's i/o timeout) says more: kept
		}
		return &attemptTimeoutError{timeout: timeout, err: err}
	case !errors.Is(err, ctx.Err()):
		return fmt.Errorf("%w: %w", ctx.Err(), err)
	case !errors.Is(err, context.Cause(ctx)):
		return fmt.Errorf("%w: %w", err, context.Cause(ctx)) // HTTP/2 drops the cause
	}
	return err
}

// attemptTimeoutError is an attempt that ran out of its time: a net.Error whose Timeout is true.
type attemptTimeoutError struct {
	timeout time.Duration
	err     error
}

func (e *attemptTimeoutError) Error() string {
	msg := "attempt timed out after " + e.timeout.String() + " (WithAttemptTimeout)"
	if e.err != errAttemptTimeout {
		msg += ": " + e.err.Error()
	}
	return msg
}
func (e *attemptTimeoutError) Unwrap() error   { return e.err }
func (e *attemptTimeoutError) Timeout() bool   { return true }
func (e *attemptTimeoutError) Temporary() bool { return true }
