package capillary

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A 500 follows the vendor: with its errors list it is a refusal, neither retried nor
// uncertain; without it (a proxy's page, an empty list) the update may have been applied, and
// it is still not sent again.
func TestAPIError500(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		body      string
		uncertain bool
	}{
		{"the vendor's errors", `{"errors":[{"status":false,"code":500,"message":"All requests have failed due to errors"}]}`, false},
		{"an empty errors list", `{"errors":[]}`, true},
		{"a proxy's page", `<html>500</html>`, true},
		{"no body", ``, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			rec := script(mt, respond(http.StatusInternalServerError, tt.body), okResponder())
			_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			apiErr := requireAPIError(t, err)
			assert.Equal(t, 1, apiErr.Attempts)
			assert.Len(t, rec.all(), 1, "a 500 is not sent again")
			assert.Equal(t, tt.uncertain, apiErr.Uncertain)
			assert.ErrorIs(t, err, ErrServer)
		})
	}
}

// The vendor's code 521 in the body ("multiple actions are running for the same customer") is
// ErrCustomerBusy, and retried like status 521.
func TestCustomerBusyCodeIsRetried(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	busy := respond(http.StatusBadRequest, vendorError(521, "Multiple actions are running for the same customer. Please try after some time."))
	rec := script(mt, busy, busy, busy, busy)
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	apiErr := requireAPIError(t, err)
	assert.ErrorIs(t, err, ErrCustomerBusy)
	assert.Equal(t, 4, apiErr.Attempts)
	assert.Len(t, rec.all(), 4)
	assert.False(t, apiErr.Uncertain)

	c, mt = newMockedClient(t)
	rec = script(mt, busy, okResponder())
	_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err)
	assert.Len(t, rec.all(), 2)
}

// An error that follows an attempt which may have been applied says so: a replayed enrolment
// refused as "already enrolled" may be the echo of the first attempt's success.
func TestAPIErrorUncertainAfterAmbiguousAttempt(t *testing.T) {
	t.Parallel()
	refused := respond(http.StatusBadRequest, vendorError(10002, "Failed to update customer details"))
	tests := []struct {
		name      string
		first     httpmock.Responder
		uncertain bool
	}{
		{"502 from a gateway", respond(http.StatusBadGateway, "<html>bad gateway</html>"), true},
		{"504 from a gateway", respond(http.StatusGatewayTimeout, ""), true},
		{"connection broken after sending", httpmock.NewErrorResponder(errors.New("read: connection reset by peer")), true},
		{"429 turned away", respond(http.StatusTooManyRequests, ""), false},
		{"503 turned away", respond(http.StatusServiceUnavailable, ""), false},
		{"521 busy", respond(521, ""), false},
		{"could not connect", httpmock.NewErrorResponder(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			script(mt, tt.first, refused)
			_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 2, apiErr.Attempts)
			assert.Equal(t, tt.uncertain, apiErr.Uncertain)
			assert.Equal(t, tt.uncertain, strings.Contains(err.Error(), "it may have been applied"), err.Error())
		})
	}
}

func TestAPIErrorCertainOnFirstAttempt(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	script(mt, respond(http.StatusBadRequest, vendorError(8015, "Customer not found for the given identifiers")))
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.False(t, apiErr.Uncertain)
}

// CloseIdleConnections drops the pool's idle connections: the next call opens a new one.
func TestClientCloseIdleConnections(t *testing.T) {
	t.Parallel()
	srv := newCountingServer(t, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, okBody) })
	c := newServerClient(t, srv.URL)
	for range 8 {
		_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
		require.NoError(t, err)
	}
	before := srv.conns.Load()
	assertConnsReused(t, before, 8, 1)
	c.CloseIdleConnections()
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err)
	assert.Equal(t, before+1, srv.conns.Load(), "the call after CloseIdleConnections dialled")
}

// The context ends while the second attempt is in flight: the first attempt's 503 is old news,
// and the second may have been applied.
func TestDeadlineDuringAttemptIsNotReportedAsEarlierAnswer(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	release := make(chan struct{})
	second := make(chan struct{}, 1)
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set(headerRequestID, "first-503")
			writeJSON(w, http.StatusServiceUnavailable, `{"errors":[]}`)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body) // so the server notices when the client hangs up
		second <- struct{}{}
		select { // the second attempt gets no answer before the deadline
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before the server's Close
	c := newServerClient(t, srv.URL)
	d := newManualDeadline(t)
	done := goUpdate(d, c)
	receive(t, second) // the second attempt reached the server: now the deadline passes
	d.expire()
	err := receive(t, done).err
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr), "no answer to the last attempt: %v", err)
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.Equal(t, 2, reqErr.Attempts)
	assert.True(t, reqErr.Uncertain, "the second attempt reached the server")
	assert.NotContains(t, err.Error(), "first-503")
}

// The context ends during the wait before a retry: the answer that was being retried is the
// last word, reported with the context's error.
func TestDeadlineDuringWaitReportsLastAnswer(t *testing.T) {
	t.Parallel()
	srv := newCountingServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set(headerRequestID, "busy-1")
		writeJSON(w, 521, `{"errors":[]}`)
	})
	hook := &waitHook{}
	c := newServerClient(t, srv.URL, WithRetries(3, time.Hour, time.Hour), hook.option())
	d := newManualDeadline(t)
	hook.onWait(d.expire) // the deadline passes during the wait
	err := receive(t, goUpdate(d, c)).err
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 521, apiErr.StatusCode)
	assert.Equal(t, "busy-1", apiErr.RequestID)
	assert.ErrorIs(t, err, ErrCustomerBusy)
	assert.False(t, apiErr.Uncertain, "521 turns the request away")
}

// An answer cut short is still an *APIError with its status and what arrived of it.
func TestTruncatedAnswerIsAPIError(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusOK, http.StatusBadRequest} {
		srv := newCountingServer(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "500")
			w.Header().Set(headerRequestID, "cut")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"warnings":[],"errors":[{"status":false,"code":8015`))
		})
		c := newServerClient(t, srv.URL)
		_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr, "status %d", status)
		assert.Equal(t, status, apiErr.StatusCode)
		assert.Equal(t, "cut", apiErr.RequestID)
		assert.Contains(t, apiErr.Body, `"code":8015`)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Equal(t, status == http.StatusOK, apiErr.Uncertain, "a 2xx was accepted")
	}
}
