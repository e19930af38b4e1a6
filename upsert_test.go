package capillary

import (
	"errors"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// upsertServer answers the calls of an upsert: the look-ups from a map of identifier value to
// customer id, the create and the update from scripts. Every request is recorded in order.
type upsertServer struct {
	lookups, creates, updates *recorder
	calls                     *recorder // every call, in order, as "METHOD path?query"
}

func newUpsertServer(t *testing.T, mt *httpmock.MockTransport, known map[string]string, create, update []httpmock.Responder) *upsertServer {
	t.Helper()
	all := &recorder{steps: []httpmock.Responder{nil}}
	logged := func(next httpmock.Responder) httpmock.Responder {
		return func(req *http.Request) (*http.Response, error) {
			all.mu.Lock()
			all.reqs = append(all.reqs, captured{Method: req.Method, URL: req.URL})
			all.mu.Unlock()
			return next(req)
		}
	}
	lookup := func(req *http.Request) (*http.Response, error) {
		if id, ok := known[req.URL.Query().Get("identifierValue")]; ok {
			return respond(http.StatusOK, `{"id": `+id+`, "profiles": [], "warnings": []}`)(req)
		}
		return respond(http.StatusBadRequest, vendorError(8015, "Customer not found for the given identifiers"))(req)
	}
	s := &upsertServer{calls: all}
	s.lookups = scriptAt(mt, http.MethodGet, lookupURL, logged(lookup))
	s.creates = scriptAt(mt, http.MethodPost, createURL, wrapAll(logged, create)...)
	s.updates = scriptAt(mt, http.MethodPut, updateURL, wrapAll(logged, update)...)
	return s
}

func wrapAll(wrap func(httpmock.Responder) httpmock.Responder, steps []httpmock.Responder) []httpmock.Responder {
	if len(steps) == 0 {
		steps = []httpmock.Responder{okResponder()}
	}
	out := make([]httpmock.Responder, len(steps))
	for i, s := range steps {
		out[i] = wrap(s)
	}
	return out
}

// order is the calls made, as "METHOD path".
func (s *upsertServer) order() []string {
	var out []string
	for _, c := range s.calls.all() {
		out = append(out, c.Method+" "+c.URL.Path)
	}
	return out
}

// upsertBody has a mobile, an email and a cuid (which Lookup does not take).
func upsertBody() *CreateCustomerRequest {
	return &CreateCustomerRequest{
		Profiles: []Profile{{
			FirstName: Ptr("Tom"),
			Identifiers: []Identifier{{Type: IdentifierMobile, Value: "919988221100"}, {Type: IdentifierCUID, Value: "c1"},
				{Type: IdentifierEmail, Value: "tom@example.com"}},
			Source: SourceInstore,
		}},
		ExtendedFields: map[string]any{"city": "Pune"},
		ReferralCode:   Ptr(""),
	}
}

const (
	lookupPath = "/v2/customers/lookup/customerDetails"
	createPath = "/v2/customers"
)

func TestUpsert(t *testing.T) {
	t.Parallel()
	lost := func(*http.Request) (*http.Response, error) { return nil, errors.New("connection reset by peer") }
	exists := respond(http.StatusBadRequest, vendorError(8006, "Add failed, Customer already exists with id 4242 for same source"))
	tests := []struct {
		name    string
		known   map[string]string // identifier value -> customer id, as the look-ups find them
		create  []httpmock.Responder
		order   []string
		created bool
		id      ID
	}{
		{name: "found: updated by id", known: map[string]string{"919988221100": "17", "tom@example.com": "17"},
			order:   []string{"GET " + lookupPath, "GET " + lookupPath, "PUT /v2/customers/17"},
			created: false, id: "17"},
		{name: "found by the email only", known: map[string]string{"tom@example.com": "17"},
			order:   []string{"GET " + lookupPath, "GET " + lookupPath, "PUT /v2/customers/17"},
			created: false, id: "17"},
		{name: "not found: created", create: []httpmock.Responder{respond(http.StatusOK, createdBody)},
			order:   []string{"GET " + lookupPath, "GET " + lookupPath, "POST " + createPath},
			created: true, id: "556844761"},
		// Someone created the customer between the look-up and the create.
		{name: "8006 race: the existing customer is updated", create: []httpmock.Responder{exists},
			order:   []string{"GET " + lookupPath, "GET " + lookupPath, "POST " + createPath, "PUT /v2/customers/4242"},
			created: false, id: "4242"},
		// The create's answer was lost and it is not replayed: the look-ups find nobody, so it is
		// sent again, and meets a customer someone created in between.
		{name: "lost, not found, then 8006: updated", create: []httpmock.Responder{lost, exists},
			order: []string{"GET " + lookupPath, "GET " + lookupPath, "POST " + createPath, "GET " + lookupPath, "GET " + lookupPath,
				"POST " + createPath, "PUT /v2/customers/4242"},
			created: false, id: "4242"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			srv := newUpsertServer(t, mt, tt.known, tt.create, nil)
			res, err := c.Customers.Upsert(testCtx(t), upsertBody(), &CreateCustomerParams{Source: SourceInstore})
			require.NoError(t, err)
			assert.Equal(t, tt.order, srv.order())
			assert.Equal(t, tt.created, res.Created)
			assert.Equal(t, tt.id, res.CustomerID)
			assert.Equal(t, len(tt.order), res.Attempts)
		})
	}
}

