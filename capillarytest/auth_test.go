package capillarytest_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/capillary-go/capillary/capillarytest"
)

func TestBasicAuth(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()),
		capillarytest.WithTill("store.till", "s3cret"), capillarytest.WithTill("other.till", "pw"))
	t.Cleanup(srv.Close)
	raw := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name, auth string
		status     int
		detail     string
	}{
		{"the vendor's scheme", basicAuth("store.till", "s3cret"), 200, ""},
		{"a second till", basicAuth("other.till", "pw"), 200, ""},
		{"scheme in lower case", "basic " + strings.TrimPrefix(basicAuth("store.till", "s3cret"), "Basic "), 200, ""},
		{"no credentials", "", 401, "no credentials: send Authorization: Basic base64(till:md5hex(password)) or X-CAP-API-OAUTH-TOKEN"},
		{"the default till is replaced", defaultAuth(), 401, "unknown till or wrong password"},
		{"wrong password", basicAuth("store.till", "S3cret"), 401, "unknown till or wrong password"},
		{"unknown till", basicAuth("nobody", "s3cret"), 401, "unknown till or wrong password"},
		{"plain-text password", raw("store.till:s3cret"), 401, "the password was sent in plain text; send its lower-case MD5 hex digest"},
		{"upper-case digest", raw("store.till:" + strings.ToUpper(md5hex("s3cret"))), 401, "the password digest must be lower-case hex"},
		{"no colon", raw("store.till"), 401, "the Basic credentials have no ':' between till and password digest"},
		{"not base64", "Basic %%%", 401, "the Basic credentials are not standard base64"},
		{"bearer", "Bearer abc", 401, "the Authorization scheme is not Basic"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := map[string]string{"Content-Type": "application/json"}
			if tc.auth != "" {
				h["Authorization"] = tc.auth
			}
			r := send(t, http.MethodPut, srv.URL+"/v2/customers/"+tomID+"?source=INSTORE", `{}`, h)
			assert.Equal(t, tc.status, r.status, r.body)
			if tc.status == 401 {
				assert.JSONEq(t, `{"warnings":[],"errors":[{"status":false,"code":401,"message":"Authentication failed: `+tc.detail+`"}]}`, r.body)
				assert.NotContains(t, r.body, "s3cret")
			}
		})
	}
}

func TestAuthComesBeforeTheBody(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	r := send(t, http.MethodPut, srv.URL+"/v2/customers/1?source=NOPE", `not json`, map[string]string{"Content-Type": "text/plain"})
	assert.Equal(t, 401, r.status, "an anonymous caller learns nothing about the request")
}
