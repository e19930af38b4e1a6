package capillary

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every params value gets its own query, a value seen before the same query again.
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
	for i, tc := range cases {
		_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), tc.params)
		require.NoError(t, err)
		got := rec.all()[i].URL.RawQuery
		assert.Equal(t, tc.query, got, "call %d", i)
		assert.Equal(t, http.MethodPut, rec.all()[i].Method)
	}
}
