package capillarytest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// The credentials a server accepts unless options replace them. They are fixed, public test
// values: never reuse them, or real ones, for anything else.
const (
	// DefaultTill is the till id accepted with Basic auth.
	DefaultTill = "fake.till"
	// DefaultPassword is DefaultTill's password (sent as its MD5 hex digest, as the vendor wants).
	DefaultPassword = "fake-till-password"
	// DefaultOAuthKey is the OAuth client key accepted by /v3/oauth/token/generate.
	DefaultOAuthKey = "fake-oauth-key"
	// DefaultOAuthSecret is DefaultOAuthKey's secret.
	DefaultOAuthSecret = "fake-oauth-secret"
	// DefaultTokenTTL is how long an OAuth token lives, as in the vendor's sample (ttlSeconds 300).
	DefaultTokenTTL = 300 * time.Second
)

// Option configures a Server; give options to NewServer or NewUnstartedServer. A bad option
// (an empty till, an unknown source) makes them panic, as a mistake in a test's setup.
type Option func(*config)

// config is what the options set, fixed when the server is made.
type config struct {
	tills             map[string]string // till id -> lower-case MD5 hex digest of its password
	oauthClients      map[string]string // key -> secret
	tokenTTL          time.Duration
	now               func() time.Time
	accounts          map[string]map[string]bool // source -> its account ids
	seed              []Customer
	primaryIdentifier string
	programs          map[int64]bool // nil: every positive program id exists
	extendedFields    fieldSet       // nil: every key is accepted
	dualEligibility   bool
	rateLimit         int // requests per rateLimitPer and API; 0: none
	rateLimitPer      time.Duration
	latency           time.Duration
	faultFraction     float64
	faultSeed         uint64
	maxRecorded       int // 0: keep every request
	maxBodyBytes      int64
	logger            *slog.Logger

	problems []string
}

func (c *config) problem(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// newConfig applies the options over the defaults.
func newConfig(opts []Option) (*config, error) {
	c := &config{
		tokenTTL:          DefaultTokenTTL,
		now:               time.Now,
		accounts:          map[string]map[string]bool{},
		primaryIdentifier: "mobile",
		maxBodyBytes:      1 << 20, // the vendor's bodies are a few kilobytes
	}
	for _, opt := range opts {
		if opt != nil {
			opt(c)
		}
	}
	if c.tills == nil {
		c.tills = map[string]string{DefaultTill: md5Hex(DefaultPassword)}
	}
	if c.oauthClients == nil {
		c.oauthClients = map[string]string{DefaultOAuthKey: DefaultOAuthSecret}
	}
	for _, cust := range c.seed {
		if err := cust.Validate(); err != nil {
			c.problem("WithCustomers: %v", err)
		}
	}
	if len(c.problems) > 0 {
		return nil, fmt.Errorf("capillarytest: bad options: %s", strings.Join(c.problems, "; "))
	}
	return c, nil
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// WithTill makes the server accept Basic auth for a till and its password (the client sends
// the password's lower-case MD5 hex digest). Given once or more, it replaces DefaultTill.
func WithTill(till, password string) Option {
	return func(c *config) {
		switch {
		case till == "" || password == "":
			c.problem("WithTill: till and password must not be empty")
		case strings.ContainsRune(till, ':'):
			c.problem("WithTill: till %q contains ':', which Basic auth cannot carry", till)
		default:
			if c.tills == nil {
				c.tills = map[string]string{}
			}
			c.tills[till] = md5Hex(password)
		}
	}
}

// WithOAuthClient makes /v3/oauth/token/generate accept a key and its secret. Given once or
// more, it replaces DefaultOAuthKey.
func WithOAuthClient(key, secret string) Option {
	return func(c *config) {
		if key == "" || secret == "" {
			c.problem("WithOAuthClient: key and secret must not be empty")
			return
		}
		if c.oauthClients == nil {
			c.oauthClients = map[string]string{}
		}
		c.oauthClients[key] = secret
	}
}

// WithTokenTTL sets how long an OAuth token is accepted after it is generated, as measured by
// the server's clock (see WithClock). The answer's ttlSeconds is d in whole seconds, at least 1.
func WithTokenTTL(d time.Duration) Option {
	return func(c *config) {
		if d < time.Second {
			c.problem("WithTokenTTL: %s is shorter than one second", d)
			return
		}
		c.tokenTTL = d
	}
}

// WithClock makes the server read the time from now, for OAuth token expiry: tests pass
// (*ManualClock).Now and advance it instead of sleeping. Fault latency is real time.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			c.problem("WithClock: now is nil")
			return
		}
		c.now = now
	}
}

