package capillary

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Validation: bad arguments and options are refused with every problem named, before any I/O.

// fieldsOf lists the field paths of a *ValidationError, in order.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var ve *ValidationError
	require.ErrorAs(t, err, &ve, "got %T: %v", err, err)
	fields := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		fields[i] = p.Field
		assert.NotEmpty(t, p.Problem, "problem of %s", p.Field)
	}
	return fields
}

// Bad arguments give a *ValidationError naming every problem with its field path, matching
// ErrInvalidRequest, and nothing reaches the transport.
func TestValidationBeforeIO(t *testing.T) {
	t.Parallel()
	ch := func(typ ChannelType, value string) CommChannel { return CommChannel{Type: typ, Value: value} }
	enrol := func(e LoyaltyProgramEnrollment) *UpdateCustomerRequest {
		return &UpdateCustomerRequest{LoyaltyProgramEnrollments: []LoyaltyProgramEnrollment{e}}
	}
	tests := []struct {
		name   string
		ctx    context.Context
		userID string
		body   *UpdateCustomerRequest
		params *UpdateCustomerParams
		opts   []Option
		want   []string
	}{
		{name: "empty user id", userID: "", want: []string{"userId"}},
		{name: "blank user id", userID: " \t ", want: []string{"userId"}},
		{name: "dot user id", userID: ".", want: []string{"userId"}},
		{name: "dot-dot user id", userID: "..", want: []string{"userId"}},
		{name: "user id with newline", userID: "12\n34", want: []string{"userId"}},
		{name: "user id invalid utf-8", userID: "12\xff", want: []string{"userId"}},
		{name: "user id naming another endpoint", userID: "lookup", want: []string{"userId"}},
		{name: "user id with a letter", userID: "12a", want: []string{"userId"}},
		{name: "nil params", params: nil, want: []string{"params"}},
		{name: "missing source", params: &UpdateCustomerParams{}, want: []string{"params.source"}},
		{name: "unknown source", params: &UpdateCustomerParams{Source: "SHOPIFY"}, want: []string{"params.source"}},
		{name: "lower-case source", params: &UpdateCustomerParams{Source: "instore"}, want: []string{"params.source"}},
		{name: "account id with CRLF", params: &UpdateCustomerParams{Source: SourceWeChat, AccountID: "a\r\nb"}, want: []string{"params.accountId"}},
		{name: "nil body", body: nil, want: []string{"body"}},
		{name: "empty body: nothing to update", body: &UpdateCustomerRequest{}, want: []string{"body"}},
		{name: "empty unknown fields: nothing to update", body: &UpdateCustomerRequest{Unknown: Unknown{}}, want: []string{"body"}},
		{name: "empty profiles: nothing to update", body: &UpdateCustomerRequest{Profiles: []Profile{}}, want: []string{"body"}},
		{name: "an empty profile: nothing to update", body: &UpdateCustomerRequest{Profiles: []Profile{{}, {Fields: map[string]any{}, CommChannels: []CommChannel{}}}},
			want: []string{"body"}},
		{name: "empty maps and lists: nothing to update", body: &UpdateCustomerRequest{ExtendedFields: map[string]any{}, Fields: map[string]any{},
			LoyaltyProgramEnrollments: []LoyaltyProgramEnrollment{}}, want: []string{"body"}},
		{name: "nil ctx", ctx: nil, want: []string{"ctx"}},
		{name: "bad loyalty type", body: &UpdateCustomerRequest{LoyaltyInfo: &LoyaltyInfo{LoyaltyType: "gold"}},
			want: []string{"loyaltyInfo.loyaltyType"}},
		{name: "empty loyalty type", body: &UpdateCustomerRequest{LoyaltyInfo: &LoyaltyInfo{}},
			want: []string{"loyaltyInfo.loyaltyType"}},
		{name: "bad channel type", body: &UpdateCustomerRequest{Profiles: []Profile{{CommChannels: []CommChannel{ch(ChannelEmail, "a@b.c"), ch("fax", "123")}}}},
			want: []string{"profiles[0].commChannels[1].type"}},
		{name: "missing channel type", body: &UpdateCustomerRequest{Profiles: []Profile{{CommChannels: []CommChannel{ch("", "123")}}}},
			want: []string{"profiles[0].commChannels[0].type"}},
		{name: "missing channel value", body: &UpdateCustomerRequest{Profiles: []Profile{{}, {CommChannels: []CommChannel{ch(ChannelMobile, " ")}}}},
			want: []string{"profiles[1].commChannels[0].value"}},
		{name: "tier number 0", body: enrol(LoyaltyProgramEnrollment{ProgramID: 699, TierNumber: Ptr(0)}),
			want: []string{"loyaltyProgramEnrollments[0].tierNumber"}},
		{name: "tier number negative", body: enrol(LoyaltyProgramEnrollment{ProgramID: 699, TierNumber: Ptr(-1)}),
			want: []string{"loyaltyProgramEnrollments[0].tierNumber"}},
		{name: "negative points", body: enrol(LoyaltyProgramEnrollment{ProgramID: 699, LoyaltyPoints: Ptr(json.Number("-5"))}),
			want: []string{"loyaltyProgramEnrollments[0].loyaltyPoints"}},
		{name: "points not a number", body: enrol(LoyaltyProgramEnrollment{ProgramID: 699, LoyaltyPoints: Ptr(json.Number("12,5"))}),
			want: []string{"loyaltyProgramEnrollments[0].loyaltyPoints"}},
		{name: "points empty", body: enrol(LoyaltyProgramEnrollment{ProgramID: 699, LoyaltyPoints: Ptr(json.Number(""))}),
			want: []string{"loyaltyProgramEnrollments[0].loyaltyPoints"}},
		{name: "points with spaces", body: enrol(LoyaltyProgramEnrollment{ProgramID: 699, LoyaltyPoints: Ptr(json.Number(" 5"))}),
			want: []string{"loyaltyProgramEnrollments[0].loyaltyPoints"}},
		{name: "points not JSON", body: enrol(LoyaltyProgramEnrollment{ProgramID: 699, LoyaltyPoints: Ptr(json.Number("Inf"))}),
			want: []string{"loyaltyProgramEnrollments[0].loyaltyPoints"}},
		{name: "program id 0", body: enrol(LoyaltyProgramEnrollment{ProgramID: 0}),
			want: []string{"loyaltyProgramEnrollments[0].programId"}},
		{name: "program id negative", body: enrol(LoyaltyProgramEnrollment{ProgramID: -699}),
			want: []string{"loyaltyProgramEnrollments[0].programId"}},
		{name: "zero expiry date", body: enrol(LoyaltyProgramEnrollment{ProgramID: 1, TierExpiryDate: &DateTime{}}),
			want: []string{"loyaltyProgramEnrollments[0].tierExpiryDate"}},
		{name: "expiry year beyond 9999", body: enrol(LoyaltyProgramEnrollment{ProgramID: 1, PointsExpiryDate: NewDateTime(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))}),
			want: []string{"loyaltyProgramEnrollments[0].pointsExpiryDate"}},
		{name: "channel value invalid utf-8", body: &UpdateCustomerRequest{Profiles: []Profile{{CommChannels: []CommChannel{ch(ChannelEmail, "a\xff@b.c")}}}},
			want: []string{"profiles[0].commChannels[0].value"}},
		{name: "custom field key invalid utf-8", body: &UpdateCustomerRequest{Profiles: []Profile{{Fields: map[string]any{"a\xff": "x"}}}},
			want: []string{`profiles[0].fields["a\xff"]`}},
		{name: "two extended field keys that would become one", body: &UpdateCustomerRequest{ExtendedFields: map[string]any{"a\xff": 1, "a\xfe": 2}},
			want: []string{`extendedFields["a\xfe"]`, `extendedFields["a\xff"]`}},
		{name: "meta value invalid utf-8", body: &UpdateCustomerRequest{Profiles: []Profile{{CommChannels: []CommChannel{{Type: ChannelMobile, Value: "919999000001", Meta: map[string]any{"note": "b\xff"}}}}}},
			want: []string{`profiles[0].commChannels[0].meta["note"]`}},
		{name: "nested extended field value invalid utf-8", body: &UpdateCustomerRequest{ExtendedFields: map[string]any{"x": []any{"ok", map[string]any{"y": "b\xff"}}}},
			want: []string{`extendedFields["x"][1]["y"]`}},
		{name: "top-level fields invalid utf-8", body: &UpdateCustomerRequest{Fields: map[string]any{"city": "B\xffngalore"}},
			want: []string{`fields["city"]`}},
		{name: "identifier value invalid utf-8", body: &UpdateCustomerRequest{Profiles: []Profile{{Identifiers: []Identifier{{Type: IdentifierEmail, Value: "t\xff@example.com"}}}}},
			want: []string{"profiles[0].identifiers[0].value"}},
		{name: "unknown field invalid utf-8", body: &UpdateCustomerRequest{Unknown: Unknown{"extra": []byte("\"b\xff\"")}},
			want: []string{"extra"}},
		{name: "invalid utf-8 in a map of strings and a struct within an extended field", body: &UpdateCustomerRequest{ExtendedFields: map[string]any{
			"tags": map[string]string{"k\xff": "v"}, "obj": struct{ Name string }{"b\xff"}}},
			want: []string{`extendedFields["obj"].Name`, `extendedFields["tags"]["k\xff"]`}},
		{name: "invalid utf-8 listed with the other problems", body: &UpdateCustomerRequest{ExtendedFields: map[string]any{"k": "\xff"},
			LoyaltyProgramEnrollments: []LoyaltyProgramEnrollment{{ProgramID: 699, TierNumber: Ptr(0)}}},
			want: []string{"loyaltyProgramEnrollments[0].tierNumber", `extendedFields["k"]`}},
		{name: "a real U+FFFD and the text \\ufffd are valid", body: &UpdateCustomerRequest{ExtendedFields: map[string]any{"k": "\ufffd", "t": `\ufffd`},
			LoyaltyInfo: &LoyaltyInfo{LoyaltyType: "gold"}},
			want: []string{"loyaltyInfo.loyaltyType"}},
		{name: "cyclic map beside another problem", body: &UpdateCustomerRequest{Fields: cyclicMap(), ExtendedFields: map[string]any{"": 1}},
			want: []string{"extendedFields", `fields["self"]`}},
		{name: "cyclic list beside another problem", body: &UpdateCustomerRequest{Fields: map[string]any{"l": cyclicList()}, ExtendedFields: map[string]any{"": 1}},
			want: []string{"extendedFields", `fields["l"][0]`}},
		{name: "cyclic map alone", body: &UpdateCustomerRequest{Fields: cyclicMap()}, want: []string{"body"}},
		{name: "invalid utf-8 in an array", body: &UpdateCustomerRequest{Fields: map[string]any{"tags": [2]string{"a\xff", "a\xfe"}}},
			want: []string{`fields["tags"][0]`, `fields["tags"][1]`}},
		{name: "invalid utf-8 beside unknown fields", body: &UpdateCustomerRequest{Fields: map[string]any{"city": "B\xffngalore"}, Unknown: Unknown{"extra": json.RawMessage(`1`)}},
			want: []string{`fields["city"]`}},
		{name: "invalid utf-8 from a value that encodes itself", body: &UpdateCustomerRequest{Fields: map[string]any{"k": invalidText{}}},
			want: []string{"body"}},
		{name: "bytes are sent in base64: no invalid utf-8", body: &UpdateCustomerRequest{Fields: map[string]any{"blob": []byte{0xff}, "arr": [1]byte{0xff}},
			LoyaltyInfo: &LoyaltyInfo{LoyaltyType: "gold"}},
			want: []string{"loyaltyInfo.loyaltyType"}},
		{name: "first name of 101 ASCII characters", body: &UpdateCustomerRequest{Profiles: []Profile{{FirstName: Ptr(strings.Repeat("a", 101))}}},
			want: []string{"profiles[0].firstName"}},
		{name: "last name of 101 multi-byte runes", body: &UpdateCustomerRequest{Profiles: []Profile{{LastName: Ptr(strings.Repeat("é", 101))}}},
			want: []string{"profiles[0].lastName"}},
		{name: "name of 101 emoji", body: &UpdateCustomerRequest{Profiles: []Profile{{FirstName: Ptr(strings.Repeat("😀", 101))}}},
			want: []string{"profiles[0].firstName"}},
		{name: "name with invalid utf-8", body: &UpdateCustomerRequest{Profiles: []Profile{{FirstName: Ptr("To\xffm")}}},
			want: []string{"profiles[0].firstName"}},
		{name: "empty extended field key", body: &UpdateCustomerRequest{ExtendedFields: map[string]any{" ": 1}},
			want: []string{"extendedFields"}},
		{name: "CRLF in user context", opts: []Option{WithUserContext(UserContext{EntityType: "ADMIN\r\nX-Injected: 1"})},
			want: []string{"WithUserContext.EntityType"}},
		{name: "LF in user context source id", opts: []Option{WithUserContext(UserContext{EntitySourceID: "a\nb"})},
			want: []string{"WithUserContext.EntitySourceID"}},
		{name: "CR in attribution", opts: []Option{WithTillAttribution("TILL", "t\r1")},
			want: []string{"WithTillAttribution.lookup"}},
		{name: "missing attribution value", opts: []Option{WithTillAttribution("TILL", "")},
			want: []string{"WithTillAttribution"}},
		{name: "CRLF in WithHeader", opts: []Option{WithHeader("X-Trace", "a\r\nSet-Cookie: x")},
			want: []string{"WithHeader"}},
		{name: "bad header name", opts: []Option{WithHeader("X Trace", "a")},
			want: []string{"WithHeader"}},
		{name: "CRLF in user agent", opts: []Option{WithUserAgent("app/1\r\nX: y")},
			want: []string{"WithUserAgent"}},
		{name: "bad per-call retries", opts: []Option{WithRetries(-1, 0, 0)},
			want: []string{"WithRetries"}},
		{name: "empty header name", opts: []Option{WithHeader("", "x")},
			want: []string{"WithHeader"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			rec := script(mt)
			// Fill in the valid defaults for what the case does not set.
			ctx, userID, body, params := tt.ctx, tt.userID, tt.body, tt.params
			if ctx == nil && tt.name != "nil ctx" {
				ctx = context.Background()
			}
			if userID == "" && !strings.Contains(tt.name, "user id") {
				userID = "171891944"
			}
			if body == nil && tt.name != "nil body" {
				body = minimalBody()
			}
			if params == nil && tt.name != "nil params" {
				params = instore()
			}
			res, err := c.Customers.Update(ctx, userID, body, params, tt.opts...)
			assert.Nil(t, res)
			assert.Equal(t, tt.want, fieldsOf(t, err))
			assert.ErrorIs(t, err, ErrInvalidRequest)
			var apiErr *APIError
			assert.False(t, errors.As(err, &apiErr), "not an APIError")
			assert.Contains(t, err.Error(), "nothing was sent")
			assert.Empty(t, rec.all(), "nothing reached the transport")
			assert.Zero(t, mt.GetTotalCallCount())
		})
	}
}

