package capillary

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
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
		_, modelled := structFieldsOf(reflect.TypeOf(v)).field([]byte(name))
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
