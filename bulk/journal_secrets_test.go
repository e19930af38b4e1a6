package bulk_test

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/bulk"
)

// The results file holds no credential in any form, even when the vendor echoes one in a
// success's warnings and side effects, or in a refusal: Basic (the password, its digest, the
// header's token) and OAuth (the key, the secret, the access token).
func TestResultsFileHoldsNoCredential(t *testing.T) {
	t.Parallel()
	const till, password = "store1.till", "S3cret-pass"
	sum := md5.Sum([]byte(password))
	digest := hex.EncodeToString(sum[:])
	basicToken := base64.StdEncoding.EncodeToString([]byte(till + ":" + digest))
	const key, secret, accessToken = "oauth-key-7731", "oauth-S3cret-0042", "access-tok-9f8e7d6c5b4a"
	tests := []struct {
		name    string
		auth    capillary.ClientOption
		echoed  []string // what the vendor echoes: in a warning, a side effect, an error
		secrets []string // what must not be in the file
	}{
		{
			name:    "basic",
			auth:    capillary.WithBasicAuth(till, password),
			echoed:  []string{"Basic " + basicToken, till + ":" + digest, strings.ToUpper(digest)},
			secrets: []string{password, digest, strings.ToUpper(digest), basicToken, basicToken[:16]},
		},
		{
			name:    "oauth",
			auth:    capillary.WithOAuth(key, secret),
			echoed:  []string{"X-CAP-API-OAUTH-TOKEN: " + accessToken, key + ":" + secret, secret},
			secrets: []string{secret, accessToken},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mt := httpmock.NewMockTransport()
			mt.RegisterResponder(http.MethodPost, `=~/v3/oauth/token/generate\z`, httpmock.NewStringResponder(200,
				`{"data":{"accessToken":"`+accessToken+`","ttlSeconds":3600}}`))
			mt.RegisterResponder(http.MethodPut, `=~/v2/customers/1\z`, httpmock.NewStringResponder(200,
				`{"createdId":1,"warnings":[{"code":8057,"message":"not an email: `+tt.echoed[0]+`"}],`+
					`"sideEffects":[{"type":"points","awardedPoints":5,"note":"`+tt.echoed[1]+`"}]}`))
			mt.RegisterResponder(http.MethodPut, `=~/v2/customers/2\z`, httpmock.NewStringResponder(400,
				`{"errors":[{"code":8015,"message":"not found for `+tt.echoed[2]+`"}]}`))
			c, err := capillary.NewClient(capillary.WithBaseURL("https://eu.api.capillarytech.com"),
				tt.auth, capillary.WithHTTPClient(&http.Client{Transport: mt}))
			require.NoError(t, err)
			r, err := bulk.New(bulk.SDK(c), bulk.WithSource(capillary.SourceInstore, ""))
			require.NoError(t, err)
			path := filepath.Join(t.TempDir(), "results.jsonl")
			j, err := bulk.OpenJournal(path)
			require.NoError(t, err)
			s, err := r.Run(ctxFor(t), func(yield func(bulk.Row, error) bool) {
				_ = yield(bulk.Row{Number: 1, UserID: "1", Body: firstName("Ann")}, nil) &&
					yield(bulk.Row{Number: 2, UserID: "2", Body: firstName("Bob")}, nil)
			}, j)
			require.NoError(t, err)
			require.NoError(t, j.Close())
			assert.Equal(t, 1, s.Applied)
			assert.Equal(t, 1, s.AppliedWithWarnings)
			assert.Equal(t, 1, s.Refused)
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			for _, secret := range tt.secrets {
				assert.NotContains(t, string(data), secret)
			}
			assert.Contains(t, string(data), "not an email: ", "the warning is kept, the credential in it redacted")
			assert.Contains(t, string(data), "[redacted]")
		})
	}
}
