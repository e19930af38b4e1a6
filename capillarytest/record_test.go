package capillarytest_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/capillarytest"
)

func TestRequestsAreRecordedWithCredentialsMasked(t *testing.T) {
	t.Parallel()
	clock := capillarytest.NewManualClock(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	var logs bytes.Buffer
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()), capillarytest.WithClock(clock.Now),
		capillarytest.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	t.Cleanup(srv.Close)

	r := send(t, http.MethodPut, srv.URL+"/v2/customers/"+tomID+"?source=INSTORE&use_async=true", renameBody, map[string]string{
		"Content-Type": "application/json", "Authorization": defaultAuth(), "Cookie": "session=abc",
		"USER-CONTEXT-ENTITY-TYPE": "ADMIN_USER", "Proxy-Authorization": "Basic cHJveHk6cHc="})
	require.Equal(t, 200, r.status)
	clock.Advance(time.Minute)
	send(t, http.MethodPost, srv.URL+"/v3/oauth/token/generate", `{"secret":"fake-oauth-secret","key":"fake-oauth-key"}`,
		map[string]string{"Content-Type": "application/json"})
	send(t, http.MethodPost, srv.URL+"/v3/oauth/token/generate", `{"key":"k","Secret":"s3cr3t-variant"}`,
		map[string]string{"Content-Type": "application/json"})
	send(t, http.MethodPost, srv.URL+"/v3/oauth/token/generate", `key=k&secret=s3cr3t-form`,
		map[string]string{"Content-Type": "application/json"})
	send(t, http.MethodPut, srv.URL+"/v2/customers/"+tomID+"?source=INSTORE", `{}`,
		map[string]string{"Content-Type": "application/json", "X-CAP-API-OAUTH-TOKEN": "some-token-value"})

	reqs := srv.Requests()
	require.Len(t, reqs, 5)
	first := reqs[0]
	assert.Equal(t, time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC), first.Time)
	assert.Equal(t, http.MethodPut, first.Method)
	assert.Equal(t, "/v2/customers/171891944", first.Path)
	assert.Equal(t, url.Values{"source": {"INSTORE"}, "use_async": {"true"}}, first.Query)
	assert.Equal(t, "Basic [redacted]", first.Header.Get("Authorization"))
	assert.Equal(t, "Basic [redacted]", first.Header.Get("Proxy-Authorization"))
	assert.Equal(t, "[redacted]", first.Header.Get("Cookie"))
	assert.Equal(t, "ADMIN_USER", first.Header.Get("USER-CONTEXT-ENTITY-TYPE"), "other headers are kept")
	assert.JSONEq(t, renameBody, string(first.Body))
	assert.Equal(t, "basic", first.AuthScheme)
	assert.Equal(t, capillarytest.DefaultTill, first.Principal)
	assert.Equal(t, 200, first.Status)
	assert.Equal(t, r.header.Get("X-Cap-Requestid"), first.RequestID)
	assert.Nil(t, first.Fault)

	assert.Equal(t, time.Date(2025, 3, 1, 9, 1, 0, 0, time.UTC), reqs[1].Time)
	assert.JSONEq(t, `{"key":"fake-oauth-key","secret":"[redacted]"}`, string(reqs[1].Body))
	assert.JSONEq(t, `{"key":"k","Secret":"[redacted]"}`, string(reqs[2].Body))
	assert.Equal(t, "[redacted]", string(reqs[3].Body), "a body the fake cannot parse is masked whole")
	assert.Equal(t, "[redacted]", reqs[4].Header.Get("X-CAP-API-OAUTH-TOKEN"))
	assert.Equal(t, 401, reqs[4].Status)
	assert.Empty(t, reqs[4].AuthScheme)

	for _, secret := range []string{"fake-oauth-secret", "s3cr3t-variant", "s3cr3t-form", "some-token-value", "session=abc",
		defaultAuth()[len("Basic "):], md5hex(capillarytest.DefaultPassword)} {
		for _, req := range reqs {
			assert.NotContains(t, string(req.Body), secret)
			for _, values := range req.Header {
				for _, v := range values {
					assert.NotContains(t, v, secret)
				}
			}
		}
		assert.NotContains(t, logs.String(), secret)
	}
	assert.NotContains(t, logs.String(), "use_async", "queries are not logged")
	assert.NotContains(t, logs.String(), "Huck", "bodies are not logged")
	assert.Contains(t, logs.String(), "path=/v2/customers/171891944 status=200 request_id="+first.RequestID)

	t.Run("copies are independent", func(t *testing.T) {
		reqs := srv.Requests()
		reqs[0].Header.Set("Authorization", "changed")
		reqs[0].Body[0] = 'X'
		reqs[0].Query.Set("source", "changed")
		again := srv.Requests()[0]
		assert.Equal(t, "Basic [redacted]", again.Header.Get("Authorization"))
		assert.Equal(t, byte('{'), again.Body[0])
		assert.Equal(t, "INSTORE", again.Query.Get("source"))
	})
	t.Run("reset", func(t *testing.T) {
		srv.ResetRequests()
		assert.Empty(t, srv.Requests())
		update(t, srv, tomID, "source=INSTORE", `{}`)
		assert.Len(t, srv.Requests(), 1)
	})
}

func TestMaxRecordedRequests(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()), capillarytest.WithMaxRecordedRequests(2))
	t.Cleanup(srv.Close)
	for _, q := range []string{"source=INSTORE&n=1", "source=INSTORE&n=2", "source=INSTORE&n=3"} {
		update(t, srv, tomID, q, `{}`)
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "2", reqs[0].Query.Get("n"))
	assert.Equal(t, "3", reqs[1].Query.Get("n"))
	assert.Equal(t, 200, reqs[1].Status)
}

func TestFaultsAreLogged(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	srv := capillarytest.NewServer(capillarytest.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	t.Cleanup(srv.Close)
	srv.InjectFaults(capillarytest.RateLimited(1))
	update(t, srv, tomID, "source=INSTORE", `{}`)
	assert.Contains(t, logs.String(), `status=429`)
	assert.Contains(t, logs.String(), `fault="status 429, retry-after 1"`)
}