// The wire of each call an upsert makes: the look-ups by each identifier Lookup takes, and the
// update with the body's update fields, or the create with the whole body.
func TestUpsertWire(t *testing.T) {
	t.Parallel()
	params := &CreateCustomerParams{Source: SourceWeChat, AccountID: "app-1", MLPSingleEnroll: Ptr(true)}
	body := func() *CreateCustomerRequest {
		b := upsertBody()
		b.Profiles[0].Source, b.Profiles[0].AccountID = SourceWeChat, "app-1"
		return b
	}

	c, mt := newMockedClient(t)
	srv := newUpsertServer(t, mt, map[string]string{"919988221100": "17"}, nil, nil)
	_, err := c.Customers.Upsert(testCtx(t), body(), params)
	require.NoError(t, err)
	lookups := srv.lookups.all()
	require.Len(t, lookups, 2)
	assert.Equal(t, "accountId=app-1&identifierName=mobile&identifierValue=919988221100&source=WECHAT", lookups[0].URL.RawQuery)
	assert.Equal(t, "accountId=app-1&identifierName=email&identifierValue=tom%40example.com&source=WECHAT", lookups[1].URL.RawQuery)
	update := srv.updates.only(t)
	assert.Equal(t, "accountId=app-1&mlp_single_enroll=true&source=WECHAT", update.URL.RawQuery)
	assert.JSONEq(t, `{"profiles":[{"firstName":"Tom","identifiers":[{"type":"mobile","value":"919988221100"},{"type":"cuid","value":"c1"},
		{"type":"email","value":"tom@example.com"}],"source":"WECHAT","accountId":"app-1"}],"extendedFields":{"city":"Pune"}}`, string(update.Body))

	c, mt = newMockedClient(t)
	srv = newUpsertServer(t, mt, nil, nil, nil)
	_, err = c.Customers.Upsert(testCtx(t), body(), params)
	require.NoError(t, err)
	create := srv.creates.only(t)
	assert.Equal(t, "accountId=app-1&mlp_single_enroll=true&source=WECHAT", create.URL.RawQuery)
	assert.JSONEq(t, `{"profiles":[{"firstName":"Tom","identifiers":[{"type":"mobile","value":"919988221100"},{"type":"cuid","value":"c1"},
		{"type":"email","value":"tom@example.com"}],"source":"WECHAT","accountId":"app-1"}],"extendedFields":{"city":"Pune"},"referralCode":""}`, string(create.Body))
}

