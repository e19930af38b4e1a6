package capillary

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The vendor's example, decoded into UpdateCustomerRequest and sent with the example's query,
// arrives field for field as the vendor documents it, at the vendor's URL, with the headers.
func TestWireVendorExampleArrivesAsDocumented(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	rec := script(mt)

	example := vendorExample(t)
	var body UpdateCustomerRequest
	require.NoError(t, json.Unmarshal(example, &body))

	res, err := c.Customers.Update(testCtx(t), "171891944", &body,
		&UpdateCustomerParams{Source: SourceInstore, UseAsync: Ptr(false)})
	require.NoError(t, err)
	require.NotNil(t, res)

	got := rec.only(t)
	assert.Equal(t, http.MethodPut, got.Method)
	assert.Equal(t, "https", got.URL.Scheme)
	assert.Equal(t, "eu.api.capillarytech.com", got.URL.Host)
	assert.Equal(t, "/v2/customers/171891944", got.URL.EscapedPath())
	// The vendor's curl: ?source=INSTORE&use_async=false
	assert.Equal(t, "source=INSTORE&use_async=false", got.URL.RawQuery)
	assert.JSONEq(t, string(example), string(got.Body))

	// Spot checks that JSONEq would also catch, stated for the reader: strings, not booleans,
	// an explicit loyaltyPoints 0 and the vendor's date form.
	s := string(got.Body)
	assert.Contains(t, s, `"primary":"true"`)
	assert.Contains(t, s, `"verified":"true"`)
	assert.Contains(t, s, `"loyaltyPoints":0`)
	assert.Contains(t, s, `"tierExpiryDate":"2024-07-11T16:36:17+05:30"`)
	assert.Contains(t, s, `"pointsExpiryDate":"2024-07-11T16:36:17+05:30"`)
}

// The decoded example holds the typed values, not just bytes that happen to round-trip.
func TestWireVendorExampleDecodesToTypedValues(t *testing.T) {
	t.Parallel()
	var body UpdateCustomerRequest
	require.NoError(t, json.Unmarshal(vendorExample(t), &body))

	require.Len(t, body.Profiles, 1)
	p := body.Profiles[0]
	assert.Equal(t, Ptr("Tom"), p.FirstName)
	assert.Equal(t, Ptr("Sawyer"), p.LastName)
	require.Len(t, p.CommChannels, 2)
	assert.Equal(t, ChannelMobile, p.CommChannels[0].Type)
	assert.Equal(t, Ptr(true), p.CommChannels[0].Primary)
	assert.Equal(t, Ptr(true), p.CommChannels[1].Verified)
	assert.Equal(t, LoyaltyTypeLoyalty, body.LoyaltyInfo.LoyaltyType)
	require.Len(t, body.LoyaltyProgramEnrollments, 1)
	e := body.LoyaltyProgramEnrollments[0]
	assert.Equal(t, Int(699), e.ProgramID)
	assert.Equal(t, Ptr(1), e.TierNumber)
	assert.Equal(t, Ptr(json.Number("0")), e.LoyaltyPoints)
	want := time.Date(2024, 7, 11, 11, 6, 17, 0, time.UTC)
	require.NotNil(t, e.TierExpiryDate)
	assert.True(t, e.TierExpiryDate.Equal(want), "tierExpiryDate %s", e.TierExpiryDate)
	_, offset := e.TierExpiryDate.Zone()
	assert.Equal(t, 5*3600+30*60, offset, "the +05:30 offset is kept")
}

