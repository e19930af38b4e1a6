package capillarytest

import (
	"crypto/subtle"
	"encoding/base64"
	"strings"
)

// principal is who a request authenticated as.
type principal struct {
	scheme string // "basic" or "oauth"
	name   string // till id or OAuth client key
}

// checkAuth checks a v2 request's credentials the way the vendor does: an
// X-CAP-API-OAUTH-TOKEN header, when present, must hold a live token (the Authorization header
// is then ignored); otherwise Authorization must be Basic base64(till ":" md5hex(password)).
// The refusal says what was wrong, which the vendor does not, because the fake's job is to
// help find the mistake; it never repeats a credential.
func checkAuth(c *call) {
	h := c.r.Header
	if tokens := h.Values(headerOAuthToken); len(tokens) > 0 {
		if len(tokens) > 1 {
			c.refuse("more than one " + headerOAuthToken + " header")
			return
		}
		switch key, state := c.s.tokens.check(tokens[0], c.now); state {
		case tokenExpired:
			c.refuse("the OAuth token has expired; generate a new one")
		case tokenUnknown:
			c.refuse("the OAuth token is not one this server issued (or it was revoked)")
		default:
			c.who = principal{scheme: "oauth", name: key}
		}
		return
	}
	auth := h.Get("Authorization")
	if auth == "" {
		c.refuse("no credentials: send Authorization: Basic base64(till:md5hex(password)) or " + headerOAuthToken)
		return
	}
	scheme, encoded, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(scheme, "Basic") {
		c.refuse("the Authorization scheme is not Basic")
		return
	}
	decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		c.refuse("the Basic credentials are not standard base64")
		return
	}
	till, digest, ok := strings.Cut(string(decoded), ":")
	if !ok {
		c.refuse("the Basic credentials have no ':' between till and password digest")
		return
	}
	want, known := c.s.cfg.tills[till]
	switch {
	case !known:
		c.refuse("unknown till or wrong password")
	case subtle.ConstantTimeCompare([]byte(digest), []byte(want)) == 1:
		c.who = principal{scheme: "basic", name: till}
	case strings.ToLower(digest) == want:
		c.refuse("the password digest must be lower-case hex")
	case md5Hex(digest) == want:
		c.refuse("the password was sent in plain text; send its lower-case MD5 hex digest")
	default:
		c.refuse("unknown till or wrong password")
	}
}

// checkAttribution checks X-CAP-API-ATTRIBUTION-ENTITY-TYPE on an OAuth call.
func checkAttribution(c *call) {
	if et := c.r.Header.Get(headerAttributionEntityType); c.who.scheme == "oauth" && et != "" && !listed(attributionList, et) {
		c.refuse("%s must be one of %s", headerAttributionEntityType, attributionList)
	}
}
