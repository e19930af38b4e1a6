package capillary

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tolerant scalar types take every form the vendor uses, and refuse what is not a value.
func TestFlexScalars(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]Bool{`true`: true, `false`: false, `"true"`: true, `"FALSE"`: false, `" True "`: true, `null`: false} {
		var b Bool
		require.NoError(t, json.Unmarshal([]byte(raw), &b), raw)
		assert.Equal(t, want, b, raw)
	}
	for raw, want := range map[string]Number{`230`: 230, `24000.0`: 24000, `"0.000"`: 0, `"12.5"`: 12.5, `-1e3`: -1000, `null`: 0} {
		var n Number
		require.NoError(t, json.Unmarshal([]byte(raw), &n), raw)
		assert.Equal(t, want, n, raw)
	}
	for raw, want := range map[string]Int{`8015`: 8015, `"8015"`: 8015, `230.0`: 230, `"-1"`: -1, `null`: 0} {
		var n Int
		require.NoError(t, json.Unmarshal([]byte(raw), &n), raw)
		assert.Equal(t, want, n, raw)
	}
	for _, bad := range []string{`"yes"`, `2`, `{}`, `[]`} {
		var b Bool
		assert.Error(t, json.Unmarshal([]byte(bad), &b), bad)
	}
	for _, bad := range []string{`"abc"`, `{}`, `[1]`, `true`} {
		var n Number
		assert.Error(t, json.Unmarshal([]byte(bad), &n), bad)
	}
	for _, bad := range []string{`2.5`, `"x"`, `1e30`, `{}`} {
		var n Int
		assert.Error(t, json.Unmarshal([]byte(bad), &n), bad)
	}
}

