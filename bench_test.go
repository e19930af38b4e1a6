package capillary

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
)

// The SDK's own work on the vendor's example update, without the network. The whole call over
// loopback, against hand-written net/http and resty, is measured in the benchmarks module
// (benchmarks/run.sh).

// answerTransport answers every request with the vendor's success body, in memory.
type answerTransport struct{ body []byte }

func (t answerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json"}, headerRequestID: {"perf-request-id"}},
		ContentLength: int64(len(t.body)),
		Body:          io.NopCloser(bytes.NewReader(t.body)),
		Request:       req,
	}, nil
}

// BenchmarkUpdateInMemoryCall is a whole Update, validation to decoded answer, with a transport
// that answers from memory: everything the SDK adds to a call.
func BenchmarkUpdateInMemoryCall(b *testing.B) {
	c, err := NewClient(WithBaseURL("http://127.0.0.1:1"), WithBasicAuth("till", "password"),
		WithHTTPClient(&http.Client{Transport: answerTransport{body: []byte(perfSuccessBody)}}))
	if err != nil {
		b.Fatal(err)
	}
	userID, body, params := perfExampleUpdate()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.Customers.Update(ctx, userID, body, params)
		if err != nil || res.CreatedID != "162116213" {
			b.Fatalf("update: %+v, %v", res, err)
		}
	}
}
