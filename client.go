// Package capillary is a typed client for Capillary's loyalty and CRM API (v2); see the examples.
// Calls validate their arguments before any I/O (*ValidationError), retry what is safe with
// backoff that honours Retry-After, and return *APIError for the server's answers, matched by
// errors.Is against sentinels such as ErrCustomerNotFound. An error whose Uncertain field is true
// may hide an update that was applied: read the customer back. Package capillarytest is a fake
// of the vendor's API on loopback, like net/http/httptest.
package capillary

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
)

// Version is the SDK's version, sent in the User-Agent.
const Version = "0.1.0"

// Client talks to one Capillary cluster with one set of credentials. It is safe for concurrent
// use: make one and share it.
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
		s.problems.add("base URL", "%s", err)
	}
	if s.credential == "" && !slices.ContainsFunc(s.problems, func(p FieldError) bool { return strings.HasPrefix(p.Field, "WithBasicAuth") || p.Field == "WithOAuth" }) {
		s.problems.add("credentials", "none given: use WithBasicAuth, WithBasicAuthDigest or WithOAuth")
	}
	if len(s.problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalidConfig, problemList(s.problems))
	}
	s.header.Set("Content-Type", "application/json")
	s.header.Set("Accept", "application/json")

	c := &Client{baseURL: base.String(), auth: s.auth, queries: &queryCache{}}
	if hc := s.httpClient; hc != nil {
		c.transport, c.jar = cmp.Or[http.RoundTripper](hc.Transport, http.DefaultTransport), hc.Jar
		s.timeout = cmp.Or(s.timeout, max(hc.Timeout, 0))
	}
	s.timeout = cmp.Or(s.timeout, DefaultAttemptTimeout)
	if c.transport == nil { // no WithHTTPClient
		c.transport = newTransport(s.timeout)
	}
	c.defaults = s.callSettings
	if s.oauth != nil {
		c.auth = &tokenSource{creds: s.oauth, client: c, now: time.Now}
	}
	c.Customers = &customersService{client: c}
	return c, nil
}

// newTransport is a client's own pooled transport, with idle connections for many callers.
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

// Format prints the client's endpoint only, whatever the verb: never its credentials.
func (c Client) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprintf(f, "capillary.Client{BaseURL: %q}", c.baseURL)
}

// CloseIdleConnections closes the Client's idle keep-alive connections (a failed call never
// does, as other calls may reuse them): call it before dropping the Client.
func (c *Client) CloseIdleConnections() {
	if ci, ok := c.transport.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// BaseURL returns the base URL requests go to.
func (c *Client) BaseURL() string { return c.baseURL }

// errUserInfo refuses a base URL that carries credentials, without quoting them.
var errUserInfo = errors.New("must not carry user info: use an auth option")

// checkBaseURL parses and vets the base URL: https, or http on loopback or when allowed.
func checkBaseURL(raw string, allowHTTP bool) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("none given: use WithRegion or WithBaseURL")
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	switch schemed := strings.Contains(raw, "://"); {
	case strings.Contains(raw, "@") && (err != nil || !schemed || u.User != nil):
		// Not quoted, nor url.Parse's error: a password with a '/' reads as a port.
		return nil, errUserInfo
	case !schemed:
		return nil, fmt.Errorf("%q has no scheme: write it as https://%s", raw, strings.TrimPrefix(raw, "//"))
	case err != nil:
		return nil, fmt.Errorf("not a valid URL: %w", transportCause(err))
	}
	switch {
	case u.Host == "":
		return nil, fmt.Errorf("%q has no host", u.Redacted())
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#"):
		// An empty "?" or "#" too: it would turn the request path into a query or a fragment.
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

// Region is a Capillary cluster. Both generations of its host names serve the v2 API: BaseURL
// gives the api host, IntouchBaseURL the older intouch host.
type Region string

// The vendor's documented clusters.
const (
	RegionIndia Region = "india" // India / Asia-1
	RegionAsia2 Region = "asia2" // Asia-2 / South-East Asia
	RegionEU    Region = "eu"    // Europe
	RegionUS    Region = "us"    // United States
	RegionChina Region = "china" // China
)

// regions lists the documented clusters; regionHosts, their api and intouch hosts.
var regions = []Region{RegionIndia, RegionAsia2, RegionEU, RegionUS, RegionChina}

var regionHosts = map[Region]struct{ api, intouch string }{
	RegionIndia: {"https://apac.api.capillarytech.com", "https://apac.intouch.capillarytech.com"},
	RegionAsia2: {"https://apac2.api.capillarytech.com", "https://sea.intouch.capillarytech.com"},
	RegionEU:    {"https://eu.api.capillarytech.com", "https://eu.intouch.capillarytech.com"},
	RegionUS:    {"https://us.api.capillarytech.com", "https://ushc.intouch.capillarytech.com"},
	RegionChina: {api: "https://api.capillarytech.cn.com"},
}

// BaseURL is the region's api host as an https URL, or "" for an unknown region. The name is
// matched in any case ("EU" is RegionEU).
func (r Region) BaseURL() string { return regionHosts[Region(strings.ToLower(string(r)))].api }

// IntouchBaseURL is the region's older intouch host as an https URL, for WithBaseURL, or ""
// where the vendor documents none (China) or the region is unknown.
func (r Region) IntouchBaseURL() string {
	return regionHosts[Region(strings.ToLower(string(r)))].intouch
}

// isLoopback reports whether host names this machine, where plain http is allowed.
func isLoopback(host string) bool {
	return strings.EqualFold(host, "localhost") || net.ParseIP(host).IsLoopback()
}
