package capillary

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The wire: what each call sends (method, path, query, headers, body byte for byte), where it
// sends it (no redirect followed), and connections reused under concurrency.

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

// One Client used by 50 goroutines at once, each with its own user id, body, per-call options
// and retries: every request carries its own data, nothing crosses over, -race stays quiet.
func TestConcurrencyOneClientManyGoroutines(t *testing.T) {
	t.Parallel()
	const workers = 50
	c, mt := newMockedClient(t, WithUserContext(UserContext{EntityType: "ADMIN", EntityID: "shared"}))

	var mu sync.Mutex
	seen := map[string][]captured{} // by user id
	attempts := map[string]int{}
	mt.RegisterRegexpResponder(http.MethodPut, updateURL, func(req *http.Request) (*http.Response, error) {
		body, _ := io.ReadAll(req.Body)
		id := strings.TrimPrefix(req.URL.Path, "/v2/customers/")
		mu.Lock()
		seen[id] = append(seen[id], captured{Method: req.Method, URL: req.URL, Header: req.Header.Clone(), Body: body})
		attempts[id]++
		n := attempts[id]
		mu.Unlock()
		// Odd workers get one 503 before their answer: retries interleave with first attempts.
		var i int
		_, _ = fmt.Sscanf(id, "%d", &i)
		if i%2 == 1 && n == 1 {
			return respond(503, `{}`)(req)
		}
		return respond(200, `{"createdId": "`+id+`"}`, headerRequestID, "rid-"+id)(req)
	})

	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("%d", i)
			var opts []Option
			if i%3 == 0 {
				opts = append(opts, WithUserContext(UserContext{EntityType: "WORKER", EntityID: id}))
			}
			if i%5 == 0 {
				opts = append(opts, WithTillAttribution("TILL_CODE", "till-"+id))
			}
			body := &UpdateCustomerRequest{Profiles: []Profile{{FirstName: Ptr("name-" + id)}}}
			res, err := c.Customers.Update(testCtx(t), id, body, &UpdateCustomerParams{Source: SourceInstore, AccountID: "acc-" + id}, opts...)
			if err != nil {
				errs <- fmt.Errorf("%s: %w", id, err)
				return
			}
			if string(res.CreatedID) != id || res.RequestID != "rid-"+id {
				errs <- fmt.Errorf("%s: got the answer of %s / %s", id, res.CreatedID, res.RequestID)
			}
			if want := 1 + i%2; res.Attempts != want {
				errs <- fmt.Errorf("%s: %d attempts, want %d", id, res.Attempts, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	require.Len(t, seen, workers)
	for i := range workers {
		id := fmt.Sprintf("%d", i)
		reqs := seen[id]
		require.Len(t, reqs, 1+i%2, id)
		for _, r := range reqs {
			assert.JSONEq(t, `{"profiles":[{"firstName":"name-`+id+`"}]}`, string(r.Body), id)
			assert.Equal(t, "acc-"+id, r.URL.Query().Get("accountId"), id)
			wantType, wantID := "ADMIN", "shared"
			if i%3 == 0 {
				wantType, wantID = "WORKER", id
			}
			assert.Equal(t, wantType, r.Header.Get("USER-CONTEXT-ENTITY-TYPE"), id)
			assert.Equal(t, wantID, r.Header.Get("USER-CONTEXT-ENTITY-ID"), id)
			wantTill := ""
			if i%5 == 0 {
				wantTill = "till-" + id
			}
			assert.Equal(t, wantTill, r.Header.Get("X-CAP-API-ATTRIBUTION-LOOKUP"), id)
			assert.Equal(t, testAuthHeader(), r.Header.Get("Authorization"), id)
		}
	}
	// The client's own settings are untouched by the per-call options.
	_, err := c.Customers.Update(testCtx(t), "100", minimalBody(), instore())
	require.NoError(t, err)
	mu.Lock()
	last := seen["100"][0]
	mu.Unlock()
	assert.Equal(t, "shared", last.Header.Get("USER-CONTEXT-ENTITY-ID"))
	assert.Equal(t, testAuthHeader(), last.Header.Get("Authorization"))
}

// Concurrent calls against a real server, with errors and retries mixed in, under -race. What
// each customer gets depends on the customer alone, not on the order in which the calls
// arrive: customer i%4 == 0 is busy (503) on its first attempt, i%4 == 1 is unknown (8015),
// the others are updated.
func TestConcurrencyRealServer(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	attempts := map[string]int{}
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimPrefix(r.URL.Path, "/v2/customers/")
		mu.Lock()
		attempts[id]++
		first := attempts[id] == 1
		mu.Unlock()
		i, _ := strconv.Atoi(id)
		switch {
		case i%4 == 0 && first:
			writeJSON(w, http.StatusServiceUnavailable, `{}`)
		case i%4 == 1:
			writeJSON(w, http.StatusBadRequest, vendorError(8015, "Customer not found for the given identifiers"))
		default:
			writeJSON(w, http.StatusOK, okBody)
		}
	})
	c := newServerClient(t, srv.URL, WithRetries(5, time.Millisecond, 2*time.Millisecond))
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Customers.Update(testCtx(t), strconv.Itoa(i), minimalBody(), instore())
			switch i % 4 {
			case 0:
				if assert.NoError(t, err, i) {
					assert.Equal(t, 2, res.Attempts, i)
				}
			case 1:
				assert.ErrorIs(t, err, ErrCustomerNotFound, i)
			default:
				if assert.NoError(t, err, i) {
					assert.Equal(t, 1, res.Attempts, i)
				}
			}
		}()
	}
	wg.Wait()
}