// A create whose answer was lost is settled by looking up: found, it was applied and is not
// sent again; not found, it is sent once more. A customer is never created twice.
func TestUpsertSettlesLostCreate(t *testing.T) {
	t.Parallel()
	lost := func(*http.Request) (*http.Response, error) { return nil, errors.New("connection reset by peer") }

	t.Run("applied", func(t *testing.T) {
		t.Parallel()
		c, mt := newMockedClient(t)
		known := map[string]string{}
		srv := newUpsertServer(t, mt, known, []httpmock.Responder{func(req *http.Request) (*http.Response, error) {
			known["919988221100"] = "99" // the server applies it, and the answer is lost
			return lost(req)
		}}, nil)
		res, err := c.Customers.Upsert(testCtx(t), upsertBody(), &CreateCustomerParams{Source: SourceInstore}, WithRetries(0, 0, 0))
		require.NoError(t, err)
		assert.Equal(t, &UpsertCustomerResponse{Created: true, CustomerID: "99", Attempts: 5}, res)
		assert.Equal(t, []string{"GET " + lookupPath, "GET " + lookupPath, "POST " + createPath, "GET " + lookupPath, "GET " + lookupPath}, srv.order())
	})
	t.Run("applied, with the client's retries: looked up, not sent again", func(t *testing.T) {
		t.Parallel()
		c, mt := newMockedClient(t)
		known := map[string]string{}
		srv := newUpsertServer(t, mt, known, []httpmock.Responder{func(req *http.Request) (*http.Response, error) {
			known["919988221100"] = "99"
			return lost(req)
		}, respond(http.StatusBadRequest, vendorError(8006, "Add failed, Customer already exists with id 99 for same source"))},
			[]httpmock.Responder{respond(http.StatusBadRequest, vendorError(8010, "Invalid communication channel"))})
		res, err := c.Customers.Upsert(testCtx(t), upsertBody(), &CreateCustomerParams{Source: SourceInstore})
		require.NoError(t, err)
		assert.Equal(t, &UpsertCustomerResponse{Created: true, CustomerID: "99", Attempts: 5}, res)
		assert.Equal(t, []string{"GET " + lookupPath, "GET " + lookupPath, "POST " + createPath, "GET " + lookupPath, "GET " + lookupPath}, srv.order())
	})
	t.Run("8028: the existing customer is looked up and updated", func(t *testing.T) {
		t.Parallel()
		c, mt := newMockedClient(t)
		known := map[string]string{}
		srv := newUpsertServer(t, mt, known, []httpmock.Responder{func(req *http.Request) (*http.Response, error) {
			known["tom@example.com"] = "55" // registered by someone else in between
			return respond(http.StatusBadRequest, vendorError(8028, "Customer seems is already registered"))(req)
		}}, nil)
		res, err := c.Customers.Upsert(testCtx(t), upsertBody(), &CreateCustomerParams{Source: SourceInstore})
		require.NoError(t, err)
		assert.False(t, res.Created)
		assert.Equal(t, ID("55"), res.CustomerID)
		assert.Equal(t, []string{"GET " + lookupPath, "GET " + lookupPath, "POST " + createPath, "GET " + lookupPath, "GET " + lookupPath, "PUT /v2/customers/55"}, srv.order())
	})
	t.Run("8028 and nobody found", func(t *testing.T) {
		t.Parallel()
		c, mt := newMockedClient(t)
		newUpsertServer(t, mt, nil, []httpmock.Responder{respond(http.StatusBadRequest, vendorError(8028, "Customer seems is already registered"))}, nil)
		_, err := c.Customers.Upsert(testCtx(t), upsertBody(), &CreateCustomerParams{Source: SourceInstore})
		assert.ErrorIs(t, err, ErrCustomerExists)
		assert.ErrorContains(t, err, "(and no identifier finds the existing customer)")
	})
	t.Run("not applied", func(t *testing.T) {
		t.Parallel()
		c, mt := newMockedClient(t)
		srv := newUpsertServer(t, mt, nil, []httpmock.Responder{lost, respond(http.StatusOK, createdBody)}, nil)
		res, err := c.Customers.Upsert(testCtx(t), upsertBody(), &CreateCustomerParams{Source: SourceInstore}, WithRetries(0, 0, 0))
		require.NoError(t, err)
		assert.True(t, res.Created)
		assert.Equal(t, ID("556844761"), res.CustomerID)
		assert.Len(t, srv.creates.all(), 2)
	})
	t.Run("lost twice", func(t *testing.T) {
		t.Parallel()
		c, mt := newMockedClient(t)
		srv := newUpsertServer(t, mt, nil, []httpmock.Responder{lost}, nil)
		_, err := c.Customers.Upsert(testCtx(t), upsertBody(), &CreateCustomerParams{Source: SourceInstore}, WithRetries(0, 0, 0))
		var reqErr *RequestError
		require.ErrorAs(t, err, &reqErr)
		assert.False(t, isUncertain(err), "the look-up found it was not applied: %v", err)
		assert.ErrorContains(t, err, "(looked up after each attempt: not applied)")
		assert.Len(t, srv.creates.all(), 2)
		assert.Len(t, srv.lookups.all(), 6)
	})
	t.Run("look-up fails", func(t *testing.T) {
		t.Parallel()
		c, mt := newMockedClient(t)
		scriptAt(mt, http.MethodGet, lookupURL, respond(http.StatusBadRequest, vendorError(8015, "not found")), lost)
		scriptAt(mt, http.MethodPost, createURL, lost)
		_, err := c.Customers.Upsert(testCtx(t), externalIDBody("e1"), &CreateCustomerParams{Source: SourceInstore}, WithRetries(0, 0, 0))
		require.Error(t, err)
		assert.True(t, isUncertain(err), "the create may have been applied: %v", err)
		assert.Contains(t, err.Error(), "settling it by looking the customer up failed")
	})
}

