package capillary

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

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
	var rawURL string
	if rawQuery == "" {
		rawURL = c.baseURL + path
	} else {
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

// finish turns the retry client's error into the call's: the last answer's *APIError when there
// was one, else a *RequestError for a call that got no answer. What ended the call after that
// answer (the context, a token that could not be renewed) is its cause.
func (st *callState) finish(err error) error {
	if st.last == nil {
		if st.waitErr != nil && !errors.Is(err, st.waitErr) {
			err = fmt.Errorf("%w (while waiting to retry after: %w)", st.waitErr, st.quote(err))
		}
		return st.requestError(err)
	}
	e := st.last
	e.Attempts, e.Uncertain = st.attempts, st.uncertain
	cause := st.waitErr
	if !errors.Is(err, e) {
		cause = err // the call ended after this answer for another reason
	}
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
	uncertain    bool        // an attempt may have been applied although the call fails
	unsent       atomic.Bool // the attempt's request is known not to be written yet (attemptTransport)
	last         *APIError   // the last attempt's answer, when it was an error
	waitErr      error       // the context's error, when it ended while waiting to retry
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
