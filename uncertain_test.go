package capillary

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Uncertainty: which failed updates may have been applied (Uncertain), and which cannot have.

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

// A certificate that fails verification means nothing was sent: the error is not uncertain.
func TestUncertainNotAfterTLSFailure(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, okBody) }))
	defer srv.Close()
	c, err := NewClient(WithBaseURL(srv.URL), WithBasicAuth(testTill, testPassword), fastRetries())
	require.NoError(t, err)
	_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.False(t, reqErr.Uncertain, err.Error())
	assert.Equal(t, 1, reqErr.Attempts, "a certificate does not get better by asking again")
}

// The answers that leave open whether an update was applied, and those that do not: a 500
// follows the vendor (with its errors list a refusal, without it maybe applied); a vendor
// refusal on a first attempt is certain.
func TestUncertainAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		uncertain bool
	}{
		{"201, one or more requests failed", 201, `{"createdId":1,"errors":[{"code":91015,"message":"extended field update failed"}]}`, true},
		{"200 with the vendor's refusal", 200, vendorError(8015, "Customer not found"), false},
		{"524 from a gateway", 524, `<html>timeout</html>`, true},
		{"520 from a gateway", 520, ``, true},
		{"503 turned away", 503, `<html>down</html>`, false},
		{"502 with the vendor's errors", 502, vendorError(500, "All requests have failed due to errors"), false},
		{"500 with the vendor's errors", 500, vendorError(500, "All requests have failed due to errors"), false},
		{"500 with an empty errors list", 500, `{"errors":[]}`, true},
		{"500 from a proxy", 500, `<html>500</html>`, true},
		{"500 without a body", 500, ``, true},
		{"400 refusal", 400, vendorError(8015, "Customer not found for the given identifiers"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t, WithRetries(0, 0, 0))
			script(mt, respond(tt.status, tt.body))
			_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			assert.Equal(t, tt.uncertain, requireAPIError(t, err).Uncertain, err.Error())
		})
	}
}

// A token that cannot be generated means nothing was sent: neither a read nor an update is
// uncertain, and a token endpoint's 5xx is retried.
func TestUncertainNotAfterTokenFailure(t *testing.T) {
	t.Parallel()
	var generations atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		generations.Add(1)
		writeJSON(w, http.StatusBadGateway, ``)
	}))
	defer srv.Close()
	c, err := NewClient(WithBaseURL(srv.URL), WithOAuth("the-key", "the-secret"), fastRetries())
	require.NoError(t, err)
	_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	var tokErr *TokenError
	require.ErrorAs(t, err, &tokErr)
	assert.NotContains(t, err.Error(), "may have been applied")
	assert.EqualValues(t, 4, generations.Load(), "a token call is retried like a read")
	_, err = c.Customers.Get(testCtx(t), "1", &GetCustomerParams{Source: SourceInstore})
	require.ErrorAs(t, err, &tokErr)
	assert.NotContains(t, err.Error(), "may have been applied")
}
