package capillary

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A success that echoes a credential, in its warnings, side effects or fields the SDK does not
// model, is returned without it.
func TestSecuritySuccessEchoingCredentialsIsRedacted(t *testing.T) {
	t.Parallel()
	secrets := secretsOf(testTill, testPassword)
	token := basicToken(testTill, md5Hex(testPassword))
	digest := md5Hex(testPassword)
	body := `{"createdId": 171891944, "warnings": [{"code": 8057, "message": "not an email: Basic ` + token + `"}],
		"sideEffects": [{"type": "points", "awardedPoints": 10, "note": "for ` + testTill + `:` + digest + `"}],
		"echo": {"Authorization": "Basic ` + token + `"}}`
	res, err := callOnce(t, http.StatusOK, body)
	require.NoError(t, err)
	encoded, err := json.Marshal(res)
	require.NoError(t, err)
	for _, out := range []string{string(encoded), fmt.Sprintf("%+v", res), fmt.Sprintf("%#v", res), fmt.Sprintf("%+v", res.Warnings), fmt.Sprintf("%+v", res.SideEffects)} {
		assertNoSecrets(t, out, secrets, "a success")
		assert.NotContains(t, out, token[:16], "a piece of the token")
	}
	assert.Equal(t, "not an email: Basic [redacted]", res.Warnings[0].Message)
	assert.Equal(t, "171891944", res.CreatedID.String(), "the rest is as it came")
}
