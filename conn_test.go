package capillary

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// perfSuccessBody is the vendor's documented success body for the update.
const perfSuccessBody = `{"createdId": 162116213, "warnings": [], "sideEffects": [{"awardedPoints": 25, "type": "points"}]}`

// perfExampleUpdate is the vendor's example request from the spec page: customer 171891944 on
// INSTORE with use_async=false, one profile with two channels, loyalty info, extended fields
// and one program enrolment.
func perfExampleUpdate() (userID string, body *UpdateCustomerRequest, params *UpdateCustomerParams) {
	expiry := time.Date(2024, 7, 11, 16, 36, 17, 0, time.FixedZone("IST", 5*3600+30*60))
	body = &UpdateCustomerRequest{
		Profiles: []Profile{{
			FirstName: Ptr("Tom"),
			LastName:  Ptr("Sawyer"),
			Fields:    map[string]any{"gender": "Male", "city": "Bangalore"},
			CommChannels: []CommChannel{
				{Type: ChannelMobile, Value: "9999000000", Primary: Ptr(true), Verified: Ptr(true), Meta: map[string]any{"residence": "true"}},
				{Type: ChannelEmail, Value: "tomsawyer@gmail.com", Primary: Ptr(true), Verified: Ptr(true), Meta: map[string]any{"residence": "true"}},
			},
		}},
		LoyaltyInfo:    &LoyaltyInfo{LoyaltyType: LoyaltyTypeLoyalty},
		ExtendedFields: map[string]any{"gender": "MALE", "city": "Bangalore"},
		LoyaltyProgramEnrollments: []LoyaltyProgramEnrollment{{
			ProgramID: 699, TierNumber: Ptr(1), LoyaltyPoints: Ptr(json.Number("0")),
			TierExpiryDate: NewDateTime(expiry), PointsExpiryDate: NewDateTime(expiry),
		}},
	}
	return "171891944", body, &UpdateCustomerParams{Source: SourceInstore, UseAsync: Ptr(false)}
}

// perfVendorHandler answers every request with the vendor's success body, after reading the
// request as a real server does.
func perfVendorHandler(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(headerRequestID, "perf-request-id")
	_, _ = io.WriteString(w, perfSuccessBody)
}

// newConnCountingServer starts a vendor server that counts the TCP connections it accepts,
// and a client of it. The server's handler is h, or perfVendorHandler when h is nil.
func newConnCountingServer(t *testing.T, h http.HandlerFunc) (*Client, *atomic.Int64) {
	t.Helper()
	if h == nil {
		h = perfVendorHandler
	}
	requireLoopback(t)
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := NewClient(WithBaseURL(srv.URL), WithBasicAuth("till", "password"))
	if err != nil {
		t.Fatal(err)
	}
	return c, &conns
}

// TestConnReuseSequential: calls one after another share kept-alive connections: one, or a
// few when net/http drops one (see assertConnsReused), never one per call.
func TestConnReuseSequential(t *testing.T) {
	c, conns := newConnCountingServer(t, nil)
	userID, body, params := perfExampleUpdate()
	for i := range 200 {
		res, err := c.Customers.Update(context.Background(), userID, body, params)
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if res.CreatedID != "162116213" {
			t.Fatalf("call %d: createdId %q", i, res.CreatedID)
		}
	}
	assertConnsReused(t, conns.Load(), 200, 1)
}

// TestConnReuseConcurrent: N callers at once need N connections (plus the few net/http drops,
// see assertConnsReused), however many calls each makes: every connection goes back to the
// pool after its call and is taken again from it.
//
// The server holds the first N requests until all N have arrived. Without that, net/http itself
// may dial more than N at start-up, whoever the client: a request waiting for its dial is handed
// a connection that another caller just freed, its dial then completes into the pool, and the
// caller whose connection was taken dials again. Plain net/http with the same transport opens
// 9 to 15 connections for 8 callers in about a quarter of the runs. Holding the first round makes
// the start deterministic (each caller has dialled exactly one connection), so what the test
// measures is the SDK's part: that it drains every answer, keeps enough idle connections and
// shares one transport, without which the count grows with the number of calls.
func TestConnReuseConcurrent(t *testing.T) {
	const callers, calls = 8, 25
	var arrived atomic.Int64
	allArrived := make(chan struct{})
	c, conns := newConnCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if arrived.Add(1) == callers {
			close(allArrived)
		}
		select {
		case <-allArrived:
		case <-time.After(waitBound): // a bug must fail the test, not hang it
		}
		perfVendorHandler(w, r)
	})
	userID, body, params := perfExampleUpdate()
	var (
		wg   sync.WaitGroup
		errs = make(chan error, callers)
	)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls {
				if _, err := c.Customers.Update(context.Background(), userID, body, params); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assertConnsReused(t, conns.Load(), callers*calls, callers)
}