// All problems at once, in the order of the request, each with its exact path.
func TestValidationListsEveryProblem(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	rec := script(mt)
	body := &UpdateCustomerRequest{
		Profiles: []Profile{{
			FirstName: Ptr(strings.Repeat("ß", 101)),
			LastName:  Ptr(strings.Repeat("ß", 100)), // exactly the limit: fine
			CommChannels: []CommChannel{
				{Type: ChannelMobile, Value: "919999000000"},
				{Type: "pager", Value: ""},
			},
		}},
		LoyaltyInfo: &LoyaltyInfo{LoyaltyType: "LOYAL"},
		LoyaltyProgramEnrollments: []LoyaltyProgramEnrollment{
			{ProgramID: 699, TierNumber: Ptr(1)},
			{ProgramID: 0, TierNumber: Ptr(0), LoyaltyPoints: Ptr(json.Number("-1"))},
		},
	}
	//lint:ignore SA1012 a nil context is one of the problems under test
	_, err := c.Customers.Update(nil, "..", body, &UpdateCustomerParams{Source: "NOWHERE"},
		WithUserContext(UserContext{EntityID: "x\ny"}))
	assert.Equal(t, []string{
		"WithUserContext.EntityID",
		"ctx",
		"userId",
		"params.source",
		"profiles[0].firstName",
		"profiles[0].commChannels[1].type",
		"profiles[0].commChannels[1].value",
		"loyaltyInfo.loyaltyType",
		"loyaltyProgramEnrollments[1].programId",
		"loyaltyProgramEnrollments[1].tierNumber",
		"loyaltyProgramEnrollments[1].loyaltyPoints",
	}, fieldsOf(t, err))
	assert.ErrorIs(t, err, ErrInvalidRequest)
	msg := err.Error()
	for _, s := range []string{"profiles[0].commChannels[1].type", "loyaltyProgramEnrollments[1].tierNumber", "101"} {
		assert.Contains(t, msg, s)
	}
	assert.Empty(t, rec.all())
	assert.Zero(t, mt.GetTotalCallCount())
}