// The same request built in Go, not decoded, also produces the vendor's body.
func TestWireBodyBuiltInGoEqualsVendorExample(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	rec := script(mt)
	ist := time.FixedZone("IST", 5*3600+30*60)
	expiry := NewDateTime(time.Date(2024, 7, 11, 16, 36, 17, 0, ist))
	residence := map[string]any{"residence": "true"}
	body := &UpdateCustomerRequest{
		Profiles: []Profile{{
			FirstName: Ptr("Tom"),
			LastName:  Ptr("Sawyer"),
			Fields:    map[string]any{"gender": "Male", "city": "Bangalore"},
			CommChannels: []CommChannel{
				{Type: ChannelMobile, Value: "9999000000", Primary: Ptr(true), Verified: Ptr(true), Meta: residence},
				{Type: ChannelEmail, Value: "tomsawyer@gmail.com", Primary: Ptr(true), Verified: Ptr(true), Meta: residence},
			},
		}},
		LoyaltyInfo:    &LoyaltyInfo{LoyaltyType: LoyaltyTypeLoyalty},
		ExtendedFields: map[string]any{"gender": "MALE", "city": "Bangalore"},
		LoyaltyProgramEnrollments: []LoyaltyProgramEnrollment{{
			ProgramID: 699, TierNumber: Ptr(1), LoyaltyPoints: Ptr(json.Number("0")),
			TierExpiryDate: expiry, PointsExpiryDate: expiry,
		}},
	}
	_, err := c.Customers.Update(testCtx(t), "171891944", body, &UpdateCustomerParams{Source: SourceInstore, UseAsync: Ptr(false)})
	require.NoError(t, err)
	assert.JSONEq(t, string(vendorExample(t)), string(rec.only(t).Body))
}

// Fields left unset are not sent at all: no null, no zero, no empty object.
func TestWireUnsetFieldsAreOmitted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body *UpdateCustomerRequest
		want string
	}{
		{"only loyalty info", &UpdateCustomerRequest{LoyaltyInfo: &LoyaltyInfo{LoyaltyType: LoyaltyTypeLoyalty}},
			`{"loyaltyInfo":{"loyaltyType":"loyalty"}}`},
		{"profile with first name only", &UpdateCustomerRequest{Profiles: []Profile{{FirstName: Ptr("Tom")}}},
			`{"profiles":[{"firstName":"Tom"}]}`},
		{"channel without flags or meta", &UpdateCustomerRequest{Profiles: []Profile{{CommChannels: []CommChannel{{Type: ChannelEmail, Value: "a@b.c"}}}}},
			`{"profiles":[{"commChannels":[{"type":"email","value":"a@b.c"}]}]}`},
		{"enrolment with program id only", &UpdateCustomerRequest{LoyaltyProgramEnrollments: []LoyaltyProgramEnrollment{{ProgramID: 699}}},
			`{"loyaltyProgramEnrollments":[{"programId":699}]}`},
		{"extended fields only", &UpdateCustomerRequest{ExtendedFields: map[string]any{"city": "Pune"}},
			`{"extendedFields":{"city":"Pune"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			rec := script(mt)
			_, err := c.Customers.Update(testCtx(t), "1", tt.body, instore())
			require.NoError(t, err)
			// Exact bytes, not JSONEq: an extra "x":null would pass JSONEq only if expected too,
			// but this also pins that nothing else is added.
			assert.JSONEq(t, tt.want, string(rec.only(t).Body))
			assert.NotContains(t, string(rec.only(t).Body), "null")
		})
	}
}

// Every optional field can carry an explicit zero, and the zero reaches the server.
func TestWireExplicitZeroValuesAreSent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body *UpdateCustomerRequest
		want string
	}{
		{"empty first and last name", &UpdateCustomerRequest{Profiles: []Profile{{FirstName: Ptr(""), LastName: Ptr("")}}},
			`{"profiles":[{"firstName":"","lastName":""}]}`},
		{"zero loyalty points", &UpdateCustomerRequest{LoyaltyProgramEnrollments: []LoyaltyProgramEnrollment{{ProgramID: 7, LoyaltyPoints: Ptr(json.Number("0"))}}},
			`{"loyaltyProgramEnrollments":[{"programId":7,"loyaltyPoints":0}]}`},
		{"primary and verified false", &UpdateCustomerRequest{Profiles: []Profile{{CommChannels: []CommChannel{{Type: ChannelMobile, Value: "919999000000", Primary: Ptr(false), Verified: Ptr(false)}}}}},
			`{"profiles":[{"commChannels":[{"type":"mobile","value":"919999000000","primary":"false","verified":"false"}]}]}`},
		{"empty extended fields map beside a field", &UpdateCustomerRequest{ExtendedFields: map[string]any{}, Fields: map[string]any{"a": 1}},
			`{"extendedFields":{},"fields":{"a":1}}`},
		{"empty profiles slice beside an extended field", &UpdateCustomerRequest{Profiles: []Profile{}, ExtendedFields: map[string]any{"a": 1}},
			`{"profiles":[],"extendedFields":{"a":1}}`},
		{"empty enrolments slice beside a field", &UpdateCustomerRequest{LoyaltyProgramEnrollments: []LoyaltyProgramEnrollment{}, Fields: map[string]any{"a": 1}},
			`{"fields":{"a":1},"loyaltyProgramEnrollments":[]}`},
		{"empty custom fields, channels and meta", &UpdateCustomerRequest{Profiles: []Profile{{Fields: map[string]any{}, CommChannels: []CommChannel{{Type: ChannelEmail, Value: "a@b.c", Meta: map[string]any{}}}}}},
			`{"profiles":[{"fields":{},"commChannels":[{"type":"email","value":"a@b.c","meta":{}}]}]}`},
		{"empty channel list beside a name", &UpdateCustomerRequest{Profiles: []Profile{{LastName: Ptr("S"), CommChannels: []CommChannel{}}}},
			`{"profiles":[{"lastName":"S","commChannels":[]}]}`},
		{"a profile that only names its source", &UpdateCustomerRequest{Profiles: []Profile{{Source: SourceWeChat, AccountID: "wx-1"}}},
			`{"profiles":[{"source":"WECHAT","accountId":"wx-1"}]}`},
		{"zero values inside extended fields", &UpdateCustomerRequest{ExtendedFields: map[string]any{"n": 0, "s": "", "b": false, "f": 0.0, "x": nil}},
			`{"extendedFields":{"n":0,"s":"","b":false,"f":0,"x":null}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			rec := script(mt)
			_, err := c.Customers.Update(testCtx(t), "1", tt.body, instore())
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(rec.only(t).Body))
		})
	}
}

