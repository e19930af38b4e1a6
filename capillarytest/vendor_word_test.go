package capillarytest_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/capillarytest"
)

// The tests in this file hold the fake to the vendor's word where it once contradicted it.

func TestUpdateByLookupTakesCardnumber(t *testing.T) {
	t.Parallel()
	srv, _ := readServer(t)
	r := send(t, "PUT", srv.URL+"/v2/customers/lookup?source=INSTORE&identifierName=cardnumber&identifierValue=TTM001",
		`{"profiles":[{"lastName":"Finn"}]}`, nil)
	require.Equal(t, 200, r.status, r.body)
	got, _ := srv.Customer(tomID)
	assert.Equal(t, "Finn", got.LastName)
}

func TestEnrolmentDatesInBothDocumentedForms(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	r := update(t, srv, tomID, "source=INSTORE", `{"loyaltyProgramEnrollments":[
		{"programId":1,"tierExpiryDate":"2022-02-11T11:06:17.000Z","pointsExpiryDate":"2024-07-11T16:36:17+05:30"},
		{"programId":2,"tierExpiryDate":"2022-02-11T11:06:17Z"}]}`)
	require.Equal(t, 200, r.status, r.body)
	got, _ := srv.Customer(tomID)
	require.Len(t, got.Enrollments, 2)
	assert.True(t, got.Enrollments[0].TierExpiryDate.Equal(time.Date(2022, 2, 11, 11, 6, 17, 0, time.UTC)))
	assert.True(t, got.Enrollments[0].PointsExpiryDate.Equal(time.Date(2024, 7, 11, 11, 6, 17, 0, time.UTC)))
	assert.True(t, got.Enrollments[1].TierExpiryDate.Equal(time.Date(2022, 2, 11, 11, 6, 17, 0, time.UTC)))
}

// TestReadAnswersHoldNoNull reads a customer that has nothing but its id, in every read and
// with every embed the fake fills: every list and object is there, empty, as in the vendor's
// samples.
func TestReadAnswersHoldNoNull(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(capillarytest.Customer{ID: "7"}, capillarytest.Customer{ID: "8",
		Profile: capillarytest.Profile{Identifiers: []capillarytest.Identifier{{Type: "externalId", Value: "X8"}}}}))
	t.Cleanup(srv.Close)
	for _, target := range []struct{ path, query string }{
		{"/v2/customers/7", "source=INSTORE&embed=points,mlp,subscriptions"},
		{"/v2/customers/lookup/customerDetails", "source=INSTORE&identifierName=externalId&identifierValue=X8&embed=points,mlp,subscriptions"},
		{"/v2/customers/lookup", "source=INSTORE&identifierName=externalId&identifierValue=X8"},
	} {
		r := get(t, srv, target.path, target.query)
		require.Equal(t, 200, r.status, r.body)
		var v any
		require.NoError(t, json.Unmarshal([]byte(r.body), &v))
		assert.Empty(t, nulls(v, ""), "%s: %s", target.path, r.body)
	}
}

// nulls lists the paths of the nulls in a decoded JSON value.
func nulls(v any, path string) []string {
	var out []string
	switch v := v.(type) {
	case nil:
		return []string{path}
	case map[string]any:
		for k, e := range v {
			out = append(out, nulls(e, path+"."+k)...)
		}
	case []any:
		for _, e := range v {
			out = append(out, nulls(e, path+"[]")...)
		}
	}
	return out
}

func TestLookupCustomerID(t *testing.T) {
	t.Parallel()
	srv, _ := readServer(t)
	for _, q := range []string{
		"source=INSTORE&identifierName=mobile&identifierValue=9999000000",
		"source=INSTORE&identifierName=cardnumber&identifierValue=TTM001",
		"source=ALL&identifierName=email&identifierValue=tomsawyer@gmail.com",
		"source=WECHAT&accountId=wx-1&identifierName=wechat&identifierValue=wc_2",
	} {
		r := get(t, srv, "/v2/customers/lookup", q)
		require.Equal(t, 200, r.status, "%s: %s", q, r.body)
		assert.JSONEq(t, `{"entity":171891944,"warnings":[]}`, r.body, q)
	}
	tests := []struct {
		query string
		code  int
	}{
		{"identifierName=mobile&identifierValue=9999000000", 8016},
		{"source=SMS&identifierName=mobile&identifierValue=9999000000", 8012},
		{"source=INSTORE&identifierValue=9999000000", 8092},
		{"source=INSTORE&identifierName=mobile", 8093},
		{"source=INSTORE&identifierName=phone&identifierValue=9999000000", 8013},
		{"source=WECHAT&identifierName=mobile&identifierValue=9999000000", 8045},
		{"source=INSTORE&identifierName=mobile&identifierValue=9999000009", 8015},
		{"source=MARTJACK&identifierName=mobile&identifierValue=9999000000", 8065},
	}
	for _, tc := range tests {
		r := get(t, srv, "/v2/customers/lookup", tc.query)
		assert.Equal(t, 400, r.status, "%s: %s", tc.query, r.body)
		assert.Equal(t, []int{tc.code}, codes(decode(t, r.body).Errors), tc.query)
	}
}

