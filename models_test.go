package capillary

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// createdId decodes from a JSON number (the vendor's samples) and from a string (the spec's
// table), keeping every digit of numbers too big for float64 or int64.
func TestResponseCreatedID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw, want string
	}{
		{"number", `162116213`, "162116213"},
		{"string", `"555594290"`, "555594290"},
		{"number beyond 2^53", `9007199254740993`, "9007199254740993"},
		{"number beyond int64", `123456789012345678901234567890`, "123456789012345678901234567890"},
		{"string beyond int64", `"123456789012345678901234567890"`, "123456789012345678901234567890"},
		{"null", `null`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			script(mt, respond(http.StatusOK, `{"createdId": `+tt.raw+`, "warnings": [], "sideEffects": []}`))
			res, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			require.NoError(t, err)
			assert.Equal(t, ID(tt.want), res.CreatedID)
			assert.Equal(t, tt.want, res.CreatedID.String())
		})
	}
	var id ID
	assert.Error(t, json.Unmarshal([]byte(`true`), &id))
	assert.Error(t, json.Unmarshal([]byte(`{"a":1}`), &id))
}

// Warnings, every kind of side effect, status, request id and attempts, from the vendor's
// documented answers; fields the SDK does not know are ignored.
func TestResponseDecodesEveryDocumentedPart(t *testing.T) {
	t.Parallel()
	body := `{
	  "createdId": 555594290,
	  "warnings": [{"status": false, "message": "Default customer status label not set", "code": 8107},
	               {"code": 8054, "message": "Account id not passed", "status": false}],
	  "sideEffects": [
	    {"entityType": "USER", "rawAwardedPoints": 75.000, "awardedPoints": 75, "type": "points"},
	    {"entityType": "USERGROUP2", "rawAwardedValue": 12.5, "awardedValue": 10,
	     "alternateCurrencyIdentifier": "AC-1", "alternateCurrencyName": "Stars", "type": "alternate_currency"},
	    {"id": 98765432101, "couponType": "DISCOUNT", "couponCode": "SAVE-10-XYZ", "trimmedCouponCode": "SAVE10XYZ",
	     "validTill": "2024-12-31T23:59:59+05:30", "description": "10% off", "discountCode": "D10", "type": "coupon"},
	    {"entityType": "USER", "awardedPoints": 50, "rawAwardedPoints": 50.5, "customerId": 171891944,
	     "isReferrer": true, "type": "points"},
	    {"entityType": "GROUP2", "awardedPoints": 5, "customerId": "171891945", "isReferrer": false, "type": "points"},
	    {"type": "some_future_kind", "whatever": {"x": [1, 2]}}
	  ],
	  "errors": [],
	  "loyaltyDetails": [],
	  "customerInfo": {"firstname": "Tom", "lastname": "Sawyer", "identifiers": [{"type": "mobile", "value": "9999000000"}]},
	  "unknownTopLevel": 3.14
	}`
	c, mt := newMockedClient(t)
	script(mt, respond(http.StatusOK, body, headerRequestID, "req-abc-123"))
	res, err := c.Customers.Update(testCtx(t), "555594290", minimalBody(), instore())
	require.NoError(t, err)

	assert.Equal(t, ID("555594290"), res.CreatedID)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "req-abc-123", res.RequestID)
	assert.Equal(t, 1, res.Attempts)
	assert.Equal(t, List[Message]{
		{Code: 8107, Message: "Default customer status label not set"},
		{Code: 8054, Message: "Account id not passed"},
	}, res.Warnings)
	assert.Equal(t, List[SideEffect]{
		{Type: SideEffectPoints, EntityType: "USER", RawAwardedPoints: 75, AwardedPoints: 75},
		{Type: SideEffectAlternateCurrency, EntityType: "USERGROUP2", RawAwardedValue: 12.5, AwardedValue: 10,
			AlternateCurrencyIdentifier: "AC-1", AlternateCurrencyName: "Stars"},
		{Type: SideEffectCoupon, ID: "98765432101", CouponType: "DISCOUNT", CouponCode: "SAVE-10-XYZ",
			TrimmedCouponCode: "SAVE10XYZ", ValidTill: "2024-12-31T23:59:59+05:30", Description: "10% off", DiscountCode: "D10"},
		{Type: SideEffectPoints, EntityType: "USER", AwardedPoints: 50, RawAwardedPoints: 50.5, CustomerID: "171891944", IsReferrer: true},
		{Type: SideEffectPoints, EntityType: "GROUP2", AwardedPoints: 5, CustomerID: "171891945"},
		{Type: "some_future_kind", Unknown: Unknown{"whatever": json.RawMessage(`{"x": [1, 2]}`)}},
	}, res.SideEffects)
	assert.Equal(t, "8107 Default customer status label not set", res.Warnings[0].String())
}