// Points are decimals: a fractional value is sent as written, and a request decoded from JSON
// re-sends its points as they came.
func TestWireFractionalPoints(t *testing.T) {
	t.Parallel()
	var decoded UpdateCustomerRequest
	require.NoError(t, json.Unmarshal([]byte(`{"loyaltyProgramEnrollments":[{"programId":"7","loyaltyPoints":0.125e2}]}`), &decoded))
	for _, body := range []*UpdateCustomerRequest{
		{LoyaltyProgramEnrollments: []LoyaltyProgramEnrollment{{ProgramID: 7, LoyaltyPoints: Ptr(json.Number("12.50"))}}},
		&decoded,
	} {
		c, mt := newMockedClient(t)
		rec := script(mt)
		_, err := c.Customers.Update(testCtx(t), "1", body, instore())
		require.NoError(t, err)
		want := `{"loyaltyProgramEnrollments":[{"programId":7,"loyaltyPoints":` + string(*body.LoyaltyProgramEnrollments[0].LoyaltyPoints) + `}]}`
		assert.Equal(t, want, string(rec.only(t).Body), "exact bytes")
	}
	assert.Equal(t, json.Number("0.125e2"), *decoded.LoyaltyProgramEnrollments[0].LoyaltyPoints)
}

// fields, extendedFields and meta keep the JSON type of every value, big integers digit for
// digit, whether built in Go or decoded from JSON.
func TestWireFieldsOfAnyJSONType(t *testing.T) {
	t.Parallel()
	values := map[string]any{
		"int":     42,
		"big":     int64(9007199254740993), // 2^53+1: a float64 would round it
		"number":  json.Number("12345678901234567890123"),
		"double":  3.25,
		"string":  "Bangalore",
		"bool":    true,
		"nested":  map[string]any{"level": 2, "tags": []any{"a", 1, false}},
		"list":    []any{1, "two", 3.5},
		"null":    nil,
		"dateStr": "2024-07-11T16:36:17+05:30",
	}
	wantObj := `{"int":42,"big":9007199254740993,"number":12345678901234567890123,"double":3.25,` +
		`"string":"Bangalore","bool":true,"nested":{"level":2,"tags":["a",1,false]},"list":[1,"two",3.5],` +
		`"null":null,"dateStr":"2024-07-11T16:36:17+05:30"}`

	c, mt := newMockedClient(t)
	rec := script(mt)
	body := &UpdateCustomerRequest{
		ExtendedFields: values,
		Profiles: []Profile{{
			Fields:       values,
			CommChannels: []CommChannel{{Type: ChannelMobile, Value: "919999000000", Meta: values}},
		}},
	}
	_, err := c.Customers.Update(testCtx(t), "1", body, instore())
	require.NoError(t, err)
	got := rec.only(t).Body
	want := `{"extendedFields":` + wantObj + `,"profiles":[{"fields":` + wantObj +
		`,"commChannels":[{"type":"mobile","value":"919999000000","meta":` + wantObj + `}]}]}`
	assert.JSONEq(t, want, string(got))
	// JSONEq compares numbers as float64; pin the digits of the big ones on the bytes.
	assert.Equal(t, 3, strings.Count(string(got), `"big":9007199254740993`))
	assert.Equal(t, 3, strings.Count(string(got), `"number":12345678901234567890123`))
}