// Names are limited by characters, not bytes: 100 multi-byte runes pass and are sent.
func TestValidationNameLengthCountsRunes(t *testing.T) {
	t.Parallel()
	for _, r := range []string{"a", "é", "ß", "漢", "😀"} {
		c, mt := newMockedClient(t)
		rec := script(mt)
		name := strings.Repeat(r, 100)
		_, err := c.Customers.Update(testCtx(t), "1", &UpdateCustomerRequest{Profiles: []Profile{{FirstName: Ptr(name), LastName: Ptr(name)}}}, instore())
		require.NoError(t, err, "100 × %q", r)
		assert.Contains(t, string(rec.only(t).Body), name)

		_, err = c.Customers.Update(testCtx(t), "1", &UpdateCustomerRequest{Profiles: []Profile{{FirstName: Ptr(name + r)}}}, instore())
		assert.Equal(t, []string{"profiles[0].firstName"}, fieldsOf(t, err), "101 × %q", r)
		assert.Len(t, rec.all(), 1, "the refused call sent nothing")
	}
}

// Options given to NewClient are checked too: ErrInvalidConfig, no client.
func TestValidationClientOptions(t *testing.T) {
	t.Parallel()
	auth := WithBasicAuth(testTill, testPassword)
	base := WithBaseURL(testBaseURL)
	tests := []struct {
		name string
		opts []ClientOption
	}{
		{"no base URL", []ClientOption{auth}},
		{"no credentials", []ClientOption{base}},
		{"unknown region", []ClientOption{WithRegion("atlantis"), auth}},
		{"negative retries", []ClientOption{base, auth, WithRetries(-1, time.Millisecond, time.Second)}},
		{"min wait above max", []ClientOption{base, auth, WithRetries(3, time.Second, time.Millisecond)}},
		{"negative min wait", []ClientOption{base, auth, WithRetries(3, -time.Second, time.Second)}},
		{"zero attempt timeout", []ClientOption{base, auth, WithAttemptTimeout(0)}},
		{"nil http client", []ClientOption{base, auth, WithHTTPClient(nil)}},
		{"CRLF in client user context", []ClientOption{base, auth, WithUserContext(UserContext{EntityID: "1\r\n2"})}},
		{"CRLF in client attribution", []ClientOption{base, auth, WithTillAttribution("TILL\n", "x")}},
		{"CRLF in client header", []ClientOption{base, auth, WithHeader("X-A", "1\n2")}},
		{"reserved header", []ClientOption{base, auth, WithHeader("Authorization", "Bearer x")}},
		{"CRLF in user agent", []ClientOption{base, auth, WithUserAgent("a\rb")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.opts...)
			require.ErrorIs(t, err, ErrInvalidConfig)
			assert.Nil(t, c)
		})
	}
	c, err := NewClient(base, auth, nil) // a nil option is ignored
	require.NoError(t, err)
	assert.NotNil(t, c.Customers)
}

