package capillarytest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Redacted replaces every credential in what the server records and logs.
const Redacted = "[redacted]"

// RecordedRequest is one request as the server received it, with its credentials masked: the
// Authorization value becomes "Basic [redacted]", the OAuth token header and cookies become
// "[redacted]", and the secret in a token generation body becomes "[redacted]".
type RecordedRequest struct {
	// Time is when the request arrived, by the server's clock.
	Time time.Time
	// Method is the HTTP method.
	Method string
	// Path is the URL path, decoded (/v2/customers/171891944).
	Path string
	// Query holds the query parameters.
	Query url.Values
	// Header holds the request headers, credentials masked.
	Header http.Header
	// Body is the request body (at most the server's body limit), credentials masked.
	Body []byte
	// AuthScheme is how the request authenticated: "basic", "oauth", or "" when it did not
	// (no credentials, refused ones, or a request that needs none).
	AuthScheme string
	// Principal is the till id (Basic) or OAuth client key that authenticated the request.
	Principal string
	// RequestID is the X-Cap-Requestid the server answered with.
	RequestID string
	// Status is the HTTP status answered; 0 when the connection was dropped or the request
	// was abandoned.
	Status int
	// Fault is the injected fault that shaped the answer, or nil.
	Fault *Fault
}

// recorder keeps the requests in arrival order.
type recorder struct {
	mu      sync.Mutex
	max     int
	dropped int // requests discarded from the front because of max
	reqs    []RecordedRequest
}

// add records a request and returns its handle for finish.
func (r *recorder) add(req RecordedRequest) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req)
	// Trimmed once twice the bound is reached, not on every request: copying the bound's worth
	// of requests per request cost a long-running fake more than answering them.
	if r.max > 0 && len(r.reqs) >= 2*r.max {
		n := len(r.reqs) - r.max
		r.reqs = append(r.reqs[:0:0], r.reqs[n:]...)
		r.dropped += n
	}
	return r.dropped + len(r.reqs) - 1
}

// finish completes a recorded request once its answer is known; a request that was discarded
// meanwhile is left alone.
func (r *recorder) finish(handle int, update func(*RecordedRequest)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i := handle - r.dropped; i >= 0 && i < len(r.reqs) {
		update(&r.reqs[i])
	}
}

// all returns copies of the recorded requests.
func (r *recorder) all() []RecordedRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	kept := r.reqs
	if r.max > 0 && len(kept) > r.max {
		kept = kept[len(kept)-r.max:]
	}
	out := make([]RecordedRequest, len(kept))
	for i, req := range kept {
		req.Query = cloneValues(req.Query)
		req.Header = req.Header.Clone()
		req.Body = bytes.Clone(req.Body)
		if req.Fault != nil {
			f := *req.Fault
			req.Fault = &f
		}
		out[i] = req
	}
	return out
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dropped += len(r.reqs)
	r.reqs = nil
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// maskedHeader copies h with every credential replaced by Redacted.
func maskedHeader(h http.Header) http.Header {
	out := h.Clone()
	for name, values := range out {
		switch http.CanonicalHeaderKey(name) {
		case "Authorization", "Proxy-Authorization":
			for i, v := range values {
				// Keep the scheme: a test can see that Basic was sent without seeing the token.
				if scheme, _, ok := strings.Cut(v, " "); ok {
					values[i] = scheme + " " + Redacted
				} else {
					values[i] = Redacted
				}
			}
		case http.CanonicalHeaderKey(headerOAuthToken), "Cookie":
			for i := range values {
				values[i] = Redacted
			}
		}
	}
	return out
}

// maskedTokenBody masks the secret of a token generation body. A body that is not a JSON
// object is replaced whole: it might hold the secret in a form the fake cannot find.
func maskedTokenBody(body []byte) []byte {
	if len(body) == 0 {
		return body
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return []byte(Redacted)
	}
	for k := range fields {
		if strings.EqualFold(k, "secret") { // any spelling: a client may send "Secret"
			fields[k] = json.RawMessage(`"` + Redacted + `"`)
		}
	}
	masked, err := json.Marshal(fields)
	if err != nil {
		return []byte(Redacted)
	}
	return masked
}
