package capillary_test

// Fuzz targets of the update's two edges, through the public API only: what a server may answer
// (FuzzUpdateResponse) and what a caller may ask (FuzzUpdateRequestJSON, FuzzUpdateRequestFields).
// No network: a RoundTripper given with WithHTTPClient plays the server. .ci/run fuzzes each
// target briefly; `go test` runs their seeds. A crasher found by `go test -fuzz` is written to
// testdata/fuzz/<target>/ and replayed by every later `go test`.

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/capillary-go/capillary"
)

const (
	fuzzBaseURL  = "https://eu.api.capillarytech.com"
	fuzzTill     = "fuzz.till"
	fuzzPassword = "fuzz-Pass&<>=1"
	// fuzzBound bounds a call; it is far above the work (microseconds), so reaching it means a
	// hang, never a slow machine. The watchdog fires fuzzBound after that.
	fuzzBound = 30 * time.Second
)

// fuzzSecrets are the forms of the fuzz credentials that must never show in what the SDK
// produces: the password, its MD5 digest, and the Basic token with and without its padding.
var fuzzSecrets = sync.OnceValue(func() []string {
	sum := md5.Sum([]byte(fuzzPassword))
	digest := hex.EncodeToString(sum[:])
	token := base64.StdEncoding.EncodeToString([]byte(fuzzTill + ":" + digest))
	return []string{fuzzPassword, digest, token, strings.TrimRight(token, "=")}
})

// The ways a fuzzed answer reaches the SDK (the fuzzer's mode byte, modulo deliveryModes).
const (
	deliverWhole           = iota // the body, with its Content-Length
	deliverUnsized                // the body, length unknown (chunked)
	deliverBroken                 // the body, then the connection breaks
	deliverNoAnswer               // no answer: the transport fails
	deliverEndless                // the body repeated forever
	deliverShorterThanSaid        // fewer bytes than Content-Length announces
	deliveryModes
)

// fuzzServer answers every request with one fuzzed response and counts the requests.
type fuzzServer struct {
	status int
	header http.Header
	body   []byte
	mode   int

	mu   sync.Mutex
	sent [][]byte // the body of each request received
}

func (s *fuzzServer) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
	}
	s.mu.Lock()
	s.sent = append(s.sent, body)
	s.mu.Unlock()
	if s.mode == deliverNoAnswer {
		return nil, errors.New("read: connection reset by peer")
	}
	resp := &http.Response{
		Status:     fmt.Sprintf("%03d fuzz", s.status),
		StatusCode: s.status,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        s.header.Clone(),
		ContentLength: -1,
		Request:       req,
	}
	switch s.mode {
	case deliverWhole:
		resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(s.body)), int64(len(s.body))
	case deliverUnsized:
		resp.Body = io.NopCloser(bytes.NewReader(s.body))
	case deliverBroken:
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(s.body), errReader{io.ErrUnexpectedEOF}))
	case deliverEndless:
		resp.Body = io.NopCloser(&endless{unit: append([]byte(" "), s.body...)})
	case deliverShorterThanSaid:
		resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(s.body)), int64(len(s.body))+10
	}
	return resp, nil
}

func (s *fuzzServer) requests() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.sent...)
}

// syncBuffer is a bytes.Buffer that the SDK's goroutines may write while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// endless repeats unit forever; unit is never empty, so every Read makes progress.
type endless struct {
	unit []byte
	off  int
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], e.unit[e.off:])
		n += c
		e.off = (e.off + c) % len(e.unit)
	}
	return n, nil
}

// parseFuzzHeader reads "Name: value" lines; a line without a colon is skipped.
func parseFuzzHeader(s string) http.Header {
	h := http.Header{}
	for _, line := range strings.Split(s, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if name = strings.TrimSpace(name); ok && name != "" {
			h.Add(name, strings.TrimSpace(value))
		}
	}
	return h
}