// Only the vendor's numeric user ids reach the path: any other id, which could name another
// endpoint ("lookup") or escape the path, is refused before anything is sent.
func TestWireUserIDIsDigitsOnly(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"lookup", "lookup/customerDetails", "a/b", "?x", "?source=JD", "#", "x#frag", "%2F",
		"../admin", "a/../../v1/admin", "ünïcødé", "a b", "a;b", `\evil`, " 171891944", "171891944\n", "-1", "1e3", "１２"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			_, err := c.Customers.Update(testCtx(t), id, minimalBody(), instore())
			assert.Equal(t, []string{"userId"}, fieldsOf(t, err))
			assert.Contains(t, err.Error(), "digits only")
			_, err = c.Customers.Get(testCtx(t), id, &GetCustomerParams{Source: SourceInstore})
			assert.Equal(t, []string{"userId"}, fieldsOf(t, err))
			assert.Zero(t, mt.GetTotalCallCount(), "nothing sent")
		})
	}
}

// A numeric id goes out as it is, over a real connection: what the server's router sees.
func TestWireUserIDOnRealServer(t *testing.T) {
	t.Parallel()
	type seen struct{ rawPath, query string }
	got := make(chan seen, 16)
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.URL.EscapedPath(), r.URL.RawQuery}
		writeJSON(w, http.StatusOK, okBody)
	})
	c := newServerClient(t, srv.URL)
	for _, id := range []string{"171891944", "0", "00012", "99999999999999999999999"} {
		_, err := c.Customers.Update(testCtx(t), id, minimalBody(), instore())
		require.NoError(t, err, id)
		assert.Equal(t, seen{"/v2/customers/" + id, "source=INSTORE"}, receive(t, got), id)
	}
}

// The query carries source always, accountId only when given, use_async and mlp_single_enroll
// only when set, with an explicit false sent as false.
func TestWireQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		params *UpdateCustomerParams
		want   url.Values
	}{
		{"source only", &UpdateCustomerParams{Source: SourceInstore},
			url.Values{"source": {"INSTORE"}}},
		{"empty account id is not sent", &UpdateCustomerParams{Source: SourceWeChat, AccountID: ""},
			url.Values{"source": {"WECHAT"}}},
		{"account id", &UpdateCustomerParams{Source: SourceWeChat, AccountID: "wx-acc-1"},
			url.Values{"source": {"WECHAT"}, "accountId": {"wx-acc-1"}}},
		{"account id with reserved characters", &UpdateCustomerParams{Source: SourceFacebook, AccountID: "a&source=JD#x"},
			url.Values{"source": {"FACEBOOK"}, "accountId": {"a&source=JD#x"}}},
		{"use_async false", &UpdateCustomerParams{Source: SourceInstore, UseAsync: Ptr(false)},
			url.Values{"source": {"INSTORE"}, "use_async": {"false"}}},
		{"use_async true", &UpdateCustomerParams{Source: SourceInstore, UseAsync: Ptr(true)},
			url.Values{"source": {"INSTORE"}, "use_async": {"true"}}},
		{"mlp_single_enroll true", &UpdateCustomerParams{Source: SourceInstore, MLPSingleEnroll: Ptr(true)},
			url.Values{"source": {"INSTORE"}, "mlp_single_enroll": {"true"}}},
		{"mlp_single_enroll false", &UpdateCustomerParams{Source: SourceInstore, MLPSingleEnroll: Ptr(false)},
			url.Values{"source": {"INSTORE"}, "mlp_single_enroll": {"false"}}},
		{"everything", &UpdateCustomerParams{Source: SourceMobileApp, AccountID: "app-9", UseAsync: Ptr(false), MLPSingleEnroll: Ptr(true)},
			url.Values{"source": {"MOBILE_APP"}, "accountId": {"app-9"}, "use_async": {"false"}, "mlp_single_enroll": {"true"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			rec := script(mt)
			_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), tt.params)
			require.NoError(t, err)
			got := rec.only(t).URL
			assert.Equal(t, tt.want, got.Query())
			assert.Equal(t, tt.want.Encode(), got.RawQuery, "no other parameter, nothing doubled")
		})
	}
}

