package benchmarks

import (
	"testing"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/capillarytest"
)

// BenchmarkUpdateOAuthParallel makes updates from every core through one OAuth client against
// the embedded fake, whose tokens live for its default five minutes: token generation is
// amortised over the whole run. It reports the tokens the server issued in all (tokens) and per
// call (tokens/op): one, whatever the number of calls and callers.
func BenchmarkUpdateOAuthParallel(b *testing.B) {
	srv := capillarytest.NewServer()
	b.Cleanup(srv.Close)
	srv.AddCustomer(capillarytest.Customer{ID: "171891944", Profile: capillarytest.Profile{Source: "INSTORE"}})
	c, err := capillary.NewClient(capillary.WithBaseURL(srv.URL),
		capillary.WithOAuth(capillarytest.DefaultOAuthKey, capillarytest.DefaultOAuthSecret))
	if err != nil {
		b.Fatal(err)
	}
	body := &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr("Tom")}}}
	params := &capillary.UpdateCustomerParams{Source: capillary.SourceInstore}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Customers.Update(b.Context(), "171891944", body, params); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	tokens := srv.TokenGenerations()
	if tokens != 1 {
		b.Errorf("%d tokens generated for %d calls, want 1", tokens, b.N)
	}
	b.ReportMetric(float64(tokens), "tokens")
	b.ReportMetric(float64(tokens)/float64(b.N), "tokens/op")
}