// Sequential calls reuse one keep-alive connection: bodies are read to the end and closed,
// for successes, vendor errors and retried answers alike.
func TestConcurrencyKeepAlive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		h    func(n int64) (int, string)
		opts []Option
	}{
		{"successes", func(int64) (int, string) { return 200, okBody }, nil},
		{"vendor errors", func(int64) (int, string) {
			return 404, vendorError(8015, "Customer not found for the given identifiers")
		}, nil},
		{"200 with errors", func(int64) (int, string) { return 200, vendorError(8018, "no downgrade") }, nil},
		{"non-JSON error pages", func(int64) (int, string) { return 400, "<html>" + strings.Repeat("bad ", 2000) + "</html>" }, nil},
		{"a retry in every call", func(n int64) (int, string) {
			if n%2 == 1 {
				return 503, `{"errors": []}`
			}
			return 200, okBody
		}, nil},
		{"per-call options", func(int64) (int, string) { return 200, okBody },
			[]Option{WithUserContext(UserContext{EntityID: "x"})}},
		{"per-call retries and timeout", func(int64) (int, string) { return 200, okBody },
			[]Option{WithRetries(1, time.Millisecond, time.Millisecond), WithAttemptTimeout(10 * time.Second)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int64
			srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
				status, body := tt.h(n.Add(1))
				writeJSON(w, status, body)
			})
			c := newServerClient(t, srv.URL)
			for range 20 {
				_, _ = c.Customers.Update(testCtx(t), "1", minimalBody(), instore(), tt.opts...)
			}
			assert.GreaterOrEqual(t, srv.requests.Load(), int64(20))
			assertConnsReused(t, srv.conns.Load(), srv.requests.Load(), 1)
		})
	}
}