// Every source constant goes out as the vendor's name.
func TestWireEverySourceIsSentByName(t *testing.T) {
	t.Parallel()
	want := []string{"FACEBOOK", "WEB_ENGAGE", "WECHAT", "INSTORE", "MARTJACK", "TMALL", "TAOBAO", "JD",
		"ECOMMERCE", "WEBSITE", "LINE", "MOBILE_APP"}
	sources := Sources()
	require.Len(t, sources, len(want))
	for i, s := range sources {
		assert.Equal(t, want[i], string(s))
		assert.True(t, s.Valid(), s)
	}
	c, mt := newMockedClient(t)
	rec := script(mt)
	for _, s := range sources {
		_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), &UpdateCustomerParams{Source: s})
		require.NoError(t, err, s)
	}
	reqs := rec.all()
	require.Len(t, reqs, len(want))
	for i, r := range reqs {
		assert.Equal(t, want[i], r.URL.Query().Get("source"))
	}
	for _, s := range []Source{SourceWeChat, SourceFacebook, SourceMobileApp, SourceLine, SourceWebEngage} {
		assert.True(t, s.MultiAccount(), s)
	}
	for _, s := range []Source{SourceInstore, SourceJD, SourceEcommerce} {
		assert.False(t, s.MultiAccount(), s)
	}
	assert.False(t, Source("instore").Valid(), "sources are case-sensitive")
}

// Content-Type, Accept, User-Agent (SDK name and version) and Authorization on every request.
func TestWireHeaders(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	rec := script(mt)
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err)
	h := rec.only(t).Header
	assert.Equal(t, []string{"application/json"}, h.Values("Content-Type"))
	assert.Equal(t, []string{"application/json"}, h.Values("Accept"))
	assert.Equal(t, []string{testAuthHeader()}, h.Values("Authorization"))
	ua := h.Get("User-Agent")
	assert.True(t, strings.HasPrefix(ua, "capillary-go/"+Version+" "), "User-Agent %q", ua)
	assert.Regexp(t, `^\d+\.\d+\.\d+`, Version)
	assert.Empty(t, h.Get(headerOAuthToken), "Basic auth sends no OAuth token")
}

// WithUserAgent appends a product token; WithHeader adds a header but cannot replace the SDK's.
func TestWireUserAgentAndExtraHeaders(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t, WithUserAgent("pos-sync/1.4"), WithHeader("X-Trace-Id", "trace-42"))
	rec := script(mt)
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore(), WithHeader("X-Call", "per-call"))
	require.NoError(t, err)
	_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err)
	reqs := rec.all()
	require.Len(t, reqs, 2)
	ua := reqs[0].Header.Get("User-Agent")
	assert.True(t, strings.HasPrefix(ua, "capillary-go/"+Version), ua)
	assert.True(t, strings.HasSuffix(ua, " pos-sync/1.4"), ua)
	assert.Equal(t, "trace-42", reqs[0].Header.Get("X-Trace-Id"))
	assert.Equal(t, "per-call", reqs[0].Header.Get("X-Call"))
	assert.Equal(t, "trace-42", reqs[1].Header.Get("X-Trace-Id"))
	assert.Empty(t, reqs[1].Header.Get("X-Call"), "a per-call header is for that call only")

	for _, name := range []string{"Authorization", "authorization", "Content-Type", "Accept", "User-Agent", "Host", "Content-Length", headerOAuthToken} {
		_, err := NewClient(WithBaseURL(testBaseURL), WithBasicAuth(testTill, testPassword), WithHeader(name, "x"))
		require.ErrorIs(t, err, ErrInvalidConfig, name)
	}
}

