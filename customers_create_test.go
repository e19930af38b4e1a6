package capillary

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// createURL matches POST {testBaseURL}/v2/customers, with any query, and nothing else.
var createURL = regexp.MustCompile(`^` + regexp.QuoteMeta(testBaseURL) + `/v2/customers(\?.*)?$`)

// lookupURL matches GET {testBaseURL}/v2/customers/lookup/customerDetails.
var lookupURL = regexp.MustCompile(`^` + regexp.QuoteMeta(testBaseURL) + `/v2/customers/lookup/customerDetails\?`)

const createdBody = `{"createdId": 556844761, "warnings": [{"status": false, "code": 8107, "message": "Default customer status label not set"}], "sideEffects": []}`

// addSample reads one of the vendor's add samples (testdata/add_customer).
func addSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "add_customer", name))
	require.NoError(t, err)
	return b
}

// flagsAsStrings is the JSON the SDK sends for a sample: the channels' primary, verified and
// subscribed flags as the strings the vendor documents, whether the sample wrote them as
// strings or as booleans; everything else as it is.
func flagsAsStrings(t *testing.T, sample []byte) string {
	t.Helper()
	var tree map[string]any
	require.NoError(t, json.Unmarshal(sample, &tree))
	profiles, _ := tree["profiles"].([]any)
	for _, p := range profiles {
		channels, _ := p.(map[string]any)["commChannels"].([]any)
		for _, ch := range channels {
			for _, flag := range []string{"primary", "verified", "subscribed"} {
				if b, ok := ch.(map[string]any)[flag].(bool); ok {
					ch.(map[string]any)[flag] = map[bool]string{true: "true", false: "false"}[b]
				}
			}
		}
	}
	out, err := json.Marshal(tree)
	require.NoError(t, err)
	return string(out)
}

// Every add sample of the vendor's page is accepted and sent whole: every identifier type
// (cuid, unionId, line, cardnumber with its seriesId), empty values ("referralCode": "",
// "fields": {}), and the fields the SDK does not model.
func TestCreateSendsVendorSamplesWhole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, query string
		params      *CreateCustomerParams
	}{
		{"instore.json", "source=INSTORE", &CreateCustomerParams{Source: SourceInstore}},
		{"mobile_app.json", "accountId=testmobilepush1&source=MOBILE_APP", &CreateCustomerParams{Source: SourceMobileApp, AccountID: "testmobilepush1"}},
		{"line.json", "accountId=2001914141242&source=LINE", &CreateCustomerParams{Source: SourceLine, AccountID: "2001914141242"}},
		{"card.json", "source=INSTORE", &CreateCustomerParams{Source: SourceInstore}},
		{"external_id.json", "mlp_single_enroll=false&rawSideEffects=true&source=INSTORE", &CreateCustomerParams{Source: SourceInstore, MLPSingleEnroll: Ptr(false), RawSideEffects: Ptr(true)}},
		{"status.json", "source=INSTORE", &CreateCustomerParams{Source: SourceInstore}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			sample := addSample(t, tt.file)
			var body CreateCustomerRequest
			require.NoError(t, json.Unmarshal(sample, &body))
			c, mt := newMockedClient(t)
			rec := scriptAt(mt, http.MethodPost, createURL, respond(http.StatusOK, createdBody, "X-Cap-Requestid", "req-1"))

			res, err := c.Customers.Create(testCtx(t), &body, tt.params)
			require.NoError(t, err)

			got := rec.only(t)
			assert.Equal(t, http.MethodPost, got.Method)
			assert.Equal(t, "/v2/customers", got.URL.Path)
			assert.Equal(t, tt.query, got.URL.RawQuery)
			assert.Equal(t, testAuthHeader(), got.Header.Get("Authorization"))
			assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
			assert.JSONEq(t, flagsAsStrings(t, sample), string(got.Body))
			assert.Equal(t, &CreateCustomerResponse{
				CreatedID:   "556844761",
				Warnings:    List[Message]{{Code: 8107, Message: "Default customer status label not set"}},
				SideEffects: List[SideEffect]{},
				StatusCode:  http.StatusOK, RequestID: "req-1", Attempts: 1,
			}, res)
		})
	}
}

