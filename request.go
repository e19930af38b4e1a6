package capillary

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"
)

// One call, top to bottom: a service method describes it as a request; do applies the call's
// options, refuses it with every problem found, or encodes and sends it; the retry client
// (retry.go) makes the attempts over the attempt transport (transport.go), and readResponse
// judges each answer; finish turns what happened into the call's error.

// request is one API call as a service method describes it.
type request struct {
	method, path string
	params       any          // the query, from `url` tags; nil for none
	body         any          // the JSON body; nil for none
	idempotent   bool         // a read: retried on every 5xx, and never uncertain
	problems     []FieldError // what the service's validation found
}

// answer is what a call's response decodes into: its result and the vendor's messages.
type answer interface {
	reset() // back to the zero value, before an answer is decoded into it
	vendorErrors() []Message
	vendorWarnings() []Message
}

// responseMeta is what every answer carries beside its body.
type responseMeta struct {
	status    int
	requestID string
	attempts  int
}

// do checks, encodes and sends r with the client's settings and opts, and decodes the answer
// into out. Nothing is sent when anything is wrong with the arguments.
func (c *Client) do(ctx context.Context, r *request, out answer, opts []Option) (responseMeta, error) {
	cs, problems := c.callSettings(opts)
	if ctx == nil {
		problems = append(problems, FieldError{Field: "ctx", Problem: "is nil; use context.Background()"})
	}
	problems = append(problems, r.problems...)
	var rawQuery string
	var payload []byte
	if len(problems) == 0 && r.params != nil {
		var err error
		if rawQuery, err = c.encodeQuery(r.params); err != nil {
			problems = append(problems, FieldError{Field: "params", Problem: err.Error()})
		}
	}
	if len(problems) == 0 && r.body != nil {
		var err error
		if payload, err = encodeBody(r.body); err != nil {
			problems = append(problems, bodyProblems(err)...)
		}
	}
	if len(problems) > 0 {
		return responseMeta{}, &ValidationError{Problems: problems}
	}
	return c.send(ctx, cs, r.method, r.path, rawQuery, payload, r.idempotent, out)
}

// encodeBody encodes a request body. A body with an encode method (UpdateCustomerRequest) is
// asked directly: through its MarshalJSON, encoding/json would check and copy it a second time.
func encodeBody(body any) ([]byte, error) {
	if e, ok := body.(interface{ encode() ([]byte, error) }); ok {
		return e.encode()
	}
	return json.Marshal(body)
}

// bodyProblems are the problems of a body that could not be encoded: those the encoding found
// (invalid UTF-8, with their paths), or the encoding's error.
func bodyProblems(err error) []FieldError {
	var invalid *ValidationError
	if errors.As(err, &invalid) {
		return invalid.Problems
	}
	return []FieldError{{Field: "body", Problem: "cannot be encoded as JSON: " + err.Error()}}
}

// encodeQuery encodes params with go-querystring. The query of an update's params is kept per
// client and value: the reflection costs more than the rest of building a request (14
// allocations), and a client sends few distinct params.
func (c *Client) encodeQuery(params any) (string, error) {
	p, cacheable := params.(*UpdateCustomerParams)
	if cacheable {
		if q, ok := c.queries.m.Load(p.key()); ok {
			return q.(string), nil
		}
	}
	values, err := query.Values(params)
	if err != nil {
		return "", err
	}
	q := values.Encode()
	if cacheable && c.queries.n.Add(1) <= maxCachedQueries {
		c.queries.m.Store(p.key(), q)
	}
	return q, nil
}

// queryCache maps an updateParamsKey to its query, for at most maxCachedQueries keys; past
// that, queries are encoded on every call.
type queryCache struct {
	m sync.Map
	n atomic.Int64
}

const maxCachedQueries = 64

// send makes the attempts of one call. The payload is a byte slice so that every attempt
// replays exactly the same body. A 401 to an OAuth token renews it and sends the call once more.
func (c *Client) send(ctx context.Context, cs *callSettings, method, path, rawQuery string, payload []byte, idempotent bool, out answer) (responseMeta, error) {
	st := &callState{client: c, settings: cs, method: method, path: quoteLimit(path), idempotent: idempotent, out: out}
	if err := ctx.Err(); err != nil {
		return responseMeta{}, st.requestError(err) // over before it started: nothing is sent
	}
	rawURL := c.baseURL + path
	if rawQuery != "" {
		rawURL = c.baseURL + path + "?" + rawQuery
	}
	ctx = context.WithValue(ctx, stateKey{}, st)
	for renewed := false; ; renewed = true {
		err := st.run(ctx, rawURL, payload)
		if err != nil && !renewed && isStatus(err, http.StatusUnauthorized) && cs.auth.renew(st.header) {
			st.last, st.waitErr, st.earlier = nil, nil, st.attempts
			continue // a rejected OAuth token: fetch a new one and send the call once more
		}
		return responseMeta{status: st.status, requestID: st.requestID, attempts: st.attempts}, err
	}
}