// The vendor's two documented success samples decode.
func TestResponseVendorSamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body   string
		status int
		want   UpdateCustomerResponse
	}{
		{`{"createdId": 162116213, "warnings": [], "sideEffects": [{"awardedPoints": 25, "type": "points"}]}`, http.StatusOK,
			UpdateCustomerResponse{CreatedID: "162116213", Warnings: List[Message]{}, SideEffects: List[SideEffect]{{Type: "points", AwardedPoints: 25}}}},
		// 201: the vendor's "some parts failed", without errors in the body, is a success.
		{`{"createdId": "162116213", "warnings": null}`, http.StatusCreated,
			UpdateCustomerResponse{CreatedID: "162116213"}},
	}
	for _, tt := range tests {
		c, mt := newMockedClient(t)
		script(mt, respond(tt.status, tt.body, headerRequestID, "r-1"))
		res, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
		require.NoError(t, err)
		tt.want.StatusCode, tt.want.RequestID, tt.want.Attempts = tt.status, "r-1", 1
		assert.Equal(t, &tt.want, res)
	}
}

// Attempts counts the retries behind a success.
func TestResponseAttemptsCountsRetries(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	script(mt, respond(http.StatusServiceUnavailable, `{}`), respond(http.StatusTooManyRequests, ``),
		respond(http.StatusOK, okBody, headerRequestID, "third"))
	res, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err)
	assert.Equal(t, 3, res.Attempts)
	assert.Equal(t, "third", res.RequestID)
	assert.Equal(t, ID("171891944"), res.CreatedID)
}

// primary and verified decode from JSON booleans and strings (any case) and always encode as
// the strings "true"/"false"; anything else is refused.
func TestCommChannelFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw     string
		want    *bool
		encoded string // the flag as sent; "" when omitted
	}{
		{`true`, Ptr(true), `"true"`},
		{`false`, Ptr(false), `"false"`},
		{`"true"`, Ptr(true), `"true"`},
		{`"false"`, Ptr(false), `"false"`},
		{`"TRUE"`, Ptr(true), `"true"`},
		{`"False"`, Ptr(false), `"false"`},
		{`null`, nil, ``},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			in := `{"type":"email","value":"a@b.c","primary":` + tt.raw + `,"verified":` + tt.raw + `}`
			var ch CommChannel
			require.NoError(t, json.Unmarshal([]byte(in), &ch))
			assert.Equal(t, tt.want, ch.Primary)
			assert.Equal(t, tt.want, ch.Verified)
			out, err := json.Marshal(ch)
			require.NoError(t, err)
			want := `{"type":"email","value":"a@b.c"}`
			if tt.encoded != "" {
				want = `{"type":"email","value":"a@b.c","primary":` + tt.encoded + `,"verified":` + tt.encoded + `}`
			}
			assert.JSONEq(t, want, string(out))
		})
	}
	var ch CommChannel
	require.NoError(t, json.Unmarshal([]byte(`{"type":"mobile","value":"1","meta":{"k":1}}`), &ch))
	assert.Nil(t, ch.Primary, "absent flag stays unset")
	meta, err := json.Marshal(ch.Meta)
	require.NoError(t, err)
	assert.Equal(t, `{"k":1}`, string(meta), "meta re-encodes as written")
	assert.Error(t, json.Unmarshal([]byte(`{"type": 5, "value": "a"}`), &ch), "a malformed channel")
	for _, bad := range []string{`"yes"`, `"maybe"`, `{}`, `[true]`} {
		err := json.Unmarshal([]byte(`{"type":"email","value":"a","primary":`+bad+`}`), &ch)
		assert.Error(t, err, bad)
	}
}

