package capillary

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The environment names the cluster, then the credentials; a missing one is named.
func TestOptionsFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		baseURL string
		auth    string // the credential header that NewClient's client sends
		missing string
	}{
		{"base URL and till", map[string]string{"CAPILLARY_BASE_URL": testBaseURL, "CAPILLARY_TILL": testTill, "CAPILLARY_PASSWORD": testPassword}, testBaseURL, "Authorization", ""},
		{"region in any case and OAuth", map[string]string{"CAPILLARY_REGION": "EU", "CAPILLARY_OAUTH_KEY": "k", "CAPILLARY_OAUTH_SECRET": "s"}, testBaseURL, headerOAuthToken, ""},
		{"no cluster", map[string]string{"CAPILLARY_TILL": testTill}, "", "", "CAPILLARY_BASE_URL or CAPILLARY_REGION"},
		{"no credentials", map[string]string{"CAPILLARY_REGION": "eu"}, "", "", "CAPILLARY_TILL and CAPILLARY_PASSWORD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts, err := OptionsFromEnv(func(k string) string { return tt.env[k] })
			if tt.missing != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.missing)
				return
			}
			require.NoError(t, err)
			c, err := NewClient(opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.baseURL, c.BaseURL())
			_, isOAuth := c.auth.(*tokenSource)
			assert.Equal(t, tt.auth == headerOAuthToken, isOAuth)
		})
	}
}