// The service can be substituted behind its interface.
func TestCustomersAPIInterface(t *testing.T) {
	t.Parallel()
	c, _ := newMockedClient(t)
	var api CustomersAPI = c.Customers
	assert.NotNil(t, api)
}

// cyclicMap is a map that holds itself.
func cyclicMap() map[string]any {
	m := map[string]any{}
	m["self"] = m
	return m
}

// cyclicList is a list that holds itself.
func cyclicList() []any {
	l := []any{nil}
	l[0] = l
	return l
}

// invalidText encodes itself as text that is not valid UTF-8: encoding/json sends U+FFFD.
type invalidText struct{}

func (invalidText) MarshalText() ([]byte, error) { return []byte("a\xff"), nil }

// Escapes that raw JSON carries as written, and a real U+FFFD, are sent as they are.
func TestValidationSendsWrittenEscapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body *UpdateCustomerRequest
		want string
	}{
		{"raw JSON in fields", &UpdateCustomerRequest{Fields: map[string]any{"k": json.RawMessage(`"\ufffd"`)}},
			`{"fields":{"k":"\ufffd"}}`},
		{"raw JSON in unknown fields", &UpdateCustomerRequest{Fields: map[string]any{"k": "\ufffd"}, Unknown: Unknown{"x": json.RawMessage(`"\ufffd"`)}},
			`{"fields":{"k":"\ufffd"},"x":"\ufffd"}`},
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

// A till id that Basic auth cannot carry, or an empty password, is refused at NewClient.
func TestBasicAuthBadTill(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  ClientOption
	}{
		{"empty till", WithBasicAuth("", "Pass123")},
		{"till with colon", WithBasicAuth("store:123", "Pass123")},
		{"till with CRLF", WithBasicAuth("store\r\nX-Evil: 1", "Pass123")},
		{"empty password", WithBasicAuth("store123", "")},
		{"digest: empty till", WithBasicAuthDigest("", testDigestLiteral)},
		{"digest: till with colon", WithBasicAuthDigest("a:b", testDigestLiteral)},
		{"digest: till with LF", WithBasicAuthDigest("a\nb", testDigestLiteral)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(WithBaseURL(testBaseURL), tt.opt)
			require.ErrorIs(t, err, ErrInvalidConfig)
			assert.Nil(t, c)
			assert.NotContains(t, err.Error(), "Pass123")
			assert.NotContains(t, err.Error(), testDigestLiteral)
		})
	}
	_, err := NewClient(WithBaseURL(testBaseURL))
	require.ErrorIs(t, err, ErrInvalidConfig, "credentials are required")
}

