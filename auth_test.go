package capillary

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The vendor's worked example on the basic-authentication page is not self-consistent; the
// digest of "Pass123" is the one crypto/md5 computes, and that is what the SDK must send.
func TestBasicAuthDigestOfVendorExample(t *testing.T) {
	t.Parallel()
	require.Equal(t, testDigestLiteral, md5Hex("Pass123"))
	c, mt := newMockedClient(t, WithBasicAuth("store123", "Pass123"))
	rec := script(mt)
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err)
	assert.Equal(t, "Basic c3RvcmUxMjM6MmYyM2ZhMzU3OWYzZjc1MTc1NzkzNjQ5MTE1YzFiMjU=", rec.only(t).Header.Get("Authorization"))
	assert.Equal(t, "Basic "+basicToken("store123", testDigestLiteral), rec.only(t).Header.Get("Authorization"))
}

// WithBasicAuth sends Basic base64(till ":" md5hex(password)) for any till and password.
func TestBasicAuthHeader(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, till, password string }{
		{"plain", "store123", "Pass123"},
		{"till with dots and dashes", "eu.store-42.till_1", "s3cr3t"},
		{"password with colon and spaces", "till", "a: b :c"},
		{"unicode password", "till", "pässwörd-密码"},
		{"long password", "till", strings.Repeat("x", 500)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t, WithBasicAuth(tt.till, tt.password))
			rec := script(mt)
			_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			require.NoError(t, err)
			assert.Equal(t, "Basic "+basicToken(tt.till, md5Hex(tt.password)), rec.only(t).Header.Get("Authorization"))
		})
	}
}

// WithBasicAuthDigest sends a digest the caller holds as it is (lower-cased) and refuses
// anything that is not 32 hex characters, without echoing it.
func TestBasicAuthDigest(t *testing.T) {
	t.Parallel()
	good := []struct{ in, sent string }{
		{testDigestLiteral, testDigestLiteral},
		{strings.ToUpper(testDigestLiteral), testDigestLiteral},
		{"2F23fa3579F3f75175793649115C1B25", testDigestLiteral},
	}
	for _, tt := range good {
		c, mt := newMockedClient(t, WithBasicAuthDigest("store123", tt.in))
		rec := script(mt)
		_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
		require.NoError(t, err, tt.in)
		assert.Equal(t, "Basic "+basicToken("store123", tt.sent), rec.only(t).Header.Get("Authorization"), tt.in)
	}
	bad := []string{
		"",
		"2f23fa3579f3f75175793649115c1b2",   // 31
		"2f23fa3579f3f75175793649115c1b255", // 33
		"2f23fa3579f3f75175793649115c1bzz",  // not hex
		"Pass123",                           // a password given as a digest
		md5Hex("x") + md5Hex("y"),           // 64 hex: not an MD5
		" 2f23fa3579f3f75175793649115c1b25", // padded
	}
	for _, d := range bad {
		c, err := NewClient(WithBaseURL(testBaseURL), WithBasicAuthDigest("store123", d))
		require.ErrorIs(t, err, ErrInvalidConfig, "%q", d)
		assert.Nil(t, c)
		if d != "" {
			assert.NotContains(t, err.Error(), d, "the rejected digest is not echoed")
		}
	}
}

// A till id that Basic auth cannot carry, or an empty password, is refused at NewClient.
func TestBasicAuthBadTill(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  ClientOption
	}{
		{"empty till", WithBasicAuth("", "Pass123")},
		{"till with colon", WithBasicAuth("store:123", "Pass123")},
		{"till with CRLF", WithBasicAuth("store\r\nX-Evil: 1", "Pass123")},
		{"empty password", WithBasicAuth("store123", "")},
		{"digest: empty till", WithBasicAuthDigest("", testDigestLiteral)},
		{"digest: till with colon", WithBasicAuthDigest("a:b", testDigestLiteral)},
		{"digest: till with LF", WithBasicAuthDigest("a\nb", testDigestLiteral)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(WithBaseURL(testBaseURL), tt.opt)
			require.ErrorIs(t, err, ErrInvalidConfig)
			assert.Nil(t, c)
			assert.NotContains(t, err.Error(), "Pass123")
			assert.NotContains(t, err.Error(), testDigestLiteral)
		})
	}
	_, err := NewClient(WithBaseURL(testBaseURL))
	require.ErrorIs(t, err, ErrInvalidConfig, "credentials are required")
}

