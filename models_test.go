package capillary

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Models: the vendor's shapes decode, unknown fields are kept and re-sent, values keep their digits.

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

func decodeCustomerFile(t *testing.T, name string) (*Customer, map[string]json.RawMessage) {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	var c Customer
	require.NoError(t, json.Unmarshal(raw, &c))
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &top))
	return &c, top
}

// requireKeptEverything checks that every field of an object is modelled or kept in Unknown.
func requireKeptEverything(t *testing.T, v any, unknown Unknown, fields map[string]json.RawMessage) {
	t.Helper()
	for name := range fields {
		_, kept := unknown[name]
		_, modelled := structFieldsOf(reflect.TypeOf(v)).field(name)
		assert.True(t, kept || modelled, "field %q is neither modelled nor kept", name)
	}
}

// The vendor's GET-by-id sample (OLD): every part decodes, with its mixed date forms.
func TestCustomerVendorGetByID(t *testing.T) {
	t.Parallel()
	c, top := decodeCustomerFile(t, "vendor_get_by_id.json")
	requireKeptEverything(t, Customer{}, c.Unknown, top)
	assert.Equal(t, ID("17742"), c.ID)
	require.Len(t, c.Profiles, 1)
	p := c.Profiles[0]
	assert.Equal(t, "Tom", Deref(p.FirstName))
	assert.Equal(t, "Sawyer", Deref(p.LastName))
	assert.Equal(t, SourceWeChat, p.Source)
	assert.Equal(t, "wechat-con1", p.AccountID)
	assert.Equal(t, ID("17742"), p.UserID)
	assert.Equal(t, map[string]any{"Gender": "Male", "Favorite Color": "Green"}, p.Fields)
	require.NotNil(t, p.Attribution)
	assert.Equal(t, "rr.till", p.Attribution.CreatedBy.Code)
	assert.Equal(t, "TILL", p.Attribution.ModifiedBy.Type)
	assert.True(t, p.Attribution.CreateDate.Equal(time.Date(2016, 6, 23, 11, 11, 18, 0, time.UTC)))
	require.Len(t, p.Identifiers, 3)
	assert.Equal(t, Identifier{Type: IdentifierLine, Value: "lineAS6"}, p.Identifiers[0])
	assert.Equal(t, IdentifierCardNumber, p.Identifiers[1].Type, `"cardNumber" is the documented cardnumber`)
	assert.Equal(t, Identifier{Type: IdentifierCardNumber, Value: "TTM001110000000002ZS", SeriesID: 19, StatusLabel: "ACTIVE"}, p.Identifiers[1])
	require.Len(t, p.CommChannels, 2)
	ch := p.CommChannels[1]
	assert.Equal(t, ChannelEmail, ch.Type)
	assert.Equal(t, Ptr(true), ch.Primary)
	assert.Equal(t, Ptr(false), ch.Verified)
	assert.Equal(t, map[string]any{"residence": false, "office": false}, ch.Meta)
	assert.Equal(t, map[string]any{}, ch.Attributes)
	assert.Equal(t, []Identifier{{Type: IdentifierMobile, Value: "916722173368"}, {Type: IdentifierEmail, Value: "6722173368@mail.com"}}, p.IdentifiersAll)
	assert.Equal(t, []CustomerProfile{}, p.ConflictingProfileList)

	require.NotNil(t, c.LoyaltyInfo)
	assert.Equal(t, LoyaltyTypeNonLoyalty, c.LoyaltyInfo.LoyaltyType)
	assert.Equal(t, Number(230), c.LoyaltyInfo.LifetimePurchases)
	assert.Equal(t, "rr.till", c.LoyaltyInfo.AttributionV2.CreatedBy.Name)
	assert.Equal(t, map[string]any{"city": "Bangalore", "gender": "Male"}, c.ExtendedFields)
	assert.Equal(t, map[string]any{}, c.Segments)

	require.Len(t, c.CardDetails, 1)
	card := c.CardDetails[0]
	assert.Equal(t, "visasushi006", card.CardNumber)
	assert.Equal(t, "orea7", card.CardExternalID)
	assert.True(t, card.IssuedDate.Equal(time.Date(2021, 11, 23, 10, 1, 33, 0, time.UTC)), "Z form")
	assert.True(t, card.CreatedDate.Equal(time.Date(2021, 11, 23, 0, 0, 0, 0, time.UTC)), "bare date")
	assert.Equal(t, json.Number("1000.0"), card.ExtendedFields["card_balance"], "digits as they came")
	assert.True(t, bool(card.TransactionNotAllowed))
	require.NotNil(t, card.StatusInfo)
	assert.Equal(t, "ACTIVE", card.StatusInfo.Status)
	assert.True(t, bool(card.StatusInfo.IsActive))
	assert.True(t, card.StatusInfo.AutoUpdateTime.Equal(time.Date(2021, 11, 23, 0, 0, 0, 0, time.UTC)))
	assert.Equal(t, ID("31"), card.StatusInfo.LabelID)
	assert.Equal(t, ID("50016843"), card.StatusInfo.CreatedBy)
	assert.Equal(t, []any{}, card.StatusInfo.Actions)
	assert.Equal(t, ID("50247"), card.OrgID)
	assert.Equal(t, ID("418"), card.ID)
	assert.Equal(t, Int(60), card.MaxActiveCards)
	assert.Empty(t, c.Warnings)
}