// WithSourceAccounts declares the accounts a source has. An update naming another accountId
// for the source is refused with 3217; an update on a multi-account source (WECHAT, FACEBOOK,
// MOBILE_APP, LINE, WEB_ENGAGE) without accountId is refused with 8045. A source without
// declared accounts has none, so any accountId given with it is refused with 3217. Seeding a
// customer on an account declares that account too.
func WithSourceAccounts(source string, accountIDs ...string) Option {
	return func(c *config) {
		if !validSource(source) {
			c.problem("WithSourceAccounts: %q is not a source the update accepts", source)
			return
		}
		for _, id := range accountIDs {
			if id == "" {
				c.problem("WithSourceAccounts: %s: empty account id", source)
				return
			}
		}
		c.addAccounts(source, accountIDs...)
	}
}

func (c *config) addAccounts(source string, accountIDs ...string) {
	if c.accounts[source] == nil {
		c.accounts[source] = map[string]bool{}
	}
	for _, id := range accountIDs {
		if id != "" {
			c.accounts[source][id] = true
		}
	}
}

// WithCustomers seeds the server with customers, as AddCustomer does after it is made.
func WithCustomers(customers ...Customer) Option {
	return func(c *config) { c.seed = append(c.seed, customers...) }
}

// WithPrimaryIdentifier sets the identifier type that is the org's primary identifier (its
// registration primary key): "mobile" (the default), "email" or "externalId". An update that
// would change its value has that change left out with the warning 91005 (91006 for another
// identifier). With WithDualEligibility, a lookup by several identifiers goes by this one.
func WithPrimaryIdentifier(identifierType string) Option {
	return func(c *config) {
		if !validPrimaryKey(identifierType) {
			c.problem("WithPrimaryIdentifier: %q is not mobile, email or externalId", identifierType)
			return
		}
		c.primaryIdentifier = identifierType
	}
}

// WithDualEligibility switches on the vendor's Dual Eligibility: an update on INSTORE may
// change the mobile and email channels of the INSTORE profile (no 91005/91006 for them), and
// a lookup may name several identifiers, comma-separated, of which the primary one decides.
func WithDualEligibility() Option {
	return func(c *config) { c.dualEligibility = true }
}

// WithExtendedFields declares the org's extended fields and their types: an update that sets
// another key, or a value not of the field's type, has that field left out with the warning
// 91015, the rest applied. Without it every key and scalar value is accepted.
func WithExtendedFields(fields ...Field) Option {
	return func(c *config) { c.declareFields(fields) }
}

// WithPrograms declares the org's loyalty programs: an enrolment into another program is then
// refused with 10002. Without it every positive program id exists.
func WithPrograms(programIDs ...int64) Option {
	return func(c *config) {
		if c.programs == nil {
			c.programs = map[int64]bool{}
		}
		for _, id := range programIDs {
			if id <= 0 {
				c.problem("WithPrograms: program id %d is not positive", id)
				continue
			}
			c.programs[id] = true
		}
	}
}

// WithRateLimit answers 429, with the vendor's envelope and a Retry-After in whole seconds,
// to a request beyond n in any span of per (by the server's clock, see WithClock) to the same
// API, as the vendor limits each API per minute. Refused requests do not count against the
// limit. The vendor documents neither the body nor the header of its 429: a client must not
// depend on them.
func WithRateLimit(n int, per time.Duration) Option {
	return func(c *config) {
		if n <= 0 || per <= 0 {
			c.problem("WithRateLimit: %d per %s is not a positive rate", n, per)
			return
		}
		c.rateLimit, c.rateLimitPer = n, per
	}
}

// WithLatency holds every answer for d (in real time; a client that gives up, or a server that
// closes, ends the wait), as a remote server's round trip would.
func WithLatency(d time.Duration) Option {
	return func(c *config) {
		if d < 0 {
			c.problem("WithLatency: %s is negative", d)
			return
		}
		c.latency = d
	}
}

// WithRandomFaults gives a fraction (0 to 1) of the update requests that no injected fault
// matches a random fault: 429 (Retry-After 1), 521, or a connection dropped after the update
// was applied, each as likely. seed fixes the draw, so a run can be repeated.
func WithRandomFaults(fraction float64, seed uint64) Option {
	return func(c *config) {
		if !(fraction >= 0 && fraction <= 1) {
			c.problem("WithRandomFaults: fraction %v is not between 0 and 1", fraction)
			return
		}
		c.faultFraction, c.faultSeed = fraction, seed
	}
}

// WithMaxRecordedRequests keeps only the last n requests for Requests, for a long-running
// server. The default, 0, keeps them all.
func WithMaxRecordedRequests(n int) Option {
	return func(c *config) {
		if n < 0 {
			c.problem("WithMaxRecordedRequests: %d is negative", n)
			return
		}
		c.maxRecorded = n
	}
}

// WithLogger logs one line per request at info level: method, path, status, request id, fault.
// Credentials, queries and bodies are never logged. Without it the server logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}