// The plain password is not kept anywhere in the client: only what Basic auth sends (the token,
// and the digest in it, whose forms redaction needs).
func TestBasicAuthPasswordIsNotKept(t *testing.T) {
	t.Parallel()
	const password = "Very-Distinct-Password-8412"
	c, err := NewClient(WithBaseURL(testBaseURL), WithBasicAuth(testTill, password))
	require.NoError(t, err)
	assert.False(t, holdsString(reflect.ValueOf(c), password, map[uintptr]bool{}, 0), "client holds the password")
	// The walker does find what is kept (so the check above can fail).
	assert.True(t, holdsString(reflect.ValueOf(c), basicToken(testTill, md5Hex(password)), map[uintptr]bool{}, 0))
}

// holdsString walks v (unexported fields included) looking for a string containing s.
func holdsString(v reflect.Value, s string, seen map[uintptr]bool, depth int) bool {
	if depth > 40 || !v.IsValid() {
		return false
	}
	switch v.Kind() {
	case reflect.String:
		return strings.Contains(v.String(), s)
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return false
		}
		seen[v.Pointer()] = true
		return holdsString(v.Elem(), s, seen, depth+1)
	case reflect.Interface:
		return !v.IsNil() && holdsString(v.Elem(), s, seen, depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if holdsString(v.Field(i), s, seen, depth+1) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return strings.Contains(string(v.Bytes()), s)
		}
		for i := range v.Len() {
			if holdsString(v.Index(i), s, seen, depth+1) {
				return true
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if holdsString(it.Key(), s, seen, depth+1) || holdsString(it.Value(), s, seen, depth+1) {
				return true
			}
		}
	}
	return false
}

// headerCase is one of the per-client/per-call header sets.
type headerCase struct {
	name      string
	client    Option
	call      Option
	clientHdr map[string]string // what the client option sends
	callHdr   map[string]string // what the call option sends instead; "" = not sent
}

func userContextAndAttributionCases() []headerCase {
	return []headerCase{
		{
			name: "user context",
			client: WithUserContext(UserContext{EntityType: "ADMIN_USER", EntityID: "admin-7",
				EntitySource: "MEMBER_CARE", EntitySourceID: "mc-1"}),
			call: WithUserContext(UserContext{EntityType: "INTEGRATION", EntityID: "job-99", EntitySource: "API"}),
			clientHdr: map[string]string{
				"USER-CONTEXT-ENTITY-TYPE": "ADMIN_USER", "USER-CONTEXT-ENTITY-ID": "admin-7",
				"USER-CONTEXT-ENTITY-SOURCE": "MEMBER_CARE", "USER-CONTEXT-ENTITY-SOURCE-ID": "mc-1",
			},
			callHdr: map[string]string{
				"USER-CONTEXT-ENTITY-TYPE": "INTEGRATION", "USER-CONTEXT-ENTITY-ID": "job-99",
				"USER-CONTEXT-ENTITY-SOURCE": "API", "USER-CONTEXT-ENTITY-SOURCE-ID": "",
			},
		},
		{
			name:   "till attribution",
			client: WithTillAttribution("TILL_CODE", "Store-A.Till-1"),
			call:   WithTillAttribution("TILL_CODE", "store-b.TILL-2"),
			clientHdr: map[string]string{
				"X-CAP-API-ATTRIBUTION-LOOKUP-TYPE": "TILL_CODE", "X-CAP-API-ATTRIBUTION-LOOKUP": "Store-A.Till-1",
			},
			callHdr: map[string]string{
				"X-CAP-API-ATTRIBUTION-LOOKUP-TYPE": "TILL_CODE", "X-CAP-API-ATTRIBUTION-LOOKUP": "store-b.TILL-2",
			},
		},
	}
}

