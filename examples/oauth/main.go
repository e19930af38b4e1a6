// Command oauth updates a customer with OAuth instead of Basic auth: the client generates one
// token, shares it between concurrent calls and renews it before it expires.
package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/examples/internal/exampleenv"
)

func main() { exampleenv.Main(true, run) }

func run(env *exampleenv.Env, c *capillary.Client) error {

	// Three concurrent updates: the token is generated once and shared.
	names := []string{"Tom", "Thomas", "Tom"}
	results := make([]*capillary.UpdateCustomerResponse, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = c.Customers.Update(context.Background(), env.UserID,
				&capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr(name)}}},
				&capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
		}()
	}
	wg.Wait()
	for i := range names {
		if errs[i] != nil {
			return errs[i]
		}
		exampleenv.PrintResult(results[i])
	}
	if env.Fake != nil {
		fmt.Printf("\nTokens generated for %d calls: %d\n", len(names), env.Fake.TokenGenerations())
	}
	return nil
}
