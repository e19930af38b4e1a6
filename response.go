package capillary

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode"
)

// What a call does with each answer: read it (bounded), decode it with the vendor's errors
// list, judge it, and quote from it only what is safe to show.

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
		if err := decodeAnswer(body, st.out); err != nil {
			cause = fmt.Errorf("decoding the answer: %w", err)
		} else if accepted && len(st.out.vendorErrors()) == 0 {
			st.last = nil
			if r, ok := st.out.(redactable); ok && st.redact(string(body)) != string(body) {
				r.redactWith(st.redact) // a success that echoes a credential
			}
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

// decodeAnswer decodes an answer's body. An answer with an UnmarshalJSON (envelope) is asked
// directly: it checks the JSON as it decodes it, and through json.Unmarshal the body would be
// scanned twice more before it is called.
func decodeAnswer(body []byte, out answer) error {
	if u, ok := out.(json.Unmarshaler); ok {
		return u.UnmarshalJSON(body)
	}
	return json.Unmarshal(body, out)
}

// readBody reads an answer's body, or says why it was not read whole.
func readBody(resp *http.Response) ([]byte, error) {
	if resp.StatusCode < 200 {
		// A 101 hands over the connection itself: reading it would wait for the server.
		return nil, fmt.Errorf("unexpected status %d: the server did not answer the request", resp.StatusCode)
	}
	// One byte past the cap tells a body that is too long from one that fits exactly.
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return body, redirectRefused(resp)
	case err != nil:
		return body, fmt.Errorf("reading the answer: %w", err)
	case len(body) > maxBodyBytes:
		return body[:maxBodyBytes], fmt.Errorf("response body exceeds %d bytes", maxBodyBytes)
	}
	return body, nil
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