func TestCheckUpdateRefusesWhatUpdateRefuses(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	badUTF8 := &UpdateCustomerRequest{Profiles: []Profile{{FirstName: Ptr("Tom\xff")}}}
	tests := []struct {
		name   string
		userID string
		body   *UpdateCustomerRequest
		params *UpdateCustomerParams
	}{
		{"nothing to update", "1", &UpdateCustomerRequest{}, instore()},
		{"no source", "1", minimalBody(), &UpdateCustomerParams{}},
		{"no user", "", minimalBody(), instore()},
		{"several problems", "", &UpdateCustomerRequest{LoyaltyInfo: &LoyaltyInfo{LoyaltyType: "gold"}}, nil},
	}
	for _, tt := range tests {
		checked := CheckUpdate(tt.userID, tt.body, tt.params)
		_, updated := c.Customers.Update(context.Background(), tt.userID, tt.body, tt.params)
		require.Error(t, checked, tt.name)
		assert.ErrorIs(t, checked, ErrInvalidRequest, tt.name)
		assert.Equal(t, updated, checked, tt.name)

		id := Identifier{Type: IdentifierMobile, Value: "919999000001"}
		checked = CheckUpdateByIdentifier(id, tt.body, tt.params)
		_, updated = c.Customers.UpdateByIdentifier(context.Background(), id, tt.body, tt.params)
		if tt.userID == "" {
			continue // the identifier is fine: fewer problems
		}
		assert.Equal(t, updated, checked, tt.name)
	}
	assert.NoError(t, CheckUpdate("1", minimalBody(), instore()))
	assert.NoError(t, CheckUpdateByIdentifier(Identifier{Type: IdentifierEmail, Value: "a@b.c"}, minimalBody(), instore()))
	assert.NoError(t, CheckUpdateByIdentifier(Identifier{Type: IdentifierCardNumber, Value: "1"}, minimalBody(), instore()))
	assert.Error(t, CheckUpdateByIdentifier(Identifier{Type: IdentifierCardExternalID, Value: "1"}, minimalBody(), instore()))
	assert.NoError(t, CheckUpdate("1", badUTF8, instore()), "the body is not encoded: invalid UTF-8 is found by Update")
	_, err := c.Customers.Update(context.Background(), "1", badUTF8, instore())
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.Zero(t, mt.GetTotalCallCount(), "nothing was sent")
}

