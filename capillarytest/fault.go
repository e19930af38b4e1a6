package capillarytest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is a failure injected into the answer of one request. Server.InjectFaults queues
// faults; each request takes the first queued fault whose Path matches it, so a sequence of
// faults shapes a sequence of requests (429, 503, then a normal answer, say).
//
// A fault with a Status answers in the fake's stead, and one with Drop closes the connection,
// without the request reaching the fake's logic, as when a gateway in front of the vendor
// fails: nothing is stored. Set Handled to have the request processed for real first (an
// update applied) and its answer then replaced or lost, as when the vendor did the work and
// the answer went missing. Latency, Truncate and Malformed alone leave the processing alone and
// delay or damage the real answer.
//
// Fields combine: Latency delays whatever comes next; Status replaces the answer; Malformed
// and Truncate damage the answer, real or replaced; Drop sends nothing.
type Fault struct {
	// Path limits the fault to requests whose URL path starts with it ("/v2/" spares the OAuth
	// token endpoint); empty matches every request.
	Path string
	// Latency delays the answer (in real time; a request the client abandons, or a server that
	// closes, ends the wait early).
	Latency time.Duration
	// Release, when not nil, holds the answer until the channel is closed (or the client or
	// the server gives up), after any Latency: a test decides when the answer comes, without
	// depending on how fast the machine is.
	Release <-chan struct{}
	// Status, when not 0, answers with this HTTP status instead of the real answer.
	Status int
	// RetryAfter, when not empty, is sent as the Retry-After header (seconds or an HTTP date).
	RetryAfter string
	// Code and Message make the body the vendor's error envelope with this code and message;
	// by default the code is Status and the message its text.
	Code    int
	Message string
	// Body, when not empty, is sent as it is instead of an envelope (an HTML page, say), with
	// ContentType (default text/html when Body starts with '<', text/plain otherwise).
	Body        string
	ContentType string
	// Drop closes the connection without answering.
	Drop bool
	// Truncate sends half of the body, after a Content-Length that promised all of it, and
	// closes the connection: the client fails while reading the body.
	Truncate bool
	// Malformed replaces the body with a complete answer whose JSON is cut short, so the
	// client reads it whole and cannot decode it.
	Malformed bool
	// Handled processes the request for real even though Status or Drop replaces its answer.
	Handled bool
	// Warnings are vendor warning codes added, with the vendor's text, to the warnings of a
	// successful answer: 8050 and 8051 (customers merged), 8053 (conflicting customers), or
	// any other the vendor may send beside the ones the fake finds itself.
	Warnings []int
}

// String describes the fault briefly, for logs.
func (f Fault) String() string {
	var parts []string
	if f.Path != "" {
		parts = append(parts, "path "+f.Path)
	}
	if f.Latency > 0 {
		parts = append(parts, "latency "+f.Latency.String())
	}
	if f.Release != nil {
		parts = append(parts, "held")
	}
	if f.Status != 0 {
		parts = append(parts, "status "+strconv.Itoa(f.Status))
	}
	if f.RetryAfter != "" {
		parts = append(parts, "retry-after "+f.RetryAfter)
	}
	for _, flag := range []struct {
		on   bool
		name string
	}{{f.Drop, "drop"}, {f.Truncate, "truncate"}, {f.Malformed, "malformed"}, {f.Handled, "after handling"}} {
		if flag.on {
			parts = append(parts, flag.name)
		}
	}
	if len(f.Warnings) > 0 {
		parts = append(parts, fmt.Sprintf("warnings %v", f.Warnings))
	}
	if len(parts) == 0 {
		return "no-op fault"
	}
	return strings.Join(parts, ", ")
}

// Common faults, for InjectFaults.

// RateLimited answers 429 with a Retry-After of the given whole seconds (none when negative).
func RateLimited(retryAfterSeconds int) Fault {
	f := Fault{Status: http.StatusTooManyRequests}
	if retryAfterSeconds >= 0 {
		f.RetryAfter = strconv.Itoa(retryAfterSeconds)
	}
	return f
}

// Unavailable answers 503 with the vendor's error envelope.
func Unavailable() Fault { return Fault{Status: http.StatusServiceUnavailable} }