// The vendor's lookup sample (OLD, embed=mlp): 24000.0, the far-future tier expiry, and the
// parts not modelled kept.
func TestCustomerVendorLookupDetails(t *testing.T) {
	t.Parallel()
	c, top := decodeCustomerFile(t, "vendor_lookup_customer_details.json")
	requireKeptEverything(t, Customer{}, c.Unknown, top)
	assert.Equal(t, ID("481220846"), c.ID)
	assert.Equal(t, Number(24000), c.LoyaltyInfo.LifetimePurchases)
	assert.Equal(t, "instore", c.LoyaltyInfo.AttributionV2.CreatedFromSource)
	assert.Equal(t, ID("12970395"), c.Profiles[0].Attribution.CreatedBy.ID)
	assert.Equal(t, "", c.Profiles[0].AccountID)
	assert.Equal(t, "sit.admin", c.AssociatedWith)
	require.Len(t, c.LoyaltyProgramDetails, 1)
	d := c.LoyaltyProgramDetails[0]
	assert.Equal(t, Int(1414), d.ProgramID)
	assert.Equal(t, "Default", d.CurrentSlab)
	assert.Equal(t, Int(1), d.SlabSNo)
	assert.Equal(t, Int(-1), d.NextSlabSerialNumber)
	assert.Equal(t, Number(24000), d.CumulativePurchases)
	assert.Equal(t, Number(1), d.ProgramPointsToCurrencyRatio)
	assert.Equal(t, 2121, d.SlabExpiryDate.Year())
	assert.Equal(t, []LinkedPartnerProgram{}, d.LinkedPartnerPrograms)
	assert.Equal(t, &FraudDetails{Status: "NOT_FRAUD", MarkedBy: &Actor{},
		ModifiedOn: &DateTime{time.Date(2019, 9, 23, 15, 13, 14, 0, time.FixedZone("", 5*3600+1800))}}, c.FraudDetails)
	require.Len(t, c.GroupLoyaltyProgramDetails, 1)
	g := c.GroupLoyaltyProgramDetails[0]
	assert.Equal(t, Int(1414), g.GroupProgramID)
	assert.Equal(t, []GroupProgram{{ID: 1414, Name: "Tata Digital SITDefaultProgram", Description: "Default program for Tata Digital SIT"},
		{ID: 1422, Name: "IHCL", Description: "IHCL"}}, g.ProgramsList)
	assert.Equal(t, Number(420), g.LoyaltyPoints)
	assert.Equal(t, Number(1), g.PointsToCurrencyRatio)
}