// Bad arguments to the three calls are refused with every problem at its path, nothing sent.
func TestReadCallsValidation(t *testing.T) {
	t.Parallel()
	instoreRead := &GetCustomerParams{Source: SourceInstore}
	mobile := Identifier{Type: IdentifierMobile, Value: "919999000001"}
	neg := -1
	tests := []struct {
		name string
		call func(c *Client) error
		want []string
	}{
		{"update by card external id", func(c *Client) error {
			_, err := c.Customers.UpdateByIdentifier(testCtx(t), Identifier{Type: IdentifierCardExternalID, Value: "C1"}, minimalBody(), instore())
			return err
		}, []string{"identifier.type"}},
		{"update by identifier with mlp_single_enroll", func(c *Client) error {
			_, err := c.Customers.UpdateByIdentifier(testCtx(t), mobile, minimalBody(), &UpdateCustomerParams{Source: SourceInstore, MLPSingleEnroll: Ptr(true)})
			return err
		}, []string{"params.mlp_single_enroll"}},
		{"update by identifier, empty value, no body, no params", func(c *Client) error {
			_, err := c.Customers.UpdateByIdentifier(testCtx(t), Identifier{Type: IdentifierEmail}, nil, nil)
			return err
		}, []string{"identifier.value", "params", "body"}},
		{"update by identifier, invalid UTF-8 in the body", func(c *Client) error {
			_, err := c.Customers.UpdateByIdentifier(testCtx(t), mobile, &UpdateCustomerRequest{ExtendedFields: map[string]any{"k": "\xff"}}, instore())
			return err
		}, []string{`extendedFields["k"]`}},
		{"get without params", func(c *Client) error {
			_, err := c.Customers.Get(testCtx(t), "1", nil)
			return err
		}, []string{"params"}},
		{"get with an empty user id and a bad source", func(c *Client) error {
			_, err := c.Customers.Get(testCtx(t), " ", &GetCustomerParams{Source: "POS"})
			return err
		}, []string{"userId", "params.source"}},
		{"get with an unknown embed and a negative gap", func(c *Client) error {
			_, err := c.Customers.Get(testCtx(t), "1", &GetCustomerParams{Source: SourceAll, Embed: []Embed{EmbedPoints, "point"}, GapToRenew: &neg})
			return err
		}, []string{"params.embed[1]", "params.gapToRenew"}},
		{"gaps without embed=mlp", func(c *Client) error {
			_, err := c.Customers.Get(testCtx(t), "1", &GetCustomerParams{Source: SourceInstore, Embed: []Embed{EmbedPoints}, GapToUpgrade: Ptr(30), GapToRenew: Ptr(0)})
			return err
		}, []string{"params.gapToUpgrade", "params.gapToRenew"}},
		{"get with a user id naming another endpoint", func(c *Client) error {
			_, err := c.Customers.Get(testCtx(t), "lookup", instoreRead)
			return err
		}, []string{"userId"}},
		{"lookup without identifiers", func(c *Client) error {
			_, err := c.Customers.Lookup(testCtx(t), nil, instoreRead)
			return err
		}, []string{"ids"}},
		{"lookup with a comma in a value and a type lookups do not take", func(c *Client) error {
			_, err := c.Customers.Lookup(testCtx(t), []Identifier{{Type: IdentifierEmail, Value: "a,b@example.com"}, {Type: IdentifierFacebookID, Value: "fb"}}, instoreRead)
			return err
		}, []string{"ids[0].value", "ids[1].type"}},
		{"lookup without account id on WECHAT", func(c *Client) error {
			_, err := c.Customers.Lookup(testCtx(t), []Identifier{mobile}, &GetCustomerParams{Source: SourceWeChat})
			return err
		}, []string{"params.accountId"}},
		{"lookup without account id on ALL", func(c *Client) error {
			_, err := c.Customers.Lookup(testCtx(t), []Identifier{mobile}, &GetCustomerParams{Source: SourceAll})
			return err
		}, []string{"params.accountId"}},
		{"lookup without account id on MAPP_SDK", func(c *Client) error {
			_, err := c.Customers.Lookup(testCtx(t), []Identifier{mobile}, &GetCustomerParams{Source: SourceMappSDK})
			return err
		}, []string{"params.accountId"}},
		{"lookup with every parameter only Get documents", func(c *Client) error {
			_, err := c.Customers.Lookup(testCtx(t), []Identifier{mobile}, &GetCustomerParams{Source: SourceInstore,
				IncludedOnlyCurrentProfile: Ptr(false), UG2JoinedStartDate: NewDateTime(time.Now()), UG2JoinedEndDate: NewDateTime(time.Now()),
				UG2Offset: Ptr(0), UG2Limit: Ptr(5), UG2SortBy: "JoinedDate", UG2SortOrder: SortDescending, UG2PaginationDetails: Ptr(true)})
			return err
		}, []string{"params.includedOnlyCurrentProfile", "params.ug2JoinedStartDate", "params.ug2JoinedEndDate", "params.ug2Offset",
			"params.ug2Limit", "params.ug2SortBy", "params.ug2SortOrder", "params.ug2PaginationDetails"}},
		{"get with user-group paging out of range", func(c *Client) error {
			_, err := c.Customers.Get(testCtx(t), "1", &GetCustomerParams{Source: SourceInstore, UG2Offset: Ptr(-1), UG2Limit: Ptr(0),
				UG2SortOrder: "asc", UG2JoinedStartDate: &DateTime{}})
			return err
		}, []string{"params.ug2Offset", "params.ug2Limit", "params.ug2SortOrder", "params.ug2JoinedStartDate"}},
		{"get with the embeds only Lookup documents", func(c *Client) error {
			_, err := c.Customers.Get(testCtx(t), "1", &GetCustomerParams{Source: SourceInstore,
				Embed: []Embed{EmbedPoints, EmbedAlternateCurrencies, EmbedCardLoyaltyDetails, EmbedFleetParentDetails, EmbedIgnoreCardDetails, EmbedCustomerStatus}})
			return err
		}, []string{"params.embed[1]", "params.embed[2]", "params.embed[3]", "params.embed[4]", "params.embed[5]"}},
		{"lookup with the embeds only Get documents", func(c *Client) error {
			_, err := c.Customers.Lookup(testCtx(t), []Identifier{mobile}, &GetCustomerParams{Source: SourceInstore,
				Embed: []Embed{EmbedReturnedPoints, EmbedGapDetails, EmbedAssociatedImages}})
			return err
		}, []string{"params.embed[0]", "params.embed[2]"}},
		{"get on a source the vendor lists for the lookup only", func(c *Client) error {
			_, err := c.Customers.Get(testCtx(t), "1", &GetCustomerParams{Source: SourceMappSDK})
			return err
		}, []string{"params.source"}},
		{"get on a source the vendor lists for the update only", func(c *Client) error {
			_, err := c.Customers.Get(testCtx(t), "1", &GetCustomerParams{Source: SourceEcommerce})
			return err
		}, []string{"params.source"}},
		{"lookup on a source the vendor lists for Get only", func(c *Client) error {
			_, err := c.Customers.Lookup(testCtx(t), []Identifier{mobile}, &GetCustomerParams{Source: SourceLine, AccountID: "line-1"})
			return err
		}, []string{"params.source"}},
		{"update on MAPP_SDK, a read source only", func(c *Client) error {
			_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), &UpdateCustomerParams{Source: SourceMappSDK})
			return err
		}, []string{"params.source"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			err := tt.call(c)
			assert.Equal(t, tt.want, fieldsOf(t, err))
			assert.ErrorIs(t, err, ErrInvalidRequest)
			assert.Zero(t, mt.GetTotalCallCount(), "nothing sent")
		})
	}
}

