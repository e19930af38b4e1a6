package capillarytest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/capillarytest"
)

const renameBody = `{"profiles":[{"firstName":"Huck"}]}`

// rawPut sends an update on a connection of its own, returning the transport error as it is.
func rawPut(t *testing.T, srv *capillarytest.Server, timeout time.Duration) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, srv.URL+"/v2/customers/"+tomID+"?source=INSTORE", strings.NewReader(renameBody))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", defaultAuth())
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: timeout}
	return client.Do(req)
}

func firstName(t *testing.T, srv *capillarytest.Server) string {
	t.Helper()
	c, ok := srv.Customer(tomID)
	require.True(t, ok)
	return c.FirstName
}

func TestFaultStatusSequence(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	srv.InjectFaults(capillarytest.RateLimited(7), capillarytest.Unavailable(), capillarytest.CustomerBusy(), capillarytest.BadGatewayHTML())
	assert.Equal(t, 4, srv.PendingFaults())

	r := update(t, srv, tomID, "source=INSTORE", renameBody)
	assert.Equal(t, 429, r.status)
	assert.Equal(t, "7", r.header.Get("Retry-After"))
	assert.JSONEq(t, `{"warnings":[],"errors":[{"status":false,"code":429,"message":"Too Many Requests"}]}`, r.body)

	r = update(t, srv, tomID, "source=INSTORE", renameBody)
	assert.Equal(t, 503, r.status)
	assert.Empty(t, r.header.Get("Retry-After"))
	assert.JSONEq(t, `{"warnings":[],"errors":[{"status":false,"code":503,"message":"Service Unavailable"}]}`, r.body)

	r = update(t, srv, tomID, "source=INSTORE", renameBody)
	assert.Equal(t, 521, r.status)
	assert.JSONEq(t, `{"warnings":[],"errors":[{"status":false,"code":521,"message":"Multiple actions running for the same customer, Please try after some time"}]}`, r.body)

	r = update(t, srv, tomID, "source=INSTORE", renameBody)
	assert.Equal(t, 502, r.status)
	assert.Equal(t, "text/html", r.header.Get("Content-Type"))
	assert.Contains(t, r.body, "<h1>502 Bad Gateway</h1>")
	assert.Equal(t, "Tom", firstName(t, srv), "a status fault stands in for the vendor: nothing is stored")

	assert.Equal(t, 0, srv.PendingFaults())
	r = update(t, srv, tomID, "source=INSTORE", renameBody)
	assert.Equal(t, 200, r.status)
	assert.Equal(t, "Huck", firstName(t, srv))

	var ids []string
	for _, req := range srv.Requests() {
		assert.NotEmpty(t, req.RequestID)
		ids = append(ids, req.RequestID)
	}
	assert.Len(t, ids, 5)
	assert.Equal(t, []int{429, 503, 521, 502, 200}, statuses(srv.Requests()))
}

func statuses(reqs []capillarytest.RecordedRequest) []int {
	out := make([]int, len(reqs))
	for i, r := range reqs {
		out[i] = r.Status
	}
	return out
}

func TestFaultVendorCodeAndBody(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	srv.InjectFaults(
		capillarytest.Fault{Status: 200, Code: 8015, Message: "Customer not found for the given identifiers"},
		capillarytest.Fault{Status: 500, Body: "oops", RetryAfter: "Wed, 21 Oct 2015 07:28:00 GMT"},
	)
	r := update(t, srv, tomID, "source=INSTORE", renameBody)
	assert.Equal(t, 200, r.status)
	assert.JSONEq(t, `{"warnings":[],"errors":[{"status":false,"code":8015,"message":"Customer not found for the given identifiers"}]}`, r.body)

	r = update(t, srv, tomID, "source=INSTORE", renameBody)
	assert.Equal(t, 500, r.status)
	assert.Equal(t, "oops", r.body)
	assert.Equal(t, "text/plain; charset=utf-8", r.header.Get("Content-Type"))
	assert.Equal(t, "Wed, 21 Oct 2015 07:28:00 GMT", r.header.Get("Retry-After"))
	assert.NotEmpty(t, r.header.Get("X-Cap-Requestid"))
}

func TestFaultHandledStatus(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	srv.InjectFaults(capillarytest.Fault{Status: 504, Handled: true})
	r := update(t, srv, tomID, "source=INSTORE", renameBody)
	assert.Equal(t, 504, r.status)
	assert.Equal(t, "Huck", firstName(t, srv), "the update was applied before the answer was replaced")
}

