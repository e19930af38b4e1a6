package capillarytest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/capillarytest"
)

func TestUpdateVendorExample(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)

	r := update(t, srv, tomID, "source=INSTORE&use_async=false", tomSawyerBody)

	require.Equal(t, 200, r.status, r.body)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	assert.NotEmpty(t, r.header.Get("X-Cap-Requestid"))
	assert.JSONEq(t, `{"createdId": 171891944,
		"warnings": [{"status": false, "code": 8107,
			"message": "Default customer status label not set: customer 171891944 became loyalty without a status label"}],
		"sideEffects": []}`, r.body)
	assert.Contains(t, r.body, `"createdId":171891944`, "createdId is a JSON number")

	got, ok := srv.Customer(tomID)
	require.True(t, ok)
	ist := time.FixedZone("", 5*3600+1800)
	assert.Equal(t, capillarytest.Customer{
		ID: tomID,
		Profile: capillarytest.Profile{
			Source:    "INSTORE",
			FirstName: "Tom",
			LastName:  "Sawyer",
			Fields:    map[string]any{"gender": "Male", "city": "Bangalore"},
			CommChannels: []capillarytest.CommChannel{
				{Type: "mobile", Value: "9999000000", Primary: true, Verified: true, Meta: map[string]any{"residence": "true"}},
				{Type: "email", Value: "tomsawyer@gmail.com", Primary: true, Verified: true, Meta: map[string]any{"residence": "true"}},
			},
		},
		LoyaltyType:    "loyalty",
		ExtendedFields: map[string]any{"gender": "MALE", "city": "Bangalore"},
		Enrollments: []capillarytest.Enrollment{{
			ProgramID: 699, TierNumber: 1, Points: 0,
			TierExpiryDate:   time.Date(2024, 7, 11, 16, 36, 17, 0, ist),
			PointsExpiryDate: time.Date(2024, 7, 11, 16, 36, 17, 0, ist),
		}},
	}, normalizeTimes(got))
}

// normalizeTimes makes the enrolment dates comparable with assert.Equal (same instant, same
// offset, but a *time.Location pointer of their own).
func normalizeTimes(c capillarytest.Customer) capillarytest.Customer {
	for i := range c.Enrollments {
		e := &c.Enrollments[i]
		for _, t := range []*time.Time{&e.TierExpiryDate, &e.PointsExpiryDate} {
			if !t.IsZero() {
				_, off := t.Zone()
				*t = t.In(time.FixedZone("", off))
			}
		}
	}
	return c
}

