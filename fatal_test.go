package capillary

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each answer that fails every call is told from those that fail one: the error of a real call.
func TestFailsEveryCall(t *testing.T) {
	t.Parallel()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	t.Cleanup(plain.Close)
	selfSigned := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	selfSigned.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake refused is the point
	selfSigned.StartTLS()
	t.Cleanup(selfSigned.Close)
	mocked := func(status int, body string) []ClientOption {
		tr := httpmock.NewMockTransport()
		tr.RegisterNoResponder(httpmock.NewStringResponder(status, body))
		tokens := `{"data":{"accessToken":"tok","ttlSeconds":3600}}`
		if status == http.StatusUnauthorized && strings.Contains(body, "token") {
			tokens = body
		}
		tr.RegisterResponder(http.MethodPost, testBaseURL+"/v3/oauth/token/generate", httpmock.NewStringResponder(status, tokens))
		return []ClientOption{WithBaseURL(testBaseURL), WithHTTPClient(&http.Client{Transport: tr})}
	}
	tests := []struct {
		name  string
		opts  []ClientOption
		fatal bool
	}{
		{"401 to Basic auth", append(mocked(401, `{"errors":[{"code":401,"message":"Unauthorized"}]}`), WithBasicAuth(testTill, "wrong")), true},
		{"403", append(mocked(403, `{"errors":[{"code":403,"message":"Forbidden"}]}`), WithBasicAuth(testTill, testPassword)), true},
		{"OAuth secret refused", append(mocked(401, `{"errors":[{"code":401,"message":"bad token secret"}]}`), WithOAuth("key-123456", "wrong")), true},
		{"certificate that does not verify", []ClientOption{WithBaseURL(selfSigned.URL), WithBasicAuth(testTill, testPassword)}, true},
		{"https to an http server", []ClientOption{WithBaseURL(strings.Replace(plain.URL, "http:", "https:", 1)), WithBasicAuth(testTill, testPassword)}, true},
		{"host that does not exist", []ClientOption{WithBaseURL("https://no-such-host.invalid"), WithBasicAuth(testTill, testPassword), WithHTTPClient(&http.Client{Transport: &http.Transport{
			// As net.Dial fails for a name the DNS does not know, whatever resolver the machine has.
			DialContext: func(_ context.Context, network, addr string) (net.Conn, error) {
				return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "no-such-host.invalid", IsNotFound: true}}
			},
		}})}, true},
		{"a customer not found", append(mocked(400, `{"errors":[{"code":8015,"message":"Customer not found"}]}`), WithBasicAuth(testTill, testPassword)), false},
		{"busy", append(mocked(521, `{"errors":[{"code":521,"message":"busy"}]}`), WithBasicAuth(testTill, testPassword)), false},
		{"rate limited", append(mocked(429, ``), WithBasicAuth(testTill, testPassword)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(append(tt.opts, WithRetries(0, 0, 0))...)
			require.NoError(t, err)
			_, err = c.Customers.Get(context.Background(), "1", &GetCustomerParams{Source: SourceInstore})
			require.Error(t, err)
			assert.Equal(t, tt.fatal, FailsEveryCall(err), "%v", err)
			assert.False(t, c.AdviseRetry(err, 1).Retry && tt.fatal)
		})
	}
	assert.False(t, FailsEveryCall(nil))
}
