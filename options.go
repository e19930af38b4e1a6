package capillary

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Option configures one call when given to it (such as Customers.Update), on top of the
// client's settings, or every call when given to NewClient. Every Option is a ClientOption.
type Option func(*callSettings)

// ClientOption configures a Client in NewClient. Options that shape the client itself (cluster,
// credentials, transport) are ClientOptions only, so that a call cannot be given one.
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

// Bounds of WithRetries and WithAttemptTimeout: beyond them a setting is a mistake, not a policy.
const (
	maxRetriesLimit     = 100
	maxRetryWaitLimit   = time.Hour
	maxAttemptTimeLimit = 24 * time.Hour
)

// callSettings is what a call's own options can change, and the problems they found.
type callSettings struct {
	header           http.Header // every header a request carries but the credentials
	maxRetries       int
	waitMin, waitMax time.Duration
	timeout          time.Duration // per attempt
	logger           *slog.Logger
	problems         problems // reported before any I/O
}

type clientSettings struct {
	callSettings
	auth       authenticator     // Basic credentials
	oauth      *oauthCredentials // made the client's token source once the options are read
	credential string            // the option that set the credentials, to refuse another kind
	baseURL    string
	allowHTTP  bool
	httpClient *http.Client
}

// setHeader records an extra header after checking that it cannot split the request.
func (s *callSettings) setHeader(option, name, value string) {
	switch {
	case !validHeaderValue(value):
		s.problems.add(option, "value of %s contains CR, LF or another control character", name)
	case value == "":
		s.header.Del(name)
	default:
		s.header.Set(name, value)
	}
}

// setCredentials records an option's credentials, refusing both kinds (not decided by order).
func (s *clientSettings) setCredentials(option string, auth authenticator, oauth *oauthCredentials) {
	if s.credential != "" && (s.oauth == nil) != (oauth == nil) {
		s.problems.add(option, "conflicts with %s: give Basic or OAuth credentials, not both", s.credential)
		return
	}
	s.credential, s.auth, s.oauth = option, auth, oauth
}

// WithRegion sends requests to the api host of a vendor cluster (any case: "eu" or "EU").
func WithRegion(r Region) ClientOption {
	return clientOption(func(s *clientSettings) {
		if u := r.BaseURL(); u != "" {
			s.baseURL = u
		} else {
			s.problems.add("WithRegion", "unknown region %q; the regions are %s", string(r), listOf(regions))
		}
	})
}

// WithBaseURL sends requests to any base URL: a region's intouch host, a proxy (its path prefix
// is kept), or a test server. It must be https, except on loopback or with WithInsecureHTTP, and
// may not carry a query, a fragment, user info or the API version (/v2), which the SDK adds.
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
	sum := md5.Sum([]byte(password)) // now, so that the option does not hold the password either
	digest, empty := hex.EncodeToString(sum[:]), password == ""
	return clientOption(func(s *clientSettings) {
		if empty {
			s.problems.add("WithBasicAuth", "password is empty")
		}
		s.setBasic("WithBasicAuth", till, digest, !empty)
	})
}

// WithBasicAuthDigest is WithBasicAuth for callers who hold only the MD5 hex digest of the
// till password; it is sent lower-cased, as the vendor expects.
func WithBasicAuthDigest(till, md5Hex string) ClientOption {
	return clientOption(func(s *clientSettings) {
		digest := strings.ToLower(md5Hex)
		_, err := hex.DecodeString(digest)
		ok := err == nil && len(digest) == 2*md5.Size
		if !ok {
			s.problems.add("WithBasicAuthDigest", "digest must be 32 hexadecimal characters (an MD5 sum)")
		}
		s.setBasic("WithBasicAuthDigest", till, digest, ok)
	})
}

