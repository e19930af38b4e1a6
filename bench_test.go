package capillary

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
)

// The SDK's own work on the vendor's example update, without the network: building the request
// and decoding the answer. The whole call, against hand-written net/http and resty, is measured
// in the benchmarks module (benchmarks/run.sh).

// perfClient is a client of a server that is never called.
func perfClient(b *testing.B) *Client {
	b.Helper()
	c, err := NewClient(WithBaseURL("http://127.0.0.1:1"), WithBasicAuth("till", "password"))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkBuildUpdateRequest is everything an update does before it sends: validation, the
// query, the JSON body, the URL, the request with its headers and credentials.
func BenchmarkBuildUpdateRequest(b *testing.B) {
	c := perfClient(b)
	cfg := c.cfg
	userID, body, params := perfExampleUpdate()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		path, rawQuery, payload, err := c.Customers.encodeUpdate(userID, body, params, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cfg.newRequest(ctx, http.MethodPut, path, cfg.requestURL(path, rawQuery), payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeUpdateResponse is reading and decoding the vendor's success answer, as a call
// does once the response headers are in.
func BenchmarkDecodeUpdateResponse(b *testing.B) {
	st := &callState{cfg: perfClient(b).cfg, method: http.MethodPut, path: "/v2/customers/171891944", attempts: 1}
	answer := []byte(perfSuccessBody)
	r := bytes.NewReader(answer)
	resp := &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json"}, HeaderRequestID: {"perf-request-id"}},
		ContentLength: int64(len(answer)),
		Body:          io.NopCloser(r),
	}
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(answer)
		var out updateEnvelope
		meta, err := st.read(resp, &out)
		if err != nil || meta.status != http.StatusOK || out.CreatedID != "162116213" {
			b.Fatalf("read: %+v, %v", out, err)
		}
	}
}
