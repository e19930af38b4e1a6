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
	badUTF8 := &UpdateCustomerRequest{Profiles: []Profile{{FirstName: Ptr("Tom\xff")}}}
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

		id := Identifier{Type: IdentifierMobile, Value: "919999000001"}
		checked = CheckUpdateByIdentifier(id, tt.body, tt.params)
		_, updated = c.Customers.UpdateByIdentifier(context.Background(), id, tt.body, tt.params)
		if tt.userID == "" {
			continue // the identifier is fine: fewer problems
		}
		assert.Equal(t, updated, checked, tt.name)
	}
	assert.NoError(t, CheckUpdate("1", minimalBody(), instore()))
	assert.NoError(t, CheckUpdateByIdentifier(Identifier{Type: IdentifierEmail, Value: "a@b.c"}, minimalBody(), instore()))
	assert.NoError(t, CheckUpdateByIdentifier(Identifier{Type: IdentifierCardNumber, Value: "1"}, minimalBody(), instore()))
	assert.Error(t, CheckUpdateByIdentifier(Identifier{Type: IdentifierCardExternalID, Value: "1"}, minimalBody(), instore()))
	assert.NoError(t, CheckUpdate("1", badUTF8, instore()), "the body is not encoded: invalid UTF-8 is found by Update")
	_, err := c.Customers.Update(context.Background(), "1", badUTF8, instore())
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.Zero(t, mt.GetTotalCallCount(), "nothing was sent")
}
