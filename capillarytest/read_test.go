package capillarytest_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/capillarytest"
)

// get sends GET path?query with the default till.
func get(t *testing.T, srv *capillarytest.Server, path, query string) reply {
	t.Helper()
	return send(t, http.MethodGet, srv.URL+path+"?"+query, "", nil)
}

// readServer holds Tom with identifiers of every type the lookup takes, and a WECHAT profile.
func readServer(t *testing.T, opts ...capillarytest.Option) (*capillarytest.Server, *capillarytest.ManualClock) {
	t.Helper()
	clock := capillarytest.NewManualClock(time.Date(2024, 7, 11, 16, 36, 17, 0, time.FixedZone("IST", 5*3600+1800)))
	tom := tomSawyer()
	tom.Identifiers = []capillarytest.Identifier{{Type: "externalId", Value: "MPQSP100"}, {Type: "cardnumber", Value: "TTM001"},
		{Type: "cardExternalId", Value: "card-uuid-1"}}
	tom.OtherProfiles = []capillarytest.Profile{{Source: "WECHAT", AccountID: "wx-1", FirstName: "汤姆",
		Identifiers: []capillarytest.Identifier{{Type: "wechat", Value: "wc_2"}}}}
	tom.Fields = map[string]any{"city": "Bangalore"}
	tom.Subscriptions = []capillarytest.Subscription{{Channel: "EMAIL", Priority: "TRANS", Type: "OPTIN"}}
	tom.Segments = map[string]string{"Activity segment": "Lapsed"}
	srv := capillarytest.NewServer(append([]capillarytest.Option{capillarytest.WithClock(clock.Now), capillarytest.WithCustomers(tom)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv, clock
}

func TestGetCustomerInTheVendorsShape(t *testing.T) {
	t.Parallel()
	srv, _ := readServer(t)
	r := get(t, srv, "/v2/customers/"+tomID, "source=INSTORE")
	require.Equal(t, 200, r.status, r.body)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	stamp := `{"createDate":"2024-07-11T16:36:17+05:30","createdBy":{"code":"capillarytest","name":"capillarytest","type":"TILL"},
		"modifiedBy":{"code":"capillarytest","name":"capillarytest","type":"TILL"},"modifiedDate":"2024-07-11T16:36:17+05:30"}`
	assert.JSONEq(t, `{"id":171891944,
		"profiles":[
		 {"firstName":"Tom","lastName":"Sawyer","attribution":`+stamp+`,"fields":{"city":"Bangalore"},
		  "identifiers":[{"type":"externalId","value":"MPQSP100"},{"type":"cardnumber","value":"TTM001"},{"type":"cardExternalId","value":"card-uuid-1"},
		   {"type":"mobile","value":"9999000000"},{"type":"email","value":"tomsawyer@gmail.com"}],
		  "commChannels":[{"type":"mobile","value":"9999000000","primary":true,"verified":true,"meta":{},"attributes":{}},
		   {"type":"email","value":"tomsawyer@gmail.com","primary":true,"verified":true,"meta":{},"attributes":{}}],
		  "source":"INSTORE","userId":171891944,"accountId":"","conflictingProfileList":[],"autoUpdateTime":"2024-07-11T16:36:17+05:30",
		  "identifiersAll":[{"type":"externalId","value":"MPQSP100"},{"type":"cardnumber","value":"TTM001"},{"type":"cardExternalId","value":"card-uuid-1"},
		   {"type":"mobile","value":"9999000000"},{"type":"email","value":"tomsawyer@gmail.com"}]},
		 {"firstName":"汤姆","lastName":"","attribution":`+stamp+`,"fields":{},"identifiers":[{"type":"wechat","value":"wc_2"}],"commChannels":[],
		  "source":"WECHAT","userId":171891944,"accountId":"wx-1","conflictingProfileList":[],"autoUpdateTime":"2024-07-11T16:36:17+05:30",
		  "identifiersAll":[{"type":"wechat","value":"wc_2"}]}],
		"loyaltyInfo":{"loyaltyType":"non_loyalty","attributionV2":`+stamp+`,"lifetimePurchases":0},
		"segments":{"Activity segment":"Lapsed"},"associatedWith":"capillarytest","extendedFields":{},"cardDetails":[],"warnings":[]}`, r.body)

	r = get(t, srv, "/v2/customers/"+tomID, "source=WECHAT&accountId=wx-1&includedOnlyCurrentProfile=true")
	require.Equal(t, 200, r.status, r.body)
	assert.Contains(t, r.body, `"profiles":[{"firstName":"汤姆"`, "only the WECHAT profile")
}

func TestGetReadsBackAnUpdate(t *testing.T) {
	t.Parallel()
	srv, clock := readServer(t)
	clock.Advance(time.Hour)
	r := update(t, srv, tomID, "source=INSTORE", `{"loyaltyInfo":{"loyaltyType":"loyalty"},"extendedFields":{"gender":"MALE"},
		"loyaltyProgramEnrollments":[{"programId":699,"tierNumber":2,"loyaltyPoints":75,"tierExpiryDate":"2030-01-31T23:59:59+05:30"},
		{"programId":700}]}`)
	require.Equal(t, 200, r.status, r.body)

	r = get(t, srv, "/v2/customers/"+tomID, "source=ALL&embed=points,mlp&embed=subscriptions")
	require.Equal(t, 200, r.status, r.body)
	assert.Contains(t, r.body, `"loyaltyInfo":{"loyaltyType":"loyalty"`)
	assert.Contains(t, r.body, `"modifiedDate":"2024-07-11T17:36:17+05:30"`, "the update's time, by the server's clock")
	assert.Contains(t, r.body, `"extendedFields":{"gender":"MALE"}`)
	assert.Contains(t, r.body, `"pointsSummary":{"adjusted":0,"cumulativePurchases":0,"currentSlab":"Tier 2","expired":0,"lifetimePoints":75,`+
		`"loyaltyId":171891944,"loyaltyPoints":75,"nextSlab":"","nextSlabDescription":"","nextSlabSerialNumber":-1,"redeemed":0,"returned":0,`+
		`"slabExpiryDate":"2030-01-31T23:59:59+05:30","slabSNo":2}`)
	assert.Contains(t, r.body, `"loyaltyProgramDetails":[{"redeemed":0,"expired":0,"returned":0,"adjusted":0,"lifetimePoints":75,"loyaltyPoints":75,`+
		`"cumulativePurchases":0,"loyaltyId":171891944,"currentSlab":"Tier 2","nextSlab":"","nextSlabSerialNumber":-1,"nextSlabDescription":"",`+
		`"slabSNo":2,"slabExpiryDate":"2030-01-31T23:59:59+05:30","programId":699,"delayedPoints":0,"delayedReturnedPoints":0,"delayedExpiredPoints":0,`+
		`"totalAvailablePoints":75,"totalReturnedPoints":0,"linkedPartnerPrograms":[],"programTitle":"Program 699","programDescription":"",`+
		`"programPointsToCurrencyRatio":1},{`)
	assert.Contains(t, r.body, `"subscriptionInfo":{"subscriptions":[{"channel":"EMAIL","priority":"TRANS","type":"OPTIN"}]}`)

	r = get(t, srv, "/v2/customers/"+tomID, "source=INSTORE")
	assert.NotContains(t, r.body, "pointsSummary", "embeds only when asked")
	counts, ok := srv.UpdateCounts(tomID)
	require.True(t, ok)
	assert.Equal(t, capillarytest.UpdateCounts{Received: 1, Applied: 1}, counts)
}

func TestGetRefusals(t *testing.T) {
	t.Parallel()
	srv, _ := readServer(t)
	srv.AddCustomer(capillarytest.Customer{ID: "8", MergedInto: tomID})
	srv.AddCustomer(capillarytest.Customer{ID: "9", Deleted: true})
	tests := []struct {
		path, query string
		code        int
		message     string
	}{
		{"/v2/customers/" + tomID, "", 8016, "GET failed, No source passed: the source query parameter is required"},
		{"/v2/customers/" + tomID, "source=SMS", 8012, `Get, Invalid source passed: source "SMS" is not ALL or a source the API knows`},
		{"/v2/customers/" + tomID, "source=WECHAT", 8045, ""},
		{"/v2/customers/" + tomID, "source=WECHAT&accountId=wx-2", 8065, ""},
		{"/v2/customers/" + tomID, "source=MARTJACK", 8065, ""},
		{"/v2/customers/" + tomID, "source=MAPP_SDK", 8065, ""},
		{"/v2/customers/1", "source=INSTORE", 8015, ""},
		{"/v2/customers/tom", "source=INSTORE", 8015, ""},
		{"/v2/customers/8", "source=INSTORE", 8069, "Merged customer found: customer 8 was merged into customer 171891944"},
		{"/v2/customers/9", "source=INSTORE", 8109, "Customer is deleted after PII delete request: customer 9"},
		{"/v2/customers/" + tomID, "source=INSTORE&embed=point", 400, ""},
		{"/v2/customers/" + tomID, "source=INSTORE&includedOnlyCurrentProfile=yes", 400, ""},
	}
	for _, tc := range tests {
		r := get(t, srv, tc.path, tc.query)
		assert.Equal(t, 400, r.status, "%s?%s: %s", tc.path, tc.query, r.body)
		e := decode(t, r.body)
		assert.Equal(t, []int{tc.code}, codes(e.Errors), "%s?%s", tc.path, tc.query)
		if tc.message != "" {
			assert.Equal(t, tc.message, e.Errors[0].Message)
		}
	}
	r := update(t, srv, "9", "source=INSTORE", `{}`)
	assert.Equal(t, []int{8109}, codes(decode(t, r.body).Errors), "an update of a deleted customer")
	r = send(t, http.MethodGet, srv.URL+"/v2/customers/"+tomID+"?source=INSTORE", "", map[string]string{})
	assert.Equal(t, 401, r.status, "reads authenticate too")
}

func TestLookupReadByEachIdentifier(t *testing.T) {
	t.Parallel()
	srv, _ := readServer(t)
	for _, q := range []string{
		"identifierName=mobile&identifierValue=9999000000",
		"identifierName=email&identifierValue=tomsawyer@gmail.com",
		"identifierName=externalId&identifierValue=MPQSP100",
		"identifierName=cardnumber&identifierValue=TTM001",
		"identifierName=cardExternalId&identifierValue=card-uuid-1",
		"identifierName=wechat&identifierValue=wc_2",
	} {
		r := get(t, srv, "/v2/customers/lookup/customerDetails", "source=INSTORE&"+q+"&embed=points")
		require.Equal(t, 200, r.status, "%s: %s", q, r.body)
		assert.Contains(t, r.body, `{"id":171891944,"profiles":[`, q)
		assert.Contains(t, r.body, `"pointsSummary":{`, q)
	}
	r := get(t, srv, "/v2/customers/lookup/customerDetails", "source=WECHAT&accountId=wx-1&identifierName=wechat&identifierValue=wc_2")
	assert.Equal(t, 200, r.status, r.body)
}

func TestLookupReadRefusals(t *testing.T) {
	t.Parallel()
	srv, _ := readServer(t)
	tests := []struct {
		query string
		code  int
	}{
		{"source=WECHAT&identifierName=wechat&identifierValue=wc_2", 8015},
		{"source=MARTJACK&identifierName=mobile&identifierValue=9999000000", 8015},
		{"source=INSTORE&identifierName=phone&identifierValue=9999000000", 8013},
		{"source=INSTORE&identifierName=mobile", 8093},
		{"source=INSTORE&identifierName=mobile&identifierValue=", 8093},
		{"source=INSTORE&identifierValue=9999000000", 8092},
		{"identifierName=mobile&identifierValue=9999000000", 8016},
		{"source=INSTORE&identifierName=mobile,email&identifierValue=9999000000,tomsawyer@gmail.com", 8013},
		{"source=INSTORE&identifierName=mobile,email&identifierValue=9999000000", 8013},
		{"source=INSTORE&identifierName=mobile&identifierValue=9999000009", 8015},
		{"source=SMS&identifierName=mobile&identifierValue=9999000000", 8012},
		{"source=ALL&identifierName=mobile&identifierValue=9999000000", 8015},
		{"source=MAPP_SDK&identifierName=mobile&identifierValue=9999000000", 8015},
		{"source=MAPP_SDK&accountId=app-1&identifierName=mobile&identifierValue=9999000000", 8065},
		{"source=WECHAT&accountId=wx-2&identifierName=mobile&identifierValue=9999000000", 8065},
	}
	for _, tc := range tests {
		r := get(t, srv, "/v2/customers/lookup/customerDetails", tc.query)
		assert.Equal(t, 400, r.status, "%s: %s", tc.query, r.body)
		assert.Equal(t, []int{tc.code}, codes(decode(t, r.body).Errors), tc.query)
	}
}

func TestLookupReadDualEligibility(t *testing.T) {
	t.Parallel()
	srv, _ := readServer(t, capillarytest.WithDualEligibility())
	lookup := func(names, values string) reply {
		return get(t, srv, "/v2/customers/lookup/customerDetails", "source=INSTORE&identifierName="+names+"&identifierValue="+values)
	}
	r := lookup("email,mobile,externalId", "tomsawyer%40gmail.com,9999000000,MPQSP100")
	require.Equal(t, 200, r.status, r.body)
	assert.Contains(t, r.body, `"warnings":[]`)

	r = lookup("email%2Cmobile", "someone%40example.com%2C9999000000")
	require.Equal(t, 200, r.status, "the primary identifier (mobile) decides: %s", r.body)
	e := decode(t, r.body)
	assert.Equal(t, []int{8075}, codes(e.Warnings), r.body)
	assert.Equal(t, "Primary identifier not matching with other identifiers: email someone@example.com is not customer 171891944's", e.Warnings[0].Message)

	r = lookup("email", "tomsawyer%40gmail.com")
	assert.Equal(t, []int{8015}, codes(decode(t, r.body).Errors), "one identifier that is not the primary one: %s", r.body)
}

func TestUpdateByLookup(t *testing.T) {
	t.Parallel()
	srv, _ := readServer(t)
	for i, q := range []string{
		"identifierName=mobile&identifierValue=9999000000",
		"identifierName=email&identifierValue=tomsawyer@gmail.com",
		"identifierName=externalId&identifierValue=MPQSP100",
	} {
		points := []string{"10", "20", "30"}[i]
		program := []string{"1", "2", "3"}[i]
		r := send(t, http.MethodPut, srv.URL+"/v2/customers/lookup?source=INSTORE&use_async=false&"+q,
			`{"loyaltyProgramEnrollments":[{"programId":`+program+`,"loyaltyPoints":`+points+`}]}`, nil)
		require.Equal(t, 200, r.status, "%s: %s", q, r.body)
		assert.JSONEq(t, `{"createdId":171891944,"warnings":[],"sideEffects":[{"entityType":"USER","rawAwardedPoints":`+points+
			`,"awardedPoints":`+points+`,"type":"points"}]}`, r.body, q)
	}
	got, _ := srv.Customer(tomID)
	assert.Len(t, got.Enrollments, 3)

	tests := []struct {
		query string
		code  int
	}{
		{"source=INSTORE&identifierName=wechat&identifierValue=wc_1", 8013},
		{"source=INSTORE&identifierName=mobile", 8013},
		{"source=INSTORE&identifierName=mobile,email&identifierValue=9999000000,tomsawyer@gmail.com", 8013},
		{"source=INSTORE&identifierName=mobile&identifierValue=9999000009", 8015},
		{"source=INSTORE&identifierName=mobile&identifierValue=9999000000&mlp_single_enroll=true", 400},
		{"identifierName=mobile&identifierValue=9999000000", 8003},
		{"source=WECHAT&identifierName=mobile&identifierValue=9999000000", 8045},
	}
	for _, tc := range tests {
		r := send(t, http.MethodPut, srv.URL+"/v2/customers/lookup?"+tc.query, `{}`, nil)
		assert.Equal(t, 400, r.status, "%s: %s", tc.query, r.body)
		assert.Equal(t, []int{tc.code}, codes(decode(t, r.body).Errors), tc.query)
	}
}

func TestLookupFollowsChanges(t *testing.T) {
	t.Parallel()
	srv, _ := readServer(t)
	byExternalID := func(v string) int {
		return get(t, srv, "/v2/customers/lookup/customerDetails", "source=INSTORE&identifierName=externalId&identifierValue="+v).status
	}
	srv.AddCustomer(capillarytest.Customer{ID: "5"})
	require.Equal(t, 200, update(t, srv, "5", "source=INSTORE", `{"profiles":[{"identifiers":[{"type":"externalId","value":"X-5"}]}]}`).status)
	assert.Equal(t, 200, byExternalID("X-5"), "an identifier an update added")
	srv.AddCustomer(capillarytest.Customer{ID: "5", Profile: capillarytest.Profile{Identifiers: []capillarytest.Identifier{{Type: "externalId", Value: "X-6"}}}})
	assert.Equal(t, 400, byExternalID("X-5"), "replaced")
	assert.Equal(t, 200, byExternalID("X-6"))
	srv.AddCustomer(capillarytest.Customer{ID: "40", Profile: capillarytest.Profile{Identifiers: []capillarytest.Identifier{{Type: "externalId", Value: "X-6"}}}})
	r := get(t, srv, "/v2/customers/lookup/customerDetails", "source=INSTORE&identifierName=externalId&identifierValue=X-6")
	assert.Contains(t, r.body, `{"id":5,`, "two holders: the lowest id")
	require.True(t, srv.RemoveCustomer("5"))
	r = get(t, srv, "/v2/customers/lookup/customerDetails", "source=INSTORE&identifierName=externalId&identifierValue=X-6")
	assert.Contains(t, r.body, `{"id":40,`)
	require.True(t, srv.RemoveCustomer("40"))
	assert.Equal(t, 400, byExternalID("X-6"))
}

// A customer seeded with cards, a fraud status, promotions, group programs and alternate
// currencies reads them back in the vendor's shapes, each part only when asked for.
func TestReadPartsInTheVendorsShape(t *testing.T) {
	t.Parallel()
	ist := time.FixedZone("IST", 5*3600+1800)
	clock := capillarytest.NewManualClock(time.Date(2024, 7, 11, 16, 36, 17, 0, ist))
	tom := tomSawyer()
	tom.Cards = []capillarytest.Card{{Number: "visasushi006", ExternalID: "orea7", SeriesID: 23, SeriesCode: "422", SeriesName: "sushicard"}}
	tom.Enrollments = []capillarytest.Enrollment{{ProgramID: 1414, PartnerPrograms: []capillarytest.PartnerProgram{
		{ID: 5, Name: "1stProgram", MembershipID: "916215776456", TierNumber: 1, TierName: "1stSlab", TierExpiryDate: time.Date(2022, 12, 29, 23, 59, 59, 0, ist)},
		{ID: 11, Name: "NoTierPartnerProgram", MembershipID: "916215776456"}}}}
	tom.Promotions = []capillarytest.Promotion{{ProgramID: 1016, Name: "Goodwill Promotion", Points: 200,
		IssuedOn: time.Date(2019, 12, 12, 11, 23, 3, 0, ist), ExpiryDate: time.Date(2020, 12, 31, 23, 59, 59, 0, ist)}}
	tom.GroupPrograms = []capillarytest.GroupProgram{{ID: 1414, Title: "Group", Description: "Both", ProgramIDs: []int64{1414, 1422}, Points: 420}}
	tom.AlternateCurrencies = []capillarytest.AlternateCurrency{{ProgramID: 1414, ProgramName: "Default", Name: "miles", Earned: 10.5, LifetimeEarned: 12.5, Redeemed: 2}}
	srv := capillarytest.NewServer(capillarytest.WithClock(clock.Now), capillarytest.WithCustomers(tom))
	t.Cleanup(srv.Close)

	parts := func(r reply) map[string]json.RawMessage {
		t.Helper()
		require.Equal(t, 200, r.status, r.body)
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(r.body), &m))
		return m
	}
	at := `"2024-07-11T16:36:17+05:30"`
	plain := parts(get(t, srv, "/v2/customers/"+tomID, "source=INSTORE"))
	assert.JSONEq(t, `[{"cardId":1,"issuedDate":`+at+`,"createdDate":`+at+`,"expiryDays":0,"seriesName":"sushicard","customerId":171891944,
	  "maxActiveCards":1,"cardExternalId":"orea7","extendedFields":{},"customFields":{},"type":"DIGITAL","cardNumber":"visasushi006",
	  "seriesId":23,"seriesCode":"422","orgId":1,"entityId":171891944,
	  "statusInfo":{"reason":"","createdBy":171891944,"actions":[],"autoUpdateTime":`+at+`,"createdOn":`+at+`,"entityId":1,"id":1,
	    "isActive":true,"labelId":0,"label":"ACTIVE","status":"ACTIVE"},
	  "id":1,"transactionNotAllowed":false,"activeAndDigital":true}]`, string(plain["cardDetails"]))
	assert.Contains(t, string(plain["profiles"]), `{"type":"cardnumber","value":"visasushi006","seriesId":23,"statusLabel":"ACTIVE"}`)
	for _, part := range []string{"fraudDetails", "promotionalPoints", "groupLoyaltyProgramDetails", "alternateCurrencyDetails"} {
		assert.NotContains(t, plain, part, "only when asked")
	}

	asked := parts(get(t, srv, "/v2/customers/lookup/customerDetails", "source=INSTORE&identifierName=cardnumber&identifierValue=visasushi006"+
		"&embed=promotionalPoints,alternateCurrencies,mlp&includedFraudDetails=true&includedUserGroup2LoyaltyDetails=true"))
	var programs []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(asked["loyaltyProgramDetails"], &programs))
	assert.JSONEq(t, `[{"partnerProgramId":5,"partnerProgramName":"1stProgram","partnerProgramDescription":"1stProgram","partnerTierNumber":1,
	  "partnerTierName":"1stSlab","partnerTierExpiryDate":"2022-12-29T23:59:59+05:30","partnerMembershipId":"916215776456",
	  "partnerProgramType":"EXTERNAL","tierBased":true},
	 {"partnerProgramId":11,"partnerProgramName":"NoTierPartnerProgram","partnerProgramDescription":"NoTierPartnerProgram",
	  "partnerMembershipId":"916215776456","partnerProgramType":"EXTERNAL","tierBased":false}]`, string(programs[0]["linkedPartnerPrograms"]))
	assert.JSONEq(t, `{"markedBy":{},"modifiedOn":`+at+`,"status":"NOT_FRAUD"}`, string(asked["fraudDetails"]))
	assert.JSONEq(t, `{"customerPromotionType":[{"points":200,"issuedAt":{"code":"capillarytest","name":"capillarytest"},
	  "issuedOn":"2019-12-12T11:23:03+05:30","expiryDate":"2020-12-31T23:59:59+05:30",
	  "promotionSource":{"promotionSourceId":-1,"promotionSourceType":"GOODWILL"},"programId":1016,"promotionName":"Goodwill Promotion"}],
	  "transactionPromotionType":[],"lineitemPromotionType":[]}`, string(asked["promotionalPoints"]))
	assert.JSONEq(t, `[{"groupProgramId":1414,"title":"Group","description":"Both",
	  "programsList":[{"id":1414,"name":"Program 1414","description":""},{"id":1422,"name":"Program 1422","description":""}],
	  "lifetimePoints":420,"loyaltyPoints":420,"promisedPoints":0,"pointsToCurrencyRatio":1}]`, string(asked["groupLoyaltyProgramDetails"]))
	assert.JSONEq(t, `[{"programId":1414,"programName":"Default","alternateCurrencyData":{"name":"miles","earned":10.5,"lifetimeEarned":12.5,
	  "redeemed":2,"expired":0,"returned":0,"delayedEarned":0,"delayedLifetimeEarned":0,"delayedReturned":0,"delayedExpired":0,
	  "totalAvailable":10.5,"totalRedeemed":2,"totalReturned":0,"totalExpired":0}}]`, string(asked["alternateCurrencyDetails"]))
}