// Each region sends to its documented host.
func TestWireRegions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		region  Region
		host    string
		intouch string
	}{
		{RegionIndia, "apac.api.capillarytech.com", "https://apac.intouch.capillarytech.com"},
		{RegionAsia2, "apac2.api.capillarytech.com", "https://sea.intouch.capillarytech.com"},
		{RegionEU, "eu.api.capillarytech.com", "https://eu.intouch.capillarytech.com"},
		{RegionUS, "us.api.capillarytech.com", "https://ushc.intouch.capillarytech.com"},
		{RegionChina, "api.capillarytech.cn.com", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.region), func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t, WithRegion(tt.region))
			var gotURL string
			mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
				gotURL = r.URL.String()
				return okResponder()(r)
			})
			assert.Equal(t, "https://"+tt.host, c.BaseURL())
			_, err := c.Customers.Update(testCtx(t), "42", minimalBody(), instore())
			require.NoError(t, err)
			assert.Equal(t, "https://"+tt.host+"/v2/customers/42?source=INSTORE", gotURL)
			assert.Equal(t, tt.intouch, tt.region.IntouchBaseURL())
		})
	}
	_, err := NewClient(WithRegion("mars"), WithBasicAuth(testTill, testPassword))
	require.ErrorIs(t, err, ErrInvalidConfig)
}

// A base URL with a path prefix (a proxy) keeps the prefix, with or without a trailing slash.
func TestWireBaseURLPathPrefix(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"https://proxy.example.com/capillary", "https://proxy.example.com/capillary/"} {
		c, mt := newMockedClient(t, WithBaseURL(base))
		var got string
		mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
			got = r.URL.String()
			return okResponder()(r)
		})
		_, err := c.Customers.Update(testCtx(t), "7", minimalBody(), instore())
		require.NoError(t, err, base)
		assert.Equal(t, "https://proxy.example.com/capillary/v2/customers/7?source=INSTORE", got, base)
	}
}

// A request decoded from JSON keeps its numbers as written: an INTEGER extended field beyond
// 2^53 (a card number) or a DOUBLE written 1.0 arrives as it was given, digit for digit.
func TestWireDecodedNumbersKeepTheirDigits(t *testing.T) {
	t.Parallel()
	in := `{
	  "profiles": [{"firstName": "Tom", "fields": {"cardNo": 12345678901234567890, "score": 1.0},
	    "commChannels": [{"type": "mobile", "value": "919999000000", "meta": {"seq": 9007199254740993}}]}],
	  "extendedFields": {"membershipNo": 98765432109876543210, "ratio": 0.1, "weight": 72.500, "n": 7},
	  "loyaltyProgramEnrollments": [{"programId": 699, "loyaltyPoints": 0}]
	}`
	var body UpdateCustomerRequest
	require.NoError(t, json.Unmarshal([]byte(in), &body))
	c, mt := newMockedClient(t)
	rec := script(mt)
	_, err := c.Customers.Update(testCtx(t), "1", &body, instore())
	require.NoError(t, err)
	got := string(rec.only(t).Body)
	assert.JSONEq(t, in, got)
	for _, literal := range []string{`"cardNo":12345678901234567890`, `"score":1.0`, `"seq":9007199254740993`,
		`"membershipNo":98765432109876543210`, `"ratio":0.1`, `"weight":72.500`, `"n":7`} {
		assert.Contains(t, got, literal)
	}
}

// A DateTime used as an extended field value (a DATETIME field) goes out in the vendor's form.
func TestWireDateTimeAsExtendedFieldValue(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	rec := script(mt)
	ist := time.FixedZone("IST", 5*3600+30*60)
	at := time.Date(2024, 7, 11, 16, 36, 17, 123, ist)
	_, err := c.Customers.Update(testCtx(t), "1", &UpdateCustomerRequest{ExtendedFields: map[string]any{
		"anniversary": NewDateTime(at), "joined": DateTime{Time: at},
	}}, instore())
	require.NoError(t, err)
	assert.JSONEq(t, `{"extendedFields":{"anniversary":"2024-07-11T16:36:17+05:30","joined":"2024-07-11T16:36:17+05:30"}}`,
		string(rec.only(t).Body))
}
