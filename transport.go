package capillary

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"time"

	"github.com/hashicorp/go-cleanhttp"
)

// newTransport is a pooled transport of its own per client, keeping enough idle connections
// for many concurrent callers to reuse theirs, and checking its HTTP/2 connections within one
// attempt timeout.
func newTransport(attemptTimeout time.Duration) *http.Transport {
	t := cleanhttp.DefaultPooledTransport()
	t.MaxIdleConns = 0 // no overall cap: cleanhttp's 100 would undercut the per-host 256
	t.MaxIdleConnsPerHost = 256
	// Over HTTP/2 every call and every retry shares one connection: one that died silently (a
	// NAT or load balancer that forgot it) would take them all, where HTTP/1.1 dials anew after
	// an attempt times out. A ping after a quiet spell, unanswered, closes it within one attempt.
	// The ping waits half an attempt each way, at least a second, at most half the default.
	ping := min(max(attemptTimeout/2, time.Second), DefaultAttemptTimeout/2)
	t.HTTP2 = &http.HTTP2Config{SendPingTimeout: ping, PingTimeout: ping}
	return t
}

// attemptTransport is the transport of one call's retry client, over the Client's shared one.
//
//   - It bounds each attempt (connecting, sending, and reading the whole answer) by the call's
//     attempt timeout, as a context that lasts until the answer's body is closed; when that
//     context ends, any read of the body ends, even of a body that never ends. (A 101's body,
//     the connection itself, is never read.)
//   - For an update, it has net/http's trace say when the request was written, so that an
//     attempt that ended before is known to have sent nothing.
//   - It has no CloseIdleConnections: retryablehttp calls that after every call that ends
//     without success, and on a client shared by many goroutines that would drop every
//     caller's idle connections. Client.CloseIdleConnections reaches the shared transport.
type attemptTransport struct {
	next http.RoundTripper
	// netHTTP is set when next is net/http's own transport, whose bodies already end their
	// reads when the request's context ends; another transport's bodies are closed for that.
	netHTTP bool
	timeout time.Duration
	call    *callState // counts the attempts and, for an update, whether one was sent
}

// errAttemptTimeout is the cause of an attempt's context when its time runs out.
var errAttemptTimeout = errors.New("attempt timed out")

// RoundTrip sends one attempt within the attempt timeout.
func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.call.attempts, t.call.try, t.call.started = t.call.attempts+1, t.call.try+1, time.Now()
	ctx, cancel := context.WithTimeoutCause(req.Context(), t.timeout, errAttemptTimeout)
	if unsent := &t.call.unsent; !t.call.read {
		// Whether an update may have been applied hangs on whether its request went out, which
		// an error that ends the attempt during the TLS handshake does not tell. net/http's
		// trace does: from taking a connection until the headers are written, nothing is sent.
		// A transport that takes no connection through net/http leaves it to the error.
		unsent.Store(false)
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			GetConn:      func(string) { unsent.Store(true) },
			WroteHeaders: func() { unsent.Store(false) },
		})
	}
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		err = explain(ctx, t.timeout, err) // before cancel, which would make every error look cancelled
		cancel()
		return nil, err
	}
	body := &attemptBody{ReadCloser: resp.Body, ctx: ctx, timeout: t.timeout, cancel: cancel}
	if !t.netHTTP {
		inner := resp.Body
		body.stop = context.AfterFunc(ctx, func() { _ = inner.Close() })
	}
	resp.Body = body
	return resp, nil
}

// explain marks an error caused by the attempt's own deadline as a timeout, so that it reads as
// one and is retried as one, and one caused by the caller's context as that context's error
// and cause.
func explain(ctx context.Context, timeout time.Duration, err error) error {
	switch {
	case err == nil || ctx.Err() == nil:
		return err
	case context.Cause(ctx) == errAttemptTimeout:
		// HTTP/1.1 reports the context's cause, HTTP/2 its error: either way the attempt ran out
		// of time, which must not read as the end of the caller's own context.
		if err == context.DeadlineExceeded || err == context.Canceled {
			err = errAttemptTimeout // a wrapped one (a dial's i/o timeout) says more: kept
		}
		return &attemptTimeoutError{timeout: timeout, err: err}
	case !errors.Is(err, ctx.Err()):
		return fmt.Errorf("%w: %w", ctx.Err(), err)
	case !errors.Is(err, context.Cause(ctx)):
		// HTTP/2 reports the context's error without the cause the caller gave it, which
		// HTTP/1.1 reports: keep the caller's cause either way.
		return fmt.Errorf("%w: %w", err, context.Cause(ctx))
	}
	return err
}

// attemptBody ends the attempt's deadline when the answer has been read and closed.
type attemptBody struct {
	io.ReadCloser
	ctx     context.Context
	timeout time.Duration
	cancel  context.CancelFunc
	stop    func() bool // ends the AfterFunc that closes the body, when there is one
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = explain(b.ctx, b.timeout, err)
	}
	return n, err
}

func (b *attemptBody) Close() error {
	if b.stop != nil {
		b.stop()
	}
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
	msg := "attempt timed out after " + e.timeout.String() + " (WithAttemptTimeout)"
	if e.err != errAttemptTimeout {
		msg += ": " + e.err.Error()
	}
	return msg
}
func (e *attemptTimeoutError) Unwrap() error   { return e.err }
func (e *attemptTimeoutError) Timeout() bool   { return true }
func (e *attemptTimeoutError) Temporary() bool { return true }
