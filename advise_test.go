package capillary

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAdviseRetry(t *testing.T) {
	t.Parallel()
	c, err := NewClient(WithBaseURL(testBaseURL), WithBasicAuth(testTill, testPassword), WithRetries(3, time.Second, 8*time.Second))
	require.NoError(t, err)
	put := func(status int, codes ...int) *APIError {
		e := &APIError{StatusCode: status, Method: http.MethodPut}
		for _, code := range codes {
			e.Errors = append(e.Errors, Message{Code: Int(code), Message: "x"})
		}
		return e
	}
	tests := []struct {
		name        string
		err         error
		retry       bool
		rateLimited bool
		wait        time.Duration // exact, when not 0
	}{
		{name: "success", err: nil},
		{name: "429 with Retry-After", err: &APIError{StatusCode: 429, Method: http.MethodPut, RetryAfter: 3 * time.Second}, retry: true, rateLimited: true, wait: 3 * time.Second},
		{name: "Retry-After capped at the max wait", err: &APIError{StatusCode: 429, Method: http.MethodPut, RetryAfter: time.Hour}, retry: true, rateLimited: true, wait: 8 * time.Second},
		{name: "429 without Retry-After backs off", err: put(429), retry: true, rateLimited: true},
		{name: "521 status", err: put(521), retry: true},
		{name: "521 code in a 200's errors", err: put(200, 521), retry: true},
		{name: "503", err: put(503), retry: true},
		{name: "502 of an update, not uncertain", err: put(502, 500), retry: true},
		{name: "uncertain update is never retried", err: &APIError{StatusCode: 502, Method: http.MethodPut, Uncertain: true}},
		{name: "500 of an update is the vendor's failure", err: put(500)},
		{name: "500 of a read is retried", err: &APIError{StatusCode: 500, Method: http.MethodGet}, retry: true},
		{name: "a refusal", err: put(400, 8015)},
		{name: "refused credentials", err: put(401)},
		{name: "connection refused", err: &RequestError{Method: http.MethodPut, Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}, retry: true},
		{name: "lost answer", err: &RequestError{Method: http.MethodPut, Uncertain: true, Err: io.ErrUnexpectedEOF}},
		{name: "cancelled", err: &RequestError{Method: http.MethodPut, Err: context.Canceled}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for attempt := 1; attempt <= 4; attempt++ {
				got := c.AdviseRetry(tt.err, attempt)
				assert.Equal(t, tt.retry, got.Retry)
				assert.Equal(t, tt.rateLimited, got.RateLimited)
				switch {
				case !tt.retry:
					assert.Zero(t, got.Wait)
				case tt.wait != 0:
					assert.Equal(t, tt.wait, got.Wait)
				default: // the backoff of retry n: between min and min·2^n, at most max
					assert.GreaterOrEqual(t, got.Wait, time.Second)
					assert.LessOrEqual(t, got.Wait, min(time.Second<<attempt, 8*time.Second))
				}
			}
		})
	}
}