func TestFaultPath(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	srv.InjectFaults(capillarytest.Fault{Path: "/v2/", Status: 503})
	generateToken(t, srv, capillarytest.DefaultOAuthKey, capillarytest.DefaultOAuthSecret)
	assert.Equal(t, 1, srv.PendingFaults(), "the token request does not take a /v2/ fault")
	assert.Equal(t, 503, update(t, srv, tomID, "source=INSTORE", renameBody).status)

	srv.InjectFaults(capillarytest.Unavailable(), capillarytest.Unavailable())
	srv.ClearFaults()
	assert.Equal(t, 0, srv.PendingFaults())
	assert.Equal(t, 200, update(t, srv, tomID, "source=INSTORE", renameBody).status)
}

func TestFaultDropConnection(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)

	srv.InjectFaults(capillarytest.DropConnection())
	_, err := rawPut(t, srv, 5*time.Second)
	require.Error(t, err)
	assert.ErrorIs(t, err, io.EOF)
	assert.Equal(t, "Tom", firstName(t, srv), "dropped before the update")

	srv.InjectFaults(capillarytest.DropAfterHandling())
	_, err = rawPut(t, srv, 5*time.Second)
	require.Error(t, err)
	assert.Equal(t, "Huck", firstName(t, srv), "dropped after the update")

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, 0, reqs[0].Status)
	require.NotNil(t, reqs[0].Fault)
	assert.True(t, reqs[0].Fault.Drop)
	assert.Equal(t, "drop, after handling", reqs[1].Fault.String())
}

func TestFaultTruncatedBody(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	srv.InjectFaults(capillarytest.TruncatedBody())
	resp, err := rawPut(t, srv, 5*time.Second)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("X-Cap-Requestid"))
	body, err := io.ReadAll(resp.Body)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, `{"createdId":171891944,"war`, string(body))
	assert.Equal(t, "Huck", firstName(t, srv))
}

func TestFaultMalformedBody(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	srv.InjectFaults(capillarytest.MalformedBody(), capillarytest.Fault{Status: 503, Malformed: true})
	r := update(t, srv, tomID, "source=INSTORE", renameBody)
	assert.Equal(t, 200, r.status)
	assert.Equal(t, `{"createdId":171891944,"war`, r.body)
	var v any
	assert.Error(t, json.Unmarshal([]byte(r.body), &v))
	assert.Equal(t, "Huck", firstName(t, srv))

	r = update(t, srv, tomID, "source=INSTORE", renameBody)
	assert.Equal(t, 503, r.status)
	assert.Equal(t, `{"warnings":[],"errors":[{"status":false,"c`, r.body)
}

func TestFaultLatency(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)

	srv.InjectFaults(capillarytest.Delay(30 * time.Millisecond))
	start := time.Now()
	r := update(t, srv, tomID, "source=INSTORE", renameBody)
	assert.Equal(t, 200, r.status)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)

	srv.InjectFaults(capillarytest.Delay(time.Hour))
	_, err := rawPut(t, srv, 50*time.Millisecond)
	var timeout interface{ Timeout() bool }
	require.True(t, errors.As(err, &timeout), "%v", err)
	assert.True(t, timeout.Timeout())
}

func TestFaultLatencyEndsOnClose(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	srv.InjectFaults(capillarytest.Delay(time.Hour))
	errc := make(chan error, 1)
	go func() {
		_, err := rawPut(t, srv, 0)
		errc <- err
	}()
	require.Eventually(t, func() bool { return len(srv.Requests()) == 1 }, 30*time.Second, time.Millisecond)
	// Shutdown without a deadline returns only once the held request is over: it must cut the
	// hour short. The bound only turns a failure into a clear one.
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Shutdown(context.Background()) }()
	select {
	case err := <-stopped:
		assert.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("Shutdown waited for the latency")
	}
	assert.Error(t, <-errc)
	srv.Close() // again: no-op
}

func TestInjectFaultsRefusesNonsense(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewUnstartedServer()
	for _, f := range []capillarytest.Fault{{Status: 99}, {Status: 1000}, {Status: 100}, {Latency: -1}, {RetryAfter: "1"}, {Body: "x"}} {
		assert.Panics(t, func() { srv.InjectFaults(f) }, "%+v", f)
	}
	assert.Equal(t, 0, srv.PendingFaults())
}

func TestFaultString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "no-op fault", capillarytest.Fault{}.String())
	assert.Equal(t, "path /v2/, latency 1s, status 429, retry-after 2, truncate, malformed",
		capillarytest.Fault{Path: "/v2/", Latency: time.Second, Status: 429, RetryAfter: "2", Truncate: true, Malformed: true}.String())
}