// Dates go out as YYYY-MM-DDTHH:MM:SS+HH:MM: never Z, never fractions, the offset kept.
func TestDateTimeEncoding(t *testing.T) {
	t.Parallel()
	ist := time.FixedZone("IST", 5*3600+30*60)
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"vendor example", time.Date(2024, 7, 11, 16, 36, 17, 0, ist), `"2024-07-11T16:36:17+05:30"`},
		{"UTC is +00:00, not Z", time.Date(2024, 7, 11, 11, 6, 17, 0, time.UTC), `"2024-07-11T11:06:17+00:00"`},
		{"fractions dropped", time.Date(2024, 7, 11, 16, 36, 17, 999_999_999, ist), `"2024-07-11T16:36:17+05:30"`},
		{"negative offset", time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("", -3*3600)), `"2025-01-02T03:04:05-03:00"`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(NewDateTime(tt.in))
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.want, string(b), tt.name)
		assert.Equal(t, tt.want[1:len(tt.want)-1], NewDateTime(tt.in).String(), tt.name)
	}
	_, err := json.Marshal(NewDateTime(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)))
	assert.Error(t, err, "a year the layout cannot hold")
	assert.Equal(t, "2006-01-02T15:04:05-07:00", DateTimeLayout)
}

// Dates are read in the documented form and the forms the vendor's prose and answers use; a
// bare date is midnight UTC.
func TestDateTimeDecoding(t *testing.T) {
	t.Parallel()
	want := time.Date(2024, 7, 11, 11, 6, 17, 0, time.UTC)
	for _, raw := range []string{
		`"2024-07-11T16:36:17+05:30"`, `"2024-07-11T11:06:17Z"`, `"2024-07-11T11:06:17+00:00"`,
		`"2024-07-11T16:36:17+0530"`, `"2024-07-11T16:36:17.000+05:30"`,
	} {
		var d DateTime
		require.NoError(t, json.Unmarshal([]byte(raw), &d), raw)
		assert.True(t, d.Equal(want), "%s decoded as %s", raw, d)
	}
	var day DateTime
	require.NoError(t, json.Unmarshal([]byte(`"2021-11-23"`), &day))
	assert.True(t, day.Equal(time.Date(2021, 11, 23, 0, 0, 0, 0, time.UTC)), day.String())
	for _, bad := range []string{`"2024-07-1"`, `"11/07/2024 16:36"`, `1720695977`, `"2024-07-11 16:36:17"`} {
		var d DateTime
		assert.Error(t, json.Unmarshal([]byte(bad), &d), bad)
	}
	var d DateTime
	require.NoError(t, json.Unmarshal([]byte(`null`), &d))
	assert.True(t, d.IsZero())
	require.NoError(t, json.Unmarshal([]byte(`""`), &d), "no date, as answers carry it")
	assert.True(t, d.IsZero())
}

// Ptr makes explicit values of any type.
func TestPtr(t *testing.T) {
	t.Parallel()
	p := Ptr(int64(0))
	require.NotNil(t, p)
	assert.Equal(t, int64(0), *p)
	a, b := Ptr(1), Ptr(1)
	assert.NotSame(t, a, b)
}

// The enums' Valid methods accept exactly the documented values.
func TestEnumsValid(t *testing.T) {
	t.Parallel()
	for _, ct := range []ChannelType{"mobile", "email", "wechat", "ios", "android", "line", "mobilePush"} {
		assert.True(t, ct.Valid(), ct)
	}
	for _, ct := range []ChannelType{"", "Mobile", "sms", "mobilepush", "push"} {
		assert.False(t, ct.Valid(), ct)
	}
	assert.True(t, LoyaltyType("loyalty").Valid())
	assert.True(t, LoyaltyType("non_loyalty").Valid())
	for _, lt := range []LoyaltyType{"", "LOYALTY", "non-loyalty", "gold"} {
		assert.False(t, lt.Valid(), lt)
	}
}