// Identifiers that name two different customers are refused: nothing is written.
func TestUpsertRefusesIdentifierConflict(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	srv := newUpsertServer(t, mt, map[string]string{"919988221100": "17", "tom@example.com": "18"}, nil, nil)
	_, err := c.Customers.Upsert(testCtx(t), upsertBody(), &CreateCustomerParams{Source: SourceInstore})
	require.ErrorIs(t, err, ErrIdentifierConflict)
	assert.EqualError(t, err, "capillary: upsert: mobile 919988221100 names customer 17 and email tom@example.com names customer 18 on source INSTORE; refusing to choose: "+ErrIdentifierConflict.Error())
	assert.Equal(t, []string{"GET " + lookupPath, "GET " + lookupPath}, srv.order())
	assert.False(t, c.AdviseRetry(err, 1).Retry, "sent again, it finds the same two customers")
}

// A look-up whose answer holds profiles of two customers is refused too.
func TestUpsertRefusesAnswerOfTwoCustomers(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	scriptAt(mt, http.MethodGet, lookupURL, respond(http.StatusOK,
		`{"id": 17, "profiles": [{"userId": 17, "source": "INSTORE"}, {"userId": 18, "source": "WECHAT"}], "warnings": []}`))
	_, err := c.Customers.Upsert(testCtx(t), externalIDBody("e1"), &CreateCustomerParams{Source: SourceInstore})
	require.ErrorIs(t, err, ErrIdentifierConflict)
	assert.EqualError(t, err, "capillary: upsert: externalId e1 names customer 17 and customer 18 (a profile of the answer); refusing to choose: "+ErrIdentifierConflict.Error())
	assert.Equal(t, 1, mt.GetTotalCallCount(), "nothing written")
}