// setBasic checks the till id and, when the secret part was fine too, sets the credentials.
func (s *clientSettings) setBasic(option, till, digest string, secretOK bool) {
	switch {
	case till == "":
		s.problems.add(option, "till id is empty")
	case strings.ContainsRune(till, ':'):
		s.problems.add(option, "till id contains ':', which Basic auth cannot carry")
	case !validHeaderValue(till):
		s.problems.add(option, "till id contains a control character")
	case secretOK:
		s.setCredentials(option, newBasicAuth(till, digest), nil)
	}
}

// WithRetries sets how many times a failed attempt is retried (0 to 100) and the bounds of the
// backoff between attempts (at most an hour). Transport errors, 429, 502, 503, 504 and 521 are
// retried (reads: every 5xx); Retry-After is honoured up to maxWait.
func WithRetries(maxRetries int, minWait, maxWait time.Duration) Option {
	return func(s *callSettings) {
		switch {
		case maxRetries < 0 || maxRetries > maxRetriesLimit:
			s.problems.add("WithRetries", "max retries %d is not between 0 and %d", maxRetries, maxRetriesLimit)
		case minWait < 0 || maxWait < minWait || maxWait > maxRetryWaitLimit:
			s.problems.add("WithRetries", "waits must satisfy 0 <= min (%s) <= max (%s) <= %s", minWait, maxWait, maxRetryWaitLimit)
		default:
			s.maxRetries, s.waitMin, s.waitMax = maxRetries, minWait, maxWait
		}
	}
}

// WithHTTPClient sends requests through hc's Transport and Jar. hc is not changed; its
// Timeout, when set, becomes the default attempt timeout. Redirects are never followed.
func WithHTTPClient(hc *http.Client) ClientOption {
	return clientOption(func(s *clientSettings) {
		if s.httpClient = hc; hc == nil {
			s.problems.add("WithHTTPClient", "client is nil")
		}
	})
}

// WithAttemptTimeout bounds each attempt (connect, send, read the whole answer); the default is
// 30 s. The context given to a call bounds the whole call, retries and waits included.
func WithAttemptTimeout(d time.Duration) Option {
	return func(s *callSettings) {
		if d <= 0 || d > maxAttemptTimeLimit {
			s.problems.add("WithAttemptTimeout", "timeout %s is not between 0 and %s", d, maxAttemptTimeLimit)
			return
		}
		s.timeout = d
	}
}

// WithLogger logs each attempt at debug level and each retry at info level: method, path
// without query, status, attempt, latency, request id. Bodies, queries and credentials are
// never logged. Without it the SDK logs nothing; given to a call, it logs that call.
func WithLogger(l *slog.Logger) Option {
	return func(s *callSettings) { s.logger = l }
}

// WithUserAgent appends a product token (such as "pos-sync/1.4") to the SDK's User-Agent.
func WithUserAgent(product string) Option {
	return func(s *callSettings) {
		if !validHeaderValue(product) {
			s.problems.add("WithUserAgent", "contains CR, LF or another control character")
			return
		}
		s.header.Set("User-Agent", userAgent(product))
	}
}

func userAgent(product string) string {
	ua := "capillary-go/" + Version + " (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if product != "" {
		ua += " " + product
	}
	return ua
}

// UserContext names who made a change, for the customer's audit log. Empty fields are not sent.
type UserContext struct {
	EntityType     string // who made the change, free text such as "ADMIN_USER"
	EntityID       string // that entity's id
	EntitySource   string // where: API, IMPORT, CONNECT_PLUS, MEMBER_CARE, REQUEST_WORKFLOW, or another enabled source
	EntitySourceID string // an id tied to that source
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
			s.problems.add("WithTillAttribution", "lookup type and lookup value are both required")
			return
		}
		s.setHeader("WithTillAttribution.lookupType", "X-CAP-API-ATTRIBUTION-LOOKUP-TYPE", lookupType)
		s.setHeader("WithTillAttribution.lookup", "X-CAP-API-ATTRIBUTION-LOOKUP", lookup)
	}
}