// Calls that end without success (retries exhausted, the deadline reached while waiting to
// retry) leave their connection in the pool too: retryablehttp closes the pool's idle
// connections after such calls, which on a shared client would also cut every other caller's.
func TestConcurrencyKeepAliveAfterFailedCalls(t *testing.T) {
	t.Parallel()
	t.Run("retries exhausted", func(t *testing.T) {
		t.Parallel()
		srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 503, `{}`) })
		c := newServerClient(t, srv.URL, WithRetries(1, time.Millisecond, time.Millisecond))
		for range 20 {
			_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			assert.Equal(t, 2, requireAPIError(t, err).Attempts)
		}
		assert.EqualValues(t, 40, srv.requests.Load())
		assertConnsReused(t, srv.conns.Load(), 40, 1)
	})
	t.Run("deadline reached while waiting", func(t *testing.T) {
		t.Parallel()
		// The deadline passes during the hour-long wait that follows each 503. The transport
		// drains each answer first, so that only the SDK closing the pool can cost a connection.
		srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 503, `{}`) })
		hook := &waitHook{}
		c := newServerClient(t, srv.URL, WithRetries(3, time.Hour, time.Hour),
			WithHTTPClient(&http.Client{Transport: newDrainingTransport(t)}), hook.option())
		const calls = 8
		for range calls {
			d := newManualDeadline(t)
			hook.onWait(d.expire)
			res := receive(t, goUpdate(d, c))
			assert.ErrorIs(t, res.err, context.DeadlineExceeded)
		}
		assert.EqualValues(t, calls, srv.requests.Load())
		assertConnsReused(t, srv.conns.Load(), calls, 1)
	})
	t.Run("a failing caller does not cut a concurrent caller's connection", func(t *testing.T) {
		t.Parallel()
		srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v2/customers/2" {
				writeJSON(w, 503, `{}`)
				return
			}
			writeJSON(w, 200, okBody)
		})
		c := newServerClient(t, srv.URL, WithRetries(0, 0, 0))
		for range 10 {
			_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
			require.NoError(t, err)
			_, err = c.Customers.Update(testCtx(t), "2", minimalBody(), instore(), WithRetries(1, 0, 0))
			require.Error(t, err)
		}
		assertConnsReused(t, srv.conns.Load(), srv.requests.Load(), 1)
	})
}

// A recorder can be shared by concurrent calls (test helper sanity, run under -race).
func TestConcurrencyRecorderHelper(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	rec := script(mt, okResponder())
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Customers.Update(testCtx(t), fmt.Sprint(i), minimalBody(), instore())
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Len(t, rec.all(), 20)
	assert.Equal(t, 20, mt.GetTotalCallCount())
}

// perfSuccessBody is the vendor's documented success body for the update.
const perfSuccessBody = `{"createdId": 162116213, "warnings": [], "sideEffects": [{"awardedPoints": 25, "type": "points"}]}`

// perfExampleUpdate is the vendor's example request from the spec page: customer 171891944 on
// INSTORE with use_async=false, one profile with two channels, loyalty info, extended fields
// and one program enrolment.
func perfExampleUpdate() (userID string, body *UpdateCustomerRequest, params *UpdateCustomerParams) {
	expiry := time.Date(2024, 7, 11, 16, 36, 17, 0, time.FixedZone("IST", 5*3600+30*60))
	body = &UpdateCustomerRequest{
		Profiles: []Profile{{
			FirstName: Ptr("Tom"),
			LastName:  Ptr("Sawyer"),
			Fields:    map[string]any{"gender": "Male", "city": "Bangalore"},
			CommChannels: []CommChannel{
				{Type: ChannelMobile, Value: "9999000000", Primary: Ptr(true), Verified: Ptr(true), Meta: map[string]any{"residence": "true"}},
				{Type: ChannelEmail, Value: "tomsawyer@gmail.com", Primary: Ptr(true), Verified: Ptr(true), Meta: map[string]any{"residence": "true"}},
			},
		}},
		LoyaltyInfo:    &LoyaltyInfo{LoyaltyType: LoyaltyTypeLoyalty},
		ExtendedFields: map[string]any{"gender": "MALE", "city": "Bangalore"},
		LoyaltyProgramEnrollments: []LoyaltyProgramEnrollment{{
			ProgramID: 699, TierNumber: Ptr(1), LoyaltyPoints: Ptr(json.Number("0")),
			TierExpiryDate: NewDateTime(expiry), PointsExpiryDate: NewDateTime(expiry),
		}},
	}
	return "171891944", body, &UpdateCustomerParams{Source: SourceInstore, UseAsync: Ptr(false)}
}

// perfVendorHandler answers every request with the vendor's success body, after reading the
// request as a real server does.
func perfVendorHandler(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(headerRequestID, "perf-request-id")
	_, _ = io.WriteString(w, perfSuccessBody)
}

