package capillarytest_test

import (
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/capillarytest"
)

// The README's testing section, run as it is written: each "README:" region of this file is a
// code block of that section, in order (TestREADMETestingSection fails when they differ).

// README: httpmock
func TestSync(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport() // one transport per test; never httpmock.Activate()
	mt.RegisterResponder(http.MethodPut, "https://eu.api.capillarytech.com/v2/customers/171891944",
		httpmock.NewStringResponder(200, `{"createdId": 171891944, "warnings": [], "sideEffects": []}`))

	c, err := capillary.NewClient(
		capillary.WithRegion(capillary.RegionEU),
		capillary.WithBasicAuth("till", "password"),
		capillary.WithHTTPClient(&http.Client{Transport: mt}),
	)
	require.NoError(t, err)

	// your code, here one update:
	_, err = c.Customers.Update(t.Context(), "171891944", &capillary.UpdateCustomerRequest{
		LoyaltyInfo: &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty},
	}, &capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
	require.NoError(t, err)
	require.Equal(t, 1, mt.GetTotalCallCount())
}

// README end

// README: capillarytest
func TestEnrol(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer()
	defer srv.Close()
	srv.AddCustomer(capillarytest.Customer{ID: "171891944", Profile: capillarytest.Profile{Source: "INSTORE"},
		LoyaltyType: "non_loyalty"})

	c, err := capillary.NewClient(
		capillary.WithBaseURL(srv.URL), // plain http is allowed on loopback
		capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword),
	)
	require.NoError(t, err)

	srv.InjectFaults(capillarytest.RateLimited(1), capillarytest.CustomerBusy()) // 429, then 521
	// your code, here one update:
	_, err = c.Customers.Update(t.Context(), "171891944", &capillary.UpdateCustomerRequest{
		LoyaltyInfo: &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty},
	}, &capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
	require.NoError(t, err) // the SDK waited out the 429 and retried the 521

	got, _ := srv.Customer("171891944") // the stored state after your code ran
	require.Equal(t, "loyalty", got.LoyaltyType)
	require.Len(t, srv.Requests(), 3) // what was sent, credentials masked
}

// README end

func TestREADMEPartialSuccess(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	c := newClient(t, srv)

	// README: partial success
	srv.AddCustomer(capillarytest.Customer{ID: "171891944", Profile: capillarytest.Profile{Source: "INSTORE",
		CommChannels: []capillarytest.CommChannel{{Type: "mobile", Value: "919999000000", Primary: true}}}})
	srv.InjectFaults(capillarytest.AddWarnings(8050)) // or any warning the vendor documents
	res, err := c.Customers.Update(t.Context(), "171891944", &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{
		FirstName:    capillary.Ptr("Huck"),
		CommChannels: []capillary.CommChannel{{Type: capillary.ChannelMobile, Value: "919999000001", Primary: capillary.Ptr(true)}},
	}}}, &capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
	require.NoError(t, err)
	require.Len(t, res.Warnings, 2)                     // the fake's own warnings first, then the fault's
	require.EqualValues(t, 91005, res.Warnings[0].Code) // the primary mobile was left as it was ...
	got, _ := srv.Customer("171891944")
	require.Equal(t, "Huck", got.FirstName) // ... and the rest of the update went through

	// README end

	after, _ := srv.Customer("171891944")
	mobile, _ := primaryOf(after, "mobile")
	assert.Equal(t, "919999000000", mobile, "the primary mobile was left as it was")
}

func TestREADMETestingSection(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	_, section, _ := strings.Cut(string(readme), "\n## Testing your code\n")
	section, _, _ = strings.Cut(section, "\n## ")
	var shown []string
	for _, m := range regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(section, -1) {
		shown = append(shown, m[1])
	}
	test, err := os.ReadFile("readme_test.go")
	require.NoError(t, err)
	var run []string
	for _, m := range regexp.MustCompile(`(?s)// README: [a-z ]+\n(.*?)\n?\t*// README end`).FindAllStringSubmatch(string(test), -1) {
		run = append(run, m[1])
	}
	require.NotEmpty(t, shown, "the README's testing section has Go code")
	assert.Equal(t, shown, run)
}