// ownedHeaders are set by the SDK or net/http: replacing one would break the call or its auth.
var ownedHeaders = []string{
	"Accept", "Accept-Encoding", "Authorization", "Connection", "Content-Encoding", "Content-Length", "Content-Type",
	"Cookie", "Expect", "Host", "Keep-Alive", "Proxy-Authorization", "Proxy-Connection", "Te",
	"Trailer", "Transfer-Encoding", "Upgrade", "User-Agent", http.CanonicalHeaderKey(headerOAuthToken),
}

// WithHeader sends one more header on every request, for a proxy or tracing. The headers that
// the SDK or the transport own (credentials, content negotiation, framing) are refused.
func WithHeader(name, value string) Option {
	return func(s *callSettings) {
		switch {
		case !validHeaderName(name):
			s.problems.add("WithHeader", "%q is not a valid header name", name)
		case slices.Contains(ownedHeaders, http.CanonicalHeaderKey(name)):
			s.problems.add("WithHeader", "%s is set by the SDK or its transport", name)
		default:
			s.setHeader("WithHeader", name, value)
		}
	}
}

// validHeaderValue reports whether v holds no control character but tab (no split request).
func validHeaderValue(v string) bool {
	return !strings.ContainsFunc(v, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f })
}

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool {
	return name != "" && !strings.ContainsFunc(name, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r))
	})
}

// OptionsFromEnv returns the options that getenv (os.Getenv) names: CAPILLARY_BASE_URL or
// CAPILLARY_REGION, then CAPILLARY_OAUTH_KEY and CAPILLARY_OAUTH_SECRET, or CAPILLARY_TILL and
// CAPILLARY_PASSWORD. A missing, half-given or malformed variable is an error that names it.
func OptionsFromEnv(getenv func(string) string) ([]ClientOption, error) {
	var where ClientOption
	switch baseURL, region := getenv("CAPILLARY_BASE_URL"), getenv("CAPILLARY_REGION"); {
	case baseURL != "":
		u, err := checkBaseURL(baseURL, true)
		switch {
		case errors.Is(err, errUserInfo):
			return nil, errors.New("CAPILLARY_BASE_URL must not carry user info: set CAPILLARY_TILL and CAPILLARY_PASSWORD, or CAPILLARY_OAUTH_KEY and CAPILLARY_OAUTH_SECRET")
		case err != nil:
			return nil, fmt.Errorf("CAPILLARY_BASE_URL: %w", err)
		case u.Scheme == "http" && !isLoopback(u.Hostname()):
			return nil, fmt.Errorf("CAPILLARY_BASE_URL %q is plain http on a host that is not this machine: use https", u.Redacted())
		}
		where = WithBaseURL(baseURL)
	case region != "":
		if Region(region).BaseURL() == "" {
			return nil, fmt.Errorf("CAPILLARY_REGION %q is not a region: use one of %s", region, listOf(regions))
		}
		where = WithRegion(Region(region))
	default:
		return nil, errors.New("set CAPILLARY_BASE_URL or CAPILLARY_REGION to say which cluster to call")
	}
	pairs := []struct {
		first, second string
		option        func(string, string) ClientOption
	}{{"CAPILLARY_OAUTH_KEY", "CAPILLARY_OAUTH_SECRET", WithOAuth}, {"CAPILLARY_TILL", "CAPILLARY_PASSWORD", WithBasicAuth}}
	for _, p := range pairs { // a half given is named here: NewClient would name its option
		switch first, second := getenv(p.first), getenv(p.second); {
		case first != "" && second != "":
			return []ClientOption{where, p.option(first, second)}, nil
		case first != "":
			return nil, fmt.Errorf("%s is set but %s is empty: set both", p.first, p.second)
		}
	}
	for _, p := range slices.Backward(pairs) {
		if getenv(p.second) != "" {
			return nil, fmt.Errorf("%s is set but %s is empty: set both", p.second, p.first)
		}
	}
	return nil, errors.New("set CAPILLARY_TILL and CAPILLARY_PASSWORD, or CAPILLARY_OAUTH_KEY and CAPILLARY_OAUTH_SECRET")
}