// newConnCountingServer starts a vendor server that counts the TCP connections it accepts,
// and a client of it. The server's handler is h, or perfVendorHandler when h is nil.
func newConnCountingServer(t *testing.T, h http.HandlerFunc) (*Client, *atomic.Int64) {
	t.Helper()
	if h == nil {
		h = perfVendorHandler
	}
	requireLoopback(t)
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := NewClient(WithBaseURL(srv.URL), WithBasicAuth("till", "password"))
	if err != nil {
		t.Fatal(err)
	}
	return c, &conns
}

// TestConnReuseConcurrent: N callers at once need N connections (plus the few net/http drops,
// see assertConnsReused), however many calls each makes: every connection goes back to the
// pool after its call and is taken again from it.
//
// The server holds the first N requests until all N have arrived. Without that, net/http itself
// may dial more than N at start-up, whoever the client: a request waiting for its dial is handed
// a connection that another caller just freed, its dial then completes into the pool, and the
// caller whose connection was taken dials again. Plain net/http with the same transport opens
// 9 to 15 connections for 8 callers in about a quarter of the runs. Holding the first round makes
// the start deterministic (each caller has dialled exactly one connection), so what the test
// measures is the SDK's part: that it drains every answer, keeps enough idle connections and
// shares one transport, without which the count grows with the number of calls.
func TestConnReuseConcurrent(t *testing.T) {
	const callers, calls = 8, 25
	var arrived atomic.Int64
	allArrived := make(chan struct{})
	c, conns := newConnCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if arrived.Add(1) == callers {
			close(allArrived)
		}
		select {
		case <-allArrived:
		case <-time.After(waitBound): // a bug must fail the test, not hang it
		}
		perfVendorHandler(w, r)
	})
	userID, body, params := perfExampleUpdate()
	var (
		wg   sync.WaitGroup
		errs = make(chan error, callers)
	)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls {
				if _, err := c.Customers.Update(context.Background(), userID, body, params); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assertConnsReused(t, conns.Load(), callers*calls, callers)
}

