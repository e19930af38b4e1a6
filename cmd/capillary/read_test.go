package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/capillarytest"
)

func TestGetAndLookupPrintTheCustomer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.srv.AddCustomer(capillarytest.Customer{
		ID: "101",
		Profile: capillarytest.Profile{
			FirstName:    "Ann",
			Identifiers:  []capillarytest.Identifier{{Type: "mobile", Value: "919999000001"}, {Type: "email", Value: "ann@example.com"}},
			CommChannels: []capillarytest.CommChannel{{Type: "mobile", Value: "919999000001", Primary: true}},
		},
		Cards: []capillarytest.Card{{Number: "CARD101"}},
	})
	for _, args := range [][]string{
		{"customers", "get", "101"},
		{"customers", "get", "101", "--source", "INSTORE"},
		{"customers", "get", "101", "--source", "instore"},
		{"customers", "get", "--source", "INSTORE", "101"},
		{"customers", "lookup", "--mobile", "919999000001"},
		{"customers", "lookup", "--email", "ann@example.com", "--embed", "points"},
		{"customers", "lookup", "--cardnumber", "CARD101"},
	} {
		code, stdout, stderr := h.run(testCtx(t), args...)
		require.Equal(t, exitOK, code, "%v: %s", args, stderr)
		var got struct {
			ID       json.Number `json:"id"`
			Profiles []struct {
				FirstName string `json:"firstName"`
			} `json:"profiles"`
		}
		require.NoError(t, json.Unmarshal([]byte(stdout), &got), stdout)
		assert.Equal(t, "101", got.ID.String(), "%v", args)
		require.NotEmpty(t, got.Profiles)
		assert.Equal(t, "Ann", got.Profiles[0].FirstName)
	}
	paths := map[string]bool{}
	for _, r := range h.srv.Requests() {
		paths[r.Method+" "+r.Path] = true
	}
	assert.Equal(t, map[string]bool{"GET /v2/customers/101": true, "GET /v2/customers/lookup/customerDetails": true}, paths)
}

func TestGetAndLookupFailures(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code, stdout, stderr := h.run(testCtx(t), "customers", "get", "999")
	assert.Equal(t, exitFailed, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "8015")

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"customers", "get"}, "give the customer's user id"},
		{[]string{"customers", "get", "1", "2"}, `unexpected argument "2"`},
		{[]string{"customers", "lookup"}, "give --mobile, --email, --external-id or --cardnumber"},
		{[]string{"customers", "lookup", "--mobile", "1", "extra"}, `unexpected argument "extra"`},
		{[]string{"customers", "get", "1", "--source", "NOWHERE"}, "params.source"},
		{[]string{"customers", "lookup", "--mobile", "1", "--bogus"}, "flag provided but not defined"},
	} {
		code, _, stderr := h.run(testCtx(t), tt.args...)
		assert.Equal(t, exitUsage, code, "%v: %s", tt.args, stderr)
		assert.Contains(t, stderr, tt.want, "%v", tt.args)
	}
	code, stdout, _ = h.run(testCtx(t), "customers", "lookup", "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "Examples:")
}
