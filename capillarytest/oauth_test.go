package capillarytest_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/capillarytest"
)

const tokenURL = "/v3/oauth/token/generate"

// generateToken asks the server for a token and returns it.
func generateToken(t *testing.T, srv *capillarytest.Server, key, secret string) string {
	t.Helper()
	body, err := json.Marshal(map[string]string{"key": key, "secret": secret})
	require.NoError(t, err)
	r := send(t, http.MethodPost, srv.URL+tokenURL, string(body), map[string]string{"Content-Type": "application/json"})
	require.Equal(t, 200, r.status, r.body)
	var answer struct {
		Data struct {
			AccessToken string `json:"accessToken"`
			TTLSeconds  int    `json:"ttlSeconds"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.body), &answer))
	require.NotEmpty(t, answer.Data.AccessToken)
	return answer.Data.AccessToken
}

// withToken sends an update carrying an OAuth token.
func withToken(t *testing.T, srv *capillarytest.Server, token string) reply {
	t.Helper()
	return send(t, http.MethodPut, srv.URL+"/v2/customers/"+tomID+"?source=INSTORE", `{}`,
		map[string]string{"Content-Type": "application/json", "X-CAP-API-OAUTH-TOKEN": token})
}

func TestOAuthTokenGenerate(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithTokenTTL(10 * time.Minute))
	t.Cleanup(srv.Close)
	r := send(t, http.MethodPost, srv.URL+tokenURL, `{"key":"fake-oauth-key","secret":"fake-oauth-secret"}`,
		map[string]string{"Content-Type": "application/json"})
	require.Equal(t, 200, r.status, r.body)
	assert.NotEmpty(t, r.header.Get("X-Cap-Requestid"))
	var answer struct {
		Data struct {
			AccessToken string `json:"accessToken"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.body), &answer))
	assert.JSONEq(t, `{"data":{"accessToken":"`+answer.Data.AccessToken+`","ttlSeconds":600},"errors":null}`, r.body)
	assert.Len(t, answer.Data.AccessToken, 26)
	assert.Equal(t, 1, srv.TokenGenerations())

	second := generateToken(t, srv, capillarytest.DefaultOAuthKey, capillarytest.DefaultOAuthSecret)
	assert.NotEqual(t, answer.Data.AccessToken, second, "every generation issues a new token")
	assert.Equal(t, 2, srv.TokenGenerations())
}