// A refused update or create is the upsert's error, with the vendor's codes.
func TestUpsertErrors(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	newUpsertServer(t, mt, map[string]string{"919988221100": "17"}, nil,
		[]httpmock.Responder{respond(http.StatusBadRequest, vendorError(91006, "email update is not allowed"))})
	_, err := c.Customers.Upsert(testCtx(t), upsertBody(), &CreateCustomerParams{Source: SourceInstore})
	assert.ErrorIs(t, err, ErrIdentifierUpdate)
	assert.ErrorContains(t, err, "capillary: upsert: updating customer 17: ")

	c, mt = newMockedClient(t)
	newUpsertServer(t, mt, nil, []httpmock.Responder{respond(http.StatusBadRequest, vendorError(8005, "No valid identifiers passed"))}, nil)
	_, err = c.Customers.Upsert(testCtx(t), upsertBody(), &CreateCustomerParams{Source: SourceInstore})
	assert.ErrorIs(t, err, ErrInvalidIdentifier)

	c, mt = newMockedClient(t)
	scriptAt(mt, http.MethodGet, lookupURL, respond(http.StatusBadRequest, vendorError(8069, "customer merged")))
	_, err = c.Customers.Upsert(testCtx(t), upsertBody(), &CreateCustomerParams{Source: SourceInstore})
	assert.ErrorIs(t, err, ErrCustomerMerged)
	assert.ErrorContains(t, err, "capillary: upsert: looking up mobile 919988221100: ")
}

// What only an upsert needs is checked before anything is sent.
func TestUpsertValidation(t *testing.T) {
	t.Parallel()
	c, _ := newMockedClient(t)
	cuidOnly := &CreateCustomerRequest{Profiles: []Profile{{Identifiers: []Identifier{{Type: IdentifierCUID, Value: "c1"}}, Source: SourceMobileApp}}}
	_, err := c.Customers.Upsert(testCtx(t), cuidOnly, &CreateCustomerParams{Source: SourceMobileApp})
	var invalid *ValidationError
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, []FieldError{
		{"profiles", "hold no identifier Upsert can look up (" + listOf(lookupIdentifierTypes) + ", without a comma)"},
		{"params.source", "MOBILE_APP: an upsert looks the customer up on its source, and the vendor's lookup takes WECHAT, INSTORE, MARTJACK only; use Create there"},
	}, invalid.Problems)
	mobile := &CreateCustomerRequest{Profiles: []Profile{{Identifiers: []Identifier{{Type: IdentifierMobile, Value: "919988221100"}}, Source: SourceWeChat}}}
	_, err = c.Customers.Upsert(testCtx(t), mobile, &CreateCustomerParams{Source: SourceWeChat})
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, []FieldError{{"params.accountId", "is required for an upsert on source WECHAT: its look-up needs it (every source but INSTORE)"}}, invalid.Problems)
	// One source: a profile on another source, or another account, would be created there but
	// looked up and updated on the upsert's.
	twoSources := &CreateCustomerRequest{Profiles: []Profile{
		{Identifiers: []Identifier{{Type: IdentifierMobile, Value: "919988221100"}}, Source: SourceWeChat, AccountID: "wx-2"},
		{Identifiers: []Identifier{{Type: IdentifierEmail, Value: "tom@example.com"}}, Source: SourceInstore}}}
	_, err = c.Customers.Upsert(testCtx(t), twoSources, &CreateCustomerParams{Source: SourceWeChat, AccountID: "wx-1"})
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, []FieldError{
		{"profiles[0].accountId", `"wx-2" is not the upsert's account "wx-1": an upsert looks the customer up, creates and updates it on one source and account`},
		{"profiles[1].source", "INSTORE is not the upsert's source WECHAT: an upsert looks the customer up, creates and updates it on one source and account"},
	}, invalid.Problems)
	_, err = c.Customers.Upsert(testCtx(t), twoSources, nil) // the first profile's source is the upsert's
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, []FieldError{
		{"profiles[1].source", "INSTORE is not the upsert's source WECHAT: an upsert looks the customer up, creates and updates it on one source and account"},
	}, invalid.Problems)
	// Create takes the same body: it needs no look-up.
	_, err = c.Customers.Create(testCtx(t), cuidOnly, &CreateCustomerParams{Source: SourceMobileApp})
	assert.NotErrorIs(t, err, ErrInvalidRequest)
	assert.ErrorContains(t, err, "no responder found", "it was sent")
}
