package capillarytest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/capillarytest"
)

func TestUpdateRefusesInvalidBodies(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	channel := func(ch string) string { return `{"profiles":[{"commChannels":[` + ch + `]}]}` }
	enrol := func(e string) string { return `{"loyaltyProgramEnrollments":[` + e + `]}` }
	tests := []struct {
		name    string
		body    string
		code    int    // the one code expected
		message string // the exact message, when given
	}{
		{"empty body", ``, 400, "Input is invalid. Please check request parameters or input xml/json: the body is empty; send a JSON object"},
		{"not JSON", `{"profiles":`, 400, ""},
		{"an array", `[]`, 400, "Input is invalid. Please check request parameters or input xml/json: the body must be a JSON object, not an array"},
		{"two documents", `{} {}`, 400, "Input is invalid. Please check request parameters or input xml/json: the body has more after its JSON value"},
		{"unknown top-level field", `{"profile":[]}`, 400,
			"Input is invalid. Please check request parameters or input xml/json: profile: unknown field (the update takes profiles, fields, loyaltyInfo, extendedFields, loyaltyProgramEnrollments)"},
		{"profiles not an array", `{"profiles":{}}`, 400, ""},
		{"profile null", `{"profiles":[null]}`, 400, ""},
		{"unknown profile field", `{"profiles":[{"identifier":[]}]}`, 400, ""},
		{"firstName not a string", `{"profiles":[{"firstName":7}]}`, 400,
			"Input is invalid. Please check request parameters or input xml/json: profiles[0].firstName: must be a string, not a number"},
		{"fields not an object", `{"profiles":[{"fields":"x"}]}`, 400, ""},
		{"field value an object", `{"profiles":[{"fields":{"a":{}}}]}`, 400, ""},
		{"extended field value an array", `{"extendedFields":{"a":[1]}}`, 400, ""},
		{"blank extended field key", `{"extendedFields":{" ":1}}`, 400, ""},

		{"channel type missing", channel(`{"value":"9999000000"}`), 8106,
			"Communication channel type not passed: profiles[0].commChannels[0].type: is missing"},
		{"channel type empty", channel(`{"type":"","value":"9999000000"}`), 8106, ""},
		{"channel type unknown", channel(`{"type":"sms","value":"9999000000"}`), 8010,
			`Invalid communication channel passed: profiles[0].commChannels[0].type: "sms" is not one of mobile, email, wechat, ios, android, line, mobilePush`},
		{"channel type wrong case", channel(`{"type":"MOBILE","value":"9999000000"}`), 8010, ""},
		{"channel type mobilepush", channel(`{"type":"mobilepush","value":"x"}`), 8010, ""},
		{"channel type a number", channel(`{"type":1,"value":"9999000000"}`), 8010, ""},
		{"channel value missing", channel(`{"type":"mobile"}`), 8010, "Invalid communication channel passed: profiles[0].commChannels[0].value: is missing"},
		{"channel value blank", channel(`{"type":"email","value":"  "}`), 8010, ""},
		{"primary yes", channel(`{"type":"mobile","value":"9999000000","primary":"yes"}`), 8010,
			`Invalid communication channel passed: profiles[0].commChannels[0].primary: "yes" is not "true" or "false"`},
		{"verified a number", channel(`{"type":"mobile","value":"9999000000","verified":1}`), 8010, ""},
		{"meta not an object", channel(`{"type":"mobile","value":"9999000000","meta":"x"}`), 8010, ""},
		{"lastViewedDate a number", channel(`{"type":"mobilePush","value":"fcm-token","lastViewedDate":20191025}`), 8010,
			"Invalid communication channel passed: profiles[0].commChannels[0].lastViewedDate: must be a string, not a number"},
		{"channel null", channel(`null`), 400, ""},
		{"unknown channel field", channel(`{"type":"mobile","value":"9999000000","subscriptions":true}`), 400, ""},

		{"loyaltyInfo not an object", `{"loyaltyInfo":"loyalty"}`, 400, ""},
		{"loyaltyType missing", `{"loyaltyInfo":{}}`, 400,
			"Input is invalid. Please check request parameters or input xml/json: loyaltyInfo.loyaltyType: is required"},
		{"loyaltyType unknown", `{"loyaltyInfo":{"loyaltyType":"LOYALTY"}}`, 400, ""},

		{"programId missing", enrol(`{"tierNumber":1}`), 400, ""},
		{"programId zero", enrol(`{"programId":0}`), 400, ""},
		{"programId a string", enrol(`{"programId":"699"}`), 400,
			`Input is invalid. Please check request parameters or input xml/json: loyaltyProgramEnrollments[0].programId: must be an integer, not "699"`},
		{"tierNumber zero", enrol(`{"programId":699,"tierNumber":0}`), 400,
			"Input is invalid. Please check request parameters or input xml/json: loyaltyProgramEnrollments[0].tierNumber: 0 is not a tier sequence number (1 to 2147483647)"},
		{"tierNumber huge", enrol(`{"programId":699,"tierNumber":99999999999}`), 400, ""},
		{"tierNumber fractional", enrol(`{"programId":699,"tierNumber":1.5}`), 400, ""},
		{"tierNumber 1.0", enrol(`{"programId":699,"tierNumber":1.0}`), 400, ""},
		{"loyaltyPoints negative", enrol(`{"programId":699,"loyaltyPoints":-1}`), 400,
			"Input is invalid. Please check request parameters or input xml/json: loyaltyProgramEnrollments[0].loyaltyPoints: -1 is not a points balance (a JSON number >= 0)"},
		{"loyaltyPoints as a string", enrol(`{"programId":699,"loyaltyPoints":"12.5"}`), 400, ""},
		{"date with a Z offset", enrol(`{"programId":699,"tierExpiryDate":"2024-07-11T11:06:17+00"}`), 400,
			`Input is invalid. Please check request parameters or input xml/json: loyaltyProgramEnrollments[0].tierExpiryDate: "2024-07-11T11:06:17+00" is not in the form 2024-07-11T16:36:17+05:30 or 2022-02-11T11:06:17.000Z`},
		{"date with fraction", enrol(`{"programId":699,"pointsExpiryDate":"2024-07-11T16:36:17.5+05:30"}`), 400, ""},
		{"date offset without colon", enrol(`{"programId":699,"pointsExpiryDate":"2024-07-11T16:36:17+0530"}`), 400, ""},
		{"date without time", enrol(`{"programId":699,"pointsExpiryDate":"2024-07-11"}`), 400, ""},
		{"date impossible", enrol(`{"programId":699,"pointsExpiryDate":"2024-02-30T16:36:17+05:30"}`), 400, ""},
		{"date a number", enrol(`{"programId":699,"pointsExpiryDate":1720695977}`), 400, ""},
		{"enrolment null", enrol(`null`), 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := update(t, srv, tomID, "source=INSTORE", tc.body)
			assert.Equal(t, 400, r.status, r.body)
			e := decode(t, r.body)
			require.Len(t, e.Errors, 1, r.body)
			assert.Equal(t, tc.code, e.Errors[0].Code, r.body)
			assert.False(t, e.Errors[0].Status)
			assert.Equal(t, []vendorMessage{}, e.Warnings)
			if tc.message != "" {
				assert.Equal(t, tc.message, e.Errors[0].Message)
			}
		})
	}
	t.Run("nothing was stored", func(t *testing.T) {
		t.Parallel()
		got, _ := srv.Customer(tomID)
		assert.Equal(t, tomSawyer(), got)
	})
}

func TestUpdateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	r := update(t, srv, tomID, "source=INSTORE", `{
		"profiles":[{"commChannels":[{"value":"x"},{"type":"fax","value":"1"}]}],
		"loyaltyInfo":{"loyaltyType":"gold"},
		"loyaltyProgramEnrollments":[{"programId":699,"tierNumber":0,"loyaltyPoints":-5}],
		"junk":1}`)
	assert.Equal(t, 400, r.status)
	assert.Equal(t, []int{400, 8106, 8010, 400, 400, 400}, codes(decode(t, r.body).Errors), r.body)
}

func TestUpdateAcceptsDocumentedForms(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body string }{
		{"primary and verified as strings", `{"profiles":[{"commChannels":[{"type":"wechat","value":"wx","primary":"true","verified":"false"}]}]}`},
		{"as upper-case strings", `{"profiles":[{"commChannels":[{"type":"wechat","value":"wx","primary":"TRUE","verified":"False"}]}]}`},
		{"as JSON booleans", `{"profiles":[{"commChannels":[{"type":"wechat","value":"wx","primary":true,"verified":false}]}]}`},
		{"every channel type", `{"profiles":[{"commChannels":[{"type":"wechat","value":"a"},{"type":"ios","value":"b"},
			{"type":"android","value":"c"},{"type":"line","value":"d"},{"type":"mobilePush","value":"e"}]}]}`},
		{"negative offset date", `{"loyaltyProgramEnrollments":[{"programId":1,"tierExpiryDate":"2030-01-01T00:00:00-03:00"}]}`},
		{"nulls everywhere", `{"profiles":null,"loyaltyInfo":null,"extendedFields":null,"loyaltyProgramEnrollments":null}`},
		{"charset utf-8", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
			t.Cleanup(srv.Close)
			var r reply
			if tc.body == "" {
				r = send(t, http.MethodPut, srv.URL+"/v2/customers/"+tomID+"?source=INSTORE", `{}`,
					map[string]string{"Content-Type": "application/json; charset=UTF-8", "Authorization": defaultAuth()})
			} else {
				r = update(t, srv, tomID, "source=INSTORE", tc.body)
			}
			assert.Equal(t, 200, r.status, r.body)
		})
	}
}

