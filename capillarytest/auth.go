package capillarytest

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

// principal is who a request authenticated as.
type principal struct {
	scheme string // "basic" or "oauth"
	name   string // till id or OAuth client key
}

// authenticate checks a v2 request's credentials the way the vendor does: an
// X-CAP-API-OAUTH-TOKEN header, when present, must hold a live token (the Authorization header
// is then ignored); otherwise Authorization must be Basic base64(till ":" md5hex(password)).
// It returns the principal, or the 401 (or 400) answer to send. The refusal says what was
// wrong, which the vendor does not, because the fake's job is to help find the mistake; it
// never repeats a credential.
func (s *Server) authenticate(h http.Header) (principal, *answer) {
	deny := func(detail string) (principal, *answer) {
		a := failure(http.StatusUnauthorized, CodeUnauthorized, detail)
		return principal{}, &a
	}
	if tokens := h.Values(headerOAuthToken); len(tokens) > 0 {
		if len(tokens) > 1 {
			return deny("more than one " + headerOAuthToken + " header")
		}
		key, state := s.tokens.check(tokens[0], s.cfg.now())
		switch state {
		case tokenExpired:
			return deny("the OAuth token has expired; generate a new one")
		case tokenUnknown:
			return deny("the OAuth token is not one this server issued (or it was revoked)")
		}
		if et := h.Get(headerAttributionEntityType); et != "" && !validAttributionEntityType(et) {
			a := failure(http.StatusBadRequest, CodeInvalidInput, headerAttributionEntityType+
				" must be TILL, STORE_CODE, STORE_NAME, STORE_EXTERNAL_ID, STORE_EXTERNAL_ID_1 or STORE_EXTERNAL_ID_2")
			return principal{}, &a
		}
		return principal{scheme: "oauth", name: key}, nil
	}
	auth := h.Get("Authorization")
	if auth == "" {
		return deny("no credentials: send Authorization: Basic base64(till:md5hex(password)) or " + headerOAuthToken)
	}
	scheme, encoded, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return deny("the Authorization scheme is not Basic")
	}
	if s.cfg.basicDisabled {
		return deny("Basic authentication is switched off for this org; use an OAuth token")
	}
	decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		return deny("the Basic credentials are not standard base64")
	}
	till, digest, ok := strings.Cut(string(decoded), ":")
	if !ok {
		return deny("the Basic credentials have no ':' between till and password digest")
	}
	want, known := s.cfg.tills[till]
	switch {
	case !known:
		return deny("unknown till or wrong password")
	case subtle.ConstantTimeCompare([]byte(digest), []byte(want)) == 1:
		return principal{scheme: "basic", name: till}, nil
	case strings.ToLower(digest) == want:
		return deny("the password digest must be lower-case hex")
	case md5Hex(digest) == want:
		return deny("the password was sent in plain text; send its lower-case MD5 hex digest")
	}
	return deny("unknown till or wrong password")
}