// The embed fragments (points, subscriptions) decode.
func TestCustomerEmbeds(t *testing.T) {
	t.Parallel()
	c, _ := decodeCustomerFile(t, "vendor_embed_points.json")
	require.NotNil(t, c.PointsSummary)
	s := c.PointsSummary
	assert.Equal(t, "Platinum", s.CurrentSlab)
	assert.Equal(t, Int(3), s.SlabSNo)
	assert.Equal(t, ID("51373283"), s.LoyaltyID)
	assert.Equal(t, 2116, s.SlabExpiryDate.Year())
	assert.Nil(t, s.Unknown, "every field of the sample is modelled")

	var sub Customer
	require.NoError(t, json.Unmarshal([]byte(`{"id":1,"subscriptionInfo":{"subscriptions":[
	  {"channel":"EMAIL","priority":"TRANS","type":"OPTIN"},{"channel":"SMS","priority":"BULK","type":"OPTOUT"}]}}`), &sub))
	assert.Equal(t, []Subscription{{Channel: "EMAIL", Priority: "TRANS", Type: "OPTIN"}, {Channel: "SMS", Priority: "BULK", Type: "OPTOUT"}},
		sub.SubscriptionInfo.Subscriptions)
}

// The forms the vendor mixes in one body all decode: dates with an offset, Z or bare; flags as
// booleans or strings; numbers as 230, 24000.0 or "0.000"; cardNumber or cardnumber.
func TestCustomerMixedForms(t *testing.T) {
	t.Parallel()
	body := `{"id":"7","profiles":[{"firstName":"A","autoUpdateTime":"2021-11-23",
	    "attribution":{"createDate":"2022-12-19T09:12:11Z","modifiedDate":"2021-02-22T13:27:29+05:30","createdBy":{}},
	    "commChannels":[{"type":"mobile","value":"919999000001","primary":"true","verified":false}],
	    "identifiers":[{"type":"mobile","value":919111111111},{"type":"cardnumber","value":"C1"}]}],
	  "loyaltyInfo":{"loyaltyType":"loyalty","lifetimePurchases":"0.000"},
	  "pointsSummary":{"loyaltyPoints":230,"lifetimePoints":24000.0,"redeemed":"0.000","slabSNo":"2","slabExpiryDate":"2116-12-07T23:59:59.000+05:30"},
	  "cardDetails":[{"cardnumber":"lower-case","transactionNotAllowed":"false","issuedDate":"2021-11-23T10:01:33Z"},{"cardNumber":"camel"}],
	  "warnings":{"status":"false","code":"8069","message":"merged customer found"}}`
	var c Customer
	require.NoError(t, json.Unmarshal([]byte(body), &c))
	p := c.Profiles[0]
	assert.True(t, p.AutoUpdateTime.Equal(time.Date(2021, 11, 23, 0, 0, 0, 0, time.UTC)))
	assert.True(t, p.Attribution.CreateDate.Equal(time.Date(2022, 12, 19, 9, 12, 11, 0, time.UTC)))
	assert.True(t, p.Attribution.ModifiedDate.Equal(time.Date(2021, 2, 22, 7, 57, 29, 0, time.UTC)))
	assert.Equal(t, &Actor{}, p.Attribution.CreatedBy)
	assert.Equal(t, Ptr(true), p.CommChannels[0].Primary)
	assert.Equal(t, Ptr(false), p.CommChannels[0].Verified)
	assert.Equal(t, []Identifier{{Type: IdentifierMobile, Value: "919111111111"}, {Type: IdentifierCardNumber, Value: "C1"}}, p.Identifiers)
	assert.Equal(t, Number(0), c.LoyaltyInfo.LifetimePurchases)
	assert.Equal(t, Number(230), c.PointsSummary.LoyaltyPoints)
	assert.Equal(t, Number(24000), c.PointsSummary.LifetimePoints)
	assert.Equal(t, Int(2), c.PointsSummary.SlabSNo)
	assert.Equal(t, "lower-case", c.CardDetails[0].CardNumber)
	assert.Equal(t, "camel", c.CardDetails[1].CardNumber)
	assert.Nil(t, c.CardDetails[0].Unknown, "cardnumber is the modelled cardNumber")
	assert.False(t, bool(c.CardDetails[0].TransactionNotAllowed))
	assert.Equal(t, List[Message]{{Code: 8069, Message: "merged customer found"}}, c.Warnings)
}