func TestUpdateContentType(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/jsonx"} {
		r := send(t, http.MethodPut, srv.URL+"/v2/customers/"+tomID+"?source=INSTORE", `{}`,
			map[string]string{"Content-Type": ct, "Authorization": defaultAuth()})
		assert.Equal(t, 415, r.status, ct)
		assert.JSONEq(t, `{"warnings":[],"errors":[{"status":false,"code":415,
			"message":"Unsupported media type: send the body as Content-Type: application/json"}]}`, r.body, ct)
	}
}

func TestUpdateBodyTooLarge(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	big := `{"extendedFields":{"blob":"` + string(make([]byte, 1<<20)) + `"}}`
	r := update(t, srv, tomID, "source=INSTORE", big)
	assert.Equal(t, 400, r.status)
	assert.JSONEq(t, `{"warnings":[],"errors":[{"status":false,"code":400,
		"message":"Input is invalid. Please check request parameters or input xml/json: the body is larger than 1048576 bytes"}]}`, r.body)
}

func TestRouting(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, "/", 404, ""},
		{http.MethodPut, "/v2/promotion/customer", 404, ""},
		{http.MethodPut, "/v2/customers/", 404, ""},
		{http.MethodPut, "/v2/customers/171891944/", 404, ""},
		{http.MethodPut, "/v2/customers/171891944/extra", 404, ""},
		{http.MethodPut, "/v1.1/customer/update", 404, ""},
		{http.MethodPost, "/v2/customers/171891944", 405, "GET, PUT"},
		{http.MethodDelete, "/v2/customers/171891944", 405, "GET, PUT"},
		{http.MethodPost, "/v2/customers/lookup", 405, "GET, PUT"},
		{http.MethodPut, "/v2/customers/lookup/customerDetails", 405, "GET"},
		{http.MethodGet, "/v2/customers/lookup/other", 404, ""},
		{http.MethodGet, "/v3/oauth/token/generate", 405, "POST"},
		{http.MethodPut, "/v3/oauth/token/generate", 405, "POST"},
	}
	for _, tc := range tests {
		r := send(t, tc.method, srv.URL+tc.path+"?source=INSTORE", `{}`, nil)
		assert.Equal(t, tc.status, r.status, "%s %s", tc.method, tc.path)
		assert.Equal(t, tc.allow, r.header.Get("Allow"), "%s %s", tc.method, tc.path)
		assert.NotEmpty(t, r.header.Get("X-Cap-Requestid"))
		assert.Equal(t, []int{tc.status}, codes(decode(t, r.body).Errors), "%s %s: %s", tc.method, tc.path, r.body)
	}
	r := send(t, http.MethodPut, srv.URL+"/nowhere", ``, nil)
	assert.JSONEq(t, `{"warnings":[],"errors":[{"status":false,"code":404,"message":"Resource not found: no resource at /nowhere"}]}`, r.body)
}