// Each call sends exactly the method, path, query and headers the vendor documents, and a read
// has no body.
func TestReadCallsWire(t *testing.T) {
	t.Parallel()
	gap := 30
	tests := []struct {
		name, method, path, query string
		call                      func(c *Client) error
	}{
		{"get with embeds", http.MethodGet, "/v2/customers/17742", "accountId=22232&embed=points%2Cmlp%2Csubscriptions&gapToUpgrade=30&includedOnlyCurrentProfile=true&source=WECHAT",
			func(c *Client) error {
				_, err := c.Customers.Get(testCtx(t), "17742", &GetCustomerParams{Source: SourceWeChat, AccountID: "22232",
					Embed: []Embed{EmbedPoints, EmbedMLP, EmbedSubscriptions}, GapToUpgrade: &gap, IncludedOnlyCurrentProfile: Ptr(true)})
				return err
			}},
		{"get across every source", http.MethodGet, "/v2/customers/17742", "source=ALL",
			func(c *Client) error {
				_, err := c.Customers.Get(testCtx(t), "17742", &GetCustomerParams{Source: SourceAll})
				return err
			}},
		{"get on LINE", http.MethodGet, "/v2/customers/17742", "accountId=line-1&source=LINE",
			func(c *Client) error {
				_, err := c.Customers.Get(testCtx(t), "17742", &GetCustomerParams{Source: SourceLine, AccountID: "line-1"})
				return err
			}},
		{"get with the user-group parameters", http.MethodGet, "/v2/customers/17742",
			"includedAllUserGroup2=true&source=INSTORE&ug2JoinedEndDate=2024-12-31T23%3A59%3A59%2B05%3A30&ug2JoinedStartDate=2024-01-01T00%3A00%3A00%2B05%3A30" +
				"&ug2Limit=10&ug2Offset=0&ug2PaginationDetails=true&ug2SortBy=JoinedDate&ug2SortOrder=ASC",
			func(c *Client) error {
				ist := time.FixedZone("IST", 5*3600+1800)
				_, err := c.Customers.Get(testCtx(t), "17742", &GetCustomerParams{Source: SourceInstore, IncludedAllUserGroup2: Ptr(true),
					UG2JoinedStartDate: NewDateTime(time.Date(2024, 1, 1, 0, 0, 0, 0, ist)), UG2JoinedEndDate: NewDateTime(time.Date(2024, 12, 31, 23, 59, 59, 0, ist)),
					UG2Offset: Ptr(0), UG2Limit: Ptr(10), UG2SortBy: "JoinedDate", UG2SortOrder: SortAscending, UG2PaginationDetails: Ptr(true)})
				return err
			}},
		{"lookup with the alternate currencies and fraud details", http.MethodGet, "/v2/customers/lookup/customerDetails",
			"embed=alternateCurrencies%2CcardLoyaltyDetails&identifierName=cardnumber&identifierValue=C-1&includedFraudDetails=true&source=INSTORE",
			func(c *Client) error {
				_, err := c.Customers.Lookup(testCtx(t), []Identifier{{Type: IdentifierCardNumber, Value: "C-1"}}, &GetCustomerParams{Source: SourceInstore,
					Embed: []Embed{EmbedAlternateCurrencies, EmbedCardLoyaltyDetails}, IncludedFraudDetails: Ptr(true)})
				return err
			}},
		{"lookup on the mobile app SDK", http.MethodGet, "/v2/customers/lookup/customerDetails", "accountId=app-1&identifierName=mobile&identifierValue=919999000001&source=MAPP_SDK",
			func(c *Client) error {
				_, err := c.Customers.Lookup(testCtx(t), []Identifier{{Type: IdentifierMobile, Value: "919999000001"}}, &GetCustomerParams{Source: SourceMappSDK, AccountID: "app-1"})
				return err
			}},
		{"lookup across every source", http.MethodGet, "/v2/customers/lookup/customerDetails", "accountId=22232&identifierName=mobile&identifierValue=919999000001&source=ALL",
			func(c *Client) error {
				_, err := c.Customers.Lookup(testCtx(t), []Identifier{{Type: IdentifierMobile, Value: "919999000001"}}, &GetCustomerParams{Source: SourceAll, AccountID: "22232"})
				return err
			}},
		{"lookup by mobile", http.MethodGet, "/v2/customers/lookup/customerDetails", "identifierName=mobile&identifierValue=919999000001&source=INSTORE",
			func(c *Client) error {
				_, err := c.Customers.Lookup(testCtx(t), []Identifier{{Type: IdentifierMobile, Value: "919999000001"}}, &GetCustomerParams{Source: SourceInstore})
				return err
			}},
		{"lookup, dual eligibility, names and values in order", http.MethodGet, "/v2/customers/lookup/customerDetails",
			"accountId=22232&embed=mlp&identifierName=email%2Cmobile%2CexternalId&identifierValue=tomswayer%40capillarytech1.com%2C915795008395%2CMPQSP100&source=WECHAT",
			func(c *Client) error {
				_, err := c.Customers.Lookup(testCtx(t), []Identifier{
					{Type: IdentifierEmail, Value: "tomswayer@capillarytech1.com"},
					{Type: IdentifierMobile, Value: "915795008395"},
					{Type: IdentifierExternalID, Value: "MPQSP100"},
				}, &GetCustomerParams{Source: SourceWeChat, AccountID: "22232", Embed: []Embed{EmbedMLP}})
				return err
			}},
		{"lookup by card external id", http.MethodGet, "/v2/customers/lookup/customerDetails", "identifierName=cardExternalId&identifierValue=cardUUID123&source=INSTORE",
			func(c *Client) error {
				_, err := c.Customers.Lookup(testCtx(t), []Identifier{{Type: IdentifierCardExternalID, Value: "cardUUID123"}}, &GetCustomerParams{Source: SourceInstore})
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			rec := scriptMethod(mt, tt.method, respond(http.StatusOK, readFile(t, "vendor_get_by_id.json"), "X-Cap-Requestid", "r-1"))
			require.NoError(t, tt.call(c))
			got := rec.only(t)
			assert.Equal(t, tt.method, got.Method)
			assert.Equal(t, tt.path, got.URL.Path)
			assert.Equal(t, tt.query, got.URL.RawQuery)
			assert.Empty(t, got.Body, "a read has no body")
			assert.Equal(t, []string{testAuthHeader()}, got.Header.Values("Authorization"))
			assert.Equal(t, []string{"application/json"}, got.Header.Values("Accept"))
		})
	}
}

