package capillary

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Option configures a Client when given to NewClient, or one call when given to a service
// method such as CustomersService.Update, where it applies on top of the client's settings for
// that call only (another till's credentials, audit headers, a different retry budget).
type Option func(*settings)

// Defaults applied by NewClient.
const (
	DefaultMaxRetries     = 3
	DefaultRetryWaitMin   = 500 * time.Millisecond
	DefaultRetryWaitMax   = 10 * time.Second
	DefaultAttemptTimeout = 30 * time.Second
)

// settings is everything the options set. A Client holds one, fixed at NewClient; a call
// with options works on a copy.
type settings struct {
	baseURL      string
	allowHTTP    bool
	auth         authenticator     // Basic credentials, or nil
	oauth        *oauthCredentials // OAuth credentials, or nil
	httpClient   *http.Client
	maxRetries   int
	retryWaitMin time.Duration
	retryWaitMax time.Duration
	timeout      time.Duration
	timeoutSet   bool
	logger       *slog.Logger
	userAgent    string
	headers      http.Header // extra headers: user context, attribution, WithHeader

	problems []FieldError // what the options found wrong, reported before any I/O
}

func (s *settings) problem(field, format string, args ...any) {
	s.problems = append(s.problems, FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
}

// setHeader records an extra header after checking that it cannot split the request.
func (s *settings) setHeader(option, name, value string) {
	if !validHeaderValue(value) {
		s.problem(option, "value of %s contains CR, LF or another control character", name)
		return
	}
	if s.headers == nil {
		s.headers = http.Header{}
	}
	if value == "" {
		s.headers.Del(name)
		return
	}
	s.headers.Set(name, value)
}

// WithRegion sends requests to the api host of a vendor cluster.
func WithRegion(r Region) Option {
	return func(s *settings) {
		u := r.BaseURL()
		if u == "" {
			s.problem("WithRegion", "unknown region %q", string(r))
			return
		}
		s.baseURL = u
	}
}

// WithBaseURL sends requests to any base URL: a region's intouch host, a proxy (a path prefix
// is kept), a new cluster, or a test server. It must be https, except for loopback hosts or
// with WithInsecureHTTP. It may not carry a query, a fragment or user info.
func WithBaseURL(rawURL string) Option {
	return func(s *settings) { s.baseURL = rawURL }
}

// WithInsecureHTTP allows a plain http:// base URL on a host that is not loopback. Credentials
// then cross the network in clear text: use it only inside a trusted network.
func WithInsecureHTTP() Option {
	return func(s *settings) { s.allowHTTP = true }
}

// WithBasicAuth authenticates with a till's id and password using the vendor's Basic scheme,
// Authorization: Basic base64(till ":" md5hex(password)). Only the digest is kept.
func WithBasicAuth(till, password string) Option {
	// The digest is computed now, so that the Option does not hold the password either.
	sum := md5.Sum([]byte(password))
	digest, empty := hex.EncodeToString(sum[:]), password == ""
	return func(s *settings) {
		if empty {
			s.problem("WithBasicAuth", "password is empty")
			return
		}
		s.setBasic("WithBasicAuth", till, digest)
	}
}

// WithBasicAuthDigest is WithBasicAuth for callers who hold only the lower-case MD5 hex digest
// of the till password: the digest is sent as given, lower-cased as the vendor expects.
func WithBasicAuthDigest(till, md5Hex string) Option {
	return func(s *settings) {
		digest := strings.ToLower(md5Hex)
		if _, err := hex.DecodeString(digest); err != nil || len(digest) != 2*md5.Size {
			s.problem("WithBasicAuthDigest", "digest must be 32 hexadecimal characters (an MD5 sum)")
			return
		}
		s.setBasic("WithBasicAuthDigest", till, digest)
	}
}

func (s *settings) setBasic(option, till, digest string) {
	switch {
	case till == "":
		s.problem(option, "till id is empty")
	case strings.ContainsRune(till, ':'):
		s.problem(option, "till id contains ':', which Basic auth cannot carry")
	case !validHeaderValue(till):
		s.problem(option, "till id contains a control character")
	default:
		s.auth, s.oauth = newBasicAuth(till, digest), nil
	}
}

// WithRetries sets how many times a failed attempt is retried (0 disables retrying) and the
// bounds of the exponential backoff between attempts. Transport errors, 429, 500, 502, 503, 504
// and 521 are retried; a Retry-After header is honoured up to maxWait.
func WithRetries(maxRetries int, minWait, maxWait time.Duration) Option {
	return func(s *settings) {
		switch {
		case maxRetries < 0:
			s.problem("WithRetries", "max retries %d is negative", maxRetries)
		case minWait < 0 || maxWait < minWait:
			s.problem("WithRetries", "waits must satisfy 0 <= min (%s) <= max (%s)", minWait, maxWait)
		default:
			s.maxRetries, s.retryWaitMin, s.retryWaitMax = maxRetries, minWait, maxWait
		}
	}
}

// WithHTTPClient sends requests through hc (its Transport, Jar and Timeout). The client is
// copied, not changed: the SDK adds its own redirect policy (credentials never follow a
// redirect to another host) and, unless hc has a Timeout, the per-attempt timeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) {
		if hc == nil {
			s.problem("WithHTTPClient", "client is nil")
			return
		}
		s.httpClient = hc
	}
}

// WithAttemptTimeout bounds each attempt (connect, send, read the whole answer); the default is
// 30 s. The context given to a call bounds the whole call, retries and waits included.
func WithAttemptTimeout(d time.Duration) Option {
	return func(s *settings) {
		if d <= 0 {
			s.problem("WithAttemptTimeout", "timeout %s is not positive", d)
			return
		}
		s.timeout, s.timeoutSet = d, true
	}
}