// Answers whose fields have other shapes than the samples (the spec's tables call warnings and
// sideEffects "Object"; numbers and flags as strings) decode through the field types: an applied
// update is reported as applied, with its data.
func TestAnswerShapesDecode(t *testing.T) {
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
				assert.Equal(t, List[Message]{{Code: 8107, Message: "label", Status: false}}, res.Warnings)
			}},
		{"a lone warning object", `{"createdId":7,"warnings":{"status":false,"code":8054,"message":"Account id not passed"}}`,
			func(t *testing.T, res *UpdateCustomerResponse) {
				assert.Equal(t, List[Message]{{Code: 8054, Message: "Account id not passed"}}, res.Warnings)
			}},
		{"a lone side effect object with numbers as strings", `{"createdId":1,"sideEffects":{"type":"points","awardedPoints":"25","rawAwardedPoints":"25.5","isReferrer":"true","customerId":42}}`,
			func(t *testing.T, res *UpdateCustomerResponse) {
				require.Len(t, res.SideEffects, 1)
				se := res.SideEffects[0]
				assert.Equal(t, SideEffectPoints, se.Type)
				assert.Equal(t, Number(25), se.AwardedPoints)
				assert.Equal(t, Number(25.5), se.RawAwardedPoints)
				assert.True(t, bool(se.IsReferrer))
				assert.Equal(t, ID("42"), se.CustomerID)
				assert.Nil(t, se.Unknown, "every field modelled")
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

// A refusal's codes are found whatever their shape.
func TestErrorShapesDecode(t *testing.T) {
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
func TestAnswerNotAnObject(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	script(mt, respond(http.StatusOK, `[1,2,3]`))
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	apiErr := requireAPIError(t, err)
	assert.True(t, apiErr.Uncertain, "a 2xx that cannot be read may have been applied")
	assert.Contains(t, err.Error(), "decoding the answer")
}

// The token endpoint's ttlSeconds may come as a string.
func TestTokenEnvelopeShapes(t *testing.T) {
	t.Parallel()
	var answer tokenAnswer
	require.NoError(t, json.Unmarshal([]byte(`{"data":{"accessToken":"tok","ttlSeconds":"3600"},"warnings":{}}`), &answer))
	assert.Equal(t, Int(3600), answer.Data.TTLSeconds)
}

// The tier ("slab") side effect keeps the previous and new tier and the expiry, from the
// vendor's samples; what the SDK does not model, a field of a known kind or a whole kind, is
// kept in Unknown.
func TestSideEffectKinds(t *testing.T) {
	t.Parallel()
	body := `{"createdId": 424134447, "warnings": [], "sideEffects": [
	  {"entityType": "USER", "previousSlabName": "GOLD", "previousSlabNumber": 3, "upgradedSlabName": "Silver",
	   "upgradedSlabNumber": 2, "slabExpiryDate": "30th Nov, 2025", "type": "slab", "slabChangeReason": "RENEWAL"},
	  {"type": "points", "awardedPoints": 5, "pointsExpiryDate": "2026-01-01"},
	  {"type": "badge", "badgeId": "b-1", "earnedOn": "2025-01-02"}]}`
	c, mt := newMockedClient(t)
	script(mt, respond(http.StatusOK, body))
	res, err := c.Customers.Update(testCtx(t), "424134447", minimalBody(), instore())
	require.NoError(t, err)
	assert.Equal(t, List[SideEffect]{
		{Type: SideEffectSlab, EntityType: "USER", PreviousSlabName: "GOLD", PreviousSlabNumber: 3,
			UpgradedSlabName: "Silver", UpgradedSlabNumber: 2, SlabExpiryDate: "30th Nov, 2025",
			Unknown: Unknown{"slabChangeReason": json.RawMessage(`"RENEWAL"`)}},
		{Type: SideEffectPoints, AwardedPoints: 5, Unknown: Unknown{"pointsExpiryDate": json.RawMessage(`"2026-01-01"`)}},
		{Type: "badge", Unknown: Unknown{"badgeId": json.RawMessage(`"b-1"`), "earnedOn": json.RawMessage(`"2025-01-02"`)}},
	}, res.SideEffects)
}

// The vendor's own request sample (profiles[].identifiers, source, accountId) is decoded and
// re-sent field for field: the body on the wire is the sample.
func TestDecodedRequestResentFieldForField(t *testing.T) {
	t.Parallel()
	sample, err := os.ReadFile("testdata/vendor_lookup_update_request.json")
	require.NoError(t, err)
	var req UpdateCustomerRequest
	require.NoError(t, json.Unmarshal(sample, &req))
	require.Len(t, req.Profiles, 1)
	p := req.Profiles[0]
	assert.Equal(t, []Identifier{{Type: IdentifierEmail, Value: "tom.sawyer@example.com"}, {Type: IdentifierWechat, Value: "wc_2"}}, p.Identifiers)
	assert.Equal(t, SourceWeChat, p.Source)
	assert.Equal(t, "WeChat1234", p.AccountID)
	assert.Nil(t, req.Unknown)

	c, mt := newMockedClient(t)
	rec := script(mt)
	_, err = c.Customers.Update(testCtx(t), "342963216", &req, &UpdateCustomerParams{Source: SourceWeChat, AccountID: "WeChat1234"})
	require.NoError(t, err)
	assert.JSONEq(t, string(sample), string(rec.only(t).Body))
}

// Fields the SDK does not model, at any level of a decoded request, are re-sent as they came;
// an identifier value sent as a JSON number keeps every digit.
func TestDecodedRequestKeepsUnknownFields(t *testing.T) {
	t.Parallel()
	in := `{"profiles":[{"firstName":"Tom","identifiers":[{"type":"mobile","value":919111111111,"seriesId":19}],
	  "commChannels":[{"type":"mobilePush","value":"fcm-token","primary":"true","subscribed":true,"lastViewedDate":"2019-10-25",
	    "attributes":{},"meta":{"lastViewedDate":"2019-10-25"},"futureFlag":{"a":[1,2.50]}}],
	  "nickname":"Tommy"}],
	  "loyaltyInfo":{"loyaltyType":"loyalty","tierHint":7},
	  "fields":{"favourite":"green"},
	  "loyaltyProgramEnrollments":[{"programId":1016,"enrolledBy":"pos"}],
	  "statusLabel":"ACTIVE","subscriptionInfo":{"subscriptions":[]}}`
	var req UpdateCustomerRequest
	require.NoError(t, json.Unmarshal([]byte(in), &req))
	assert.Equal(t, "919111111111", req.Profiles[0].Identifiers[0].Value)
	assert.Equal(t, Unknown{"seriesId": json.RawMessage(`19`)}, req.Profiles[0].Identifiers[0].Unknown)
	ch := req.Profiles[0].CommChannels[0]
	assert.Equal(t, Ptr(true), ch.Subscribed)
	assert.Equal(t, "2019-10-25", ch.LastViewedDate)
	assert.Equal(t, map[string]any{"favourite": "green"}, req.Fields)
	assert.Contains(t, req.Unknown, "statusLabel")

	out, err := json.Marshal(&req)
	require.NoError(t, err)
	want := `{"profiles":[{"firstName":"Tom","identifiers":[{"type":"mobile","value":"919111111111","seriesId":19}],
	  "commChannels":[{"type":"mobilePush","value":"fcm-token","primary":"true","subscribed":"true","lastViewedDate":"2019-10-25",
	    "attributes":{},"meta":{"lastViewedDate":"2019-10-25"},"futureFlag":{"a":[1,2.50]}}],
	  "nickname":"Tommy"}],
	  "loyaltyInfo":{"loyaltyType":"loyalty","tierHint":7},
	  "fields":{"favourite":"green"},
	  "loyaltyProgramEnrollments":[{"programId":1016,"enrolledBy":"pos"}],
	  "statusLabel":"ACTIVE","subscriptionInfo":{"subscriptions":[]}}`
	assert.JSONEq(t, want, string(out))
	assert.Contains(t, string(out), `[1,2.50]`, "an unknown value is re-sent byte for byte")
}

// "cardNumber" and "cardnumber" are one identifier type; other types keep their spelling.
func TestIdentifierDecoding(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{`{"type":"cardNumber","value":"TTM001"}`, `{"type":"cardnumber","value":"TTM001"}`} {
		var id Identifier
		require.NoError(t, json.Unmarshal([]byte(raw), &id))
		assert.Equal(t, Identifier{Type: IdentifierCardNumber, Value: "TTM001"}, id, raw)
	}
	var id Identifier
	require.NoError(t, json.Unmarshal([]byte(`{"type":"loyaltyCard","value":12345678901234567890}`), &id))
	assert.Equal(t, Identifier{Type: "loyaltyCard", Value: "12345678901234567890"}, id)
	assert.False(t, id.Type.Valid())
	assert.True(t, IdentifierCardExternalID.Valid())
}
