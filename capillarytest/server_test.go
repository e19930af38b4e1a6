package capillarytest_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/capillarytest"
)

func TestServerListensOnLoopback(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	assert.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)
	assert.False(t, strings.HasSuffix(srv.URL, "/"))
	assert.Panics(t, srv.Start, "a second Start")
}

func TestServerRefusesNonLoopbackListener(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "0.0.0.0:0")
	require.NoError(t, err)
	defer l.Close()
	srv := capillarytest.NewUnstartedServer()
	srv.Listener = l
	assert.PanicsWithValue(t, "capillarytest: listener address "+l.Addr().String()+" is not loopback", srv.Start)
}

func TestServerOnAListenerOfYourOwn(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := capillarytest.NewUnstartedServer(capillarytest.WithCustomers(tomSawyer()))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	assert.Equal(t, "http://"+l.Addr().String(), srv.URL)
	assert.Equal(t, 200, update(t, srv, tomID, "source=INSTORE", `{}`).status)
}

func TestHandlerServesElsewhere(t *testing.T) {
	t.Parallel()
	fake := capillarytest.NewUnstartedServer(capillarytest.WithCustomers(tomSawyer()))
	ts := httptest.NewServer(fake.Handler())
	t.Cleanup(ts.Close)
	r := send(t, http.MethodPut, ts.URL+"/v2/customers/"+tomID+"?source=INSTORE", renameBody, nil)
	assert.Equal(t, 200, r.status, r.body)
	c, _ := fake.Customer(tomID)
	assert.Equal(t, "Huck", c.FirstName)
	fake.Close() // never started: a no-op
}

func TestBadOptionsPanic(t *testing.T) {
	t.Parallel()
	tests := map[string]capillarytest.Option{
		"empty till":            capillarytest.WithTill("", "pw"),
		"till with colon":       capillarytest.WithTill("a:b", "pw"),
		"empty password":        capillarytest.WithTill("t", ""),
		"empty OAuth secret":    capillarytest.WithOAuthClient("k", ""),
		"short TTL":             capillarytest.WithTokenTTL(time.Millisecond),
		"nil clock":             capillarytest.WithClock(nil),
		"unknown source":        capillarytest.WithSourceAccounts("SMS", "a"),
		"empty account":         capillarytest.WithSourceAccounts("WECHAT", ""),
		"bad primary id":        capillarytest.WithPrimaryIdentifier("wechat"),
		"program zero":          capillarytest.WithPrograms(0),
		"negative max recorded": capillarytest.WithMaxRecordedRequests(-1),
		"invalid seed":          capillarytest.WithCustomers(capillarytest.Customer{ID: "x"}),
	}
	for name, opt := range tests {
		assert.Panics(t, func() { capillarytest.NewUnstartedServer(opt) }, name)
	}
}

func TestCustomerValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    capillarytest.Customer
		want string
	}{
		{"defaults", capillarytest.Customer{ID: "1"}, ""},
		{"full", tomSawyer(), ""},
		{"multi-account with account", capillarytest.Customer{ID: "1", Profile: capillarytest.Profile{Source: "WECHAT", AccountID: "wx"}}, ""},
		{"empty id", capillarytest.Customer{}, `id: is empty`},
		{"id not numeric", capillarytest.Customer{ID: "C-1"}, `id: "C-1" is not a positive decimal integer`},
		{"id with leading zero", capillarytest.Customer{ID: "01"}, `is not a positive decimal integer`},
		{"id too large", capillarytest.Customer{ID: "99999999999999999999"}, `fits 64 bits`},
		{"unknown source", capillarytest.Customer{ID: "1", Profile: capillarytest.Profile{Source: "instore"}}, `source "instore" is not one`},
		{"multi-account without account", capillarytest.Customer{ID: "1", Profile: capillarytest.Profile{Source: "LINE"}}, `source LINE has several accounts`},
		{"other profile", capillarytest.Customer{ID: "1", OtherProfiles: []capillarytest.Profile{{Source: "FACEBOOK"}}}, `otherProfiles[0]: source FACEBOOK has several accounts`},
		{"two profiles on a source", capillarytest.Customer{ID: "1", OtherProfiles: []capillarytest.Profile{{Source: "INSTORE"}}}, `otherProfiles[0]: a second profile on source INSTORE`},
		{"identifier", capillarytest.Customer{ID: "1", Profile: capillarytest.Profile{Identifiers: []capillarytest.Identifier{{Type: "phone", Value: "1"}}}}, `identifiers[0]: "phone"="1" is not an identifier`},
		{"loyalty type", capillarytest.Customer{ID: "1", LoyaltyType: "gold"}, `loyaltyType "gold"`},
		{"channel type", capillarytest.Customer{ID: "1", Profile: capillarytest.Profile{CommChannels: []capillarytest.CommChannel{{Type: "sms", Value: "1"}}}}, `commChannels[0]: type "sms"`},
		{"channel value", capillarytest.Customer{ID: "1", Profile: capillarytest.Profile{CommChannels: []capillarytest.CommChannel{{Type: "email"}}}}, `commChannels[0]: value is empty`},
		{"program", capillarytest.Customer{ID: "1", Enrollments: []capillarytest.Enrollment{{ProgramID: 0}}}, `enrollments[0]: programId 0`},
		{"program twice", capillarytest.Customer{ID: "1", Enrollments: []capillarytest.Enrollment{{ProgramID: 1}, {ProgramID: 1}}}, `enrollments[1]: program 1 is listed twice`},
		{"negative points", capillarytest.Customer{ID: "1", Enrollments: []capillarytest.Enrollment{{ProgramID: 1, Points: -1}}}, `points -1 is negative`},
	}
	for _, tc := range tests {
		err := tc.c.Validate()
		if tc.want == "" {
			assert.NoError(t, err, tc.name)
			continue
		}
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
	}
}

func TestCustomersAreCopies(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewUnstartedServer()
	seed := tomSawyer()
	seed.Fields = map[string]any{"city": "Bangalore", "nested": map[string]any{"a": []any{int64(1)}}}
	srv.AddCustomer(seed)
	seed.Fields["city"] = "changed by the caller"
	seed.CommChannels[0].Value = "changed"

	got, ok := srv.Customer(tomID)
	require.True(t, ok)
	assert.Equal(t, "Bangalore", got.Fields["city"])
	assert.Equal(t, "9999000000", got.CommChannels[0].Value)
	got.Fields["nested"].(map[string]any)["a"].([]any)[0] = "changed"
	again, _ := srv.Customer(tomID)
	assert.Equal(t, int64(1), again.Fields["nested"].(map[string]any)["a"].([]any)[0])

	_, ok = srv.Customer("404")
	assert.False(t, ok)
	assert.Panics(t, func() { srv.AddCustomer(capillarytest.Customer{ID: "nope"}) })
}

func TestCustomersListAndRemove(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewUnstartedServer(capillarytest.WithCustomers(
		capillarytest.Customer{ID: "100"}, capillarytest.Customer{ID: "9"}, capillarytest.Customer{ID: "20"}))
	var ids []string
	for _, c := range srv.Customers() {
		ids = append(ids, c.ID)
		assert.Equal(t, "INSTORE", c.Source, "defaults are filled in")
		assert.Equal(t, "non_loyalty", c.LoyaltyType)
	}
	assert.Equal(t, []string{"9", "20", "100"}, ids)
	srv.AddCustomer(capillarytest.Customer{ID: "9", Profile: capillarytest.Profile{FirstName: "Replaced"}})
	c, _ := srv.Customer("9")
	assert.Equal(t, "Replaced", c.FirstName)
	assert.True(t, srv.RemoveCustomer("9"))
	assert.False(t, srv.RemoveCustomer("9"))
	assert.Len(t, srv.Customers(), 2)
}

func TestManualClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := capillarytest.NewManualClock(start)
	assert.Equal(t, start, c.Now())
	assert.Equal(t, start.Add(time.Hour), c.Advance(time.Hour))
	c.Set(start)
	assert.Equal(t, start, c.Now())
}