// Shapes that are not the vendor's are refused, not guessed.
func TestCustomerRefusesWrongShapes(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		`{"id":{"x":1}}`,
		`{"profiles":{"firstName":"A"}}`,
		`{"profiles":[{"autoUpdateTime":"23/11/2021"}]}`,
		`{"loyaltyInfo":{"lifetimePurchases":"lots"}}`,
		`{"cardDetails":[{"transactionNotAllowed":"maybe"}]}`,
	} {
		var c Customer
		assert.Error(t, json.Unmarshal([]byte(bad), &c), bad)
	}
}

// A customer written as JSON keeps what the SDK does not model, at every level.
func TestCustomerMarshalKeepsUnknown(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/vendor_lookup_customer_details.json")
	require.NoError(t, err)
	body := strings.Replace(string(raw), `"id":481220846,`, `"id":481220846,"futurePart":{"a":[1,2.50]},`, 1)
	body = strings.Replace(body, `"autoUpdateTime":`, `"nickname":"Tommy","autoUpdateTime":`, 1)
	body = strings.Replace(body, `"programTitle":`, `"programColour":"gold","programTitle":`, 1)
	var c Customer
	require.NoError(t, json.Unmarshal([]byte(body), &c))
	out, err := json.Marshal(c)
	require.NoError(t, err)
	var again Customer
	require.NoError(t, json.Unmarshal(out, &again))
	assert.JSONEq(t, `{"a":[1,2.50]}`, string(again.Unknown["futurePart"]))
	assert.JSONEq(t, `"Tommy"`, string(again.Profiles[0].Unknown["nickname"]))
	assert.JSONEq(t, `"gold"`, string(again.LoyaltyProgramDetails[0].Unknown["programColour"]))
	assert.Equal(t, c.Profiles[0].Identifiers, again.Profiles[0].Identifiers, "the card's seriesId and statusLabel")
	assert.Equal(t, c.GroupLoyaltyProgramDetails, again.GroupLoyaltyProgramDetails)
	assert.Equal(t, c.FraudDetails.Status, again.FraudDetails.Status)
	assert.Equal(t, c.ID, again.ID)
}

// UnknownIn lists where v holds something in an Unknown, for the tests of package capillary_test.
func UnknownIn(v any) []string { return unknownPaths(reflect.ValueOf(v), "") }

// unknownPaths lists where v, or a value within it, holds something in an Unknown.
func unknownPaths(v reflect.Value, path string) []string {
	var out []string
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			out = unknownPaths(v.Elem(), path)
		}
	case reflect.Slice:
		for i := range v.Len() {
			out = append(out, unknownPaths(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Map:
		if v.Type() == unknownType {
			for _, name := range v.MapKeys() {
				out = append(out, path+"."+name.String())
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out = append(out, unknownPaths(v.Field(i), path+"."+v.Type().Field(i).Name)...)
			}
		}
	}
	return out
}

// Every vendor sample of the GET pages decodes with nothing left in Unknown, and each part the
// SDK asks for (an embed, an include) is typed where the sample has it.
func TestCustomerVendorSamplesTyped(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		file string
		part func(*Customer) any // a part the sample fills
	}{
		{"vendor_get_by_id.json", func(c *Customer) any { return c.CardDetails[0].StatusInfo }},
		{"vendor_lookup_customer_details.json", func(c *Customer) any { return c.FraudDetails }},
		{"vendor_embed_points.json", func(c *Customer) any { return c.PointsSummary }},
		{"vendor_embed_subscriptions.json", func(c *Customer) any { return c.SubscriptionInfo }},
		{"vendor_embed_mlp.json", func(c *Customer) any { return c.LoyaltyProgramDetails }},
		{"vendor_embed_promotional_points.json", func(c *Customer) any { return c.PromotionalPoints }},
	} {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			c, _ := decodeCustomerFile(t, tt.file)
			assert.Empty(t, unknownPaths(reflect.ValueOf(c), "customer"))
			assert.NotEmpty(t, tt.part(c))
		})
	}
}

