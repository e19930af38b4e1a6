package capillary

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Version is the SDK's version, sent in the User-Agent.
const Version = "0.1.0"

// Client talks to one Capillary cluster with one set of credentials. It is safe for concurrent
// use by many goroutines; make one and share it.
type Client struct {
	// Customers reads and updates customers.
	Customers CustomersAPI

	baseURL   string            // without a trailing slash
	transport http.RoundTripper // shared by every call: its keep-alive connections make calls cheap
	jar       http.CookieJar    // WithHTTPClient's, if any
	auth      authenticator
	defaults  callSettings // what a call without options uses
	queries   *queryCache
}

// NewClient makes a Client. A base URL (WithRegion or WithBaseURL) and credentials
// (WithBasicAuth, WithBasicAuthDigest or WithOAuth) are required. A bad option is reported
// as an error matching ErrInvalidConfig.
func NewClient(opts ...ClientOption) (*Client, error) {
	s := clientSettings{callSettings: callSettings{
		header:     http.Header{"User-Agent": {userAgent("")}},
		maxRetries: DefaultMaxRetries,
		waitMin:    DefaultRetryWaitMin,
		waitMax:    DefaultRetryWaitMax,
	}}
	for _, opt := range opts {
		if opt != nil {
			opt.applyToClient(&s)
		}
	}
	base, err := checkBaseURL(s.baseURL, s.allowHTTP)
	if err != nil {
		s.problem("base URL", "%s", err)
	}
	if s.credential == "" && !slices.ContainsFunc(s.problems, func(p FieldError) bool { return strings.HasPrefix(p.Field, "WithBasicAuth") || p.Field == "WithOAuth" }) {
		s.problem("credentials", "none given: use WithBasicAuth, WithBasicAuthDigest or WithOAuth")
	}
	if len(s.problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalidConfig, problemList(s.problems))
	}
	s.header.Set("Content-Type", "application/json")
	s.header.Set("Accept", "application/json")

	c := &Client{baseURL: base.String(), auth: s.auth, queries: &queryCache{}}
	if hc := s.httpClient; hc != nil {
		c.transport, c.jar = hc.Transport, hc.Jar
		if s.timeout == 0 && hc.Timeout > 0 {
			s.timeout = hc.Timeout
		}
	}
	if s.timeout == 0 {
		s.timeout = DefaultAttemptTimeout
	}
	switch {
	case s.httpClient == nil:
		c.transport = newTransport(s.timeout)
	case c.transport == nil:
		c.transport = http.DefaultTransport
	}
	c.defaults = s.callSettings
	if s.oauth != nil {
		c.auth = newTokenSource(s.oauth, c)
	}
	c.Customers = &customersService{client: c}
	return c, nil
}

// settingsFor returns the settings of one call: the client's, with opts applied on a copy.
func (c *Client) settingsFor(opts []Option) *callSettings {
	if len(opts) == 0 {
		return &c.defaults
	}
	s := c.defaults
	s.header = c.defaults.header.Clone()
	for _, opt := range opts {
		if opt != nil {
			opt(&s)
		}
	}
	return &s
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
	if ci, ok := c.transport.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
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
