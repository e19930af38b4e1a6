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
	"time"
	"unicode"

	"github.com/hashicorp/go-retryablehttp"
)

// envelope is a response type that also decodes the vendor's errors and warnings lists.
type envelope interface {
	reset() // back to the zero value, before a body is decoded into it
	vendorErrors() []Message
	vendorWarnings() []Message
}

// responseMeta is what every answer carries beside its body.
type responseMeta struct {
	status    int
	requestID string
	attempts  int
}

// do sends one call, with retries, and decodes the answer into out. The payload is a byte
// slice so that every attempt replays exactly the same body.
func (cfg *config) do(ctx context.Context, method, path, rawQuery string, payload []byte, out envelope) (responseMeta, error) {
	rawURL := cfg.requestURL(path, rawQuery)
	st := &callState{cfg: cfg, method: method, path: path}
	if err := ctx.Err(); err != nil {
		return responseMeta{}, st.requestError(err) // over before it started: nothing is sent
	}
	ctx = context.WithValue(ctx, stateKey{}, st)
	for renewed := false; ; renewed = true {
		req, err := cfg.newRequest(ctx, method, path, rawURL, payload)
		if err != nil {
			var tokErr *TokenError
			if errors.As(err, &tokErr) {
				return responseMeta{attempts: st.attempts}, err
			}
			return responseMeta{attempts: st.attempts}, st.requestError(err)
		}
		resp, err := cfg.retry.Do(req)
		if err != nil {
			return responseMeta{attempts: st.attempts}, st.failure(err, out)
		}
		meta, err := st.read(resp, out)
		var apiErr *APIError
		if !renewed && errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized && cfg.auth.renew(req.Header) {
			continue // a rejected OAuth token: fetch a new one and send the call once more
		}
		return meta, err
	}
}

// requestURL is the URL of a call: the base URL, the path and the encoded query, if any.
func (cfg *config) requestURL(path, rawQuery string) string {
	if rawQuery == "" {
		return cfg.base + path
	}
	return cfg.base + path + "?" + rawQuery
}

// newRequest builds a call's request to rawURL, with the client's headers and fresh
// credentials; path names the call in errors.
func (cfg *config) newRequest(ctx context.Context, method, path, rawURL string, payload []byte) (*retryablehttp.Request, error) {
	req, err := retryablehttp.NewRequestWithContext(ctx, method, rawURL, payload)
	if err != nil {
		return nil, fmt.Errorf("capillary: %s %s: %w", method, path, err)
	}
	// The client's headers go into the map the request already has, their value slices shared
	// by every request rather than cloned: they are only read (net/http does not modify a
	// request's headers, and setting a header, as the credentials and prepareRetry's clone do,
	// replaces its slice), so a copy per call would buy nothing.
	for name, values := range cfg.header {
		req.Header[name] = values
	}
	if err := cfg.auth.authorize(ctx, req.Header); err != nil {
		return nil, err // a *TokenError, or the context's error while waiting for one
	}
	return req, nil
}

// read decodes a response into out, or into the *APIError that it stands for.
func (st *callState) read(resp *http.Response, out envelope) (responseMeta, error) {
	defer resp.Body.Close()
	meta := responseMeta{status: resp.StatusCode, requestID: resp.Header.Get(HeaderRequestID), attempts: st.attempts}
	accepted := resp.StatusCode >= 200 && resp.StatusCode <= 299
	body, complete, err := readCapped(resp.Body, resp.ContentLength)
	if err != nil {
		st.uncertain = st.uncertain || accepted
		return meta, st.apiError(resp, body, nil, fmt.Errorf("reading the answer: %w", err))
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		loc, _ := resp.Location()
		where := "elsewhere"
		if loc != nil {
			where = "to " + loc.Host
		}
		return meta, st.apiError(resp, body, nil, fmt.Errorf("redirect %s not followed: the SDK only sends credentials and data to its base URL", where))
	}
	out.reset() // a replayed call must not keep what the previous answer said
	var decodeErr error
	if !complete {
		decodeErr = fmt.Errorf("response body exceeds %d bytes", maxBodyBytes)
	} else if decodeErr = decode(body, out); decodeErr != nil {
		decodeErr = fmt.Errorf("decoding the answer: %w", decodeErr)
	}
	if decodeErr != nil {
		st.uncertain = st.uncertain || accepted
		return meta, st.apiError(resp, body, nil, decodeErr)
	}
	if errs := out.vendorErrors(); len(errs) > 0 || resp.StatusCode < 200 || resp.StatusCode > 299 {
		return meta, st.apiError(resp, body, out, nil)
	}
	return meta, nil
}

