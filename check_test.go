package capillary

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckUpdateRefusesWhatUpdateRefuses(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	tests := []struct {
		name   string
		userID string
		body   *UpdateCustomerRequest
		params *UpdateCustomerParams
	}{
		{"nothing to update", "1", &UpdateCustomerRequest{}, instore()},
		{"no source", "1", minimalBody(), &UpdateCustomerParams{}},
		{"no user", "", minimalBody(), instore()},
		{"several problems", "", &UpdateCustomerRequest{LoyaltyInfo: &LoyaltyInfo{LoyaltyType: "gold"}}, nil},
	}
	for _, tt := range tests {
		checked := CheckUpdate(tt.userID, tt.body, tt.params)
		_, updated := c.Customers.Update(context.Background(), tt.userID, tt.body, tt.params)
		require.Error(t, checked, tt.name)
		assert.ErrorIs(t, checked, ErrInvalidRequest, tt.name)
		assert.Equal(t, updated, checked, tt.name)
	}
	assert.NoError(t, CheckUpdate("1", minimalBody(), instore()))
	assert.Zero(t, mt.GetTotalCallCount(), "nothing was sent")
}
