// Package capillary is a typed client for Capillary's loyalty and CRM API (v2), starting with
// the customer update, PUT /v2/customers/{userId}.
//
// A Client is made once with NewClient and is safe for concurrent use. Calls validate their
// arguments before any I/O, send the vendor's exact wire format, retry what is safe to retry
// (transport errors, 429, 500, 502, 503, 504, 521) with backoff that honours Retry-After, and
// return typed errors: *ValidationError before sending, *APIError for the server's answers,
// matched by errors.Is against sentinels such as ErrCustomerNotFound (code 8015).
package capillary

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"

	"github.com/hashicorp/go-retryablehttp"
)

// Version is the SDK's version, sent in the User-Agent.
const Version = "0.1.0"

// Client talks to one Capillary cluster with one set of credentials. It is safe for concurrent
// use by many goroutines; make one and share it.
type Client struct {
	// Customers updates customer details.
	Customers *CustomersService

	cfg *config
}

// config is settings resolved and checked: what a call needs, fixed once made.
type config struct {
	settings               // as given, to derive a call's config from
	base     string        // base URL without a trailing slash
	header   http.Header   // headers every request carries, credentials excepted
	auth     authenticator // puts the credentials on each request
	retry    *retryablehttp.Client
}

// NewClient makes a Client. A base URL (WithRegion or WithBaseURL) and credentials
// (WithBasicAuth, WithBasicAuthDigest or WithOAuth) are required. A bad option is reported
// as an error matching ErrInvalidConfig.
func NewClient(opts ...Option) (*Client, error) {
	s := settings{
		maxRetries:   DefaultMaxRetries,
		retryWaitMin: DefaultRetryWaitMin,
		retryWaitMax: DefaultRetryWaitMax,
		timeout:      DefaultAttemptTimeout,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(&s)
		}
	}
	if s.httpClient == nil {
		// One transport per Client, which calls with their own options share: its pool of
		// keep-alive connections is what makes sequential calls cheap.
		s.httpClient = &http.Client{Transport: newTransport()}
	}
	cfg, err := s.resolve(nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	c := &Client{cfg: cfg}
	c.Customers = &CustomersService{client: c}
	return c, nil
}

// Format prints the client's endpoint and nothing else, whatever the verb, so that logging a
// Client can never show its credentials.
func (c *Client) Format(f fmt.State, _ rune) {
	if c == nil || c.cfg == nil {
		_, _ = io.WriteString(f, "capillary.Client(nil)")
		return
	}
	_, _ = fmt.Fprintf(f, "capillary.Client{BaseURL: %q}", c.cfg.base)
}

// CloseIdleConnections closes the keep-alive connections the Client is not using. A failed
// call never does this by itself (other calls may be about to reuse them); call it when the
// Client will not be used for a while, or before dropping it.
func (c *Client) CloseIdleConnections() {
	if ci, ok := c.cfg.httpClient.Transport.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// BaseURL returns the base URL requests go to.
func (c *Client) BaseURL() string { return c.cfg.base }

// resolve checks the settings and builds the config. prev is the client's config when
// resolving a call's options: its transport is reused unless an option changed it.
func (s settings) resolve(prev *config) (*config, error) {
	if len(s.problems) > 0 {
		return nil, errors.New((&ValidationError{Problems: s.problems}).problemList())
	}
	base, err := checkBaseURL(s.baseURL, s.allowHTTP)
	if err != nil {
		return nil, err
	}
	if s.auth == nil && s.oauth == nil {
		return nil, errors.New("no credentials: use WithBasicAuth, WithBasicAuthDigest or WithOAuth")
	}
	ua := "capillary-go/" + Version + " (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if s.userAgent != "" {
		ua += " " + s.userAgent
	}
	header := http.Header{
		"Content-Type": {"application/json"},
		"Accept":       {"application/json"},
		"User-Agent":   {ua},
	}
	for name, values := range s.headers {
		header[name] = values
	}
	cfg := &config{settings: s, base: base.String(), header: header, auth: s.auth}
	if prev != nil && prev.sameTransport(&s) {
		cfg.retry = prev.retry
	} else {
		cfg.retry = newRetryClient(&s, base.Host, prev)
	}
	if s.oauth != nil {
		if prev != nil && prev.oauth == s.oauth && prev.base == cfg.base {
			cfg.auth = prev.auth // the client's tokens serve its calls
		} else {
			cfg.auth = newTokenSource(s.oauth, cfg)
		}
	}
	return cfg, nil
}

// sameTransport reports whether s would build the same retry client as c's.
func (c *config) sameTransport(s *settings) bool {
	return c.httpClient == s.httpClient && c.maxRetries == s.maxRetries &&
		c.retryWaitMin == s.retryWaitMin && c.retryWaitMax == s.retryWaitMax &&
		c.timeout == s.timeout && c.timeoutSet == s.timeoutSet && c.baseURL == s.baseURL
}

// callConfig is the config for one call: the client's, or a copy with the call's options.
func (c *Client) callConfig(opts []Option) (*config, []FieldError) {
	if len(opts) == 0 {
		return c.cfg, nil
	}
	s := c.cfg.settings
	s.headers = s.headers.Clone()
	s.problems = nil
	for _, opt := range opts {
		if opt != nil {
			opt(&s)
		}
	}
	if len(s.problems) > 0 {
		return nil, s.problems
	}
	cfg, err := s.resolve(c.cfg)
	if err != nil {
		return nil, []FieldError{{Field: "options", Problem: err.Error()}}
	}
	return cfg, nil
}