// CustomerBusy answers 521, the vendor's "multiple actions running for the same customer".
func CustomerBusy() Fault { return Fault{Status: 521} }

// BadGatewayHTML answers 502 with an HTML page, as a proxy in front of the vendor does.
func BadGatewayHTML() Fault {
	return Fault{
		Status:      http.StatusBadGateway,
		Body:        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
		ContentType: "text/html",
	}
}

// Delay holds the answer back for d, then answers normally.
func Delay(d time.Duration) Fault { return Fault{Latency: d} }

// Hold holds the answer until release is closed, then answers normally. A client that gives
// up first (its attempt timeout, its context) finds the request unanswered.
func Hold(release <-chan struct{}) Fault { return Fault{Release: release} }

// DropConnection closes the connection without answering, before the request is processed.
func DropConnection() Fault { return Fault{Drop: true} }

// DropAfterHandling processes the request (an update is applied), then closes the connection
// without answering: the client cannot know that its call succeeded.
func DropAfterHandling() Fault { return Fault{Drop: true, Handled: true} }

// AddWarnings processes the request and adds warnings of the given vendor codes to its answer,
// when it is a success: the update is applied, and the answer says what the vendor would have
// warned about.
func AddWarnings(codes ...int) Fault { return Fault{Warnings: codes} }

// TruncatedBody processes the request, then sends half of the answer's body and closes the
// connection.
func TruncatedBody() Fault { return Fault{Truncate: true} }

// MalformedBody processes the request, then answers with its JSON cut short.
func MalformedBody() Fault { return Fault{Malformed: true} }

// faultQueue holds the faults not yet consumed.
type faultQueue struct {
	mu     sync.Mutex
	queued []Fault
}

func (q *faultQueue) push(faults ...Fault) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queued = append(q.queued, faults...)
}

// take removes and returns the first fault matching path.
func (q *faultQueue) take(path string) (Fault, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, f := range q.queued {
		if strings.HasPrefix(path, f.Path) {
			q.queued = append(q.queued[:i:i], q.queued[i+1:]...)
			return f, true
		}
	}
	return Fault{}, false
}

func (q *faultQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.queued)
}

func (q *faultQueue) clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queued = nil
}

// answer builds the replacement answer of a Status fault.
func (f *Fault) answer(table []rule) answer {
	var a answer
	if f.Body != "" {
		ct := f.ContentType
		if ct == "" {
			ct = "text/plain; charset=utf-8"
			if strings.HasPrefix(strings.TrimSpace(f.Body), "<") {
				ct = "text/html"
			}
		}
		a = answer{status: f.Status, header: http.Header{"Content-Type": {ct}}, body: []byte(f.Body)}
	} else {
		code, text := f.Code, f.Message
		if code == 0 {
			code = f.Status
		}
		if text == "" {
			text = vendorText(table, code)
		}
		a = errorAnswer(f.Status, message{Status: false, Code: code, Message: text})
	}
	if f.RetryAfter != "" {
		a.header.Set("Retry-After", f.RetryAfter)
	}
	return a
}

// malformed cuts a body so that it is no longer valid JSON (an empty body becomes "{").
func malformed(body []byte) []byte {
	if len(body) < 2 {
		return []byte("{")
	}
	return append([]byte(nil), body[:len(body)/2]...)
}

// validate reports a fault that cannot be applied.
func (f *Fault) validate() error {
	switch {
	case f.Status != 0 && (f.Status < 200 || f.Status > 999):
		return fmt.Errorf("capillarytest: fault status %d is not a final HTTP status (200 to 999)", f.Status)
	case f.Latency < 0:
		return fmt.Errorf("capillarytest: fault latency %s is negative", f.Latency)
	case f.Status == 0 && (f.RetryAfter != "" || f.Body != "" || f.Code != 0 || f.Message != ""):
		return fmt.Errorf("capillarytest: fault %v sets a body or header without a Status", *f)
	case len(f.Warnings) > 0 && (f.Status != 0 || f.Drop):
		return fmt.Errorf("capillarytest: fault %v adds warnings to an answer it replaces", *f)
	}
	return nil
}
