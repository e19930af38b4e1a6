// Command update-by-mobile updates a customer known by a mobile number, as a POS or an
// e-commerce system knows it, then reads it back by the same number. It runs against the
// embedded fake unless CAPILLARY_BASE_URL or CAPILLARY_REGION and credentials are set
// (CAPILLARY_MOBILE names the customer there).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/capillarytest"
	"github.com/capillary-go/capillary/examples/internal/exampleenv"
)

func main() { exampleenv.Main(false, run) }

// defaultMobile is the vendor's sample mobile number, country code first; the embedded fake
// gets a customer with it.
const defaultMobile = "919999000001"

func run(env *exampleenv.Env, c *capillary.Client) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	mobile := capillary.Identifier{Type: capillary.IdentifierMobile, Value: os.Getenv("CAPILLARY_MOBILE")}
	if mobile.Value == "" {
		mobile.Value = defaultMobile
	}
	if env.Fake != nil {
		env.Fake.AddCustomer(capillarytest.Customer{
			ID: "342963216",
			Profile: capillarytest.Profile{
				Source:       string(capillary.SourceInstore),
				CommChannels: []capillarytest.CommChannel{{Type: string(capillary.ChannelMobile), Value: defaultMobile, Primary: true}},
			},
		})
	}

	body := &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{
		FirstName: capillary.Ptr("Tom"),
		LastName:  capillary.Ptr("Sawyer"),
		Fields:    map[string]any{"city": "Bangalore"},
	}}}
	res, err := c.Customers.UpdateByIdentifier(ctx, mobile, body,
		&capillary.UpdateCustomerParams{Source: capillary.SourceInstore, UseAsync: capillary.Ptr(false)})
	if err != nil {
		return fmt.Errorf("update failed: %w", err)
	}
	exampleenv.PrintResult(res)

	cust, err := c.Customers.Lookup(ctx, []capillary.Identifier{mobile},
		&capillary.GetCustomerParams{Source: capillary.SourceInstore, Embed: []capillary.Embed{capillary.EmbedPoints}})
	if err != nil {
		return fmt.Errorf("lookup failed: %w", err)
	}
	fmt.Printf("\nCustomer %s, looked up by mobile %s:\n", cust.ID, mobile.Value)
	for _, p := range cust.Profiles {
		fmt.Printf("  %s profile: %s %s, fields %v\n", p.Source, capillary.Deref(p.FirstName), capillary.Deref(p.LastName), p.Fields)
	}
	if s := cust.PointsSummary; s != nil {
		fmt.Printf("  points: %v available, tier %q\n", s.LoyaltyPoints, s.CurrentSlab)
	}
	return nil
}
