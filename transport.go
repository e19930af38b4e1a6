package capillary

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
)

// newTransport is a pooled transport of its own per client, keeping enough idle connections
// for many concurrent callers to reuse theirs.
func newTransport() *http.Transport {
	t := cleanhttp.DefaultPooledTransport()
	t.MaxIdleConns = 0 // no overall cap: cleanhttp's 100 would undercut the per-host 256
	t.MaxIdleConnsPerHost = 256
	return t
}

// attemptTransport is the transport the retry client sees. It does two things:
//
//   - It bounds each attempt (connecting, sending, and reading the whole answer) by timeout, as
//     a context deadline that lasts until the answer's body is closed. http.Client.Timeout would
//     do the same, but for any transport other than a bare *http.Transport (this one, a mock,
//     a caller's wrapper) it costs a goroutine and a timer per call.
//   - It hides the real transport's CloseIdleConnections: retryablehttp calls it after every
//     call that ends without success (the context ended during a wait, a transport error), and
//     on a client shared by many goroutines that dropped every caller's idle connections, so
//     that each failed call, and the calls around it, opened new ones: reconnect storms exactly
//     when the server is struggling. Idle connections still close after the transport's idle
//     timeout, or with Client.CloseIdleConnections.
type attemptTransport struct {
	next    http.RoundTripper
	timeout time.Duration // 0: no bound of the SDK's
}

// errAttemptTimeout is the cause of an attempt's context when its time runs out.
var errAttemptTimeout = errors.New("attempt timed out")

// RoundTrip sends one attempt within the attempt timeout.
func (t attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.timeout <= 0 {
		return t.next.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeoutCause(req.Context(), t.timeout, errAttemptTimeout)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, t.explain(ctx, err)
	}
	resp.Body = &attemptBody{ReadCloser: resp.Body, ctx: ctx, cancel: cancel, t: t}
	return resp, nil
}

// explain marks an error caused by the attempt's own deadline (not the caller's context) as a
// timeout, so that it reads as one and is retried as one.
func (t attemptTransport) explain(ctx context.Context, err error) error {
	if err != nil && context.Cause(ctx) == errAttemptTimeout {
		return &attemptTimeoutError{timeout: t.timeout, err: err}
	}
	return err
}

// attemptBody ends the attempt's deadline when the answer has been read and closed.
type attemptBody struct {
	io.ReadCloser
	ctx    context.Context
	cancel context.CancelFunc
	t      attemptTransport
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = b.t.explain(b.ctx, err)
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// attemptTimeoutError is an attempt that ran out of its time. It is a net.Error whose
// Timeout is true, like http.Client.Timeout's errors.
type attemptTimeoutError struct {
	timeout time.Duration
	err     error
}

func (e *attemptTimeoutError) Error() string {
	return "attempt timed out after " + e.timeout.String() + " (WithAttemptTimeout): " + e.err.Error()
}
func (e *attemptTimeoutError) Unwrap() error   { return e.err }
func (e *attemptTimeoutError) Timeout() bool   { return true }
func (e *attemptTimeoutError) Temporary() bool { return true }

// newHTTPClient copies the client's http.Client (the caller's, or one around the Client's own
// pooled transport) and adds the SDK's redirect policy and the attempt transport. prev is the
// client's config when the http.Client is for one call's options: unless the call brings its
// own http.Client, it keeps the client's transport, and with it the pool of connections.
func newHTTPClient(s *settings, host string, prev *config) *http.Client {
	hc := &http.Client{}
	*hc = *s.httpClient
	hc.CheckRedirect = redirectPolicy(host, hc.CheckRedirect)
	inner := hc.Transport
	if prev != nil && prev.httpClient == s.httpClient {
		inner = prev.retry.HTTPClient.Transport
	}
	if at, ok := inner.(attemptTransport); ok {
		inner = at.next
	}
	if inner == nil {
		inner = http.DefaultTransport
	}
	// The caller's own http.Client.Timeout stands unless WithAttemptTimeout overrides it;
	// otherwise the attempt transport bounds each attempt.
	var timeout time.Duration
	if s.timeoutSet || hc.Timeout == 0 {
		timeout, hc.Timeout = s.timeout, 0
	}
	hc.Transport = attemptTransport{next: inner, timeout: timeout}
	return hc
}

// redirectPolicy follows a redirect only when it keeps the method (307, 308: a PUT that a
// 301/302/303 would turn into a body-less GET is never followed), stays on the configured host
// and does not drop from https to http. Anything else is handed back as the response, so
// credentials and customer data only ever reach the host they were meant for.
func redirectPolicy(host string, next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		first := via[0]
		if req.Method != first.Method || !strings.EqualFold(req.URL.Host, host) ||
			(first.URL.Scheme == "https" && req.URL.Scheme != "https") || len(via) >= 10 {
			return http.ErrUseLastResponse
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}
