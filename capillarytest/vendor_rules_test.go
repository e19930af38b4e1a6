package capillarytest_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/capillarytest"
)

// oldSampleBody is the vendor's earlier sample update body (facts sheet 2, §1), verbatim but
// for the indentation: identifiers, a profile's source and accountId.
const oldSampleBody = `{
   "profiles":[{
      "firstName":"Tom", "lastName":"Sawyer",
      "fields":{"gender":"Male", "city":"Bangalore"},
      "identifiers":[{"type":"email", "value":"tom.sawyer@example.com"}, {"type":"wechat", "value":"wc_2"}],
      "commChannels":[
         {"type":"email", "value":"tom.sawyer@example.com", "primary":"true", "verified":"false", "meta":{"residence":true}},
         {"type":"wechat", "value":"wc_2", "primary":"true", "verified":"true", "meta":{"residence":true}}],
      "source":"WECHAT", "accountId":"WeChat1234"}],
   "loyaltyInfo":{"loyaltyType":"loyalty"},
   "extendedFields":{"gender":"MALE", "city":"Bangalore"},
   "loyaltyProgramEnrollments":[{"programId":1016, "tierNumber": 234, "loyaltyPoints": 75,
      "tierExpiryDate": "2022-02-11T16:36:17+05:30", "pointsExpiryDate": "2022-02-11T16:36:17+05:30"}]
}`

func TestVendorSampleWithIdentifiersIsApplied(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()),
		capillarytest.WithSourceAccounts("WECHAT", "WeChat1234"))
	t.Cleanup(srv.Close)
	r := update(t, srv, tomID, "source=INSTORE&use_async=false", oldSampleBody)
	require.Equal(t, 200, r.status, r.body)
	assert.JSONEq(t, `{"createdId":171891944,"warnings":[{"status":false,"code":8107,
		"message":"Default customer status label not set: customer 171891944 became loyalty without a status label"}],"sideEffects":[
		{"entityType":"USER","rawAwardedPoints":75,"awardedPoints":75,"type":"points"},
		{"entityType":"USER","type":"slab","previousSlabName":"Tier 1","previousSlabNumber":1,"upgradedSlabName":"Tier 234",
		 "upgradedSlabNumber":234,"slabExpiryDate":"2022-02-11T16:36:17+05:30"}]}`, r.body)

	got, _ := srv.Customer(tomID)
	assert.Equal(t, "Tom", got.FirstName)
	assert.Equal(t, tomSawyer().CommChannels, got.CommChannels, "the INSTORE profile is not the one the body names")
	require.Len(t, got.OtherProfiles, 1, "the body's WECHAT profile is added beside the registration one")
	wechat := got.OtherProfiles[0]
	assert.Equal(t, capillarytest.Profile{
		Source: "WECHAT", AccountID: "WeChat1234", FirstName: "Tom", LastName: "Sawyer",
		Fields:      map[string]any{"gender": "Male", "city": "Bangalore"},
		Identifiers: []capillarytest.Identifier{{Type: "email", Value: "tom.sawyer@example.com"}, {Type: "wechat", Value: "wc_2"}},
		CommChannels: []capillarytest.CommChannel{
			{Type: "email", Value: "tom.sawyer@example.com", Primary: true, Meta: map[string]any{"residence": true}},
			{Type: "wechat", Value: "wc_2", Primary: true, Verified: true, Meta: map[string]any{"residence": true}},
		},
	}, wechat)
	assert.Equal(t, "loyalty", got.LoyaltyType)
	assert.Equal(t, map[string]any{"gender": "MALE", "city": "Bangalore"}, got.ExtendedFields)
}

