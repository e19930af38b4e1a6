package bulk_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/bulk"
	"github.com/capillary-go/capillary/capillarytest"
)

// manyRows are n rows for the customers 1 to n.
func manyRows(n int) func(yield func(bulk.Row, error) bool) {
	return func(yield func(bulk.Row, error) bool) {
		for i := 1; i <= n; i++ {
			if !yield(bulk.Row{Number: i, UserID: strconv.Itoa(i), Body: firstName("Ann")}, nil) {
				return
			}
		}
	}
}

// An answer that will fail every row stops the run before more rows go out: a typed error
// that says what to fix, the unsent rows left unsent, those in flight left for a resume.
func TestAnAnswerThatFailsEveryRowStopsTheRun(t *testing.T) {
	t.Parallel()
	const rows, workers = 2000, 4
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	tlsSrv := httptest.NewUnstartedServer(srv.Handler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes refused are the point
	tlsSrv.StartTLS()                                   // with a certificate no system trusts
	t.Cleanup(tlsSrv.Close)
	basic := capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword)
	tests := []struct {
		name   string
		opts   []capillary.ClientOption
		is     error
		reason string
	}{
		{"wrong password", []capillary.ClientOption{capillary.WithBaseURL(srv.URL), capillary.WithBasicAuth(capillarytest.DefaultTill, "wrong")},
			capillary.ErrUnauthorized, "the credentials were refused"},
		{"wrong OAuth secret", []capillary.ClientOption{capillary.WithBaseURL(srv.URL), capillary.WithOAuth(capillarytest.DefaultOAuthKey, "wrong")},
			capillary.ErrOAuthCredentials, "the OAuth key or secret was refused"},
		{"https spoken to an http server", []capillary.ClientOption{capillary.WithBaseURL(strings.Replace(srv.URL, "http:", "https:", 1)), basic},
			nil, "does not speak https"},
		{"a certificate that does not verify", []capillary.ClientOption{capillary.WithBaseURL(tlsSrv.URL), basic},
			nil, "TLS does not verify"},
		{"a host that does not exist", []capillary.ClientOption{capillary.WithBaseURL("https://no-such-host.invalid"), basic, noSuchHost()},
			nil, "the host does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := capillary.NewClient(tt.opts...)
			require.NoError(t, err)
			r, err := bulk.New(bulk.SDK(c), bulk.WithConcurrency(workers), bulk.WithSource(capillary.SourceInstore, ""))
			require.NoError(t, err)
			got := &results{rows: map[int]bulk.Result{}}
			sum, err := r.Run(ctxFor(t), manyRows(rows), got)
			var fatal *bulk.FatalError
			require.ErrorAs(t, err, &fatal)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.Contains(t, fatal.Reason(), tt.reason)
			assert.Contains(t, err.Error(), tt.reason)
			assert.LessOrEqual(t, sum.Sent, workers, "no row went out after the first answer")
			assert.Empty(t, got.rows, "no row has an outcome: each is left for a resume")
			assert.Equal(t, sum.Rows, len(sum.Unfinished))
			assert.LessOrEqual(t, srv.TokenGenerations(), workers)
		})
	}
}

func TestFatalErrorUnwraps(t *testing.T) {
	t.Parallel()
	cause := &capillary.APIError{StatusCode: 403}
	err := error(&bulk.FatalError{Row: 3, Err: cause})
	assert.True(t, errors.Is(err, capillary.ErrForbidden))
	assert.Contains(t, err.Error(), "stopped at row 3")
	assert.Contains(t, err.Error(), "permissions")
}

// noSuchHost dials as net.Dial does for a name the DNS does not know, whatever resolver the
// machine has.
func noSuchHost() capillary.ClientOption {
	return capillary.WithHTTPClient(&http.Client{Transport: &http.Transport{
		DialContext: func(_ context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
		},
	}})
}
