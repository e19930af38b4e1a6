// Command upsert-customer makes a customer of a shop look like the shop's record, creating it
// when Capillary does not know it yet, as a sync job does for every customer it meets. It
// upserts the record twice: the first call creates the customer (on a fresh server), the second
// finds it and updates it. It runs against the embedded fake unless CAPILLARY_BASE_URL or
// CAPILLARY_REGION and credentials are set (CAPILLARY_MOBILE and CAPILLARY_EMAIL name the
// customer there).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/examples/internal/exampleenv"
)

func main() { exampleenv.Main(false, run) }

// The shop's customer, by default: a mobile with its country code, and an email.
const (
	defaultMobile = "919988221100"
	defaultEmail  = "huck.finn@example.com"
)

func run(_ *exampleenv.Env, c *capillary.Client) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	mobile, email := os.Getenv("CAPILLARY_MOBILE"), os.Getenv("CAPILLARY_EMAIL")
	if mobile == "" {
		mobile = defaultMobile
	}
	if email == "" {
		email = defaultEmail
	}
	params := &capillary.CreateCustomerParams{Source: capillary.SourceInstore}

	for _, city := range []string{"Hannibal", "St. Petersburg"} {
		body := &capillary.CreateCustomerRequest{
			Profiles: []capillary.Profile{{
				FirstName: capillary.Ptr("Huck"),
				LastName:  capillary.Ptr("Finn"),
				// Upsert looks the customer up by each identifier Lookup takes, in this order.
				Identifiers: []capillary.Identifier{
					{Type: capillary.IdentifierMobile, Value: mobile},
					{Type: capillary.IdentifierEmail, Value: email},
				},
				Source: capillary.SourceInstore,
			}},
			ExtendedFields: map[string]any{"city": city},
		}
		res, err := c.Customers.Upsert(ctx, body, params)
		if err != nil {
			return fmt.Errorf("upsert failed: %w", err)
		}
		action := "updated"
		if res.Created {
			action = "created"
		}
		fmt.Printf("Customer %s %s (city %s; HTTP %d, request id %s, %d request(s))\n\n",
			res.CustomerID, action, city, res.StatusCode, res.RequestID, res.Attempts)
	}
	return nil
}