func TestEveryDocumentedBodyFieldIsAccepted(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(capillarytest.Customer{ID: "7"}))
	t.Cleanup(srv.Close)
	r := update(t, srv, "7", "source=INSTORE", `{"fields":{"city":"Pune"},
		"profiles":[{"identifiers":[{"type":"mobile","value":919111111111}],
		"commChannels":[{"type":"mobilePush","value":"fcm-token","lastViewedDate":"2019-10-25","subscribed":"true",
			"attributes":{"optIn":true},"meta":{"lastViewedDate":"2019-10-25"}}]}]}`)
	require.Equal(t, 200, r.status, r.body)
	got, _ := srv.Customer("7")
	assert.Equal(t, map[string]any{"city": "Pune"}, got.Fields, "top-level fields are the query profile's custom fields")
	assert.Equal(t, []capillarytest.Identifier{{Type: "mobile", Value: "919111111111"}}, got.Identifiers, "a mobile sent as a JSON number keeps its digits")
	subscribed := true
	assert.Equal(t, []capillarytest.CommChannel{{Type: "mobilePush", Value: "fcm-token", Primary: true, Subscribed: &subscribed,
		LastViewedDate: "2019-10-25", Meta: map[string]any{"lastViewedDate": "2019-10-25"}, Attributes: map[string]any{"optIn": true}}}, got.CommChannels)
}

func TestIdentifiersAreAddedNotChanged(t *testing.T) {
	t.Parallel()
	ids := func(list string) string { return `{"profiles":[{"identifiers":[` + list + `]}]}` }
	tests := []struct {
		name     string
		opts     []capillarytest.Option
		body     string
		status   int
		code     int // error or warning
		stored   []capillarytest.Identifier
		prefixed string
	}{
		{"new type is added", nil, ids(`{"type":"externalId","value":"X-1"}`), 200, 0,
			[]capillarytest.Identifier{{Type: "externalId", Value: "X-1"}}, ""},
		{"same primary mobile is no change", nil, ids(`{"type":"mobile","value":"9999000000"}`), 200, 0, nil, ""},
		{"another primary mobile", nil, ids(`{"type":"mobile","value":"9999000001"}`), 200, 91005, nil,
			"mobile is primary identifier and cannot be updated: profiles[0].identifiers[0] would change it from \"9999000000\""},
		{"another email", nil, ids(`{"type":"email","value":"tom@example.com"}`), 200, 91006, nil, "email update is not allowed"},
		{"bad email identifier", nil, ids(`{"type":"email","value":"tom@"}`), 200, 8055, nil, "Invalid email id: profiles[0].identifiers[0].value"},
		{"bad mobile identifier", nil, ids(`{"type":"mobile","value":"+919999000000"}`), 200, 8056, nil, "Invalid mobile: profiles[0].identifiers[0].value"},
		{"unknown type", nil, ids(`{"type":"phone","value":"1"}`), 400, 400, nil, ""},
		{"no value", nil, ids(`{"type":"cuid"}`), 400, 400, nil, ""},
		{"externalId as primary key", []capillarytest.Option{capillarytest.WithPrimaryIdentifier("externalId"),
			capillarytest.WithCustomers(capillarytest.Customer{ID: tomID, Profile: capillarytest.Profile{Identifiers: []capillarytest.Identifier{{Type: "externalId", Value: "X-1"}}}})},
			ids(`{"type":"externalId","value":"X-2"}`), 200, 91005, nil, "externalId is primary identifier"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := tc.opts
			if len(opts) < 2 {
				opts = append(opts, capillarytest.WithCustomers(tomSawyer()))
			}
			srv := capillarytest.NewServer(opts...)
			t.Cleanup(srv.Close)
			before, _ := srv.Customer(tomID)
			r := update(t, srv, tomID, "source=INSTORE", tc.body)
			assert.Equal(t, tc.status, r.status, r.body)
			e := decode(t, r.body)
			msgs := append(e.Errors, e.Warnings...)
			if tc.code != 0 {
				require.Len(t, msgs, 1, r.body)
				assert.Equal(t, tc.code, msgs[0].Code)
				assert.True(t, strings.HasPrefix(msgs[0].Message, tc.prefixed), msgs[0].Message)
			} else {
				assert.Empty(t, msgs)
			}
			got, _ := srv.Customer(tomID)
			if tc.status == 200 {
				assert.Equal(t, append(before.Identifiers, tc.stored...), got.Identifiers)
			} else {
				assert.Equal(t, before, got)
			}
		})
	}
}

