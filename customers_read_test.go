package capillary

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scriptMethod registers a script of responders for method on any URL of the test host.
func scriptMethod(mt *httpmock.MockTransport, method string, steps ...httpmock.Responder) *recorder {
	rec := &recorder{steps: steps}
	mt.RegisterRegexpResponder(method, regexp.MustCompile(`^`+regexp.QuoteMeta(testBaseURL)+`/`), rec.respond)
	return rec
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(b)
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

// The vendor's codes on reads map to sentinels; merged and deleted customers are told apart.
func TestReadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body   string
		status int
		want   error
	}{
		{readFile(t, "vendor_error_8015.json"), http.StatusOK, ErrCustomerNotFound},
		{readFile(t, "vendor_error_8015_with_warnings.json"), http.StatusBadRequest, ErrCustomerNotFound},
		{vendorError(8065, "No customer found in the given source with the given identifier."), http.StatusOK, ErrCustomerNotFound},
		{vendorError(8013, "Customer identifier is invalid."), http.StatusBadRequest, ErrInvalidIdentifier},
		{vendorError(8069, "The customer is merged into another account."), http.StatusOK, ErrCustomerMerged},
		{`{"id": 564332013, "profiles": [], "loyaltyInfo": {"loyaltyType": "loyalty"}, "segments": {}, "extendedFields": {},
		  "warnings": [], "errors": [{"status": false, "code": 8109, "message": "Customer is deleted after PII delete request"}]}`, http.StatusOK, ErrCustomerDeleted},
	}
	others := []error{ErrCustomerNotFound, ErrInvalidIdentifier, ErrCustomerMerged, ErrCustomerDeleted}
	for _, tt := range tests {
		c, mt := newMockedClient(t)
		scriptMethod(mt, http.MethodGet, respond(tt.status, tt.body))
		cust, err := c.Customers.Get(testCtx(t), "564332013", &GetCustomerParams{Source: SourceInstore})
		assert.Nil(t, cust)
		for _, other := range others {
			assert.Equal(t, other == tt.want, errors.Is(err, other), "%v: errors.Is(%v)", err, other)
		}
		assert.False(t, requireAPIError(t, err).Uncertain, "a read is never uncertain")
	}
}

// Reads are retried on transport errors, every 5xx, 429 and 521, and are never uncertain.
func TestReadsAreIdempotent(t *testing.T) {
	t.Parallel()
	broken := func(*http.Request) (*http.Response, error) { return nil, errors.New("connection reset by peer") }
	for name, first := range map[string]httpmock.Responder{
		"transport error": broken,
		"500":             respond(http.StatusInternalServerError, `<html>oops</html>`),
		"502":             respond(http.StatusBadGateway, ``),
		"503":             respond(http.StatusServiceUnavailable, ``),
		"504":             respond(http.StatusGatewayTimeout, ``),
		"429":             respond(http.StatusTooManyRequests, ``),
		"521":             respond(521, ``),
		"500 with errors": respond(http.StatusInternalServerError, vendorError(500, "All requests have failed due to errors")),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			rec := scriptMethod(mt, http.MethodGet, first, respond(http.StatusOK, `{"id": 7, "warnings": []}`))
			cust, err := c.Customers.Get(testCtx(t), "7", &GetCustomerParams{Source: SourceInstore})
			require.NoError(t, err)
			assert.Equal(t, 2, cust.Attempts)
			assert.Len(t, rec.all(), 2)
		})
	}
	t.Run("retries run out: not uncertain", func(t *testing.T) {
		t.Parallel()
		c, mt := newMockedClient(t)
		scriptMethod(mt, http.MethodGet, broken)
		_, err := c.Customers.Lookup(testCtx(t), []Identifier{{Type: IdentifierMobile, Value: "919999000001"}}, &GetCustomerParams{Source: SourceInstore})
		var reqErr *RequestError
		require.ErrorAs(t, err, &reqErr)
		assert.False(t, reqErr.Uncertain)
		assert.Equal(t, 4, reqErr.Attempts)
		assert.NotErrorIs(t, err, context.Canceled, "the caller cancelled nothing")
		assert.NotContains(t, err.Error(), "context canceled")
	})
}

// The answer's errors list is the call's, judged by it: an empty one is not kept as an unknown
// field of the customer.
// The name is matched in any case, as the call matches it.
func TestReadAnswerErrorsListIsNotUnknown(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"id": 7, "warnings": [], "errors": []}`, `{"id": 7, "Errors": []}`} {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			scriptMethod(mt, http.MethodGet, respond(http.StatusOK, body))
			cust, err := c.Customers.Get(testCtx(t), "7", &GetCustomerParams{Source: SourceInstore})
			require.NoError(t, err)
			assert.Equal(t, ID("7"), cust.ID)
			assert.Nil(t, cust.Unknown)
		})
	}
}

// A read whose 2xx answer is empty or cut off says so, not "EOF", which reads as a dropped
// connection.
func TestReadAnswerEmptyOrCutOff(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "  \n", `{"id": 7, "profiles": [`} {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			scriptMethod(mt, http.MethodGet, respond(http.StatusOK, body))
			_, err := c.Customers.Get(testCtx(t), "7", &GetCustomerParams{Source: SourceInstore})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "unexpected end of JSON input")
			assert.NotErrorIs(t, err, io.EOF)
		})
	}
}