// The gaps to upgrade and renew come at the top level, as the vendor's tables put them, with
// embed=mlp and gapToUpgrade or gapToRenew; the gap to renew is not shown on the base tier.
func TestReadGapsInTheVendorsShape(t *testing.T) {
	t.Parallel()
	ist := time.FixedZone("IST", 5*3600+1800)
	tom := tomSawyer()
	tom.Enrollments = []capillarytest.Enrollment{{ProgramID: 699, TierNumber: 2, TierExpiryDate: time.Date(2025, 6, 30, 23, 59, 59, 0, ist)}}
	tom.UpgradeStrategies = []capillarytest.Strategy{{BasedOn: "CUMULATIVE_PURCHASES", Threshold: 5000, Value: 1200.5, ValidUpto: time.Date(2025, 12, 31, 0, 0, 0, 0, ist)}}
	tom.RenewStrategies = []capillarytest.Strategy{{BasedOn: "VISITS", Threshold: 10, Value: 4}, {BasedOn: "POINTS", Threshold: 100, Value: 150}}
	base := tomSawyer()
	base.ID = "171891945"
	base.Profile.CommChannels = nil
	base.Enrollments = []capillarytest.Enrollment{{ProgramID: 699}}
	base.RenewStrategies = tom.RenewStrategies
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tom, base))
	t.Cleanup(srv.Close)

	r := get(t, srv, "/v2/customers/"+tomID, "source=INSTORE&embed=mlp&gapToUpgrade=0&gapToRenew=30")
	require.Equal(t, 200, r.status, r.body)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(r.body), &m))
	assert.JSONEq(t, `[{"upgrade_based_on":"CUMULATIVE_PURCHASES","upgradeThreshold":5000,
	  "customerUpgradeEntityValues":{"currentValue":1200.5,"gapToUpgrade":3799.5,"valueValidUpto":"2025-12-31"}}]`, string(m["upgradeStrategies"]))
	assert.JSONEq(t, `[{"tierExpiryDate":"2025-06-30","renewConfirmed":false,"renewStrategies":[
	  {"renewBasedOn":"VISITS","trackerEntityIdentifiers":[],"renewThreshold":10,"customerRenewEntityValue":4,"customerGapToRenewValue":6},
	  {"renewBasedOn":"POINTS","trackerEntityIdentifiers":[],"renewThreshold":100,"customerRenewEntityValue":150,"customerGapToRenewValue":0}]}]`,
		string(m["gapToRenewSummary"]))

	r = get(t, srv, "/v2/customers/"+tomID, "source=INSTORE&embed=mlp")
	assert.NotContains(t, r.body, "upgradeStrategies", "only with gapToUpgrade")
	r = get(t, srv, "/v2/customers/171891945", "source=INSTORE&embed=mlp&gapToRenew=0")
	assert.NotContains(t, r.body, "gapToRenewSummary", "not shown on the base tier")
}