// User-context and till-attribution headers set on the client go on every call; set on a call
// they replace the client's for that call only, and the next call is back to the client's.
func TestAuditHeadersPerClientAndPerCall(t *testing.T) {
	t.Parallel()
	for _, tc := range userContextAndAttributionCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t, tc.client)
			rec := script(mt)
			ctx := testCtx(t)
			_, err := c.Customers.Update(ctx, "1", minimalBody(), instore())
			require.NoError(t, err)
			_, err = c.Customers.Update(ctx, "1", minimalBody(), instore(), tc.call)
			require.NoError(t, err)
			_, err = c.Customers.Update(ctx, "1", minimalBody(), instore())
			require.NoError(t, err)
			// A later call with some other per-call option starts from the client's values too.
			_, err = c.Customers.Update(ctx, "1", minimalBody(), instore(), WithHeader("X-Other", "1"))
			require.NoError(t, err)

			reqs := rec.all()
			require.Len(t, reqs, 4)
			for i, want := range []map[string]string{tc.clientHdr, tc.callHdr, tc.clientHdr, tc.clientHdr} {
				for name, value := range want {
					if value == "" {
						assert.Empty(t, reqs[i].Header.Values(name), "call %d: %s", i, name)
						continue
					}
					assert.Equal(t, []string{value}, reqs[i].Header.Values(name), "call %d: %s (sent as given, case kept)", i, name)
				}
				assert.Equal(t, testAuthHeader(), reqs[i].Header.Get("Authorization"), "call %d", i)
			}
		})
	}
}

// Without the options, none of the audit or attribution headers is sent; set only on a call,
// they go on that call alone.
func TestAuditHeadersOnlyWhenSet(t *testing.T) {
	t.Parallel()
	names := []string{"USER-CONTEXT-ENTITY-TYPE", "USER-CONTEXT-ENTITY-ID", "USER-CONTEXT-ENTITY-SOURCE",
		"USER-CONTEXT-ENTITY-SOURCE-ID", "X-CAP-API-ATTRIBUTION-LOOKUP-TYPE", "X-CAP-API-ATTRIBUTION-LOOKUP",
		"X-CAP-API-ATTRIBUTION-ENTITY-TYPE", "X-CAP-API-ATTRIBUTION-ENTITY-CODE"}
	c, mt := newMockedClient(t)
	rec := script(mt)
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore(),
		WithUserContext(UserContext{EntityID: "only-id"}), WithTillAttribution("TILL", "t1"))
	require.NoError(t, err)
	_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err)
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "only-id", reqs[0].Header.Get("USER-CONTEXT-ENTITY-ID"))
	assert.Empty(t, reqs[0].Header.Values("USER-CONTEXT-ENTITY-TYPE"), "empty fields are not sent")
	assert.Equal(t, "t1", reqs[0].Header.Get("X-CAP-API-ATTRIBUTION-LOOKUP"))
	for _, name := range names {
		assert.Empty(t, reqs[1].Header.Values(name), name)
	}
}

// Retries carry the same credentials as the first attempt.
func TestBasicAuthOnEveryAttempt(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t, WithUserContext(UserContext{EntityType: "ADMIN"}))
	rec := script(mt, respond(http.StatusServiceUnavailable, `{}`), respond(http.StatusServiceUnavailable, `{}`), okResponder())
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore(), WithTillAttribution("TILL", "x"))
	require.NoError(t, err)
	reqs := rec.all()
	require.Len(t, reqs, 3)
	for i, r := range reqs {
		assert.Equal(t, []string{testAuthHeader()}, r.Header.Values("Authorization"), "attempt %d", i+1)
		assert.Equal(t, "ADMIN", r.Header.Get("USER-CONTEXT-ENTITY-TYPE"), "attempt %d", i+1)
		assert.Equal(t, "x", r.Header.Get("X-CAP-API-ATTRIBUTION-LOOKUP"), "attempt %d", i+1)
	}
}
