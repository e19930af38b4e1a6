package capillarytest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/capillarytest"
)

func TestUpdateIdentifiersCannotChange(t *testing.T) {
	t.Parallel()
	channels := func(chs string) string { return `{"profiles":[{"firstName":"Changed","commChannels":[` + chs + `]}]}` }
	tests := []struct {
		name    string
		opts    []capillarytest.Option
		body    string
		status  int
		code    int
		message string
	}{
		{"new primary mobile", nil, channels(`{"type":"mobile","value":"9999000001","primary":"true"}`), 200, 91005,
			"mobile is primary identifier and cannot be updated: profiles[0].commChannels[0] would change the primary mobile \"9999000000\""},
		{"new primary mobile as boolean", nil, channels(`{"type":"mobile","value":"9999000001","primary":true}`), 200, 91005, ""},
		{"unmarking the primary mobile", nil, channels(`{"type":"mobile","value":"9999000000","primary":"false"}`), 200, 91005, ""},
		{"new primary email", nil, channels(`{"type":"email","value":"tom@example.com","primary":"true"}`), 200, 91006,
			"email update is not allowed: profiles[0].commChannels[0] would change the primary email \"tomsawyer@gmail.com\""},
		{"email as the org's primary identifier", []capillarytest.Option{capillarytest.WithPrimaryIdentifier("email")},
			channels(`{"type":"email","value":"tom@example.com","primary":"true"}`), 200, 91005, ""},
		{"then mobile is the other identifier", []capillarytest.Option{capillarytest.WithPrimaryIdentifier("email")},
			channels(`{"type":"mobile","value":"9999000001","primary":"true"}`), 200, 91006, ""},
		{"same primary mobile", nil, channels(`{"type":"mobile","value":"9999000000","primary":"true","verified":"false"}`), 200, 0, ""},
		{"secondary mobile", nil, channels(`{"type":"mobile","value":"9999000001","primary":"false"}`), 200, 0, ""},
		{"mobile without primary flag", nil, channels(`{"type":"mobile","value":"9999000001"}`), 200, 0, ""},
		{"new primary wechat", nil, channels(`{"type":"wechat","value":"wx-tom","primary":"true"}`), 200, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := capillarytest.NewServer(append(tc.opts, capillarytest.WithCustomers(tomSawyer()))...)
			t.Cleanup(srv.Close)
			r := update(t, srv, tomID, "source=INSTORE", tc.body)
			assert.Equal(t, tc.status, r.status, r.body)
			got, _ := srv.Customer(tomID)
			// 91005 and 91006 are warnings (the vendor's status codes file them so): the change
			// of the identifier is left out, the rest of the update applies.
			e := decode(t, r.body)
			if tc.code != 0 {
				require.Len(t, e.Warnings, 1)
				assert.Equal(t, tc.code, e.Warnings[0].Code)
				if tc.message != "" {
					assert.Equal(t, tc.message, e.Warnings[0].Message)
				}
				assert.Equal(t, tomSawyer().CommChannels, got.CommChannels, "the identifier is left as it was")
			} else {
				assert.Empty(t, e.Warnings)
			}
			assert.Equal(t, "Changed", got.FirstName, "the rest applies")
			primary, _ := primaryOf(got, "mobile")
			assert.Equal(t, "9999000000", primary, "the primary mobile never changes")
		})
	}
}

// primaryOf returns the customer's primary channel value of a type.
func primaryOf(c capillarytest.Customer, typ string) (string, bool) {
	for _, ch := range c.CommChannels {
		if ch.Type == typ && ch.Primary {
			return ch.Value, true
		}
	}
	return "", false
}

func TestUpdateChannelsAreMerged(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(capillarytest.Customer{ID: "7"}))
	t.Cleanup(srv.Close)
	r := update(t, srv, "7", "source=INSTORE", `{"profiles":[{"commChannels":[
		{"type":"mobile","value":"919999000000"},
		{"type":"mobile","value":"919999000001"},
		{"type":"wechat","value":"wx-1","primary":true},
		{"type":"android","value":"token-a","verified":"true","meta":{"app":{"version":3}}}]}]}`)
	require.Equal(t, 200, r.status, r.body)
	r = update(t, srv, "7", "source=INSTORE", `{"profiles":[{"commChannels":[
		{"type":"wechat","value":"wx-2","primary":"true"},
		{"type":"android","value":"token-a","verified":"false"}]}]}`)
	require.Equal(t, 200, r.status, r.body)
	got, _ := srv.Customer("7")
	assert.Equal(t, []capillarytest.CommChannel{
		{Type: "mobile", Value: "919999000000", Primary: true},
		{Type: "mobile", Value: "919999000001"},
		{Type: "wechat", Value: "wx-1"},
		{Type: "android", Value: "token-a", Primary: true, Meta: map[string]any{"app": map[string]any{"version": int64(3)}}},
		{Type: "wechat", Value: "wx-2", Primary: true},
	}, got.CommChannels, "first of a type is primary; a new primary wechat replaces the old; flags update in place")
}

func TestUpdateInvalidChannelValuesWarn(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(capillarytest.Customer{ID: "7"}))
	t.Cleanup(srv.Close)
	r := update(t, srv, "7", "source=INSTORE", `{"profiles":[{"lastName":"Finn","commChannels":[
		{"type":"email","value":"not-an-address"},
		{"type":"mobile","value":"12-34"},
		{"type":"email","value":"huck@example.com"}]}]}`)
	require.Equal(t, 200, r.status, r.body)
	assert.JSONEq(t, `{"createdId":7,"sideEffects":[],"warnings":[
		{"status":false,"code":8057,"message":"Invalid email id in comm channel: profiles[0].commChannels[0].value: \"not-an-address\" is not an email address; the channel was not saved"},
		{"status":false,"code":8058,"message":"Invalid mobile in comm channel: profiles[0].commChannels[1].value: \"12-34\" is not a mobile number of 8 to 15 digits; the channel was not saved"}]}`, r.body)
	got, _ := srv.Customer("7")
	assert.Equal(t, "Finn", got.LastName, "the rest of the update is applied")
	assert.Equal(t, []capillarytest.CommChannel{{Type: "email", Value: "huck@example.com", Primary: true}}, got.CommChannels)
}