// The environment names the cluster, then the credentials; a missing one is named.
func TestOptionsFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		baseURL string
		auth    string // the credential header that NewClient's client sends
		missing string
	}{
		{"base URL and till", map[string]string{"CAPILLARY_BASE_URL": testBaseURL, "CAPILLARY_TILL": testTill, "CAPILLARY_PASSWORD": testPassword}, testBaseURL, "Authorization", ""},
		{"region in any case and OAuth", map[string]string{"CAPILLARY_REGION": "EU", "CAPILLARY_OAUTH_KEY": "k", "CAPILLARY_OAUTH_SECRET": "s"}, testBaseURL, headerOAuthToken, ""},
		{"no cluster", map[string]string{"CAPILLARY_TILL": testTill}, "", "", "CAPILLARY_BASE_URL or CAPILLARY_REGION"},
		{"no credentials", map[string]string{"CAPILLARY_REGION": "eu"}, "", "", "CAPILLARY_TILL and CAPILLARY_PASSWORD"},
		// Each mistake is named by its variable, never by an option's Go name.
		{"no password", map[string]string{"CAPILLARY_REGION": "eu", "CAPILLARY_TILL": testTill}, "", "", "CAPILLARY_TILL is set but CAPILLARY_PASSWORD is empty: set both"},
		{"no till", map[string]string{"CAPILLARY_REGION": "eu", "CAPILLARY_PASSWORD": "p"}, "", "", "CAPILLARY_PASSWORD is set but CAPILLARY_TILL is empty"},
		{"no OAuth secret", map[string]string{"CAPILLARY_REGION": "eu", "CAPILLARY_OAUTH_KEY": "k"}, "", "", "CAPILLARY_OAUTH_KEY is set but CAPILLARY_OAUTH_SECRET is empty"},
		{"no OAuth key", map[string]string{"CAPILLARY_REGION": "eu", "CAPILLARY_OAUTH_SECRET": "s"}, "", "", "CAPILLARY_OAUTH_SECRET is set but CAPILLARY_OAUTH_KEY is empty"},
		{"unknown region", map[string]string{"CAPILLARY_REGION": "mars", "CAPILLARY_TILL": testTill, "CAPILLARY_PASSWORD": "p"}, "", "", `CAPILLARY_REGION "mars" is not a region: use one of`},
		{"plain http off this machine", map[string]string{"CAPILLARY_BASE_URL": "http://eu.api.capillarytech.com", "CAPILLARY_TILL": testTill, "CAPILLARY_PASSWORD": "p"}, "", "", "is plain http on a host that is not this machine: use https"},
		{"user info in the base URL", map[string]string{"CAPILLARY_BASE_URL": "https://u:pw@eu.api.capillarytech.com", "CAPILLARY_TILL": testTill, "CAPILLARY_PASSWORD": "p"}, "", "", "CAPILLARY_BASE_URL must not carry user info: set CAPILLARY_TILL"},
		{"base URL without a scheme", map[string]string{"CAPILLARY_BASE_URL": "eu.api.capillarytech.com", "CAPILLARY_TILL": testTill, "CAPILLARY_PASSWORD": "p"}, "", "", "CAPILLARY_BASE_URL: \"eu.api.capillarytech.com\" has no scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts, err := OptionsFromEnv(func(k string) string { return tt.env[k] })
			if tt.missing != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.missing)
				assert.NotContains(t, err.Error(), "With")
				return
			}
			require.NoError(t, err)
			c, err := NewClient(opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.baseURL, c.BaseURL())
			_, isOAuth := c.auth.(*tokenSource)
			assert.Equal(t, tt.auth == headerOAuthToken, isOAuth)
		})
	}
}

// A body that cannot be encoded is refused before anything is sent.
func TestErrorsUnencodableBody(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	rec := script(mt)
	_, err := c.Customers.Update(testCtx(t), "1", &UpdateCustomerRequest{ExtendedFields: map[string]any{"f": func() {}}}, instore())
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.Empty(t, rec.all())
}

func TestOAuthOptionsRejected(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]ClientOption{
		"empty key":          WithOAuth("", "s"),
		"empty secret":       WithOAuth("k", ""),
		"unknown entity":     WithOAuthAttribution("SHOP", "x"),
		"empty code":         WithOAuthAttribution(AttributionTill, ""),
		"CRLF in attributed": WithOAuthAttribution(AttributionTill, "a\r\nX-Evil: 1"),
	} {
		_, err := NewClient(WithRegion(RegionEU), WithOAuth("k", "s"), opt)
		require.ErrorIs(t, err, ErrInvalidConfig, name)
	}
}

// Every value an option accepts works; absurd ones are refused by NewClient.
func TestValidationAbsurdRetrySettingsAreRefused(t *testing.T) {
	t.Parallel()
	for _, opt := range []ClientOption{
		WithRetries(1, 0, math.MaxInt64),
		WithRetries(math.MaxInt, time.Millisecond, time.Second),
		WithAttemptTimeout(math.MaxInt64),
	} {
		_, err := NewClient(WithBaseURL(testBaseURL), WithBasicAuth(testTill, testPassword), opt)
		require.ErrorIs(t, err, ErrInvalidConfig)
	}
	// The largest accepted setting works: a plain 503 is retried after a backoff within it.
	c, mt := newMockedClient(t, WithRetries(1, 0, maxRetryWaitLimit))
	script(mt, respond(http.StatusServiceUnavailable, `{}`), okResponder())
	ctx, cancel := context.WithCancel(testCtx(t))
	cancel() // the wait may be up to an hour: end it at once, the point is that nothing panics
	_, err := c.Customers.Update(context.WithoutCancel(ctx), "1", minimalBody(), instore(), WithRetries(1, 0, time.Millisecond))
	require.NoError(t, err)
	assert.NotPanics(t, func() {
		for retry := range 70 {
			d := backoffAfter(0, maxRetryWaitLimit, retry, nil)
			require.True(t, d >= 0 && d <= maxRetryWaitLimit, d)
		}
	})
}