// WithLogger logs each attempt at debug level and each retry at info level: method, path
// without query, status, attempt, latency, request id. Bodies, queries and credentials are
// never logged. Without it the SDK logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) { s.logger = l }
}

// WithUserAgent appends a product token (such as "pos-sync/1.4") to the SDK's User-Agent.
func WithUserAgent(product string) Option {
	return func(s *settings) {
		if !validHeaderValue(product) {
			s.problem("WithUserAgent", "contains CR, LF or another control character")
			return
		}
		s.userAgent = product
	}
}

// UserContext names who made a change, for the customer's audit log. Empty fields are not sent.
type UserContext struct {
	// EntityType is who made the change, free text such as "ADMIN_USER".
	EntityType string
	// EntityID is that entity's id.
	EntityID string
	// EntitySource is where the change was made: API, IMPORT, CONNECT_PLUS, MEMBER_CARE,
	// REQUEST_WORKFLOW, or another source enabled for the org.
	EntitySource string
	// EntitySourceID is an id tied to that source.
	EntitySourceID string
}

// Header names of the vendor's user-context (audit) and attribution headers.
const (
	HeaderUserContextEntityType     = "USER-CONTEXT-ENTITY-TYPE"
	HeaderUserContextEntityID       = "USER-CONTEXT-ENTITY-ID"
	HeaderUserContextEntitySource   = "USER-CONTEXT-ENTITY-SOURCE"
	HeaderUserContextEntitySourceID = "USER-CONTEXT-ENTITY-SOURCE-ID"
	HeaderAttributionLookupType     = "X-CAP-API-ATTRIBUTION-LOOKUP-TYPE"
	HeaderAttributionLookup         = "X-CAP-API-ATTRIBUTION-LOOKUP"
	HeaderAttributionEntityType     = "X-CAP-API-ATTRIBUTION-ENTITY-TYPE"
	HeaderAttributionEntityCode     = "X-CAP-API-ATTRIBUTION-ENTITY-CODE"
	HeaderOAuthToken                = "X-CAP-API-OAUTH-TOKEN"
	HeaderRequestID                 = "X-Cap-Requestid"
)

// WithUserContext sends the user-context headers that the vendor records in the customer's
// audit log.
func WithUserContext(uc UserContext) Option {
	return func(s *settings) {
		s.setHeader("WithUserContext.EntityType", HeaderUserContextEntityType, uc.EntityType)
		s.setHeader("WithUserContext.EntityID", HeaderUserContextEntityID, uc.EntityID)
		s.setHeader("WithUserContext.EntitySource", HeaderUserContextEntitySource, uc.EntitySource)
		s.setHeader("WithUserContext.EntitySourceID", HeaderUserContextEntitySourceID, uc.EntitySourceID)
	}
}

// WithTillAttribution makes a Basic-auth call act for another till: lookupType and lookup go
// out as X-CAP-API-ATTRIBUTION-LOOKUP-TYPE and X-CAP-API-ATTRIBUTION-LOOKUP (the vendor treats
// the lookup value as case-sensitive, so it is sent as given).
func WithTillAttribution(lookupType, lookup string) Option {
	return func(s *settings) {
		if lookupType == "" || lookup == "" {
			s.problem("WithTillAttribution", "lookup type and lookup value are both required")
			return
		}
		s.setHeader("WithTillAttribution.lookupType", HeaderAttributionLookupType, lookupType)
		s.setHeader("WithTillAttribution.lookup", HeaderAttributionLookup, lookup)
	}
}

// WithHeader sends one more header on every request, for a proxy or tracing. The SDK's own
// headers (credentials, content negotiation) cannot be replaced this way.
func WithHeader(name, value string) Option {
	return func(s *settings) {
		if !validHeaderName(name) {
			s.problem("WithHeader", "%q is not a valid header name", name)
			return
		}
		switch http.CanonicalHeaderKey(name) {
		case "Authorization", http.CanonicalHeaderKey(HeaderOAuthToken), "Content-Type", "Content-Length", "Accept", "Host", "User-Agent":
			s.problem("WithHeader", "%s is set by the SDK", name)
			return
		}
		s.setHeader("WithHeader", name, value)
	}
}

// checkBaseURL parses and vets the base URL: https, or http on loopback or when allowed.
func checkBaseURL(raw string, allowHTTP bool) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("no base URL: use WithRegion or WithBaseURL")
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil {
		// *url.Error quotes the whole URL, user info and password included: keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("base URL is not a valid URL: %w", err)
	}
	switch {
	case u.Host == "":
		return nil, fmt.Errorf("base URL %q has no host", u.Redacted())
	case u.User != nil:
		return nil, fmt.Errorf("base URL must not carry user info: use an auth option")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#"):
		// An empty "?" or "#" counts too: appended to, it would turn the request path into a
		// query or a fragment (or leave a "//" in the path).
		return nil, fmt.Errorf("base URL must not carry a query or fragment")
	case u.Scheme == "https":
	case u.Scheme == "http" && (allowHTTP || isLoopback(u.Hostname())):
	case u.Scheme == "http":
		return nil, fmt.Errorf("base URL %q is plain http on a non-loopback host: use https, or WithInsecureHTTP", u.Redacted())
	default:
		return nil, fmt.Errorf("base URL scheme %q is not http or https", u.Scheme)
	}
	return u, nil
}