// isStatus reports whether err is an *APIError with the status.
func isStatus(err error, status int) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == status
}

// run builds the request with fresh credentials and hands it to the retry client.
func (st *callState) run(ctx context.Context, rawURL string, payload []byte) error {
	var body any // nil, not an empty []byte, so that a GET goes out without a body
	if payload != nil {
		body = payload
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, st.method, rawURL, body)
	if err != nil {
		return st.requestError(err)
	}
	// The shared header values are only read (setting a header replaces its slice), so the
	// request takes them without a copy.
	for name, values := range st.settings.header {
		req.Header[name] = values
	}
	if err := st.settings.auth.authorize(ctx, req.Header); err != nil {
		return err // a *TokenError, or the context's error while waiting for one
	}
	st.header = req.Header
	req.SetResponseHandler(st.readResponse)
	resp, err := st.client.retry.Do(req)
	if err == nil {
		_ = resp.Body.Close() // readResponse has read it
		return nil
	}
	return st.finish(err)
}

// readResponse judges one answer, as retryablehttp's response handler: it reads and decodes
// the body, and returns nil for a success or the *APIError the answer stands for, which
// checkRetry then weighs.
func (st *callState) readResponse(resp *http.Response) error {
	defer resp.Body.Close()
	st.status, st.requestID = resp.StatusCode, quoteLimit(st.redact(resp.Header.Get(headerRequestID)))
	st.log(resp.Request.Context(), slog.LevelDebug, "capillary: attempt", slog.Int("attempt", st.attempts),
		slog.Duration("latency", time.Since(st.attemptStart)), slog.Int("status", st.status), slog.String("request_id", st.requestID))

	accepted := resp.StatusCode >= 200 && resp.StatusCode <= 299
	body, cause := readBody(resp)
	var out answer // the decoded answer, when there is one
	if cause == nil {
		st.out.reset() // a replayed call must not keep what the previous answer said
		if err := json.Unmarshal(body, st.out); err != nil {
			cause = fmt.Errorf("decoding the answer: %w", err)
		} else if accepted && len(st.out.vendorErrors()) == 0 {
			st.last = nil
			return nil
		} else {
			out = st.out
		}
	}
	// Could this attempt have been applied although it failed? A 2xx whose answer cannot be
	// read was accepted; a 201 with errors is the vendor's "one or more requests have failed",
	// a part applied; a 5xx without the vendor's own errors list may be a gateway that cut a
	// success off, unless it says the request was turned away (503, 521). Otherwise the
	// vendor's errors list is its answer: a refusal.
	switch {
	case st.idempotent:
	case accepted && (cause != nil || resp.StatusCode == http.StatusCreated):
		st.uncertain = true
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusServiceUnavailable && resp.StatusCode != statusCustomerBusy:
		st.uncertain = st.uncertain || out == nil || len(out.vendorErrors()) == 0
	}
	st.last = st.apiError(resp, body, out)
	if cause != nil {
		st.last.Err = st.quote(cause)
	}
	return st.last
}

// readBody reads an answer's body, or says why it was not read whole.
func readBody(resp *http.Response) ([]byte, error) {
	if resp.StatusCode < 200 {
		// A 101 hands over the connection itself: reading it would wait for the server.
		return nil, fmt.Errorf("unexpected status %d: the server did not answer the request", resp.StatusCode)
	}
	body, complete, err := readCapped(resp.Body, resp.ContentLength)
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return body, redirectRefused(resp)
	case err != nil:
		return body, fmt.Errorf("reading the answer: %w", err)
	case !complete:
		return body, fmt.Errorf("response body exceeds %d bytes", maxBodyBytes)
	}
	return body, nil
}

// finish turns the retry client's error into the call's: the last answer's *APIError when there
// was one, else a *RequestError for a call that got no answer. What ended the call after that
// answer (the context, a token that could not be renewed) is its cause.
func (st *callState) finish(err error) error {
	ended := st.waitErr
	if st.last == nil || !errors.Is(err, st.last) {
		ended = err
	}
	if st.last == nil {
		if st.waitErr != nil && !errors.Is(err, st.waitErr) {
			ended = fmt.Errorf("%w (while waiting to retry after: %w)", st.waitErr, st.quote(err))
		}
		return st.requestError(ended)
	}
	e := st.last
	e.Attempts, e.Uncertain = st.attempts, st.uncertain
	switch {
	case ended == nil:
	case e.Err == nil:
		e.Err = ended
	default:
		e.Err = fmt.Errorf("%w (after: %w)", ended, e.Err)
	}
	return e
}

