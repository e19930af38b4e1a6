package capillary

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
	assert.Equal(t, Unknown{"seriesId": json.RawMessage(`19`), "statusLabel": json.RawMessage(`"ACTIVE"`)}, p.Identifiers[1].Unknown)
	require.Len(t, p.CommChannels, 2)
	ch := p.CommChannels[1]
	assert.Equal(t, ChannelEmail, ch.Type)
	assert.Equal(t, Ptr(true), ch.Primary)
	assert.Equal(t, Ptr(false), ch.Verified)
	assert.Equal(t, map[string]any{"residence": false, "office": false}, ch.Meta)
	assert.Equal(t, map[string]any{}, ch.Attributes)
	assert.Contains(t, p.Unknown, "identifiersAll")
	assert.Contains(t, p.Unknown, "conflictingProfileList")

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
	assert.Contains(t, card.Unknown, "orgId")
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
	assert.Equal(t, ID("1414"), d.ProgramID)
	assert.Equal(t, "Default", d.CurrentSlab)
	assert.Equal(t, Int(1), d.SlabSNo)
	assert.Equal(t, Int(-1), d.NextSlabSerialNumber)
	assert.Equal(t, Number(24000), d.CumulativePurchases)
	assert.Equal(t, Number(1), d.ProgramPointsToCurrencyRatio)
	assert.Equal(t, 2121, d.SlabExpiryDate.Year())
	assert.Contains(t, d.Unknown, "linkedPartnerPrograms")
	assert.Contains(t, c.Unknown, "fraudDetails")
	assert.Contains(t, c.Unknown, "groupLoyaltyProgramDetails")
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
	c, _ := decodeCustomerFile(t, "vendor_lookup_customer_details.json")
	out, err := json.Marshal(c)
	require.NoError(t, err)
	var again Customer
	require.NoError(t, json.Unmarshal(out, &again))
	assert.JSONEq(t, string(c.Unknown["groupLoyaltyProgramDetails"]), string(again.Unknown["groupLoyaltyProgramDetails"]))
	assert.JSONEq(t, string(c.Profiles[0].Unknown["identifiersAll"]), string(again.Profiles[0].Unknown["identifiersAll"]))
	assert.Equal(t, c.Profiles[0].Identifiers, again.Profiles[0].Identifiers, "the card's seriesId and statusLabel")
	want, _ := json.Marshal(c.LoyaltyProgramDetails[0].Unknown)
	got, _ := json.Marshal(again.LoyaltyProgramDetails[0].Unknown)
	assert.JSONEq(t, string(want), string(got))
	assert.Equal(t, c.ID, again.ID)
}
