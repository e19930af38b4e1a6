package capillary

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Answers whose known fields have other shapes than the samples (the spec's tables call
// warnings and sideEffects "Object"; numbers and flags as strings) still decode: an applied
// update is reported as applied, and a refusal's codes are found.
func TestLenientSuccessShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, res *UpdateCustomerResponse)
	}{
		{"warnings and sideEffects as empty objects", `{"createdId":1,"warnings":{},"sideEffects":{}}`,
			func(t *testing.T, res *UpdateCustomerResponse) {
				assert.Equal(t, ID("1"), res.CreatedID)
				assert.Empty(t, res.Warnings)
				assert.Empty(t, res.SideEffects)
			}},
		{"status and code as strings", `{"createdId":"7","warnings":[{"status":"false","code":"8107","message":"label"}]}`,
			func(t *testing.T, res *UpdateCustomerResponse) {
				assert.Equal(t, []Message{{Code: 8107, Message: "label", Status: false}}, res.Warnings)
			}},
		{"a lone side effect object with numbers as strings", `{"createdId":1,"sideEffects":{"type":"points","awardedPoints":"25","rawAwardedPoints":"25.5","isReferrer":"true","customerId":42}}`,
			func(t *testing.T, res *UpdateCustomerResponse) {
				require.Len(t, res.SideEffects, 1)
				se := res.SideEffects[0]
				assert.Equal(t, SideEffectPoints, se.Type)
				assert.Equal(t, 25.0, se.AwardedPoints)
				assert.Equal(t, 25.5, se.RawAwardedPoints)
				assert.True(t, se.IsReferrer)
				assert.Equal(t, ID("42"), se.CustomerID)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			script(mt, respond(http.StatusOK, tt.body))
			res, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			require.NoError(t, err)
			tt.check(t, res)
		})
	}
}

func TestLenientErrorShapes(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"code as a string":      `{"errors":[{"status":false,"code":"8015","message":"Customer not found"}]}`,
		"errors as lone object": `{"errors":{"status":"false","code":8015,"message":"Customer not found"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			script(mt, respond(http.StatusOK, body))
			_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			require.ErrorIs(t, err, ErrCustomerNotFound)
			apiErr := requireAPIError(t, err)
			assert.Equal(t, "Customer not found", apiErr.Errors[0].Message)
			assert.False(t, apiErr.Uncertain, "a refusal, decoded")
		})
	}
}

// What is not a JSON object at all is still a failure to read the answer.
func TestLenientNotAnObject(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	script(mt, respond(http.StatusOK, `[1,2,3]`))
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	apiErr := requireAPIError(t, err)
	assert.True(t, apiErr.Uncertain, "a 2xx that cannot be read may have been applied")
	assert.Contains(t, err.Error(), "decoding the answer")
}
