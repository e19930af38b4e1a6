package capillary

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"time"
)

// Option configures one call when given to it (such as Customers.Update), on top of the
// client's settings, or every call when given to NewClient. Every Option is a ClientOption.
type Option func(*callSettings)

// ClientOption configures a Client: it is given to NewClient. The options that shape the client
// itself (its cluster, credentials and transport) are ClientOptions only, so that a call cannot
// be given one.
type ClientOption interface {
	applyToClient(*clientSettings)
}

func (o Option) applyToClient(s *clientSettings) {
	if o != nil {
		o(&s.callSettings)
	}
}

// clientOption is a ClientOption that is not an Option.
type clientOption func(*clientSettings)

func (o clientOption) applyToClient(s *clientSettings) { o(s) }

// Defaults applied by NewClient.
const (
	DefaultMaxRetries     = 3
	DefaultRetryWaitMin   = 500 * time.Millisecond
	DefaultRetryWaitMax   = 10 * time.Second
	DefaultAttemptTimeout = 30 * time.Second
)

// Bounds of what WithRetries and WithAttemptTimeout accept: beyond them a setting is a mistake,
// not a policy.
const (
	maxRetriesLimit     = 100
	maxRetryWaitLimit   = time.Hour
	maxAttemptTimeLimit = 24 * time.Hour
)

// callSettings is what a call can change with its own options, and the problems its options
// found, reported before any I/O.
type callSettings struct {
	header     http.Header // every header a request carries but the credentials
	maxRetries int
	waitMin    time.Duration
	waitMax    time.Duration
	timeout    time.Duration // per attempt
	logger     *slog.Logger
	problems   []FieldError
}

// clientSettings is what NewClient's options write.
type clientSettings struct {
	callSettings
	auth       authenticator     // Basic credentials
	oauth      *oauthCredentials // turned into the client's token source once the options are read
	credential string            // the option that set the credentials, to refuse another kind
	baseURL    string
	allowHTTP  bool
	httpClient *http.Client
}