func TestExternalIDPrimaryKeyMakesMobileAnotherIdentifier(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()), capillarytest.WithPrimaryIdentifier("externalId"))
	t.Cleanup(srv.Close)
	r := update(t, srv, tomID, "source=INSTORE", `{"profiles":[{"commChannels":[{"type":"mobile","value":"9999000001","primary":"true"}]}]}`)
	assert.Equal(t, []int{91006}, codes(decode(t, r.body).Warnings), r.body)
}

func TestDualEligibilityUpdatesInstoreChannels(t *testing.T) {
	t.Parallel()
	newPrimary := `{"profiles":[{"commChannels":[{"type":"mobile","value":"9999000001","primary":"true"},
		{"type":"email","value":"tom@example.com","primary":"true"}]}]}`
	srv := capillarytest.NewServer(capillarytest.WithDualEligibility(), capillarytest.WithSourceAccounts("WECHAT", "wx-1"),
		capillarytest.WithCustomers(tomSawyer(), capillarytest.Customer{
			ID: "8",
			Profile: capillarytest.Profile{
				Source:       "WECHAT",
				AccountID:    "wx-1",
				CommChannels: []capillarytest.CommChannel{{Type: "mobile", Value: "9999000000", Primary: true}},
			},
		}))
	t.Cleanup(srv.Close)

	r := update(t, srv, tomID, "source=INSTORE", newPrimary)
	require.Equal(t, 200, r.status, r.body)
	got, _ := srv.Customer(tomID)
	mobile, _ := primaryOf(got, "mobile")
	email, _ := primaryOf(got, "email")
	assert.Equal(t, "9999000001", mobile)
	assert.Equal(t, "tom@example.com", email)

	r = update(t, srv, "8", "source=WECHAT&accountId=wx-1", newPrimary)
	assert.Equal(t, []int{91005}, codes(decode(t, r.body).Warnings), "only the INSTORE profile: %s", r.body)
}

func TestProfilePerSource(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()), capillarytest.WithSourceAccounts("WECHAT", "wx-1"))
	t.Cleanup(srv.Close)
	r := update(t, srv, tomID, "source=WECHAT&accountId=wx-1", `{"profiles":[{"firstName":"汤姆","commChannels":[{"type":"wechat","value":"wx-tom"}]}]}`)
	require.Equal(t, 200, r.status, r.body)
	got, _ := srv.Customer(tomID)
	assert.Equal(t, "Tom", got.FirstName, "the INSTORE profile keeps its name")
	assert.Equal(t, []capillarytest.Profile{{Source: "WECHAT", AccountID: "wx-1", FirstName: "汤姆",
		CommChannels: []capillarytest.CommChannel{{Type: "wechat", Value: "wx-tom", Primary: true}}}}, got.OtherProfiles)

	r = update(t, srv, tomID, "source=INSTORE", `{"profiles":[{"source":"WECHAT","accountId":"wx-2","firstName":"x"}]}`)
	assert.Equal(t, []int{3217}, codes(decode(t, r.body).Errors), "a body profile's account is checked too: %s", r.body)
}

func TestMobileAndEmailRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ, value string
		ok         bool
	}{
		{"mobile", "919999000000", true},
		{"mobile", "99990000", true},
		{"mobile", "+919999000000", false},
		{"mobile", "91 9999 000000", false},
		{"mobile", "9999000", false},
		{"mobile", "1234567890123456", false},
		{"email", "tom.sawyer+loyalty@example.co.in", true},
		{"email", "TOM_99%x@Example-Mail.com", true},
		{"email", "tom!x@example.com", false},
		{"email", "tom@example", false},
		{"email", "tom@-example.com", false},
		{"email", "Tom <tom@example.com>", false},
		{"email", strings.Repeat("a", 244) + "@example.com", false}, // 256 characters
		{"email", strings.Repeat("a", 243) + "@example.com", true},  // 255 characters
	}
	srv := capillarytest.NewServer(capillarytest.WithCustomers(capillarytest.Customer{ID: "7"}))
	t.Cleanup(srv.Close)
	for _, tc := range tests {
		r := update(t, srv, "7", "source=INSTORE", `{"profiles":[{"commChannels":[{"type":"`+tc.typ+`","value":"`+tc.value+`","primary":"false"}]}]}`)
		require.Equal(t, 200, r.status, r.body)
		warnings := codes(decode(t, r.body).Warnings)
		if tc.ok {
			assert.Empty(t, warnings, tc.value)
			continue
		}
		want := map[string]int{"mobile": 8058, "email": 8057}[tc.typ]
		assert.Equal(t, []int{want}, warnings, tc.value)
	}
}

