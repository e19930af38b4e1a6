package benchmarks

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSameRequest checks that the benchmarks compare like with like: the floor, the SDK and
// resty put the same bytes on the wire (request line, headers, JSON body) and read the same
// answer. Each client makes one call on a connection of its own, whose bytes the server's
// listener records.
func TestSameRequest(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(vendorHandler))
	rec := &recordingListener{Listener: srv.Listener}
	srv.Listener = rec
	srv.Start()
	t.Cleanup(srv.Close)
	sent := map[string]string{}
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
		sent[c.name] = rec.take()
	}
	floor := sent["floor"]
	if !strings.HasPrefix(floor, "PUT /v2/customers/171891944?source=INSTORE&use_async=false HTTP/1.1\r\n") ||
		!strings.Contains(floor, "\r\nAuthorization: "+basicAuthorization()+"\r\n") {
		t.Errorf("floor sent\n%s", floor)
	}
	for name, got := range sent {
		if got != floor {
			t.Errorf("%s sent\n%s\nfloor sent\n%s", name, got, floor)
		}
	}
}

// TestVendorErrorsSeen checks that every contender reads the vendor's errors list: a 200 whose
// answer carries errors is a failed call for each of them.
func TestVendorErrorsSeen(t *testing.T) {
	srv := newVendorServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"createdId": 0, "warnings": [], "errors": [{"status": false, "code": 8015, "message": "Customer not found"}]}`)
	})
	for _, c := range clients {
		body, params := exampleRequest()
		if res, err := c.setup(t, srv.URL, nil)(context.Background(), userID, body, params); err == nil {
			t.Errorf("%s: no error for an answer with errors: %+v", c.name, res)
		}
	}
}

// recordingListener keeps every byte its server reads from any connection, in order.
type recordingListener struct {
	net.Listener
	mu  sync.Mutex
	buf bytes.Buffer
}

// Accept wraps each connection so that its reads are recorded.
func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return recordingConn{Conn: c, l: l}, nil
}

// take returns what was recorded since the last take.
func (l *recordingListener) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.buf.String()
	l.buf.Reset()
	return s
}

type recordingConn struct {
	net.Conn
	l *recordingListener
}

func (c recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.l.mu.Lock()
	c.l.buf.Write(p[:n])
	c.l.mu.Unlock()
	return n, err
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
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := call(ctx, userID, body, params); err != nil {
			b.Fatal(err)
		}
	}
}

// reportCPU, deferred around a benchmark's loop, reports the process's CPU time per call as
// cpu-ns/op. On a shared machine it is steadier than wall time: waiting for a core is not in it.
func reportCPU(b *testing.B) func() {
	start, ok := cpuTime()
	return func() {
		if end, _ := cpuTime(); ok && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
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
					defer reportCPU(b)()
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

// BenchmarkUpdateInterleaved makes the calls of BenchmarkUpdate (loopback) and
// BenchmarkUpdateInMemory (memory) with the three clients in one process, taking turns of a few
// calls, and reports each one's time per call (floor-ns/op, sdk-ns/op, resty-ns/op) and the
// SDK's ratios (sdk/floor, sdk/resty): the median, over the rounds, of the ratio of its turn to
// the other's in the same round. On a shared machine, whose load changes from second to second,
// this compares the clients under the same load, and a burst of load that hits a few rounds
// does not move the median; separate runs (BenchmarkUpdate) can only alternate from one second
// to the next. Its ns/op mixes the three.
func BenchmarkUpdateInterleaved(b *testing.B) {
	const batch = 8 // calls in a turn: about 1.5 ms over loopback, long enough to time well
	for _, transport := range []string{"loopback", "memory"} {
		b.Run("transport="+transport, func(b *testing.B) {
			ctx := context.Background()
			body, params := exampleRequest()
			calls := make([]updateFunc, len(clients))
			labelled := make([]context.Context, len(clients))
			for i, c := range clients {
				// The client's label goes on its calls and on the goroutines of its server and
				// connection, so that a -cpuprofile splits the work by client (pprof -tagfocus).
				labelled[i] = pprof.WithLabels(ctx, pprof.Labels("client", c.name))
				pprof.Do(ctx, pprof.Labels("client", c.name), func(ctx context.Context) {
					if transport == "memory" {
						calls[i] = c.setup(b, "http://127.0.0.1:1", newMemoryHTTPClient())
					} else {
						calls[i] = c.setup(b, newVendorServer(b, vendorHandler).URL, nil)
					}
					if res, err := calls[i](ctx, userID, body, params); err != nil || res.CreatedID != "162116213" {
						b.Fatalf("%s: warm-up call: %+v, %v", c.name, res, err)
					}
				})
			}
			turns := make([][]time.Duration, len(clients)) // each client's turns, round by round
			k, start := 0, time.Now()
			for b.Loop() {
				c := k / batch % len(calls)
				if k%batch == 0 {
					pprof.SetGoroutineLabels(labelled[c])
				}
				if _, err := calls[c](ctx, userID, body, params); err != nil {
					b.Fatal(err)
				}
				if k++; k%batch == 0 {
					now := time.Now()
					turns[c] = append(turns[c], now.Sub(start))
					start = now
				}
			}
			pprof.SetGoroutineLabels(ctx)
			for i, c := range clients {
				if len(turns[i]) > 0 {
					b.ReportMetric(float64(sum(turns[i]))/float64(len(turns[i])*batch), c.name+"-ns/op")
				}
			}
			floor, sdk, resty := turns[0], turns[1], turns[2] // the order of clients
			if len(resty) > 0 {
				b.ReportMetric(medianRatio(sdk, floor), "sdk/floor")
				b.ReportMetric(medianRatio(sdk, resty), "sdk/resty")
			}
		})
	}
}

// medianRatio is the median over the rounds both took part in of a[i]/b[i].
func medianRatio(a, b []time.Duration) float64 {
	n := min(len(a), len(b))
	r := make([]float64, n)
	for i := range n {
		r[i] = float64(a[i]) / float64(b[i])
	}
	slices.Sort(r)
	return r[n/2]
}

func sum(d []time.Duration) time.Duration {
	var t time.Duration
	for _, x := range d {
		t += x
	}
	return t
}
