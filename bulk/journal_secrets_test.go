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
// success's warnings and side effects, or in a refusal.
func TestResultsFileHoldsNoCredential(t *testing.T) {
	t.Parallel()
	const till, password = "store1.till", "S3cret-pass"
	sum := md5.Sum([]byte(password))
	digest := hex.EncodeToString(sum[:])
	token := base64.StdEncoding.EncodeToString([]byte(till + ":" + digest))
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPut, `=~/v2/customers/1\z`, httpmock.NewStringResponder(200,
		`{"createdId":1,"warnings":[{"code":8057,"message":"not an email: Basic `+token+`"}],`+
			`"sideEffects":[{"type":"points","awardedPoints":5,"note":"`+till+`:`+digest+`"}]}`))
	mt.RegisterResponder(http.MethodPut, `=~/v2/customers/2\z`, httpmock.NewStringResponder(400,
		`{"errors":[{"code":8015,"message":"not found for `+strings.ToUpper(digest)+`"}]}`))
	c, err := capillary.NewClient(capillary.WithBaseURL("https://eu.api.capillarytech.com"),
		capillary.WithBasicAuth(till, password), capillary.WithHTTPClient(&http.Client{Transport: mt}))
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
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, secret := range []string{password, digest, strings.ToUpper(digest), token, token[:16]} {
		assert.NotContains(t, string(data), secret)
	}
	assert.Contains(t, string(data), "not an email: Basic [redacted]")
}
