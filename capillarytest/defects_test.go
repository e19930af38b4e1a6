package capillarytest_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/capillarytest"
)

// TestUnreadableBodyIsNeverASuccess sends a PUT whose chunked body is malformed: the fake
// cannot have applied it, so it must not answer 2xx (issue 7, item 7).
func TestUnreadableBodyIsNeverASuccess(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(srv.URL, "http://"), 30*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(30*time.Second))) // a bound, not a measure
	_, err = io.WriteString(conn, "PUT /v2/customers/"+tomID+"?source=INSTORE HTTP/1.1\r\nHost: fake\r\n"+
		"Authorization: "+defaultAuth()+"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"+
		"zz\r\n{\"profiles\":[{\"firstName\":\"X\"}]}\r\n0\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, 400, resp.StatusCode, string(body))
	assert.Contains(t, string(body), `"code":400`)
	assert.Contains(t, string(body), "reading the body")
	got, _ := srv.Customer(tomID)
	assert.Equal(t, "Tom", got.FirstName)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, 400, reqs[0].Status)
}

// TestTokenSecretMaskedUnderAPrefix: a client whose base URL has a path sends its token request
// to a path the fake does not serve; the secret is masked all the same (issue 7, item 8).
func TestTokenSecretMaskedUnderAPrefix(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	r := send(t, http.MethodPost, srv.URL+"/gateway/v3/oauth/token/generate",
		`{"key":"`+capillarytest.DefaultOAuthKey+`","secret":"`+capillarytest.DefaultOAuthSecret+`"}`,
		map[string]string{"Content-Type": "application/json"})
	assert.Equal(t, 404, r.status)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.NotContains(t, string(reqs[0].Body), capillarytest.DefaultOAuthSecret)
	assert.JSONEq(t, `{"key":"fake-oauth-key","secret":"[redacted]"}`, string(reqs[0].Body))
}

// TestHoldReleasesOnDemand: a held answer comes when the test says so, whatever the machine's
// speed, and a client that gives up first gets nothing.
func TestHoldReleasesOnDemand(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	release := make(chan struct{})
	srv.InjectFaults(capillarytest.Hold(release))
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := rawPut(t, srv, 30*time.Second)
		if err != nil {
			done <- result{err: err}
			return
		}
		resp.Body.Close()
		done <- result{status: resp.StatusCode}
	}()
	// Wait, within a bound, until the request is held (or failed: no loopback, say).
	for deadline := time.Now().Add(30 * time.Second); len(srv.Requests()) == 0; {
		select {
		case r := <-done:
			t.Fatalf("the request ended before it was held: %d %v", r.status, r.err)
		case <-time.After(time.Millisecond):
		}
		require.True(t, time.Now().Before(deadline), "the request never arrived")
	}
	select {
	case r := <-done:
		t.Fatalf("answered before the release: %d %v", r.status, r.err)
	default:
	}
	close(release)
	select {
	case r := <-done:
		require.NoError(t, r.err)
		assert.Equal(t, 200, r.status)
	case <-time.After(30 * time.Second):
		t.Fatal("no answer after the release")
	}
	assert.Equal(t, "held", capillarytest.Hold(release).String())
}