func TestMobileIdentifierAndChannelWarnTogether(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(capillarytest.Customer{ID: "7"}))
	t.Cleanup(srv.Close)
	r := update(t, srv, "7", "source=INSTORE", `{"profiles":[{"identifiers":[{"type":"mobile","value":"12"}],
		"commChannels":[{"type":"mobile","value":"12"}]}]}`)
	require.Equal(t, 200, r.status, r.body)
	assert.Equal(t, []int{8056, 8058}, codes(decode(t, r.body).Warnings), "as in the vendor's own sample")
}

// TestMessagesStartWithTheVendorsWording checks the fake's text against the vendor's, quoted
// from the facts sheets (status-codes-customer and the pages cited there).
func TestMessagesStartWithTheVendorsWording(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithSourceAccounts("WECHAT", "wx-1"), capillarytest.WithCustomers(
		capillarytest.Customer{ID: "7", LoyaltyType: "loyalty"}))
	t.Cleanup(srv.Close)
	tests := []struct {
		query, body, vendor string
		code                int
	}{
		{"source=SMS", `{}`, "Invalid source passed", 8003},
		{"source=INSTORE", `{"profiles":[{"commChannels":[{"type":"fax","value":"1"}]}]}`, "Invalid communication channel passed", 8010},
		{"source=INSTORE", `{"loyaltyInfo":{"loyaltyType":"non_loyalty"}}`, "Update customer, Conversion from loyalty to non-loyalty not allowed", 8018},
		{"source=WECHAT", `{}`, "Account id is not passed", 8045},
		{"source=INSTORE", `{"profiles":[{"identifiers":[{"type":"email","value":"x"}]}]}`, "Invalid email id", 8055},
		{"source=INSTORE", `{"profiles":[{"commChannels":[{"type":"email","value":"x"}]}]}`, "Invalid email id in comm channel", 8057},
		{"source=INSTORE", `{"profiles":[{"commChannels":[{"type":"mobile","value":"x"}]}]}`, "Invalid mobile in comm channel", 8058},
		{"source=WECHAT&accountId=wx-2", `{}`, "Org source addition failed, Invalid source account identifier passed", 3217},
	}
	for _, tc := range tests {
		e := decode(t, update(t, srv, "7", tc.query, tc.body).body)
		msgs := append(e.Errors, e.Warnings...)
		require.Len(t, msgs, 1, tc.query+" "+tc.body)
		assert.Equal(t, tc.code, msgs[0].Code)
		assert.True(t, strings.HasPrefix(msgs[0].Message, tc.vendor+": "), "%d: %q", tc.code, msgs[0].Message)
	}
	e := decode(t, update(t, srv, "8", "source=INSTORE", `{}`).body)
	assert.Equal(t, `Customer not found for the given identifiers: no customer has user id "8"`, e.Errors[0].Message)
}

