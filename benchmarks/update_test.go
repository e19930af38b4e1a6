package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"sync"
	"testing"
)

// wire is what a client put on the wire, as the server saw it.
type wire struct {
	method, uri string
	header      http.Header
	body        []byte
}

// TestSameRequest checks that the benchmarks compare like with like: the floor, the SDK and
// resty send the same method, path, query, headers and JSON, and read the same answer.
func TestSameRequest(t *testing.T) {
	var (
		mu   sync.Mutex
		last wire
	)
	srv := newVendorServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		last = wire{method: r.Method, uri: r.RequestURI, header: r.Header.Clone(), body: body}
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(nil))
		vendorHandler(w, r)
	})
	seen := map[string]wire{}
	for _, c := range clients {
		call := c.setup(t, srv.URL, nil)
		body, params := exampleRequest()
		res, err := call(context.Background(), userID, body, params)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if res.CreatedID != "162116213" || res.RequestID != requestID || res.StatusCode != http.StatusOK ||
			len(res.SideEffects) != 1 || res.SideEffects[0].AwardedPoints != 25 {
			t.Errorf("%s: decoded %+v", c.name, res)
		}
		mu.Lock()
		seen[c.name] = last
		mu.Unlock()
	}
	floor := seen["floor"]
	if floor.method != http.MethodPut || floor.uri != "/v2/customers/171891944?source=INSTORE&use_async=false" {
		t.Errorf("floor sent %s %s", floor.method, floor.uri)
	}
	for name, got := range seen {
		if got.method != floor.method || got.uri != floor.uri {
			t.Errorf("%s sent %s %s, floor %s %s", name, got.method, got.uri, floor.method, floor.uri)
		}
		if !reflect.DeepEqual(got.header, floor.header) {
			t.Errorf("%s sent headers\n%v\nfloor sent\n%v", name, got.header, floor.header)
		}
		if !sameJSON(t, got.body, floor.body) {
			t.Errorf("%s sent body\n%s\nfloor sent\n%s", name, got.body, floor.body)
		}
	}
}

func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("body %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("body %s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

// BenchmarkUpdate is one update call, request to decoded answer, over one kept-alive loopback
// connection: the floor (net/http by hand), the SDK, and resty. The server's cost, in the same
// process, is in every figure alike.
func BenchmarkUpdate(b *testing.B) {
	for _, c := range clients {
		b.Run("client="+c.name, func(b *testing.B) {
			benchmarkCalls(b, c.setup(b, newVendorServer(b, vendorHandler).URL, nil))
		})
	}
}

// benchmarkCalls times the example update through call, after one call that dials the
// connection and proves the answer decodes.
func benchmarkCalls(b *testing.B, call updateFunc) {
	ctx := context.Background()
	body, params := exampleRequest()
	if res, err := call(ctx, userID, body, params); err != nil || res.CreatedID != "162116213" {
		b.Fatalf("warm-up call: %+v, %v", res, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := call(ctx, userID, body, params); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdateInMemory is BenchmarkUpdate without the network: every contender sends
// through the same in-memory transport, so that the figures are the clients' own work
// (building, encoding, decoding, net/http's client side) and little else.
func BenchmarkUpdateInMemory(b *testing.B) {
	for _, c := range clients {
		b.Run("client="+c.name, func(b *testing.B) {
			benchmarkCalls(b, c.setup(b, "http://127.0.0.1:1", newMemoryHTTPClient()))
		})
	}
}

// BenchmarkUpdateParallel is the same call from GOMAXPROCS goroutines at once; run it with
// -cpu 1,2 to see how it scales. Over loopback (each goroutine keeps its own connection) the
// in-process server takes its share of the cores; in memory only the clients run.
func BenchmarkUpdateParallel(b *testing.B) {
	for _, transport := range []string{"loopback", "memory"} {
		b.Run("transport="+transport, func(b *testing.B) {
			for _, c := range clients {
				b.Run("client="+c.name, func(b *testing.B) {
					var call updateFunc
					if transport == "memory" {
						call = c.setup(b, "http://127.0.0.1:1", newMemoryHTTPClient())
					} else {
						call = c.setup(b, newVendorServer(b, vendorHandler).URL, nil)
					}
					body, params := exampleRequest()
					if _, err := call(context.Background(), userID, body, params); err != nil {
						b.Fatalf("warm-up call: %v", err)
					}
					b.ReportAllocs()
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						ctx := context.Background()
						for pb.Next() {
							if _, err := call(ctx, userID, body, params); err != nil {
								b.Error(err)
								return
							}
						}
					})
				})
			}
		})
	}
}
