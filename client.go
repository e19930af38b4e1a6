package capillary

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hashicorp/go-retryablehttp"
)

// Version is the SDK's version, sent in the User-Agent.
const Version = "0.1.0"

// Client talks to one Capillary cluster with one set of credentials. It is safe for concurrent
// use by many goroutines; make one and share it.
type Client struct {
	// Customers reads and updates customers.
	Customers CustomersAPI

	baseURL  string                // without a trailing slash
	retry    *retryablehttp.Client // built once: the retry policy over the SDK's transport
	logger   *slog.Logger
	defaults callSettings // what a call without options uses

	queries *queryCache // the query of each UpdateCustomerParams value sent (request.go)
}

// NewClient makes a Client. A base URL (WithRegion or WithBaseURL) and credentials
// (WithBasicAuth, WithBasicAuthDigest or WithOAuth) are required. A bad option is reported
// as an error matching ErrInvalidConfig.
func NewClient(opts ...Option) (*Client, error) {
	s := settings{callSettings: callSettings{
		header:     http.Header{"User-Agent": {userAgent("")}},
		maxRetries: DefaultMaxRetries,
		waitMin:    DefaultRetryWaitMin,
		waitMax:    DefaultRetryWaitMax,
	}}
	for _, opt := range opts {
		if opt != nil {
			opt(&s)
		}
	}
	base, err := checkBaseURL(s.baseURL, s.allowHTTP)
	if err != nil {
		s.problem("base URL", "%s", err)
	}
	credentialOptions := []string{"WithBasicAuth", "WithBasicAuthDigest", "WithOAuth"}
	refused := slices.ContainsFunc(s.problems, func(p FieldError) bool { return slices.Contains(credentialOptions, p.Field) })
	if s.auth == nil && s.oauth == nil && !refused {
		s.problem("credentials", "none given: use WithBasicAuth, WithBasicAuthDigest or WithOAuth")
	}
	if len(s.problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalidConfig, problemList(s.problems))
	}

	hc := &http.Client{}
	if s.httpClient != nil {
		*hc = *s.httpClient
	}
	if s.timeout == 0 {
		s.timeout = DefaultAttemptTimeout
		if hc.Timeout > 0 {
			s.timeout = hc.Timeout
		}
	}
	if s.httpClient == nil {
		// One pooled transport per Client: its keep-alive connections are what make sequential
		// calls cheap, and every call shares them, whatever its options.
		hc.Transport = newTransport(s.timeout)
	}
	if hc.Transport == nil {
		hc.Transport = http.DefaultTransport
	}
	hc.Timeout = 0 // the attempt transport bounds each attempt, at less cost
	hc.CheckRedirect = redirectPolicy(base.Host, hc.CheckRedirect)
	_, netHTTP := hc.Transport.(*http.Transport)
	hc.Transport = attemptTransport{next: hc.Transport, netHTTP: netHTTP}

	s.header.Set("Content-Type", "application/json")
	s.header.Set("Accept", "application/json")

	c := &Client{baseURL: base.String(), logger: s.logger, queries: &queryCache{}}
	c.retry = &retryablehttp.Client{
		HTTPClient:     hc,
		Logger:         nil,           // the SDK logs for itself, metadata only
		RetryMax:       math.MaxInt32, // the call's own budget is enforced by checkRetry
		CheckRetry:     checkRetry,
		Backoff:        noBackoff,
		RequestLogHook: beforeAttempt,
		PrepareRetry:   prepareRetry,
		ErrorHandler:   lastError,
	}
	if s.oauth != nil {
		s.auth = newTokenSource(s.oauth, c, s.callSettings)
	}
	c.defaults = s.callSettings
	c.Customers = &customersService{client: c}
	return c, nil
}

// callSettings returns the settings of one call: the client's, with opts applied on a copy.
func (c *Client) callSettings(opts []Option) (*callSettings, []FieldError) {
	if len(opts) == 0 {
		return &c.defaults, nil
	}
	s := settings{callSettings: c.defaults}
	s.header = c.defaults.header.Clone()
	for _, opt := range opts {
		if opt != nil {
			opt(&s)
		}
	}
	for _, option := range s.clientOnly {
		s.problem("options", "%s configures the client; give it to NewClient", option)
	}
	if s.oauth != nil {
		s.auth = newTokenSource(s.oauth, c, s.callSettings) // a call's own OAuth client gets tokens of its own
	}
	return &s.callSettings, s.problems
}

// Format prints the client's endpoint and nothing else, whatever the verb, so that logging a
// Client can never show its credentials.
func (c Client) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprintf(f, "capillary.Client{BaseURL: %q}", c.baseURL)
}

// CloseIdleConnections closes the keep-alive connections the Client is not using. A failed
// call never does this by itself (other calls may be about to reuse them); call it when the
// Client will not be used for a while, or before dropping it.
func (c *Client) CloseIdleConnections() {
	if at, ok := c.retry.HTTPClient.Transport.(attemptTransport); ok {
		at.closeIdleConnections()
	}
}

// BaseURL returns the base URL requests go to.
func (c *Client) BaseURL() string { return c.baseURL }

// checkBaseURL parses and vets the base URL: https, or http on loopback or when allowed.
func checkBaseURL(raw string, allowHTTP bool) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("none given: use WithRegion or WithBaseURL")
	}
	if !strings.Contains(raw, "://") {
		return nil, fmt.Errorf("%q has no scheme: write it as https://%s", raw, strings.TrimPrefix(raw, "//"))
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil {
		// *url.Error quotes the whole URL, user info and password included: keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("not a valid URL: %w", err)
	}
	switch {
	case u.Host == "":
		return nil, fmt.Errorf("%q has no host", u.Redacted())
	case u.User != nil:
		return nil, errors.New("must not carry user info: use an auth option")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#"):
		// An empty "?" or "#" counts too: appended to, it would turn the request path into a
		// query or a fragment.
		return nil, errors.New("must not carry a query or fragment")
	case isVersionPath(u.Path):
		return nil, fmt.Errorf("%q ends in the API version %s, which the SDK adds to every path: leave it out", u.Redacted(), u.Path[strings.LastIndex(u.Path, "/"):])
	case u.Scheme == "https":
	case u.Scheme == "http" && (allowHTTP || isLoopback(u.Hostname())):
	case u.Scheme == "http":
		return nil, fmt.Errorf("%q is plain http on a non-loopback host: use https, or WithInsecureHTTP", u.Redacted())
	default:
		return nil, fmt.Errorf("scheme %q is not http or https", u.Scheme)
	}
	return u, nil
}

// isVersionPath reports whether a base URL's path ends in an API version such as /v2.
func isVersionPath(path string) bool {
	last := path[strings.LastIndex(path, "/")+1:]
	return len(last) >= 2 && (last[0] == 'v' || last[0] == 'V') && strings.Trim(last[1:], "0123456789") == ""
}
