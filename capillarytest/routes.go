package capillarytest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// endpoint is a set of the endpoints the fake serves, one bit each, so that a rule row can
// name those it applies to.
type endpoint uint

const (
	putByID endpoint = 1 << iota
	putByLookup
	getByID
	getDetails
	getID
	postToken

	updates     = putByID | putByLookup
	lookupReads = getDetails | getID
	reads       = getByID | lookupReads
	lookups     = putByLookup | lookupReads
	customers   = updates | reads // the calls about one stored customer
	v2          = customers       // the calls that need v2 credentials
	writes      = updates | postToken
)

// route is one endpoint: its method, its path ({userId} matches one path segment), and the
// answer it gives once the request rows of the rule table have passed.
type route struct {
	id     endpoint
	method string
	path   string
	answer func(s *Server, c *call) answer
}

// routes lists the endpoints; a path without {userId} is matched before one with it.
func routes() []route {
	return []route{
		{putByLookup, http.MethodPut, "/v2/customers/lookup", (*Server).update},
		{getDetails, http.MethodGet, "/v2/customers/lookup/customerDetails", (*Server).read},
		{getID, http.MethodGet, "/v2/customers/lookup", (*Server).lookupID},
		{putByID, http.MethodPut, "/v2/customers/{userId}", (*Server).update},
		{getByID, http.MethodGet, "/v2/customers/{userId}", (*Server).read},
		{postToken, http.MethodPost, tokenPath, (*Server).generateToken},
	}
}

// tokenPath is the vendor's OAuth token endpoint.
const tokenPath = "/v3/oauth/token/generate"

// String names the endpoints of e, as the vendor's rate limits name them: "PUT /v2/customers/{userId}".
func (e endpoint) String() string {
	var names []string
	for _, rt := range routes() {
		if e&rt.id != 0 {
			names = append(names, rt.method+" "+rt.path)
		}
	}
	return strings.Join(names, ", ")
}

// match finds the route of a request. allow lists the methods its path takes; a nil route
// with an empty allow is a path the fake does not serve.
func match(r *http.Request) (rt *route, userID, allow string) {
	path := r.URL.EscapedPath()
	all := routes()
	for _, wildcard := range []bool{false, true} {
		var methods []string
		for i := range all {
			id, ok := matchPath(all[i].path, path)
			if !ok || strings.Contains(all[i].path, "{") != wildcard {
				continue
			}
			methods = append(methods, all[i].method)
			if all[i].method == r.Method {
				rt, userID = &all[i], id
			}
		}
		if len(methods) > 0 {
			slices.Sort(methods)
			return rt, userID, strings.Join(methods, ", ")
		}
	}
	return nil, "", ""
}

// matchPath matches an escaped path against a pattern; {userId} takes one unescaped segment.
func matchPath(pattern, path string) (userID string, ok bool) {
	prefix, wild := strings.CutSuffix(pattern, "{userId}")
	if !wild {
		return "", pattern == path
	}
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", false
	}
	id, err := url.PathUnescape(rest)
	return id, err == nil
}

// call is one request on its way through the rule table, and what the rows found.
type call struct {
	s        *Server
	r        *http.Request
	q        url.Values
	endpoint endpoint
	userID   string // the path's, or the one a lookup found
	notFound string // what 8015 says when no customer is found
	tooLarge bool
	who      principal
	now      time.Time

	doc     map[string]any // the token generation body
	patch   *updatePatch   // the update body as far as it could be read; never nil on updates
	shape   []string       // what is wrong with the body's shape
	account accountRef     // the query's source account
	keys    []Identifier   // a lookup's identifiers
	cust    *Customer      // the stored customer, once found (a copy that an update changes)

	rule        *rule
	status      int // of the first refusal
	errs        []message
	warnings    []message
	injected    []message // the warnings of an AddWarnings fault, for a success
	sideEffects []any
}

// serve answers a request for a route: the request rows, then the route's answer, which runs
// the customer rows.
func (s *Server) serve(r *http.Request, rt *route, userID string, body []byte, tooLarge bool, warnings []int) (answer, principal) {
	c := &call{s: s, r: r, q: r.URL.Query(), endpoint: rt.id, userID: userID, tooLarge: tooLarge, now: s.cfg.now(),
		notFound: "no customer has user id " + strconv.Quote(userID)}
	switch {
	case rt.id&updates != 0:
		c.patch, c.shape = decodeUpdate(body)
	case rt.id == postToken:
		c.shape = c.decodeToken(body)
	}
	if rt.id&customers != 0 {
		c.resolveAccounts()
	}
	if rt.id&lookups != 0 {
		c.keys = lookupKeys(c.q)
	}
	s.check(c, false)
	if len(c.errs) > 0 {
		return c.refusal(), c.who
	}
	for _, code := range warnings {
		c.injected = append(c.injected, message{Code: code, Message: vendorText(s.rules, code) + ": added by a Fault"})
	}
	a := rt.answer(s, c)
	if len(c.errs) > 0 {
		return c.refusal(), c.who
	}
	return a, c.who
}

// successWarnings are the warnings of a successful answer: the rows' and a Fault's.
func (c *call) successWarnings() []message { return orNone(slices.Concat(c.warnings, c.injected)) }

// refusal is the answer to a refused call: the vendor's envelope of the errors found.
func (c *call) refusal() answer {
	if c.endpoint == postToken {
		return jsonAnswer(c.status, oauthErrorEnvelope{Errors: c.errs})
	}
	return jsonAnswer(c.status, errorEnvelope{Warnings: orNone(c.warnings), Errors: c.errs})
}