// The samples of the GET pages, read from the vendor's spec itself rather than from copies in
// testdata: every JSON block of its "Reading a customer back" sections (the customer by id, the
// points embed, the lookup) decodes with nothing left in Unknown.
func TestCustomerSpecSamplesTyped(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(specDir(t), "capillary-customers-more.md"))
	require.NoError(t, err)
	_, reads, ok := strings.Cut(string(raw), "### 2a. GET by id")
	require.True(t, ok, "the spec has its GET by id section")
	reads, _, ok = strings.Cut(reads, "### 2c.")
	require.True(t, ok, "the spec's GET sections end at 2c")
	blocks := strings.Split(reads, "```json\n")[1:]
	require.Len(t, blocks, 3, "the by-id sample, its points embed, the lookup sample")
	for i, block := range blocks {
		sample, _, _ := strings.Cut(block, "```")
		if !strings.HasPrefix(strings.TrimSpace(sample), "{") {
			sample = "{" + sample + "}" // an embed's fragment, "pointsSummary": {...}
		}
		var c Customer
		require.NoError(t, json.Unmarshal([]byte(sample), &c), "sample %d", i)
		assert.Empty(t, unknownPaths(reflect.ValueOf(c), "customer"), "sample %d", i)
		assert.NotEqual(t, Customer{}, c, "sample %d", i)
	}
}

// The parts of the embeds and includes, as the vendor's samples show them.
func TestCustomerEmbedParts(t *testing.T) {
	t.Parallel()
	c, _ := decodeCustomerFile(t, "vendor_embed_promotional_points.json")
	require.Len(t, c.PromotionalPoints.CustomerPromotionType, 3)
	assert.Equal(t, PromotionPoints{
		Points:          200,
		IssuedAt:        &Actor{Code: "store", Name: "store 10"},
		IssuedOn:        &DateTime{time.Date(2019, 12, 12, 11, 23, 3, 0, time.FixedZone("", 5*3600+1800))},
		ExpiryDate:      &DateTime{time.Date(2020, 12, 31, 23, 59, 59, 0, time.FixedZone("", 5*3600+1800))},
		PromotionSource: &PromotionSource{PromotionSourceID: -1, PromotionSourceType: "GOODWILL"},
		ProgramID:       1016,
		PromotionName:   "Goodwill Promotion",
	}, c.PromotionalPoints.CustomerPromotionType[0])
	assert.Equal(t, []PromotionPoints{}, c.PromotionalPoints.TransactionPromotionType)

	c, _ = decodeCustomerFile(t, "vendor_embed_mlp.json")
	require.Len(t, c.LoyaltyProgramDetails, 2)
	assert.Equal(t, Int(1223), c.LoyaltyProgramDetails[1].ProgramID)
	assert.Equal(t, Number(8600), c.LoyaltyProgramDetails[0].Redeemed)

	// The vendor's sample of the customer's loyalty details (GET v2/customers/{id}/loyaltyDetails)
	// gives each program in the lookup's shape, with linked partner programs and fractional points.
	raw, err := os.ReadFile("testdata/vendor_loyalty_details.json")
	require.NoError(t, err)
	var whole Customer
	require.NoError(t, json.Unmarshal([]byte(`{"loyaltyProgramDetails":`+string(jsonMember(t, raw, "data"))+`}`), &whole))
	assert.Empty(t, unknownPaths(reflect.ValueOf(whole), "customer"))
	d := whole.LoyaltyProgramDetails[0]
	assert.Equal(t, Number(1009.89), d.LoyaltyPoints)
	assert.Equal(t, Number(250), d.DelayedReturnedPoints)
	assert.Equal(t, Number(250), d.TotalReturnedPoints)
	require.Len(t, d.LinkedPartnerPrograms, 2)
	assert.Equal(t, LinkedPartnerProgram{PartnerProgramID: 5, PartnerProgramName: "1stProgram", PartnerProgramDescription: "1stProgram",
		PartnerTierNumber: 1, PartnerTierName: "1stSlab", PartnerMembershipID: "916215776456", PartnerProgramType: "EXTERNAL", TierBased: true,
		PartnerTierExpiryDate: &DateTime{time.Date(2022, 12, 29, 23, 59, 59, 0, time.FixedZone("", 5*3600+1800))}}, d.LinkedPartnerPrograms[0])
	assert.False(t, bool(d.LinkedPartnerPrograms[1].TierBased))
}