// readCapped reads at most maxBodyBytes; complete is false when there was more. A body whose
// length is announced is read into one buffer of that size plus one byte, where EOF shows
// without growing it.
func readCapped(r io.Reader, contentLength int64) (body []byte, complete bool, err error) {
	size := 512
	if contentLength > 0 && contentLength <= maxBodyBytes {
		size = int(contentLength) + 1
	}
	buf := make([]byte, 0, size)
	for len(buf) <= maxBodyBytes {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(cap(buf), maxBodyBytes+1-len(buf)))
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), maxBodyBytes+1)])
		buf = buf[:len(buf)+n]
		if err == io.EOF && len(buf) <= maxBodyBytes {
			return buf, true, nil
		}
		if err != nil && err != io.EOF {
			return buf, false, err // what arrived, for the error's excerpt
		}
	}
	return buf[:maxBodyBytes], false, nil
}

// apiError builds the error for an answer: its vendor codes when it had them, a short excerpt
// of the body otherwise.
func (st *callState) apiError(resp *http.Response, body []byte, out answer) *APIError {
	e := &APIError{
		StatusCode: resp.StatusCode,
		RequestID:  st.requestID,
		Attempts:   st.attempts,
		Method:     st.method,
		Path:       st.path,
		Uncertain:  st.uncertain,
	}
	if d, ok := retryAfter(resp); ok {
		e.RetryAfter = d
	}
	if out != nil {
		e.Errors, e.Warnings = st.redactMessages(out.vendorErrors()), st.redactMessages(out.vendorWarnings())
	}
	if len(e.Errors) == 0 {
		// Redact the whole body before cutting the excerpt: cut first, a credential straddling
		// the cut would no longer match and half of it would be shown.
		e.Body = excerpt(st.redact(string(body)))
	}
	return e
}

// redact removes every credential from text the server sent, which may echo them.
func (st *callState) redact(s string) string { return st.settings.auth.redact(s) }

// redactMessages returns a copy of the vendor's messages, credentials redacted and each cut to
// a length an error can quote.
func (st *callState) redactMessages(msgs []Message) []Message {
	if msgs == nil {
		return nil
	}
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		m.Message = quoteLimit(st.redact(m.Message))
		out[i] = m
	}
	return out
}

func (st *callState) requestError(err error) *RequestError {
	return &RequestError{Method: st.method, Path: st.path, Attempts: st.attempts, Uncertain: st.uncertain, Err: st.quote(err)}
}

// quote makes an error safe to show: a transport or decoding error may quote what the server
// sent (a malformed status line, a field's value), so its text is redacted and bounded.
// errors.Is and errors.As still see the cause.
func (st *callState) quote(err error) error {
	var q *quotedError
	if errors.As(err, &q) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &quotedError{text: quoteLimit(st.redact(transportCause(err).Error())), err: err}
}

// quotedError is an error whose text was made safe to show.
type quotedError struct {
	text string
	err  error
}

func (e *quotedError) Error() string { return e.text }
func (e *quotedError) Unwrap() error { return e.err }

// excerpt is the start of a body as one printable line, for an error message.
func excerpt(body string) string {
	const limit = 256
	cut := len(body) > limit
	if cut {
		body = body[:limit]
	}
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(body, "\uFFFD"))
	s = strings.Join(strings.Fields(s), " ")
	if cut {
		s += "…"
	}
	return s
}

// quoteLimit cuts text that an error or a log line quotes (a path, a request id, a vendor
// message) to a length that cannot flood them.
func quoteLimit(s string) string {
	const limit = 1024
	if len(s) <= limit {
		return s
	}
	return strings.ToValidUTF8(s[:limit], "") + "…"
}

// maxBodyBytes caps how much of a response is read: the vendor's answers are a few kilobytes,
// so anything larger is junk and is not read to the end.
const maxBodyBytes = 1 << 20

// callState is one call's bookkeeping. The retry client's hooks find it in the request's
// context, the one way go-retryablehttp lets a hook see the call it serves.
type callState struct {
	client       *Client
	settings     *callSettings
	method, path string
	idempotent   bool
	out          answer

	header       http.Header // the last attempt's, whose token a 401 refused
	attempts     int         // the attempts sent, earlier ones included
	earlier      int         // the attempts before the token was renewed
	attemptStart time.Time
	status       int
	requestID    string
	uncertain    bool      // an attempt may have been applied although the call fails
	last         *APIError // the last attempt's answer, when it was an error
	waitErr      error     // the context's error, when it ended while waiting to retry
}

// stateKey keys a call's *callState in the request context.
type stateKey struct{}

func stateFrom(ctx context.Context) *callState {
	st, _ := ctx.Value(stateKey{}).(*callState)
	return st
}

// log logs one message with metadata only, when the client has a logger.
func (st *callState) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if l := st.client.logger; l != nil && l.Enabled(ctx, level) {
		base := []slog.Attr{slog.String("method", st.method), slog.String("path", st.path)}
		l.LogAttrs(ctx, level, msg, append(base, attrs...)...)
	}
}