func TestEmbedMLPAsTheVendorWritesIt(t *testing.T) {
	t.Parallel()
	tom := tomSawyer()
	tom.Enrollments = []capillarytest.Enrollment{{ProgramID: 699, Points: 75}}
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tom))
	t.Cleanup(srv.Close)
	lower := get(t, srv, "/v2/customers/"+tomID, "source=INSTORE&embed=mlp")
	upper := get(t, srv, "/v2/customers/"+tomID, "source=INSTORE&embed=MLP")
	require.Equal(t, 200, upper.status, upper.body)
	assert.Contains(t, upper.body, `"loyaltyProgramDetails":[{`)
	assert.JSONEq(t, lower.body, upper.body)
}

// TestReadBackAsTheVendorGivesIt: a compare-after-write check that passes against the fake
// must pass against the vendor, which answers custom fields as text.
func TestReadBackAsTheVendorGivesIt(t *testing.T) {
	t.Parallel()
	tom := tomSawyer()
	tom.Fields = map[string]any{"seeded": 7}
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tom))
	t.Cleanup(srv.Close)
	r := update(t, srv, tomID, "source=INSTORE", `{"fields":{"top":3},
		"profiles":[{"fields":{"tierup_airasia":2,"vip":true,"ratio":1.50,"city":"Pune"}}]}`)
	require.Equal(t, 200, r.status, r.body)
	var read struct {
		Profiles []struct {
			Fields map[string]any `json:"fields"`
		} `json:"profiles"`
	}
	require.NoError(t, json.Unmarshal([]byte(get(t, srv, "/v2/customers/"+tomID, "source=INSTORE").body), &read))
	want := map[string]any{"tierup_airasia": "2", "vip": "true", "ratio": "1.50", "city": "Pune", "top": "3"}
	got, _ := srv.Customer(tomID)
	delete(got.Fields, "seeded")
	assert.Equal(t, want, got.Fields, "an update stores custom fields as text")
	want["seeded"] = "7"
	assert.Equal(t, want, read.Profiles[0].Fields, "a read answers them as text, seeded ones too")
}

func TestWechatChannelIsFoundByAWechatLookup(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(capillarytest.Customer{ID: "7", Profile: capillarytest.Profile{
		Source: "WECHAT", AccountID: "wx-1", CommChannels: []capillarytest.CommChannel{{Type: "wechat", Value: "oWx-7"}},
	}}))
	t.Cleanup(srv.Close)
	for _, path := range []string{"/v2/customers/lookup/customerDetails", "/v2/customers/lookup"} {
		r := get(t, srv, path, "source=WECHAT&accountId=wx-1&identifierName=wechat&identifierValue=oWx-7")
		require.Equal(t, 200, r.status, "%s: %s", path, r.body)
	}
}

// TestAnyDocumentedWarningCanBeMade: a test makes any warning of the vendor's status codes
// happen with AddWarnings; the call still applies, reads answer too.
func TestAnyDocumentedWarningCanBeMade(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	documented := []int{8050, 8051, 8053, 8054, 8055, 8056, 8057, 8058, 8069, 8075, 8107, 91005, 91006, 91015}
	srv.InjectFaults(capillarytest.AddWarnings(documented...), capillarytest.AddWarnings(8075))
	r := update(t, srv, tomID, "source=INSTORE", `{"profiles":[{"lastName":"S"}]}`)
	require.Equal(t, 200, r.status, r.body)
	assert.Equal(t, documented, codes(decode(t, r.body).Warnings))
	got, _ := srv.Customer(tomID)
	assert.Equal(t, "S", got.LastName, "the rest of the update went through")

	r = get(t, srv, "/v2/customers/"+tomID, "source=INSTORE")
	require.Equal(t, 200, r.status, r.body)
	assert.Equal(t, []int{8075}, codes(decode(t, r.body).Warnings))
}