// jsonMember is the value of one member of a JSON object.
func jsonMember(t *testing.T, raw []byte, name string) json.RawMessage {
	t.Helper()
	var members map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &members))
	require.Contains(t, members, name)
	return members[name]
}

// The parts the vendor documents only in its tables (no sample): every field of the table decodes
// into a typed field. upgradeStrategies and gapToRenewSummary are read at the top level, where
// the tables put them, and within a program.
func TestCustomerTableParts(t *testing.T) {
	t.Parallel()
	const upgrade = `[{"upgrade_based_on":"CUMULATIVE_PURCHASES","upgradeThreshold":5000.0,
	  "customerUpgradeEntityValues":{"currentValue":1200.5,"gapToUpgrade":3799.5,"valueValidUpto":"2025-12-31"}}]`
	const renew = `[{"tierExpiryDate":"2025-06-30","renewConfirmed":false,"renewStrategies":[{"renewBasedOn":"TRACKER",
	  "trackerEntityIdentifiers":[{"trackerName":"visits","trackerType":"COUNT","trackerMode":"CUMULATIVE","trackerCaseName":"c1",
	    "trackerCasePeriodType":"MONTHS","trackerCasePeriodValue":6}],
	  "renewThreshold":10,"customerRenewEntityValue":4,"customerGapToRenewValue":6}]}]`
	body := `{"id":1,
	  "alternateCurrencyDetails":[{"programId":622,"programName":"Default","alternateCurrencyData":{"name":"miles",
	    "earned":10.5,"lifetimeEarned":20,"redeemed":1,"expired":2,"returned":3,"delayedEarned":4,"delayedLifetimeEarned":5,
	    "delayedReturned":6,"delayedExpired":7,"totalAvailable":14.5,"totalRedeemed":8,"totalReturned":9,"totalExpired":11}}],
	  "upgradeStrategies":` + upgrade + `,"gapToRenewSummary":` + renew + `,
	  "ug2Pagination":{"offset":0,"limit":10},
	  "cardDetails":[{"cardNumber":"C1","expiryDate":"2030-01-01T00:00:00Z","activeAndDigital":true}],
	  "loyaltyProgramDetails":[{"programId":622,"delayedExpiredPoints":1.25,"upgradeStrategies":` + upgrade + `,"gapToRenewSummary":` + renew + `}]}`
	var c Customer
	require.NoError(t, json.Unmarshal([]byte(body), &c))
	assert.Empty(t, unknownPaths(reflect.ValueOf(c), "customer"))

	require.Len(t, c.AlternateCurrencyDetails, 1)
	a := c.AlternateCurrencyDetails[0]
	assert.Equal(t, Int(622), a.ProgramID)
	assert.Equal(t, &AlternateCurrencyData{Name: "miles", Earned: 10.5, LifetimeEarned: 20, Redeemed: 1, Expired: 2, Returned: 3,
		DelayedEarned: 4, DelayedLifetimeEarned: 5, DelayedReturned: 6, DelayedExpired: 7, TotalAvailable: 14.5, TotalRedeemed: 8,
		TotalReturned: 9, TotalExpired: 11}, a.AlternateCurrencyData)
	assert.Equal(t, map[string]any{"offset": json.Number("0"), "limit": json.Number("10")}, c.UG2Pagination)
	assert.True(t, bool(c.CardDetails[0].ActiveAndDigital))
	assert.Equal(t, Number(1.25), c.LoyaltyProgramDetails[0].DelayedExpiredPoints)

	for _, place := range []struct {
		upgrade []UpgradeStrategy
		renew   []GapToRenewSummary
	}{{c.UpgradeStrategies, c.GapToRenewSummary}, {c.LoyaltyProgramDetails[0].UpgradeStrategies, c.LoyaltyProgramDetails[0].GapToRenewSummary}} {
		require.Len(t, place.upgrade, 1)
		u := place.upgrade[0]
		assert.Equal(t, "CUMULATIVE_PURCHASES", u.UpgradeBasedOn)
		assert.Equal(t, Number(5000), u.UpgradeThreshold)
		assert.Equal(t, Number(3799.5), u.CustomerUpgradeEntityValues.GapToUpgrade)
		assert.Equal(t, 2025, u.CustomerUpgradeEntityValues.ValueValidUpto.Year())
		require.Len(t, place.renew, 1)
		r := place.renew[0]
		assert.Equal(t, time.June, r.TierExpiryDate.Month())
		require.Len(t, r.RenewStrategies, 1)
		assert.Equal(t, Number(6), r.RenewStrategies[0].CustomerGapToRenewValue)
		assert.Equal(t, TrackerEntityIdentifier{TrackerName: "visits", TrackerType: "COUNT", TrackerMode: "CUMULATIVE", TrackerCaseName: "c1",
			TrackerCasePeriodType: "MONTHS", TrackerCasePeriodValue: 6}, r.RenewStrategies[0].TrackerEntityIdentifiers[0])
	}
}