func TestOAuthTokenGenerateRefusals(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithOAuthClient("client-1", "secret-1"))
	t.Cleanup(srv.Close)
	tests := []struct {
		name, contentType, body string
		status                  int
		want                    string
	}{
		{"wrong secret", "application/json", `{"key":"client-1","secret":"secret-2"}`, 401,
			`{"data":null,"errors":[{"status":false,"code":320001,"message":"Invalid client key and secret"}]}`},
		{"unknown key", "application/json", `{"key":"client-2","secret":"secret-1"}`, 401,
			`{"data":null,"errors":[{"status":false,"code":320001,"message":"Invalid client key and secret"}]}`},
		{"the default client is replaced", "application/json", `{"key":"fake-oauth-key","secret":"fake-oauth-secret"}`, 401, ""},
		{"key case matters", "application/json", `{"key":"CLIENT-1","secret":"secret-1"}`, 401, ""},
		{"missing secret", "application/json", `{"key":"client-1"}`, 400,
			`{"data":null,"errors":[{"status":false,"code":400,"message":"Input is invalid. Please check request parameters or input xml/json: secret: is required"}]}`},
		{"capitalised field", "application/json", `{"Key":"client-1","Secret":"secret-1"}`, 400, ""},
		{"secret not a string", "application/json", `{"key":"client-1","secret":1}`, 400, ""},
		{"not JSON", "application/json", `key=client-1`, 400, ""},
		{"form encoded", "application/x-www-form-urlencoded", `key=client-1&secret=secret-1`, 415,
			`{"data":null,"errors":[{"status":false,"code":415,"message":"Unsupported media type: send the body as Content-Type: application/json"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := send(t, http.MethodPost, srv.URL+tokenURL, tc.body, map[string]string{"Content-Type": tc.contentType})
			assert.Equal(t, tc.status, r.status, r.body)
			assert.NotEmpty(t, r.header.Get("X-Cap-Requestid"))
			if tc.want != "" {
				assert.JSONEq(t, tc.want, r.body)
			}
			assert.NotContains(t, r.body, "secret-1")
		})
	}
	t.Run("no token was issued", func(t *testing.T) {
		t.Parallel()
		generateToken(t, srv, "client-1", "secret-1")
		assert.Equal(t, 1, srv.TokenGenerations())
	})
}

func TestOAuthTokenExpiry(t *testing.T) {
	t.Parallel()
	clock := capillarytest.NewManualClock(time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC))
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()),
		capillarytest.WithClock(clock.Now), capillarytest.WithTokenTTL(5*time.Minute))
	t.Cleanup(srv.Close)
	token := generateToken(t, srv, capillarytest.DefaultOAuthKey, capillarytest.DefaultOAuthSecret)

	r := withToken(t, srv, token)
	assert.Equal(t, 200, r.status, r.body)

	clock.Advance(5*time.Minute - time.Nanosecond)
	assert.Equal(t, 200, withToken(t, srv, token).status, "alive until the last instant of its lifetime")

	clock.Advance(time.Nanosecond)
	r = withToken(t, srv, token)
	assert.Equal(t, 401, r.status)
	assert.JSONEq(t, `{"warnings":[],"errors":[{"status":false,"code":401,
		"message":"Authentication failed: the OAuth token has expired; generate a new one"}]}`, r.body)

	fresh := generateToken(t, srv, capillarytest.DefaultOAuthKey, capillarytest.DefaultOAuthSecret)
	assert.Equal(t, 200, withToken(t, srv, fresh).status)
	assert.Equal(t, 2, srv.TokenGenerations())
}

func TestOAuthTokenChecks(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	token := generateToken(t, srv, capillarytest.DefaultOAuthKey, capillarytest.DefaultOAuthSecret)

	t.Run("an unknown token", func(t *testing.T) {
		r := withToken(t, srv, "NOTATOKEN")
		assert.Equal(t, 401, r.status)
		assert.JSONEq(t, `{"warnings":[],"errors":[{"status":false,"code":401,
			"message":"Authentication failed: the OAuth token is not one this server issued (or it was revoked)"}]}`, r.body)
	})
	t.Run("the token wins over a valid Basic header", func(t *testing.T) {
		r := send(t, http.MethodPut, srv.URL+"/v2/customers/"+tomID+"?source=INSTORE", `{}`, map[string]string{
			"Content-Type": "application/json", "X-CAP-API-OAUTH-TOKEN": "NOTATOKEN", "Authorization": defaultAuth()})
		assert.Equal(t, 401, r.status)
	})
	t.Run("attribution entity types", func(t *testing.T) {
		for _, et := range []string{"TILL", "STORE_CODE", "STORE_NAME", "STORE_EXTERNAL_ID", "STORE_EXTERNAL_ID_1", "STORE_EXTERNAL_ID_2"} {
			r := send(t, http.MethodPut, srv.URL+"/v2/customers/"+tomID+"?source=INSTORE", `{}`, map[string]string{
				"Content-Type": "application/json", "X-CAP-API-OAUTH-TOKEN": token,
				"X-CAP-API-ATTRIBUTION-ENTITY-TYPE": et, "X-CAP-API-ATTRIBUTION-ENTITY-CODE": "store-1"})
			assert.Equal(t, 200, r.status, et)
		}
		r := send(t, http.MethodPut, srv.URL+"/v2/customers/"+tomID+"?source=INSTORE", `{}`, map[string]string{
			"Content-Type": "application/json", "X-CAP-API-OAUTH-TOKEN": token, "X-CAP-API-ATTRIBUTION-ENTITY-TYPE": "STORE"})
		assert.Equal(t, 400, r.status)
		assert.Equal(t, []int{400}, codes(decode(t, r.body).Errors))
	})
	t.Run("revoked tokens", func(t *testing.T) {
		srv.RevokeTokens()
		assert.Equal(t, 401, withToken(t, srv, token).status)
	})
	t.Run("who authenticated is recorded", func(t *testing.T) {
		reqs := srv.Requests()
		var schemes []string
		for _, r := range reqs {
			if r.Status == 200 && r.Path != tokenURL {
				schemes = append(schemes, r.AuthScheme+":"+r.Principal)
			}
		}
		assert.Contains(t, schemes, "oauth:"+capillarytest.DefaultOAuthKey)
	})
}

func TestOAuthConcurrentGenerations(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	var wg sync.WaitGroup
	tokens := make([]string, 20)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tokens[i] = generateToken(t, srv, capillarytest.DefaultOAuthKey, capillarytest.DefaultOAuthSecret)
		}()
	}
	wg.Wait()
	assert.Equal(t, 20, srv.TokenGenerations())
	seen := map[string]bool{}
	for _, tok := range tokens {
		assert.False(t, seen[tok], "tokens are unique")
		seen[tok] = true
	}
}