func TestDeclaredFields(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()),
		capillarytest.WithExtendedFields(
			capillarytest.Field{Name: "dob", Type: capillarytest.FieldDatetime},
			capillarytest.Field{Name: "gender", Type: capillarytest.FieldStandardEnum, Values: []string{"MALE", "FEMALE"}},
			capillarytest.Field{Name: "kids", Type: capillarytest.FieldInteger},
			capillarytest.Field{Name: "height", Type: capillarytest.FieldDouble},
			capillarytest.Field{Name: "city"}))
	t.Cleanup(srv.Close)

	// 91015 is a warning (the vendor's status codes file it so): the field is left out, the rest
	// of the update applies.
	r := update(t, srv, tomID, "source=INSTORE", `{"extendedFields":{"no_such_field":"x","dob":12345,"gender":true,"kids":1.5,"height":"tall","city":"Pune"},
		"profiles":[{"lastName":"S"}]}`)
	require.Equal(t, 200, r.status, r.body)
	e := decode(t, r.body)
	assert.Equal(t, []int{91015, 91015, 91015, 91015, 91015}, codes(e.Warnings), r.body)
	assert.Equal(t, `Failed to update extended fields; or field dob length too long: extendedFields.dob: "12345" is not a DATETIME (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM)`, e.Warnings[0].Message)
	got, _ := srv.Customer(tomID)
	assert.Equal(t, map[string]any{"city": "Pune"}, got.ExtendedFields)
	assert.Equal(t, "S", got.LastName)

	r = update(t, srv, tomID, "source=INSTORE", `{"extendedFields":{"no_such_field":"x"},"loyaltyInfo":{"loyaltyType":"LOYAL"}}`)
	assert.Equal(t, []int{400}, codes(decode(t, r.body).Errors), "a refusal lists the warnings found beside it: %s", r.body)
	assert.Equal(t, []int{91015}, codes(decode(t, r.body).Warnings))

	r = update(t, srv, tomID, "source=INSTORE", `{"extendedFields":{"dob":"1990-04-01","gender":"MALE","kids":"2","height":1.8,"city":42}}`)
	require.Equal(t, 200, r.status, r.body)
	got, _ = srv.Customer(tomID)
	assert.Equal(t, map[string]any{"dob": "1990-04-01", "gender": "MALE", "kids": "2", "height": 1.8, "city": int64(42)}, got.ExtendedFields)

	r = update(t, srv, tomID, "source=INSTORE", `{"extendedFields":{"dob":null}}`)
	require.Equal(t, 200, r.status, "null removes a declared field: %s", r.body)

	open := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(open.Close)
	r = update(t, open, tomID, "source=INSTORE", `{"extendedFields":{"no_such_field":"x","dob":12345,"gender":true}}`)
	assert.Equal(t, 200, r.status, "without declared fields every key is accepted: %s", r.body)
}

func TestBadFieldDeclarationsPanic(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]capillarytest.Option{
		"no name":      capillarytest.WithExtendedFields(capillarytest.Field{}),
		"unknown type": capillarytest.WithExtendedFields(capillarytest.Field{Name: "x", Type: "BLOB"}),
		"enum values":  capillarytest.WithExtendedFields(capillarytest.Field{Name: "x", Type: capillarytest.FieldStandardEnum}),
		"primary key":  capillarytest.WithPrimaryIdentifier("cardnumber"),
	} {
		assert.Panics(t, func() { capillarytest.NewUnstartedServer(opt) }, name)
	}
}

func TestInjectedWarnings(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	srv.InjectFaults(capillarytest.AddWarnings(8050, 8051, 8075), capillarytest.AddWarnings(8050))
	r := update(t, srv, tomID, "source=INSTORE", `{"profiles":[{"lastName":"S"}]}`)
	require.Equal(t, 200, r.status, r.body)
	assert.JSONEq(t, `{"createdId":171891944,"sideEffects":[],"warnings":[
		{"status":false,"code":8050,"message":"Same Customer found in other sources, Combining: added by a Fault"},
		{"status":false,"code":8051,"message":"Same Customer found in other sources, Merging with userId {x}: added by a Fault"},
		{"status":false,"code":8075,"message":"Primary identifier not matching with other identifiers: added by a Fault"}]}`, r.body)
	got, _ := srv.Customer(tomID)
	assert.Equal(t, "S", got.LastName, "the update is applied")

	r = update(t, srv, tomID, "source=SMS", `{}`)
	assert.Equal(t, []int{8003}, codes(decode(t, r.body).Errors), "a refusal stays as it is")
	assert.Empty(t, decode(t, r.body).Warnings)
	assert.Panics(t, func() { srv.InjectFaults(capillarytest.Fault{Status: 503, Warnings: []int{8050}}) })
}