// decode reads a body into out. The vendor's variant shapes (numbers as strings, a lone object
// for a list) are taken by the field types themselves (flex.go).
func decode(body []byte, out envelope) error {
	return json.Unmarshal(body, out)
}

// readCapped reads at most maxBodyBytes; complete is false when there was more. A body whose
// length is announced is read into one buffer of that size plus one byte, where EOF shows
// without growing it (bytes.Buffer.ReadFrom would grow it by 512 bytes first).
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

// apiError builds the error for a response: its vendor codes when the body had them, a short
// excerpt of the body otherwise.
func (st *callState) apiError(resp *http.Response, body []byte, env envelope, cause error) *APIError {
	e := &APIError{
		StatusCode: resp.StatusCode,
		RequestID:  resp.Header.Get(HeaderRequestID),
		Attempts:   st.attempts,
		Method:     st.method,
		Path:       st.path,
		Uncertain:  st.uncertain,
		Err:        cause,
	}
	if d, ok := retryAfter(resp); ok {
		e.RetryAfter = d
	}
	if env != nil {
		e.Errors, e.Warnings = st.redactMessages(env.vendorErrors()), st.redactMessages(env.vendorWarnings())
	}
	if len(e.Errors) == 0 {
		// Redact the whole body before cutting the excerpt: cut first, a credential straddling
		// the cut would no longer match and half of it would be shown.
		e.Body = excerpt([]byte(st.redact(string(body))))
	}
	return e
}

// redact removes every credential from text the server sent, which may echo them.
func (st *callState) redact(s string) string { return st.cfg.auth.redact(s) }

// redactMessages returns a copy of the vendor's messages with credentials redacted.
func (st *callState) redactMessages(msgs []Message) []Message {
	if msgs == nil {
		return nil
	}
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		m.Message = st.redact(m.Message)
		out[i] = m
	}
	return out
}

// failure turns the error of retryablehttp's Do into the call's error. When the last attempt
// had an answer (the context ended while waiting to retry it), that answer is reported as an
// *APIError carrying err; otherwise the call got no answer: a *RequestError.
func (st *callState) failure(err error, out envelope) error {
	if st.lastStatus == 0 {
		return st.requestError(err)
	}
	resp := &http.Response{StatusCode: st.lastStatus, Header: st.lastHeader}
	out.reset()
	if decode(st.lastBody, out) != nil {
		return st.apiError(resp, st.lastBody, nil, err)
	}
	return st.apiError(resp, st.lastBody, out, err)
}

func (st *callState) requestError(err error) *RequestError {
	return &RequestError{Method: st.method, Path: st.path, Attempts: st.attempts, Uncertain: st.uncertain, Err: err}
}

// excerpt is the start of a body as one printable line, for an error message.
func excerpt(body []byte) string {
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
	}, strings.ToValidUTF8(string(body), "\uFFFD"))
	s = strings.Join(strings.Fields(s), " ")
	if cut {
		s += "…"
	}
	return s
}

// callState is one call's bookkeeping, carried in its context so the shared retry client's
// hooks can reach it.
type callState struct {
	cfg          *config
	method, path string
	attempts     int
	attemptStart time.Time

	// uncertain is set when an earlier attempt may have been applied although it failed.
	uncertain bool

	// The last response that was retried, kept to report it if the call ends while waiting.
	lastStatus int
	lastHeader http.Header
	lastBody   []byte
}

// maxBodyBytes caps how much of a response is read: the vendor's answers are a few hundred
// bytes, so anything larger is junk and is not read to the end.
const maxBodyBytes = 1 << 20

// stateKey keys a call's *callState in the request context, where the retry hooks find it.
type stateKey struct{}

func stateFrom(ctx context.Context) *callState {
	st, _ := ctx.Value(stateKey{}).(*callState)
	return st
}

// log logs one message with metadata only when the call has a logger.
func (st *callState) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if l := st.cfg.logger; l != nil && l.Enabled(ctx, level) {
		base := []slog.Attr{slog.String("method", st.method), slog.String("path", st.path)}
		l.LogAttrs(ctx, level, msg, append(base, attrs...)...)
	}
}