// The headers the transport owns are refused: Accept-Encoding would switch off transparent
// decompression and make every applied update an error.
func TestValidationTransportHeadersAreRefused(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"Accept-Encoding", "accept-encoding", "Connection", "Transfer-Encoding", "Host", "TE", "Upgrade"} {
		_, err := NewClient(WithBaseURL(testBaseURL), WithBasicAuth(testTill, testPassword), WithHeader(name, "gzip"))
		require.ErrorIs(t, err, ErrInvalidConfig, name)
		assert.Contains(t, err.Error(), name)
	}
	// A gzip answer to the SDK's own request is decoded by the transport.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Contains(t, r.Header.Get("Accept-Encoding"), "gzip")
		writeJSON(w, 200, okBody)
	}))
	defer srv.Close()
	_, err := newServerClient(t, srv.URL).Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.NoError(t, err)
}

// First contact: every mistake a new user makes gets a message that says what to do.
func TestValidationFirstContactMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []ClientOption
		want []string
	}{
		{"no scheme", []ClientOption{WithBaseURL("eu.api.capillarytech.com"), WithBasicAuth("t", "p")}, []string{"no scheme", "https://eu.api.capillarytech.com"}},
		{"version in the base URL", []ClientOption{WithBaseURL("https://eu.api.capillarytech.com/v2"), WithBasicAuth("t", "p")}, []string{"/v2", "leave it out"}},
		{"unknown region", []ClientOption{WithRegion("mars"), WithBasicAuth("t", "p")}, []string{`"mars"`, "india, asia2, eu, us, china"}},
		{"two kinds of credentials", []ClientOption{WithRegion(RegionEU), WithBasicAuth("t", "p"), WithOAuth("k", "s")}, []string{"WithOAuth", "WithBasicAuth", "not both"}},
		{"empty basic credentials", []ClientOption{WithRegion(RegionEU), WithBasicAuth("", "")}, []string{"till id is empty", "password is empty"}},
		{"empty oauth credentials", []ClientOption{WithRegion(RegionEU), WithOAuth("", "")}, []string{"key and secret are empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewClient(tt.opts...)
			require.ErrorIs(t, err, ErrInvalidConfig)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	// Regions in any case.
	c, err := NewClient(WithRegion("EU"), WithBasicAuth("t", "p"))
	require.NoError(t, err)
	assert.Equal(t, "https://eu.api.capillarytech.com", c.BaseURL())
}

// HTTPS is required, except on loopback hosts or with WithInsecureHTTP; a base URL with user
// info, a query or a fragment is refused.
func TestValidationBaseURL(t *testing.T) {
	t.Parallel()
	auth := WithBasicAuth(testTill, testPassword)
	ok := []struct {
		url    string
		opts   []ClientOption
		wantIs string
	}{
		{url: "https://eu.api.capillarytech.com", wantIs: "https://eu.api.capillarytech.com"},
		{url: "https://eu.api.capillarytech.com/", wantIs: "https://eu.api.capillarytech.com"},
		{url: "http://127.0.0.1:8080", wantIs: "http://127.0.0.1:8080"},
		{url: "http://localhost", wantIs: "http://localhost"},
		{url: "http://LOCALHOST:9", wantIs: "http://LOCALHOST:9"},
		{url: "http://[::1]:8080", wantIs: "http://[::1]:8080"},
		{url: "http://127.5.6.7", wantIs: "http://127.5.6.7"},
		{url: "http://capillary-proxy.internal:8080", opts: []ClientOption{WithInsecureHTTP()}, wantIs: "http://capillary-proxy.internal:8080"},
	}
	for _, tt := range ok {
		c, err := NewClient(append([]ClientOption{WithBaseURL(tt.url), auth}, tt.opts...)...)
		require.NoError(t, err, tt.url)
		assert.Equal(t, tt.wantIs, c.BaseURL())
	}
	bad := []string{
		"http://eu.api.capillarytech.com",
		"http://10.0.0.1",
		"http://localhost.evil.com",
		"http://127.0.0.1.nip.io",
		"ftp://eu.api.capillarytech.com",
		"eu.api.capillarytech.com",
		"https://",
		"https://till:Pass123@eu.api.capillarytech.com",
		"https://till@eu.api.capillarytech.com",
		"https://eu.api.capillarytech.com?source=INSTORE",
		"https://eu.api.capillarytech.com/#frag",
		"https://till:Pass123@exa mple.com",     // unparsable, with a password in it
		"https://till:Pass123@example.com:port", // unparsable port, with a password in it
		"https://till:Pass123@",                 // no host, with a password in it
		"https://till:Pass123@/v2",              // no host, with a password in it
		"",
	}
	for _, u := range bad {
		c, err := NewClient(WithBaseURL(u), auth)
		require.ErrorIs(t, err, ErrInvalidConfig, "%q", u)
		assert.Nil(t, c)
		assert.NotContains(t, err.Error(), "Pass123", "the error for %q shows the password of the URL", u)
	}
}

// Whatever odd base URL is accepted, the request path can never change: a base URL that would
// move /v2/customers/{id} into the query or the fragment is refused.
func TestValidationBaseURLCannotMoveThePath(t *testing.T) {
	t.Parallel()
	for _, base := range []string{
		"https://eu.api.capillarytech.com?",
		"https://eu.api.capillarytech.com/?",
		"https://eu.api.capillarytech.com#",
		"https://eu.api.capillarytech.com/#",
		"https://eu.api.capillarytech.com//",
	} {
		c, err := NewClient(WithBaseURL(base), WithBasicAuth(testTill, testPassword), noRetries())
		if err != nil {
			assert.ErrorIs(t, err, ErrInvalidConfig, base)
			continue
		}
		mt := installMock(c)
		var got string
		mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
			got = r.URL.String()
			return okResponder()(r)
		})
		_, err = c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
		require.NoError(t, err, base)
		assert.Equal(t, "https://eu.api.capillarytech.com/v2/customers/1?source=INSTORE", got, "base URL %q", base)
	}
}