// A request built in Go sends explicit empties and zeros, and leaves nil fields out.
func TestCreateSendsExplicitEmpties(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	rec := scriptAt(mt, http.MethodPost, createURL, respond(http.StatusOK, createdBody))
	body := &CreateCustomerRequest{
		Profiles: []Profile{{
			Identifiers: []Identifier{{Type: IdentifierCUID, Value: "cuid_1"}, {Type: IdentifierUnionID, Value: "u_1"},
				{Type: IdentifierLine, Value: "U1"}, {Type: IdentifierCardNumber, Value: "1234", SeriesID: 73}},
			Fields: map[string]any{},
			Source: SourceInstore,
		}},
		ReferralCode:     Ptr(""),
		StatusLabel:      Ptr("active-1"),
		SubscriptionInfo: &SubscriptionInfo{Subscriptions: []Subscription{{Channel: "SMS", Priority: "BULK", Type: "OPTIN", AccountID: "a1"}}},
	}
	_, err := c.Customers.Create(testCtx(t), body, &CreateCustomerParams{Source: SourceInstore})
	require.NoError(t, err)
	assert.JSONEq(t, `{"profiles":[{"identifiers":[{"type":"cuid","value":"cuid_1"},{"type":"unionId","value":"u_1"},
		{"type":"line","value":"U1"},{"type":"cardnumber","value":"1234","seriesId":73}],"fields":{},"source":"INSTORE"}],
		"referralCode":"","statusLabel":"active-1",
		"subscriptionInfo":{"subscriptions":[{"channel":"SMS","priority":"BULK","type":"OPTIN","accountId":"a1"}]}}`, string(rec.only(t).Body))
}

// What the vendor answers a create, and what the SDK makes of it.
func TestCreateAnswers(t *testing.T) {
	t.Parallel()
	lost := func(*http.Request) (*http.Response, error) { return nil, errors.New("connection reset by peer") }
	exists := vendorError(8006, "Add failed, Customer already exists with id 4242 for same source")
	tests := []struct {
		name      string
		steps     []httpmock.Responder
		attempts  int
		created   ID  // the success's CreatedID, or "" for an error
		status    int // the success's status
		is        error
		uncertain bool
	}{
		{name: "created", steps: []httpmock.Responder{respond(http.StatusOK, createdBody)}, attempts: 1, created: "556844761", status: 200},
		// The add page files a successful combine under 500: a createdId without errors is a success.
		{name: "combine under 500", steps: []httpmock.Responder{respond(http.StatusInternalServerError,
			`{"createdId": 77, "warnings": [{"status": false, "code": 8050, "message": "Same Customer found in other sources,Combining"}], "sideEffects": []}`)},
			attempts: 1, created: "77", status: 500},
		{name: "combine under 201", steps: []httpmock.Responder{respond(http.StatusCreated, `{"createdId": 78, "warnings": [], "sideEffects": []}`)},
			attempts: 1, created: "78", status: 201},
		// Turned away (503, 521, 429): certainly not applied, so sent again.
		{name: "503 then created", steps: []httpmock.Responder{respond(http.StatusServiceUnavailable, "<html>unavailable</html>"), respond(http.StatusOK, createdBody)},
			attempts: 2, created: "556844761", status: 200},
		{name: "429 then created", steps: []httpmock.Responder{respond(http.StatusTooManyRequests, "", "Retry-After", "0"), respond(http.StatusOK, createdBody)},
			attempts: 2, created: "556844761", status: 200},
		// A 502 may have been applied: a create is not sent again (no idempotency key; a replay
		// racing the first could add a second customer), it is Uncertain and Upsert settles it.
		{name: "502", steps: []httpmock.Responder{respond(http.StatusBadGateway, "<html>bad gateway</html>"), respond(http.StatusOK, createdBody)},
			attempts: 1, is: ErrServer, uncertain: true},
		{name: "exists", steps: []httpmock.Responder{respond(http.StatusBadRequest, exists)}, attempts: 1, is: ErrCustomerExists},
		{name: "exists under 200", steps: []httpmock.Responder{respond(http.StatusOK, exists)}, attempts: 1, is: ErrCustomerExists},
		{name: "already registered", steps: []httpmock.Responder{respond(http.StatusBadRequest, vendorError(8028, "Customer seems is already registered"))}, attempts: 1, is: ErrCustomerExists},
		{name: "no valid identifier", steps: []httpmock.Responder{respond(http.StatusBadRequest, vendorError(8005, "No valid identifiers passed"))}, attempts: 1, is: ErrInvalidIdentifier},
		{name: "external id prefix", steps: []httpmock.Responder{respond(http.StatusBadRequest, vendorError(8020, "External id is not valid"))}, attempts: 1, is: ErrInvalidIdentifier},
		{name: "deleted for PII", steps: []httpmock.Responder{respond(http.StatusBadRequest, vendorError(8026, "Same customer was deleted for PII feature, could not add"))}, attempts: 1, is: ErrCustomerDeleted},
		{name: "merge already done", steps: []httpmock.Responder{respond(http.StatusBadRequest, vendorError(8066, "Merge already done"))}, attempts: 1, is: ErrCustomerMerged},
		// A 500 with the vendor's errors list is a refusal: not retried, not uncertain.
		{name: "500 with errors", steps: []httpmock.Responder{respond(http.StatusInternalServerError, vendorError(8014, "Error in customer registration"))}, attempts: 1, is: ErrServer},
		// A 500 without the envelope may be a gateway that cut a success off.
		{name: "500 without envelope", steps: []httpmock.Responder{respond(http.StatusInternalServerError, "oops")}, attempts: 1, is: ErrServer, uncertain: true},
		// A lost answer is not replayed: the replay would meet the call's own customer and
		// answer 8006, reporting failed a create that was applied.
		{name: "answer lost", steps: []httpmock.Responder{lost, respond(http.StatusBadRequest, exists)}, attempts: 1, uncertain: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			rec := scriptAt(mt, http.MethodPost, createURL, tt.steps...)
			res, err := c.Customers.Create(testCtx(t), externalIDBody("879577211225"), &CreateCustomerParams{Source: SourceInstore})
			assert.Len(t, rec.all(), tt.attempts)
			if tt.created != "" {
				require.NoError(t, err)
				assert.Equal(t, tt.created, res.CreatedID)
				assert.Equal(t, tt.status, res.StatusCode)
				assert.Equal(t, tt.attempts, res.Attempts)
				return
			}
			require.Error(t, err)
			assert.Nil(t, res)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.Equal(t, tt.uncertain, isUncertain(err), "uncertain")
			assert.Equal(t, tt.attempts, errAttempts(err))
		})
	}
}