// Get returns the decoded customer with the answer's metadata.
func TestGetReturnsCustomer(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	scriptMethod(mt, http.MethodGet, respond(http.StatusOK, readFile(t, "vendor_lookup_customer_details.json"), "X-Cap-Requestid", "req-9"))
	cust, err := c.Customers.Lookup(testCtx(t), []Identifier{{Type: IdentifierMobile, Value: "919999000001"}},
		&GetCustomerParams{Source: SourceWeChat, AccountID: "22232", Embed: []Embed{EmbedMLP}})
	require.NoError(t, err)
	assert.Equal(t, ID("481220846"), cust.ID)
	assert.Equal(t, "req-9", cust.RequestID)
	assert.Equal(t, http.StatusOK, cust.StatusCode)
	assert.Equal(t, 1, cust.Attempts)
	assert.NotContains(t, cust.Unknown, "errors")
}

// The update by identifier sends the update's body to PUT /v2/customers/lookup with the
// identifier in the query.
func TestUpdateByIdentifierWire(t *testing.T) {
	t.Parallel()
	userID, body, _ := perfExampleUpdate()
	c, mt := newMockedClient(t)
	rec := scriptMethod(mt, http.MethodPut, respond(http.StatusOK, readFile(t, "vendor_lookup_update_response.json")))
	res, err := c.Customers.UpdateByIdentifier(testCtx(t), Identifier{Type: IdentifierMobile, Value: "919999000001"}, body,
		&UpdateCustomerParams{Source: SourceWeChat, AccountID: "WeChat1234", UseAsync: Ptr(false)})
	require.NoError(t, err)
	assert.Equal(t, ID("342963216"), res.CreatedID)
	_, err = c.Customers.Update(testCtx(t), userID, body, &UpdateCustomerParams{Source: SourceWeChat, AccountID: "WeChat1234", UseAsync: Ptr(false)})
	require.NoError(t, err)

	reqs := rec.all()
	require.Len(t, reqs, 2)
	byID, byUser := reqs[0], reqs[1]
	assert.Equal(t, http.MethodPut, byID.Method)
	assert.Equal(t, "/v2/customers/lookup", byID.URL.Path)
	assert.Equal(t, "accountId=WeChat1234&identifierName=mobile&identifierValue=919999000001&source=WECHAT&use_async=false", byID.URL.RawQuery)
	assert.Equal(t, string(byUser.Body), string(byID.Body), "the same body as Update")
	assert.Equal(t, byUser.Header.Values("Content-Type"), byID.Header.Values("Content-Type"))
	assert.Equal(t, []string{testAuthHeader()}, byID.Header.Values("Authorization"))
}

// The update by identifier takes a card number, as the vendor's OpenAPI for it lists.
func TestUpdateByCardNumberWire(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	rec := scriptMethod(mt, http.MethodPut, respond(http.StatusOK, readFile(t, "vendor_lookup_update_response.json")))
	_, err := c.Customers.UpdateByIdentifier(testCtx(t), Identifier{Type: IdentifierCardNumber, Value: "TTM001110000000002ZS"}, minimalBody(), instore())
	require.NoError(t, err)
	assert.Equal(t, "identifierName=cardnumber&identifierValue=TTM001110000000002ZS&source=INSTORE", rec.only(t).URL.RawQuery)
}

