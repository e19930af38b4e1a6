// Package exampletest runs the examples in their tests: offline against the embedded fake, as
// a fresh clone does, and twice against one server, as against a standalone capillary-fake.
package exampletest

import (
	"testing"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/capillarytest"
	"github.com/capillary-go/capillary/examples/internal/exampleenv"
)

// Body is an example's main work, as exampleenv.Run takes it.
type Body = func(*exampleenv.Env, *capillary.Client) error

// RunOffline runs the example against the embedded fake.
func RunOffline(t *testing.T, preferOAuth bool, body Body) {
	t.Helper()
	t.Setenv("CAPILLARY_BASE_URL", "")
	t.Setenv("CAPILLARY_REGION", "")
	if err := exampleenv.Run(preferOAuth, body); err != nil {
		t.Fatal(err)
	}
}

// RunTwice runs the example twice against one server that keeps its state between the runs,
// with the credentials the environment would give: the second run must succeed too. The server
// holds the vendor's example customer and the customers given.
func RunTwice(t *testing.T, preferOAuth bool, body Body, customers ...capillarytest.Customer) {
	t.Helper()
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddCustomer(capillarytest.Customer{ID: exampleenv.DefaultUserID, Profile: capillarytest.Profile{Source: string(capillary.SourceInstore)}, LoyaltyType: string(capillary.LoyaltyTypeNonLoyalty)})
	for _, c := range customers {
		srv.AddCustomer(c)
	}
	t.Setenv("CAPILLARY_BASE_URL", srv.URL)
	t.Setenv("CAPILLARY_REGION", "")
	t.Setenv("CAPILLARY_USER_ID", "")
	t.Setenv("CAPILLARY_TILL", capillarytest.DefaultTill)
	t.Setenv("CAPILLARY_PASSWORD", capillarytest.DefaultPassword)
	t.Setenv("CAPILLARY_OAUTH_KEY", "")
	t.Setenv("CAPILLARY_OAUTH_SECRET", "")
	if preferOAuth {
		t.Setenv("CAPILLARY_OAUTH_KEY", capillarytest.DefaultOAuthKey)
		t.Setenv("CAPILLARY_OAUTH_SECRET", capillarytest.DefaultOAuthSecret)
	}
	for run := 1; run <= 2; run++ {
		if err := exampleenv.Run(preferOAuth, body); err != nil {
			t.Fatalf("run %d against one server: %v", run, err)
		}
	}
}
