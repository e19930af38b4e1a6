package capillary

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
		{"500", respond(http.StatusInternalServerError, `{"errors":[]}`), true},
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
			assert.Equal(t, tt.uncertain, strings.Contains(err.Error(), "an earlier attempt may have been applied"), err.Error())
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
	for range 3 {
		_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, srv.conns.Load())
	c.CloseIdleConnections()
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err)
	assert.EqualValues(t, 2, srv.conns.Load())
}