// Every params value gets its own query, a value seen before the same query again.
func TestWireQueryPerParamsValue(t *testing.T) {
	t.Parallel()
	// The query cache's key has an element per field of the params, or two params that encode
	// differently would share a query.
	assert.Len(t, (&UpdateCustomerParams{}).queryKey(), reflect.TypeFor[UpdateCustomerParams]().NumField())
	c, mt := newMockedClient(t)
	rec := script(mt, okResponder())
	cases := []struct {
		params *UpdateCustomerParams
		query  string
	}{
		{&UpdateCustomerParams{Source: SourceInstore}, "source=INSTORE"},
		{&UpdateCustomerParams{Source: SourceInstore, UseAsync: Ptr(false)}, "source=INSTORE&use_async=false"},
		{&UpdateCustomerParams{Source: SourceInstore, UseAsync: Ptr(true)}, "source=INSTORE&use_async=true"},
		{&UpdateCustomerParams{Source: SourceWeChat, AccountID: "wx-1", MLPSingleEnroll: Ptr(true)}, "accountId=wx-1&mlp_single_enroll=true&source=WECHAT"},
		{&UpdateCustomerParams{Source: SourceInstore}, "source=INSTORE"},
	}
	for i := range 2 * maxCachedQueries { // past the cache's bound, queries are still right
		account := fmt.Sprint("a", i)
		cases = append(cases, struct {
			params *UpdateCustomerParams
			query  string
		}{&UpdateCustomerParams{Source: SourceWeChat, AccountID: account}, "accountId=" + account + "&source=WECHAT"})
	}
	for i, tc := range cases {
		_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), tc.params)
		require.NoError(t, err)
		got := rec.all()[i].URL.RawQuery
		assert.Equal(t, tc.query, got, "call %d", i)
		assert.Equal(t, http.MethodPut, rec.all()[i].Method)
	}
}

// No redirect is followed, to another host or the same one: the target receives nothing, and
// the caller gets the 3xx as an *APIError naming the Location.
func TestWireRedirectsAreRefused(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, sameHost := range []bool{false, true} {
			t.Run(fmt.Sprint(status, sameHost), func(t *testing.T) {
				t.Parallel()
				var evilAuth atomic.Value
				evil := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
					evilAuth.Store(r.Header.Get("Authorization"))
					writeJSON(w, http.StatusOK, okBody)
				})
				// A different host: localhost vs 127.0.0.1 (also a different port).
				target := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1) + "/elsewhere"
				if sameHost {
					target = "/moved"
				}
				origin := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, target, status)
				})
				c := newServerClient(t, origin.URL)
				_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
				apiErr := requireAPIError(t, err)
				assert.Equal(t, status, apiErr.StatusCode)
				assert.Equal(t, 1, apiErr.Attempts, "a redirect is not retried")
				assert.Contains(t, err.Error(), "redirect to \""+target+"\" not followed")
				assert.EqualValues(t, 1, origin.requests.Load())
				assert.Zero(t, evil.requests.Load(), "the other host received a request")
				assert.Zero(t, evil.conns.Load(), "the other host received a connection")
				assert.Nil(t, evilAuth.Load())
			})
		}
	}
}

// WithHTTPClient: the caller's client is copied, not changed, and its transport is used; the
// SDK still applies its redirect policy and attempt timeout.
func TestWireWithHTTPClient(t *testing.T) {
	t.Parallel()
	var used atomic.Int64
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.com/steal", http.StatusTemporaryRedirect)
	})
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := newServerClient(t, srv.URL, WithHTTPClient(hc), WithRetries(0, 0, 0))
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	apiErr := requireAPIError(t, err)
	assert.Equal(t, http.StatusTemporaryRedirect, apiErr.StatusCode)
	assert.EqualValues(t, 1, used.Load(), "the caller's transport carried the call, and only once")
	assert.Nil(t, hc.CheckRedirect, "the caller's client is not modified")
	assert.Zero(t, hc.Timeout)
}

// CloseIdleConnections drops the pool's idle connections: the next call opens a new one.
func TestClientCloseIdleConnections(t *testing.T) {
	t.Parallel()
	srv := newCountingServer(t, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, okBody) })
	c := newServerClient(t, srv.URL)
	for range 8 {
		_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
		require.NoError(t, err)
	}
	before := srv.conns.Load()
	assertConnsReused(t, before, 8, 1)
	c.CloseIdleConnections()
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err)
	assert.Equal(t, before+1, srv.conns.Load(), "the call after CloseIdleConnections dialled")
}