// The answer's errors list is the call's, judged by it: an empty one is not kept as an unknown
// field of the customer.
// The name is matched in any case, as the call matches it.
func TestReadAnswerErrorsListIsNotUnknown(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"id": 7, "warnings": [], "errors": []}`, `{"id": 7, "Errors": []}`} {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			scriptMethod(mt, http.MethodGet, respond(http.StatusOK, body))
			cust, err := c.Customers.Get(testCtx(t), "7", &GetCustomerParams{Source: SourceInstore})
			require.NoError(t, err)
			assert.Equal(t, ID("7"), cust.ID)
			assert.Nil(t, cust.Unknown)
		})
	}
}

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
	assert.Equal(t, Int(19), req.Profiles[0].Identifiers[0].SeriesID)
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

// referenceUnmarshalID is ID.UnmarshalJSON with encoding/json deciding every form: a number
// through json.Number instead of being taken as its text.
func referenceUnmarshalID(id *ID, data []byte) error {
	data = bytes.TrimSpace(data)
	s := string(data)
	switch {
	case s == "null":
		return nil
	case strings.HasPrefix(s, `"`):
		return json.Unmarshal(data, (*string)(id))
	default:
		var n json.Number
		if err := json.Unmarshal(data, &n); err != nil {
			return fmt.Errorf("capillary: id %.40s is neither a string nor a number", data)
		}
		*id = ID(n)
		return nil
	}
}

// FuzzIDUnmarshalJSON checks that ID.UnmarshalJSON, which keeps a number as its text, decodes
// exactly what encoding/json does, and refuses what it refuses.
func FuzzIDUnmarshalJSON(f *testing.F) {
	for _, seed := range []string{
		`162116213`, `"555594290"`, `123456789012345678901234567890`, `-0`, `-12.5e+10`, `1E-2`, `0.0`,
		`01`, `-01`, `1.`, `.5`, `-`, `+1`, `1e`, `1e+`, ` 1`, `1 `, `0x10`, `NaN`, `1_000`,
		`""`, `"é"`, `"a\"b"`, `"\u00e9"`, "\"\xff\"", "\"tab\there\"", `"1"x`, `"`, `"a"b"`, `"a\`,
		``, `null`, ` null`, `true`, `{}`, `[]`, `[1]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, want := ID("previous"), ID("previous")
		gotErr, wantErr := got.UnmarshalJSON(data), referenceUnmarshalID(&want, data)
		if got != want || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Errorf("UnmarshalJSON(%q) = %q, %v; encoding/json gives %q, %v", data, got, gotErr, want, wantErr)
		}
	})
}