func TestUpdateSideEffects(t *testing.T) {
	t.Parallel()
	body := `{"loyaltyProgramEnrollments": [{"programId": 699, "tierNumber": 2, "loyaltyPoints": 75,
		"tierExpiryDate": "2030-01-31T23:59:59+05:30"}, {"programId": 700, "loyaltyPoints": 0}]}`
	sync := `[{"entityType":"USER","rawAwardedPoints":75,"awardedPoints":75,"type":"points"},
		{"entityType":"USER","type":"slab","previousSlabName":"Tier 1","previousSlabNumber":1,"upgradedSlabName":"Tier 2","upgradedSlabNumber":2,
		"slabExpiryDate":"2030-01-31T23:59:59+05:30"}]`
	tests := []struct {
		name        string
		query       string
		sideEffects string
	}{
		{"sync by default", "source=INSTORE", sync},
		{"sync", "source=INSTORE&use_async=false", sync},
		{"async hides them", "source=INSTORE&use_async=true", `[]`},
		{"async in any case", "source=INSTORE&use_async=TRUE", `[]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
			t.Cleanup(srv.Close)
			r := update(t, srv, tomID, tc.query, body)
			require.Equal(t, 200, r.status, r.body)
			assert.JSONEq(t, `{"createdId":171891944,"warnings":[],"sideEffects":`+tc.sideEffects+`}`, r.body)

			got, _ := srv.Customer(tomID)
			assert.Equal(t, []capillarytest.Enrollment{
				{ProgramID: 699, TierNumber: 2, Points: 75, TierExpiryDate: time.Date(2030, 1, 31, 23, 59, 59, 0, time.FixedZone("", 5*3600+1800))},
				{ProgramID: 700, TierNumber: 1, Points: 0},
			}, got.Enrollments, "points and tier are applied, async or not")
			assert.Equal(t, "non_loyalty", got.LoyaltyType, "an enrolment alone does not change the loyalty type")
		})
	}
}

func TestUpdateAlreadyEnrolled(t *testing.T) {
	t.Parallel()
	tom := tomSawyer()
	tom.LoyaltyType = "loyalty"
	tom.Enrollments = []capillarytest.Enrollment{{ProgramID: 699, TierNumber: 3, Points: 10}}
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tom))
	t.Cleanup(srv.Close)

	r := update(t, srv, tomID, "source=INSTORE", `{"profiles":[{"firstName":"Thomas"}],
		"loyaltyProgramEnrollments":[{"programId":699,"loyaltyPoints":50}]}`)

	assert.Equal(t, 400, r.status)
	assert.JSONEq(t, `{"warnings":[],"errors":[{"status":false,"code":10002,
		"message":"Failed to update customer details: loyaltyProgramEnrollments[0].programId: customer 171891944 is already enrolled in loyalty program 699"}]}`, r.body)
	got, _ := srv.Customer(tomID)
	assert.Equal(t, "Tom", got.FirstName, "a refused update changes nothing")
	assert.Equal(t, []capillarytest.Enrollment{{ProgramID: 699, TierNumber: 3, Points: 10}}, got.Enrollments)

	t.Run("twice in one request", func(t *testing.T) {
		r := update(t, srv, tomID, "source=INSTORE", `{"loyaltyProgramEnrollments":[{"programId":5},{"programId":5}]}`)
		assert.Equal(t, 400, r.status)
		assert.Equal(t, []int{10002}, codes(decode(t, r.body).Errors))
		got, _ := srv.Customer(tomID)
		assert.Len(t, got.Enrollments, 1)
	})
}

func TestUpdateUnknownProgram(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()), capillarytest.WithPrograms(699))
	t.Cleanup(srv.Close)
	r := update(t, srv, tomID, "source=INSTORE", `{"loyaltyProgramEnrollments":[{"programId":700}]}`)
	assert.Equal(t, 400, r.status)
	assert.JSONEq(t, `{"warnings":[],"errors":[{"status":false,"code":10002,
		"message":"Failed to update customer details: loyaltyProgramEnrollments[0].programId: loyalty program 700 does not exist in this org"}]}`, r.body)
	r = update(t, srv, tomID, "source=INSTORE", `{"loyaltyProgramEnrollments":[{"programId":699}]}`)
	assert.Equal(t, 200, r.status, r.body)
}

func TestUpdateLoyaltyType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, from, to string
		status         int
		wantBody       string
		stored         string
		opts           []capillarytest.Option
	}{
		{"loyalty to non_loyalty is refused", "loyalty", "non_loyalty", 400,
			`{"warnings":[],"errors":[{"status":false,"code":8018,"message":"Update customer, Conversion from loyalty to non-loyalty not allowed: customer 171891944 is a loyalty customer"}]}`,
			"loyalty", nil},
		{"non_loyalty to loyalty warns 8107", "non_loyalty", "loyalty", 200,
			`{"createdId":171891944,"warnings":[{"status":false,"code":8107,"message":"Default customer status label not set: customer 171891944 became loyalty without a status label"}],"sideEffects":[]}`,
			"loyalty", nil},
		{"loyalty stays loyalty", "loyalty", "loyalty", 200, `{"createdId":171891944,"warnings":[],"sideEffects":[]}`, "loyalty", nil},
		{"non_loyalty stays non_loyalty", "non_loyalty", "non_loyalty", 200, `{"createdId":171891944,"warnings":[],"sideEffects":[]}`, "non_loyalty", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tom := tomSawyer()
			tom.LoyaltyType = tc.from
			srv := capillarytest.NewServer(append(tc.opts, capillarytest.WithCustomers(tom))...)
			t.Cleanup(srv.Close)
			r := update(t, srv, tomID, "source=INSTORE", `{"loyaltyInfo":{"loyaltyType":"`+tc.to+`"}}`)
			assert.Equal(t, tc.status, r.status)
			assert.JSONEq(t, tc.wantBody, r.body)
			got, _ := srv.Customer(tomID)
			assert.Equal(t, tc.stored, got.LoyaltyType)
		})
	}
}

func TestUpdateUnknownCustomer(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	for _, id := range []string{"171891945", "abc", "0171891944", "99999999999999999999"} {
		r := update(t, srv, id, "source=INSTORE", `{"profiles":[{"firstName":"X"}]}`)
		assert.Equal(t, 400, r.status, id)
		assert.JSONEq(t, `{"warnings":[],"errors":[{"status":false,"code":8015,
			"message":"Customer not found for the given identifiers: no customer has user id \"`+id+`\""}]}`, r.body, id)
	}
}

func TestUpdateSources(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(
		capillarytest.WithCustomers(tomSawyer()),
		capillarytest.WithSourceAccounts("WECHAT", "wx-1", "wx-2"),
		capillarytest.WithSourceAccounts("MARTJACK", "mj-1"),
	)
	t.Cleanup(srv.Close)
	body := `{"profiles":[{"firstName":"Tom"}]}`
	tests := []struct {
		query  string
		status int
		code   int
	}{
		{"", 400, 8003},
		{"source=", 400, 8003},
		{"source=instore", 400, 8003},
		{"source=SMS", 400, 8003},
		{"source=WECHAT", 400, 8045},
		{"source=LINE", 400, 8045},
		{"source=WECHAT&accountId=wx-3", 400, 3217},
		{"source=MOBILE_APP&accountId=wx-1", 400, 3217},
		{"source=INSTORE&accountId=wx-1", 400, 3217},
		{"source=MARTJACK&accountId=mj-2", 400, 3217},
		{"source=INSTORE&use_async=yes", 400, 400},
		{"source=INSTORE&mlp_single_enroll=1", 400, 400},
		{"source=INSTORE", 200, 0},
		{"source=INSTORE&mlp_single_enroll=true", 200, 0},
		{"source=MARTJACK", 200, 0},
		{"source=MARTJACK&accountId=mj-1", 200, 0},
		{"source=WECHAT&accountId=wx-2", 200, 0},
	}
	for _, tc := range tests {
		r := update(t, srv, tomID, tc.query, body)
		assert.Equal(t, tc.status, r.status, "%s: %s", tc.query, r.body)
		if tc.code != 0 {
			assert.Equal(t, []int{tc.code}, codes(decode(t, r.body).Errors), tc.query)
		}
	}
	got, _ := srv.Customer(tomID)
	assert.Equal(t, []capillarytest.Profile{
		{Source: "MARTJACK", FirstName: "Tom"}, {Source: "MARTJACK", AccountID: "mj-1", FirstName: "Tom"},
		{Source: "WECHAT", AccountID: "wx-2", FirstName: "Tom"},
	}, got.OtherProfiles, "an update on a new source account adds that source profile")
	assert.Equal(t, "INSTORE", got.Source, "the registration source never changes")

	r := update(t, srv, tomID, "source=WECHAT&accountId=wx-3", body)
	assert.JSONEq(t, `{"warnings":[],"errors":[{"status":false,"code":3217,
		"message":"Org source addition failed, Invalid source account identifier passed: accountId \"wx-3\" is not an account of source WECHAT"}]}`, r.body)
}

func TestUpdateSeededAccountIsKnown(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddCustomer(capillarytest.Customer{ID: "42", Profile: capillarytest.Profile{Source: "FACEBOOK", AccountID: "fb-page"}})
	r := update(t, srv, "42", "source=FACEBOOK&accountId=fb-page", `{"profiles":[{"lastName":"Finn"}]}`)
	assert.Equal(t, 200, r.status, r.body)
	r = update(t, srv, "42", "source=FACEBOOK&accountId=other", `{"profiles":[{"lastName":"Finn"}]}`)
	assert.Equal(t, []int{3217}, codes(decode(t, r.body).Errors))
}

func TestUpdateNames(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	long := strings.Repeat("é", 150) // characters, not bytes, are counted
	r := update(t, srv, tomID, "source=INSTORE", `{"profiles":[{"firstName":"`+long+`","lastName":""}]}`)
	require.Equal(t, 200, r.status, r.body)
	assert.JSONEq(t, `{"createdId":171891944,"warnings":[],"sideEffects":[]}`, r.body, "truncation is silent")
	got, _ := srv.Customer(tomID)
	assert.Equal(t, strings.Repeat("é", 100), got.FirstName)
	assert.Empty(t, got.LastName, "an explicit empty name is stored")

	r = update(t, srv, tomID, "source=INSTORE", `{"profiles":[{"firstName":null}]}`)
	require.Equal(t, 200, r.status, r.body)
	got, _ = srv.Customer(tomID)
	assert.Equal(t, strings.Repeat("é", 100), got.FirstName, "null leaves the name alone")
}

func TestUpdateFields(t *testing.T) {
	t.Parallel()
	tom := tomSawyer()
	tom.Fields = map[string]any{"gender": "Male", "city": "Bangalore"}
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tom))
	t.Cleanup(srv.Close)
	r := update(t, srv, tomID, "source=INSTORE", `{
		"profiles":[{"fields":{"city":"Mysore","gender":null,"kids":2}}],
		"extendedFields":{"dob_year":1990,"height":1.82,"married":false,"name_on_card":"TOM"}}`)
	require.Equal(t, 200, r.status, r.body)
	got, _ := srv.Customer(tomID)
	assert.Equal(t, map[string]any{"city": "Mysore", "kids": "2"}, got.Fields, "custom fields are kept as text, as the vendor answers them")
	assert.Equal(t, map[string]any{"dob_year": int64(1990), "height": 1.82, "married": false, "name_on_card": "TOM"}, got.ExtendedFields)
}

func TestUpdateEmptyBodyObject(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	r := update(t, srv, tomID, "source=INSTORE", `{}`)
	assert.Equal(t, 200, r.status, r.body)
	got, _ := srv.Customer(tomID)
	assert.Equal(t, tomSawyer(), got)
}
