package capillary

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The query cache's key has a field for every field of UpdateCustomerParams, or two params
// that encode differently would share a query.
func TestUpdateParamsKeyCoversEveryField(t *testing.T) {
	t.Parallel()
	assert.Equal(t, reflect.TypeFor[UpdateCustomerParams]().NumField(), reflect.TypeFor[updateParamsKey]().NumField())
}

// Every distinct params value gets its own query, cached or not, and a value seen before gets
// the same query again.
func TestUpdateQueryPerParamsValue(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	rec := script(mt, okResponder())
	cases := []struct {
		params *UpdateCustomerParams
		query  string
	}{
		{&UpdateCustomerParams{Source: SourceInstore}, "source=INSTORE"},
		{&UpdateCustomerParams{Source: SourceInstore, UseAsync: Ptr(false)}, "source=INSTORE&use_async=false"},
		{&UpdateCustomerParams{Source: SourceInstore, UseAsync: Ptr(true)}, "source=INSTORE&use_async=true"},
		{&UpdateCustomerParams{Source: SourceWeChat, AccountID: "wx-1", MLPSingleEnroll: Ptr(true)}, "accountId=wx-1&mlp_single_enroll=true&source=WECHAT"},
		{&UpdateCustomerParams{Source: SourceInstore}, "source=INSTORE"},
	}
	for i := 0; i < 2*maxCachedQueries; i++ { // past the bound, queries are still right
		cases = append(cases, struct {
			params *UpdateCustomerParams
			query  string
		}{&UpdateCustomerParams{Source: SourceWeChat, AccountID: "a" + string(rune('A'+i%26)) + string(rune('a'+i/26))}, ""})
	}
	for i, tc := range cases {
		_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), tc.params)
		require.NoError(t, err)
		got := rec.all()[i].URL.RawQuery
		if tc.query == "" {
			tc.query = "accountId=" + tc.params.AccountID + "&source=WECHAT"
		}
		assert.Equal(t, tc.query, got, "call %d", i)
		assert.Equal(t, http.MethodPut, rec.all()[i].Method)
	}
}