// ExistingCustomerID reads the id of 8006's message, and nothing else.
func TestExistingCustomerID(t *testing.T) {
	t.Parallel()
	exists := &APIError{StatusCode: 400, Errors: []Message{{Code: 8006, Message: "Add failed, Customer already exists with id 4242 for same source"}}}
	id, ok := ExistingCustomerID(exists)
	assert.True(t, ok)
	assert.Equal(t, ID("4242"), id)
	for _, err := range []error{
		nil,
		errors.New("with id 4242"),
		&APIError{Errors: []Message{{Code: 8028, Message: "Customer seems is already registered"}}},
		&APIError{Errors: []Message{{Code: 8006, Message: "Customer already exists for same source"}}},
	} {
		_, ok := ExistingCustomerID(err)
		assert.False(t, ok, "%v", err)
	}
}

// externalIDBody is the vendor's smallest add: one external id on INSTORE.
func externalIDBody(externalID string) *CreateCustomerRequest {
	return &CreateCustomerRequest{Profiles: []Profile{{
		Identifiers: []Identifier{{Type: IdentifierExternalID, Value: externalID}},
		Source:      SourceInstore,
	}}}
}

// A create with no profile, no identifier or no source is refused with every problem and its
// path, and nothing is sent.
func TestCreateValidation(t *testing.T) {
	t.Parallel()
	instoreParams := &CreateCustomerParams{Source: SourceInstore}
	tests := []struct {
		name   string
		body   *CreateCustomerRequest
		params *CreateCustomerParams
		want   []FieldError
	}{
		{"nil body and params", nil, nil, []FieldError{{"params.source", "is required, or each profile's source: none is given"}, {"body", "is required"}}},
		{"no profile, no source", &CreateCustomerRequest{ExtendedFields: map[string]any{"city": "Pune"}}, &CreateCustomerParams{}, []FieldError{
			{"params.source", "is required, or each profile's source: none is given"},
			{"profiles", "must hold the customer's profile, with its identifiers and source"}}},
		{"no profile", &CreateCustomerRequest{}, instoreParams, []FieldError{
			{"profiles", "must hold the customer's profile, with its identifiers and source"}}},
		{"no identifier, no source", &CreateCustomerRequest{Profiles: []Profile{{FirstName: Ptr("Tom")}}}, instoreParams, []FieldError{
			{"profiles[0].identifiers", "must hold at least one identifier (mobile, email, externalId, ...)"},
			{"profiles[0].source", "is required: the source the customer is registered on, such as INSTORE"}}},
		{"no source anywhere", &CreateCustomerRequest{Profiles: []Profile{{Identifiers: []Identifier{{Type: IdentifierMobile, Value: "919988221100"}}}}},
			&CreateCustomerParams{AccountID: "a1"}, []FieldError{
				{"params.source", "is required, or each profile's source: none is given"},
				{"profiles[0].source", "is required: the source the customer is registered on, such as INSTORE"}}},
		{"an account without source", externalIDBody("e1"), &CreateCustomerParams{AccountID: "a1"}, []FieldError{
			{"params.accountId", "is given without params.source"}}},
		{"bad identifier and fields", &CreateCustomerRequest{
			Profiles:                  []Profile{{Identifiers: []Identifier{{Type: "passport", Value: " "}, {Value: "1"}}, Source: "SHOP"}},
			LoyaltyProgramEnrollments: []LoyaltyProgramEnrollment{{ProgramID: 0}},
		}, instoreParams, []FieldError{
			{"profiles[0].identifiers[0].type", `"passport" is not an identifier type the vendor documents (` + listOf(identifierTypes) + ")"},
			{"profiles[0].identifiers[0].value", "must not be empty"},
			{"profiles[0].identifiers[1].type", "is required"},
			{"profiles[0].source", `"SHOP" is not a source the add accepts (` + listOf(sources) + ")"},
			{"loyaltyProgramEnrollments[0].programId", "must be a positive program id, got 0"}}},
		{"invalid UTF-8 in a create-only field", &CreateCustomerRequest{Profiles: []Profile{{FirstName: Ptr(strings.Repeat("a", 101)),
			Identifiers: []Identifier{{Type: IdentifierMobile, Value: "91"}}, Source: SourceInstore}}, ReferralCode: Ptr("a\xff")}, instoreParams, []FieldError{
			{"profiles[0].firstName", "is 101 characters long; the vendor keeps at most 100"},
			{"referralCode", "is not valid UTF-8"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			for _, call := range []func() error{
				func() error { _, err := c.Customers.Create(testCtx(t), tt.body, tt.params); return err },
				func() error { _, err := c.Customers.Upsert(testCtx(t), tt.body, tt.params); return err },
			} {
				err := call()
				var invalid *ValidationError
				require.ErrorAs(t, err, &invalid)
				assert.ErrorIs(t, err, ErrInvalidRequest)
				require.GreaterOrEqual(t, len(invalid.Problems), len(tt.want), "%v", invalid.Problems)
				assert.Equal(t, tt.want, invalid.Problems[:len(tt.want)])
			}
			assert.Zero(t, mt.GetTotalCallCount(), "nothing is sent")
		})
	}
}

// CheckCreate and CheckUpsert find what Create and Upsert refuse, without a client.
func TestCheckCreateAndUpsert(t *testing.T) {
	t.Parallel()
	params := &CreateCustomerParams{Source: SourceInstore}
	require.NoError(t, CheckCreate(externalIDBody("e1"), params))
	require.NoError(t, CheckUpsert(externalIDBody("e1"), params))
	cuidOnly := &CreateCustomerRequest{Profiles: []Profile{{Identifiers: []Identifier{{Type: IdentifierCUID, Value: "c1"}}, Source: SourceInstore}}}
	require.NoError(t, CheckCreate(cuidOnly, params))
	assert.ErrorIs(t, CheckUpsert(cuidOnly, params), ErrInvalidRequest)
	var invalid *ValidationError
	require.ErrorAs(t, CheckCreate(&CreateCustomerRequest{}, params), &invalid)
	assert.Equal(t, []FieldError{{"profiles", "must hold the customer's profile, with its identifiers and source"}}, invalid.Problems)
}

// The query's source is optional, as the add page documents: each profile names its own. An
// upsert then looks up and updates on the first profile's source.
func TestCreateWithoutQuerySource(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	creates := scriptAt(mt, http.MethodPost, createURL, respond(http.StatusOK, createdBody))
	lookups := scriptAt(mt, http.MethodGet, lookupURL, respond(http.StatusBadRequest, vendorError(8015, "Customer not found for the given identifiers")))
	_, err := c.Customers.Create(testCtx(t), externalIDBody("e1"), nil)
	require.NoError(t, err)
	assert.Empty(t, creates.only(t).URL.RawQuery)

	_, err = c.Customers.Upsert(testCtx(t), externalIDBody("e2"), nil)
	require.NoError(t, err)
	assert.Equal(t, "identifierName=externalId&identifierValue=e2&source=INSTORE", lookups.only(t).URL.RawQuery)
	assert.Equal(t, "source=INSTORE", creates.all()[1].URL.RawQuery)
}