// An id that is neither a string nor a number is refused with a short quote of it.
func TestIDErrorQuotesLittle(t *testing.T) {
	t.Parallel()
	for _, data := range []string{`[` + strings.Repeat(`"x",`, 1000) + `1]`, `{"a":` + strings.Repeat("1", 1000) + `}`, ` true `} {
		var id ID
		err := id.UnmarshalJSON([]byte(data))
		require.Error(t, err)
		assert.LessOrEqual(t, len(err.Error()), 100, err.Error())
		assert.Empty(t, id)
	}
}

// A type's UnmarshalJSON called directly with what encoding/json would not pass it is refused,
// and the walk never reads past what was decoded.
func TestUnmarshalJSONRefusesWhatFollowsTheValue(t *testing.T) {
	t.Parallel()
	// \f and a no-break space are white space to bytes.TrimSpace, not to JSON.
	for _, in := range []string{`{"a":1} "unterminated`, `{"profiles":[]} {"b":[`, `{"x":1}}`, `{"a":"b"`, `{"a":`, "{\"id\":1}\f", "{\"id\":1}\u00a0"} {
		assert.Error(t, new(UpdateCustomerRequest).UnmarshalJSON([]byte(in)), in)
		assert.Error(t, new(Customer).UnmarshalJSON([]byte(in)), in)
	}
}

// A side effect is stored on its own (a bulk run's results file): encoded alone and decoded
// alone, it keeps the fields the SDK does not model.
func TestSideEffectAloneKeepsUnknownFields(t *testing.T) {
	t.Parallel()
	var resp UpdateCustomerResponse
	require.NoError(t, json.Unmarshal([]byte(`{"createdId":1,"sideEffects":[{"type":"badge","badgeId":"b-7","awardedPoints":25}]}`), &resp))
	require.Len(t, resp.SideEffects, 1)
	out, err := json.Marshal(resp.SideEffects)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"type":"badge","awardedPoints":25,"badgeId":"b-7"}]`, string(out))

	var stored []SideEffect
	require.NoError(t, json.Unmarshal(out, &stored))
	assert.Equal(t, resp.SideEffects[0], stored[0])
}

// FuzzReadAnswer decodes any body as a read's answer, the way the SDK does: it never panics,
// refuses what is not JSON, and keeps every top-level member the Customer does not model in
// Unknown, as it came.
func FuzzReadAnswer(f *testing.F) {
	for _, name := range []string{"vendor_get_by_id.json", "vendor_lookup_customer_details.json", "vendor_embed_points.json",
		"vendor_embed_promotional_points.json", "vendor_error_8015.json"} {
		sample, err := os.ReadFile("testdata/" + name)
		require.NoError(f, err)
		f.Add(sample)
	}
	for _, s := range []string{``, `null`, `[]`, `{"id":1}` + "\f", `{"ID":"7","Unknown":1,"x":[{"y":"\u00e9"}],"x":2}`, `{"profiles":{"firstName":"a","z":1}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var c Customer
		err := json.Unmarshal(body, &c)
		if !json.Valid(body) {
			require.Error(t, err, "invalid JSON accepted")
			return
		}
		var members map[string]json.RawMessage
		if err != nil || json.Unmarshal(body, &members) != nil {
			return // valid JSON of the wrong shape: an error is fine
		}
		fields := structFieldsOf(reflect.TypeFor[Customer]())
		for name := range members {
			if _, known := fields.field(name); known {
				continue
			}
			kept, ok := lastMember(t, body, name)
			require.True(t, ok)
			assert.JSONEq(t, string(kept), string(c.Unknown[name]), "member %q", name)
		}
	})
}

// lastMember is the value of the last member of a JSON object with exactly that name, as
// encoding/json would keep it.
func lastMember(t *testing.T, body []byte, name string) (json.RawMessage, bool) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var found json.RawMessage
	ok := false
	for dec.More() {
		key, err := dec.Token()
		require.NoError(t, err)
		var v json.RawMessage
		require.NoError(t, dec.Decode(&v))
		if key == name {
			found, ok = v, true
		}
	}
	return found, ok
}
