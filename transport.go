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

// newTransport is a client's own pooled transport, with idle connections enough for many
// concurrent callers.
func newTransport(attemptTimeout time.Duration) *http.Transport {
	t := cleanhttp.DefaultPooledTransport()
	t.MaxIdleConns = 0 // no overall cap: cleanhttp's 100 would undercut the per-host 256
	t.MaxIdleConnsPerHost = 256
	// Over HTTP/2 every call shares one connection: one that died silently would take them all.
	// A ping after half an attempt's quiet (1 s to 15 s), unanswered as long, closes it.
	ping := min(max(attemptTimeout/2, time.Second), DefaultAttemptTimeout/2)
	t.HTTP2 = &http.HTTP2Config{SendPingTimeout: ping, PingTimeout: ping}
	return t
}

// attemptTransport is the transport of one call's retry client, over the Client's shared one. It
// counts the attempts, bounds each (connect, send, read the whole answer) by the attempt
// timeout, and for an update has net/http's trace say whether the request was written.
//
// It has no CloseIdleConnections, on purpose: retryablehttp calls that after every failed call,
// which would drop the idle connections of every other caller of the Client.
type attemptTransport struct {
	next    http.RoundTripper
	netHTTP bool // next is net/http's, whose bodies end with the request's context
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
		// From taking a connection until the headers are written, nothing was sent: an error
		// then (a TLS handshake that timed out) leaves the update certain.
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

// explain makes an error caused by the attempt's deadline an *attemptTimeoutError (retried), and
// one caused by the caller's context carry that context's error and cause.
func explain(ctx context.Context, timeout time.Duration, err error) error {
	switch {
	case err == nil || ctx.Err() == nil:
		return err
	case context.Cause(ctx) == errAttemptTimeout:
		if err == context.DeadlineExceeded || err == context.Canceled {
			err = errAttemptTimeout // a wrapped one (a dial's i/o timeout) says more: kept
		}
		return &attemptTimeoutError{timeout: timeout, err: err}
	case !errors.Is(err, ctx.Err()):
		return fmt.Errorf("%w: %w", ctx.Err(), err)
	case !errors.Is(err, context.Cause(ctx)):
		return fmt.Errorf("%w: %w", err, context.Cause(ctx)) // HTTP/2 drops the cause
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

// attemptTimeoutError is an attempt that ran out of its time: a net.Error whose Timeout is true.
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
