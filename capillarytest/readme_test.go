package capillarytest_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/capillarytest"
)

// TestREADMEPartialSuccess runs the README's partial-success snippet as it is written there
// (TestREADMEShowsThePartialSuccessTest keeps the two the same).
func TestREADMEPartialSuccess(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	c := newClient(t, srv)
	// As the README's first snippet seeds it.
	srv.AddCustomer(capillarytest.Customer{ID: "171891944", Profile: capillarytest.Profile{Source: "INSTORE"},
		LoyaltyType: "non_loyalty"})

	// README: partial success
	srv.AddCustomer(capillarytest.Customer{ID: "171891944", Profile: capillarytest.Profile{Source: "INSTORE",
		CommChannels: []capillarytest.CommChannel{{Type: "mobile", Value: "919999000000", Primary: true}}}})
	srv.InjectFaults(capillarytest.AddWarnings(8050)) // or any warning the vendor documents
	res, err := c.Customers.Update(ctx, "171891944", &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{
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

func TestREADMEShowsThePartialSuccessTest(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	test, err := os.ReadFile("readme_test.go")
	require.NoError(t, err)
	shown := regexp.MustCompile("checks both halves[^`]*```go\n((?s:.*?))```").FindSubmatch(readme)
	require.NotNil(t, shown, "the README's partial-success snippet")
	run := regexp.MustCompile(`(?s)// README: partial success\n(.*?)\t// README end`).FindSubmatch(test)
	require.NotNil(t, run)
	assert.Equal(t, string(run[1]), string(shown[1]))
}