// newFuzzClient is a client whose requests go to rt, with one retry, millisecond waits, and
// every log record written to log.
func newFuzzClient(t *testing.T, rt http.RoundTripper, log io.Writer) *capillary.Client {
	t.Helper()
	c, err := capillary.NewClient(
		capillary.WithBaseURL(fuzzBaseURL),
		capillary.WithBasicAuth(fuzzTill, fuzzPassword),
		capillary.WithHTTPClient(&http.Client{Transport: rt}),
		capillary.WithRetries(1, time.Millisecond, time.Millisecond),
		capillary.WithLogger(slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// requireNoSecret fails if a form of the fuzz credentials shows in what the SDK produced.
func requireNoSecret(t *testing.T, what, shown string) {
	t.Helper()
	for _, s := range fuzzSecrets() {
		if strings.Contains(shown, s) {
			t.Fatalf("a credential (%q) shows in %s: %s", s, what, shown)
		}
	}
}

// boundedUpdate calls Update under a deadline of fuzzBound and fails the test if the call
// outlives its deadline by fuzzBound: the deadline must bound the call whatever the answer.
func boundedUpdate(t *testing.T, c *capillary.Client, userID string, body *capillary.UpdateCustomerRequest, params *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerResponse, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), fuzzBound)
	defer cancel()
	type result struct {
		res *capillary.UpdateCustomerResponse
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := c.Customers.Update(ctx, userID, body, params)
		done <- result{res, err}
	}()
	watchdog := time.NewTimer(2 * fuzzBound)
	defer watchdog.Stop()
	select {
	case r := <-done:
		return r.res, r.err
	case <-watchdog.C:
		t.Fatalf("Update did not return %s after its context deadline", fuzzBound)
		return nil, nil
	}
}

// requireTypedError fails unless err is one of the SDK's error types, and shows no credential
// in its text or in %#v (which prints every field: Body, RequestID, the vendor's messages).
func requireTypedError(t *testing.T, err error) {
	t.Helper()
	var (
		apiErr *capillary.APIError
		reqErr *capillary.RequestError
		valErr *capillary.ValidationError
		tokErr *capillary.TokenError
	)
	if !errors.As(err, &apiErr) && !errors.As(err, &reqErr) && !errors.As(err, &valErr) && !errors.As(err, &tokErr) {
		t.Fatalf("error of type %T is none of the SDK's error types: %v", err, err)
	}
	requireNoSecret(t, "the error", err.Error())
	requireNoSecret(t, "the error under %+v", fmt.Sprintf("%+v", err))
	requireNoSecret(t, "the error under %#v", fmt.Sprintf("%#v", err))
}

// isVendorSuccess reports whether a delivered answer is what the vendor sends for an applied
// update: a 2xx whose body, read whole, has the shape of UpdateCustomerResponse (the vendor's
// schema, as the models define it), a createdId (number or string) and no errors (absent,
// null or []). encoding/json matches keys in any case, so "ERRORS" counts
// as errors, and a createdId must be the only key of its name. A body declared compressed is
// not plain JSON, whatever it looks like.
func isVendorSuccess(status int, header http.Header, body []byte, mode int) bool {
	if status < 200 || status > 299 || header.Get("Content-Encoding") != "" {
		return false
	}
	if mode != deliverWhole && mode != deliverUnsized {
		return false
	}
	if json.Unmarshal(body, new(capillary.UpdateCustomerResponse)) != nil {
		return false
	}
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if dec.Decode(&fields) != nil || dec.InputOffset() != int64(len(bytes.TrimRight(body, " \t\r\n"))) {
		return false
	}
	// Duplicate keys: a map keeps the last, as the SDK's struct decoding does, but the count of
	// createdId keys tells the two apart only when there is one.
	if bytes.Count(bytes.ToLower(body), []byte(`"createdid"`)) != 1 {
		return false
	}
	ids := 0
	for key, raw := range fields {
		v := string(bytes.TrimSpace(raw))
		switch {
		case strings.EqualFold(key, "errors"):
			if v != "null" && strings.Join(strings.Fields(v), "") != "[]" {
				return false
			}
		case strings.EqualFold(key, "createdId"):
			var n json.Number
			var s string
			if key != "createdId" || (json.Unmarshal(raw, &n) != nil && json.Unmarshal(raw, &s) != nil) || v == "null" {
				return false
			}
			ids++
		}
	}
	return ids == 1
}

// vendorAnswers are the vendor's published answers to the update (capillary-api.md,
// capillary-customers-more.md), and hostile ones seen in the field.
var vendorAnswers = []struct {
	status int
	header string
	body   string
}{
	{200, "Content-Type: application/json", `{"createdId": 162116213, "warnings": [], "sideEffects": [{"awardedPoints": 25, "type": "points"}]}`},
	{200, "Content-Type: application/json\nX-Cap-Requestid: 7d1f", `{"createdId": 555594290,
 "warnings": [{"status": false, "message": "Default customer status label not set", "code": 8107}],
 "sideEffects": [{"entityType": "USER", "rawAwardedPoints": 75.000, "awardedPoints": 75, "type": "points"}]}`},
	{200, "", `{"createdId": 342963216, "warnings": [], "sideEffects": []}`},
	{200, "", `{"createdId": 566881933, "warnings": []}`},
	{200, "", `{"createdId": "566881933", "warnings": [], "sideEffects": [{"type": "slab"}], "errors": []}`},
	{200, "", `{"createdId": "566881933", "warnings": "none", "sideEffects": {"type": "points"}, "errors": []}`},
	{201, "", `{"createdId": 1, "errors": null, "loyaltyDetails": [], "customerInfo": {}}`},
	{200, "", `{"warnings": [], "errors": [{"status": false, "code": 8015, "message": "Customer not found for the given identifiers"}]}`},
	{400, "", `{"errors": [{"status": false, "code": 8015, "message": "Customer not found for the given identifiers"}]}`},
	{500, "", `{"errors":[{"code":500,"message":"All requests have failed due to errors"}]}`},
	{521, "Retry-After: 1", `{"errors":[{"code":521,"message":"multiple actions are running for the same customer"}]}`},
	{429, "Retry-After: 30", ``},
	{503, "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT", `<html>Service Unavailable</html>`},
	{502, "Content-Type: text/html", `<html><body>Bad Gateway</body></html>`},
	{101, "Connection: Upgrade\nUpgrade: websocket", ``},
	{307, "Location: /elsewhere", ``},
	{302, "Location: https://evil.example/steal", ``},
	{200, "Content-Encoding: gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"},
	{200, "", `{"createdId": 1e400}`},
	{200, "", `{"createdId": 1, "createdId": null}`},
	{200, "", `[{"createdId": 1}]`},
	{0, "", `{}`},
	{999, "", `{"errors": {}}`},
}

// FuzzUpdateResponse feeds any status, headers and body to Update, delivered whole, in pieces,
// broken, endless or not at all. The call returns within its deadline, with a response or with
// one of the SDK's typed errors that shows no credential; a vendor success is never an error,
// and nothing else is a success.
func FuzzUpdateResponse(f *testing.F) {
	for i, a := range vendorAnswers {
		for mode := range deliveryModes {
			if mode == deliverEndless && i >= 2 {
				continue // reading 1 MiB of each under -race costs more than it finds
			}
			f.Add(uint16(a.status), a.header, []byte(a.body), uint8(mode))
		}
	}
	// Servers that echo the credentials back (a debugging proxy, a Java stack trace).
	secrets := fuzzSecrets()
	f.Add(uint16(401), "Content-Type: text/plain", []byte("bad Authorization: Basic "+secrets[2]), uint8(deliverWhole))
	f.Add(uint16(400), "", []byte(`{"errors":[{"code":1,"message":"till password `+secrets[1]+` refused"}]}`), uint8(deliverWhole))
	f.Add(uint16(503), "X-Cap-Requestid: Basic "+secrets[2], []byte(`{}`), uint8(deliverWhole))
	f.Add(uint16(200), "X-Cap-Requestid: "+secrets[3], []byte(`{"createdId": 1}`), uint8(deliverWhole))
	f.Add(uint16(401), "", []byte(`{"message": "bad header Basic `+secrets[3]+`\u003d\u003d"}`), uint8(deliverBroken))
	f.Add(uint16(400), "", []byte(`{"errors":[{"code":1,"message":"bad header Basic `+secrets[3]+`\u003d\u003d"}]}`), uint8(deliverWhole))

	f.Fuzz(func(t *testing.T, status uint16, header string, body []byte, mode uint8) {
		srv := &fuzzServer{status: int(status % 1000), header: parseFuzzHeader(header), body: body, mode: int(mode % deliveryModes)}
		var log syncBuffer
		c := newFuzzClient(t, srv, &log)
		res, err := boundedUpdate(t, c, "171891944",
			&capillary.UpdateCustomerRequest{LoyaltyInfo: &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty}},
			&capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
		requireNoSecret(t, "the log", log.String())
		// Two attempts at most (one retry), each following at most 10 same-host redirects.
		if n := len(srv.requests()); n < 1 || n > 2*11 {
			t.Fatalf("%d requests sent, want 1 to 22", n)
		}
		if err != nil {
			requireTypedError(t, err)
			if isVendorSuccess(srv.status, srv.header, body, srv.mode) {
				t.Fatalf("the vendor's success answer %d %q is reported as an error: %v", srv.status, body, err)
			}
			var valErr *capillary.ValidationError
			if errors.As(err, &valErr) {
				t.Fatalf("a valid request was refused: %v", err)
			}
			return
		}
		if res == nil {
			t.Fatal("Update returned neither a response nor an error")
		}
		if srv.status < 200 || srv.status > 299 || srv.mode == deliverNoAnswer {
			t.Fatalf("answer %d (delivery %d) reported as a success: %+v", srv.status, srv.mode, res)
		}
		requireNoSecret(t, "the response", fmt.Sprintf("%+v", res))
	})
}

// requireSentExactly fails unless the call was refused with a *ValidationError and nothing was
// sent, or was sent once with the JSON encoding of body, byte for byte. It reports whether the
// call was sent.
func requireSentExactly(t *testing.T, srv *fuzzServer, body any, err error) bool {
	t.Helper()
	sent := srv.requests()
	var valErr *capillary.ValidationError
	if errors.As(err, &valErr) {
		if len(sent) != 0 {
			t.Fatalf("refused (%v) but %d requests were sent", err, len(sent))
		}
		if !errors.Is(err, capillary.ErrInvalidRequest) {
			t.Fatalf("a *ValidationError that does not match ErrInvalidRequest: %v", err)
		}
		return false
	}
	if err != nil {
		t.Fatalf("Update against a server that accepts everything: %v", err)
	}
	if len(sent) != 1 {
		t.Fatalf("%d requests sent, want 1", len(sent))
	}
	want, mErr := json.Marshal(body)
	if mErr != nil {
		t.Fatalf("sent a request that json.Marshal refuses (%v): %s", mErr, sent[0])
	}
	if !bytes.Equal(sent[0], want) {
		t.Fatalf("body on the wire differs from the request's JSON:\nsent %s\nwant %s", sent[0], want)
	}
	return true
}

// acceptingServer answers every update with the vendor's success.
func acceptingServer() *fuzzServer {
	return &fuzzServer{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(`{"createdId": 1, "warnings": []}`)}
}

// FuzzUpdateRequestJSON decodes any JSON as a request, as a caller replaying stored requests
// does, and sends it with any user id, source and account id: either Update refuses it with a
// *ValidationError and sends nothing, or it sends exactly the request's JSON.
func FuzzUpdateRequestJSON(f *testing.F) {
	for _, name := range []string{"vendor_example_request.json", "vendor_old_update_request.json"} {
		sample, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add("171891944", "INSTORE", "", sample)
		f.Add("171891944", "WECHAT", "WeChat1234", sample)
	}
	f.Add("1", "INSTORE", "", []byte(`{"loyaltyInfo": {"loyaltyType": "loyalty"}}`))
	f.Add("1", "INSTORE", "", []byte(`{"loyaltyInfo": {"loyaltyType": "gold"}}`))
	f.Add("1", "INSTORE", "", []byte(`{}`))
	f.Add("1", "instore", "", []byte(`{"extendedFields": {"": 1}}`))
	f.Add("", "INSTORE", "", []byte(`{"profiles": [{"firstName": "Tom"}]}`))
	f.Add("a/b?c", "INSTORE", "x\r\ny", []byte(`{"profiles": [{"commChannels": [{"type": "fax", "value": ""}]}]}`))
	f.Add("1", "INSTORE", "", []byte(`{"extendedFields": {"n": 12345678901234567890123, "f": 1.0, "s": "<&>"}}`))
	f.Add("1", "INSTORE", "", []byte(`{"loyaltyProgramEnrollments": [{"programId": 0, "tierNumber": -1, "tierExpiryDate": "2024-07-11T16:36:17Z"}]}`))

	f.Fuzz(func(t *testing.T, userID, source, accountID string, data []byte) {
		var body capillary.UpdateCustomerRequest
		if json.Unmarshal(data, &body) != nil {
			return // not a request: nothing to send
		}
		srv := acceptingServer()
		_, err := boundedUpdate(t, newFuzzClient(t, srv, io.Discard), userID, &body,
			&capillary.UpdateCustomerParams{Source: capillary.Source(source), AccountID: accountID})
		requireSentExactly(t, srv, &body, err)
	})
}

// FuzzCreateRequestJSON is FuzzUpdateRequestJSON for Create, from the vendor's add samples:
// either Create refuses the request with a *ValidationError and sends nothing, or it sends
// exactly the request's JSON.
func FuzzCreateRequestJSON(f *testing.F) {
	samples, err := filepath.Glob("testdata/add_customer/*.json")
	if err != nil || len(samples) == 0 {
		f.Fatal("no add samples", err)
	}
	for _, name := range samples {
		sample, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add("INSTORE", "", sample)
		f.Add("LINE", "2001914141242", sample)
	}
	f.Add("INSTORE", "", []byte(`{"profiles": [{"identifiers": [{"type": "cuid", "value": ""}]}]}`))
	f.Add("INSTORE", "", []byte(`{"referralCode": "", "profiles": [{"fields": {}, "identifiers": [{"type": "mobile", "value": 919988221100}], "source": "INSTORE"}]}`))

	f.Fuzz(func(t *testing.T, source, accountID string, data []byte) {
		var body capillary.CreateCustomerRequest
		if json.Unmarshal(data, &body) != nil {
			return // not a request: nothing to send
		}
		srv := acceptingServer()
		ctx, cancel := context.WithTimeout(context.Background(), fuzzBound)
		defer cancel()
		_, err := newFuzzClient(t, srv, io.Discard).Customers.Create(ctx, &body,
			&capillary.CreateCustomerParams{Source: capillary.Source(source), AccountID: accountID})
		requireSentExactly(t, srv, &body, err)
	})
}

// FuzzUpdateRequestFields builds a request from any strings, valid UTF-8 or not, in every
// place a string goes: either it is refused with a *ValidationError and nothing is sent, or
// what is sent is exactly its JSON, and no string of it was invalid UTF-8 (json.Marshal would
// have replaced its bytes with U+FFFD: data lost silently).
func FuzzUpdateRequestFields(f *testing.F) {
	f.Add("171891944", "Tom", "Sawyer", "gender", "Male", "mobile", "9999000000", "residence", "true", "city", "Bangalore", int64(699))
	f.Add("171891944", "Tom", "", "", "", "email", "tom@example.com", "", "", "", "", int64(0))
	f.Add("1", strings.Repeat("é", 101), "Sawyer", "a", "<&>", "fax", "", "k", "v", "k", "v", int64(-1))
	f.Add("1", "Tom", "Sawyer", "a\xff", "v", "mobile", "919999000001", "k", "v", "k", "v", int64(1))
	f.Add("1", "Tom", "Sawyer", "a", "v\xfe", "mobile", "919999000001", "k\xff", "v", "k", "v\xff", int64(1))
	f.Add("1", "Tom\xff", "Sawyer", "a", "v", "mobile", "919999000001", "k", "v", "\xfe", "v", int64(1))

	f.Fuzz(func(t *testing.T, userID, first, last, fieldKey, fieldValue, channelType, channelValue, metaKey, metaValue, extKey, extValue string, programID int64) {
		body := &capillary.UpdateCustomerRequest{
			Profiles: []capillary.Profile{{
				FirstName: capillary.Ptr(first),
				LastName:  capillary.Ptr(last),
				Fields:    map[string]any{fieldKey: fieldValue},
				CommChannels: []capillary.CommChannel{{
					Type: capillary.ChannelType(channelType), Value: channelValue,
					Meta: map[string]any{metaKey: metaValue},
				}},
			}},
			ExtendedFields:            map[string]any{extKey: extValue},
			LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: capillary.Int(programID)}},
		}
		srv := acceptingServer()
		_, err := boundedUpdate(t, newFuzzClient(t, srv, io.Discard), userID, body, &capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
		if !requireSentExactly(t, srv, body, err) {
			return
		}
		for _, s := range []string{userID, first, last, fieldKey, fieldValue, channelType, channelValue, metaKey, metaValue, extKey, extValue} {
			if !utf8.ValidString(s) {
				t.Fatalf("sent %q although it is not valid UTF-8: the server receives U+FFFD instead", s)
			}
		}
	})
}