func (s *callSettings) problem(field, format string, args ...any) {
	s.problems = append(s.problems, FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
}

// setHeader records an extra header after checking that it cannot split the request.
func (s *callSettings) setHeader(option, name, value string) {
	if !validHeaderValue(value) {
		s.problem(option, "value of %s contains CR, LF or another control character", name)
		return
	}
	if value == "" {
		s.header.Del(name)
		return
	}
	s.header.Set(name, value)
}

// setCredentials records the credentials of one option; a second credential option of another
// kind is a mistake that would otherwise be decided silently by the order of the options.
func (s *clientSettings) setCredentials(option string, auth authenticator, oauth *oauthCredentials) {
	if s.credential != "" && (s.oauth == nil) != (oauth == nil) {
		s.problem(option, "conflicts with %s: give Basic or OAuth credentials, not both", s.credential)
		return
	}
	s.credential, s.auth, s.oauth = option, auth, oauth
}

// WithRegion sends requests to the api host of a vendor cluster (any case: "eu" or "EU").
func WithRegion(r Region) ClientOption {
	return clientOption(func(s *clientSettings) {
		u := r.BaseURL()
		if u == "" {
			s.problem("WithRegion", "unknown region %q; the regions are %s", string(r), listOf(regions))
			return
		}
		s.baseURL = u
	})
}

// WithBaseURL sends requests to any base URL: a region's intouch host, a proxy (a path prefix
// is kept), a new cluster, or a test server. It must be https, except for loopback hosts or
// with WithInsecureHTTP. It may not carry a query, a fragment, user info or the API version
// (/v2), which the SDK adds.
func WithBaseURL(rawURL string) ClientOption {
	return clientOption(func(s *clientSettings) { s.baseURL = rawURL })
}

// WithInsecureHTTP allows a plain http:// base URL on a host that is not loopback. Credentials
// then cross the network in clear text: use it only inside a trusted network.
func WithInsecureHTTP() ClientOption {
	return clientOption(func(s *clientSettings) { s.allowHTTP = true })
}

// WithBasicAuth authenticates with a till's id and password using the vendor's Basic scheme,
// Authorization: Basic base64(till ":" md5hex(password)). Only the digest is kept.
func WithBasicAuth(till, password string) ClientOption {
	// The digest is computed now, so that the Option does not hold the password either.
	sum := md5.Sum([]byte(password))
	digest, empty := hex.EncodeToString(sum[:]), password == ""
	return clientOption(func(s *clientSettings) {
		if empty {
			s.problem("WithBasicAuth", "password is empty")
		}
		s.setBasic("WithBasicAuth", till, digest, !empty)
	})
}

// WithBasicAuthDigest is WithBasicAuth for callers who hold only the MD5 hex digest of the
// till password; it is sent lower-cased, as the vendor expects.
func WithBasicAuthDigest(till, md5Hex string) ClientOption {
	return clientOption(func(s *clientSettings) {
		digest := strings.ToLower(md5Hex)
		ok := len(digest) == 2*md5.Size
		if _, err := hex.DecodeString(digest); err != nil || !ok {
			s.problem("WithBasicAuthDigest", "digest must be 32 hexadecimal characters (an MD5 sum)")
			ok = false
		}
		s.setBasic("WithBasicAuthDigest", till, digest, ok)
	})
}

// setBasic checks the till id and, when the secret part was fine too, sets the credentials.
func (s *clientSettings) setBasic(option, till, digest string, secretOK bool) {
	switch {
	case till == "":
		s.problem(option, "till id is empty")
	case strings.ContainsRune(till, ':'):
		s.problem(option, "till id contains ':', which Basic auth cannot carry")
	case !validHeaderValue(till):
		s.problem(option, "till id contains a control character")
	case secretOK:
		s.setCredentials(option, newBasicAuth(till, digest), nil)
	}
}

// WithRetries sets how many times a failed attempt is retried (0 disables retrying, at most
// 100) and the bounds of the exponential backoff between attempts (at most an hour).
// Transport errors, 429, 502, 503, 504 and 521 are retried (reads: every 5xx); Retry-After
// is honoured up to maxWait.
func WithRetries(maxRetries int, minWait, maxWait time.Duration) Option {
	return func(s *callSettings) {
		switch {
		case maxRetries < 0 || maxRetries > maxRetriesLimit:
			s.problem("WithRetries", "max retries %d is not between 0 and %d", maxRetries, maxRetriesLimit)
		case minWait < 0 || maxWait < minWait || maxWait > maxRetryWaitLimit:
			s.problem("WithRetries", "waits must satisfy 0 <= min (%s) <= max (%s) <= %s", minWait, maxWait, maxRetryWaitLimit)
		default:
			s.maxRetries, s.waitMin, s.waitMax = maxRetries, minWait, maxWait
		}
	}
}

// WithHTTPClient sends requests through hc's Transport and Jar. hc is not changed; its
// Timeout, when set, becomes the default attempt timeout. Redirects are never followed.
func WithHTTPClient(hc *http.Client) ClientOption {
	return clientOption(func(s *clientSettings) {
		if hc == nil {
			s.problem("WithHTTPClient", "client is nil")
			return
		}
		s.httpClient = hc
	})
}

// WithAttemptTimeout bounds each attempt (connect, send, read the whole answer); the default is
// 30 s. The context given to a call bounds the whole call, retries and waits included.
func WithAttemptTimeout(d time.Duration) Option {
	return func(s *callSettings) {
		if d <= 0 || d > maxAttemptTimeLimit {
			s.problem("WithAttemptTimeout", "timeout %s is not between 0 and %s", d, maxAttemptTimeLimit)
			return
		}
		s.timeout = d
	}
}

// WithLogger logs each attempt at debug level and each retry at info level: method, path
// without query, status, attempt, latency, request id. Bodies, queries and credentials are
// never logged. Without it the SDK logs nothing; given to a call, it logs that call.
func WithLogger(l *slog.Logger) Option {
	return func(s *callSettings) {
		s.logger = l
	}
}

// WithUserAgent appends a product token (such as "pos-sync/1.4") to the SDK's User-Agent.
func WithUserAgent(product string) Option {
	return func(s *callSettings) {
		if !validHeaderValue(product) {
			s.problem("WithUserAgent", "contains CR, LF or another control character")
			return
		}
		s.header.Set("User-Agent", userAgent(product))
	}
}

// userAgent is the SDK's User-Agent, with a product token appended when there is one.
func userAgent(product string) string {
	ua := "capillary-go/" + Version + " (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if product != "" {
		ua += " " + product
	}
	return ua
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

// WithUserContext sends the user-context headers that the vendor records in the customer's
// audit log. On a call it replaces the client's user context as a whole.
func WithUserContext(uc UserContext) Option {
	return func(s *callSettings) {
		s.setHeader("WithUserContext.EntityType", "USER-CONTEXT-ENTITY-TYPE", uc.EntityType)
		s.setHeader("WithUserContext.EntityID", "USER-CONTEXT-ENTITY-ID", uc.EntityID)
		s.setHeader("WithUserContext.EntitySource", "USER-CONTEXT-ENTITY-SOURCE", uc.EntitySource)
		s.setHeader("WithUserContext.EntitySourceID", "USER-CONTEXT-ENTITY-SOURCE-ID", uc.EntitySourceID)
	}
}

// WithTillAttribution makes a Basic-auth call act for another till: lookupType and lookup go
// out as X-CAP-API-ATTRIBUTION-LOOKUP-TYPE and X-CAP-API-ATTRIBUTION-LOOKUP (the vendor treats
// the lookup value as case-sensitive, so it is sent as given).
func WithTillAttribution(lookupType, lookup string) Option {
	return func(s *callSettings) {
		if lookupType == "" || lookup == "" {
			s.problem("WithTillAttribution", "lookup type and lookup value are both required")
			return
		}
		s.setHeader("WithTillAttribution.lookupType", "X-CAP-API-ATTRIBUTION-LOOKUP-TYPE", lookupType)
		s.setHeader("WithTillAttribution.lookup", "X-CAP-API-ATTRIBUTION-LOOKUP", lookup)
	}
}

// ownedHeaders are set by the SDK or by net/http's transport; replacing one would break the
// call (Accept-Encoding switches off transparent decompression) or its credentials.
var ownedHeaders = []string{
	"Accept", "Accept-Encoding", "Authorization", "Connection", "Content-Encoding", "Content-Length", "Content-Type",
	"Cookie", "Expect", "Host", "Keep-Alive", "Proxy-Authorization", "Proxy-Connection", "Te",
	"Trailer", "Transfer-Encoding", "Upgrade", "User-Agent", http.CanonicalHeaderKey(headerOAuthToken),
}

// WithHeader sends one more header on every request, for a proxy or tracing. The headers that
// the SDK or the transport own (credentials, content negotiation, framing) are refused.
func WithHeader(name, value string) Option {
	return func(s *callSettings) {
		if !validHeaderName(name) {
			s.problem("WithHeader", "%q is not a valid header name", name)
			return
		}
		for _, owned := range ownedHeaders {
			if http.CanonicalHeaderKey(name) == owned {
				s.problem("WithHeader", "%s is set by the SDK or its transport", name)
				return
			}
		}
		s.setHeader("WithHeader", name, value)
	}
}
