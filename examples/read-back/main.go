// Command read-back shows what to do when an update may have been applied but its answer was
// lost: read the customer back, and send the update again only if it is not there. Against the
// embedded fake, the update's answer is dropped on purpose (capillarytest.DropAfterHandling);
// set CAPILLARY_BASE_URL or CAPILLARY_REGION and credentials to run it against a real cluster.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/capillarytest"
	"github.com/capillary-go/capillary/examples/internal/exampleenv"
)

func main() { exampleenv.Main(false, run) }

// run loses the update's answer after the fake applied the update.
func run(env *exampleenv.Env, c *capillary.Client) error {
	return runWith(env, c, capillarytest.DropAfterHandling())
}

// syncField is a custom field that marks this run's update, so that reading the customer
// back tells this update from an earlier one. On a real cluster it must be enabled for the org.
const syncField = "sync_id"

// runWith sends the update with fault injected into the embedded fake, and settles the outcome.
func runWith(env *exampleenv.Env, c *capillary.Client, fault capillarytest.Fault) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	token := rand.Text()
	body := &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{
		FirstName: capillary.Ptr("Becky"),
		Fields:    map[string]any{syncField: token},
	}}}
	params := &capillary.UpdateCustomerParams{Source: capillary.SourceInstore}
	if env.Fake != nil {
		env.Fake.InjectFaults(fault) // the update's answer will not come back
	}

	// No retries for this call, so that the lost answer reaches us instead of a replay.
	_, err := c.Customers.Update(ctx, env.UserID, body, params, capillary.WithRetries(0, 0, 0))
	switch {
	case err == nil:
		fmt.Println("The update was applied.")
		return nil
	case !uncertain(err):
		return fmt.Errorf("the update was refused, nothing was applied: %w", err)
	}
	fmt.Printf("The update may have been applied: %v\nReading the customer back...\n\n", err)

	applied, err := hasUpdate(ctx, c, env.UserID, token)
	if err != nil {
		return fmt.Errorf("reading the customer back: %w", err)
	}
	if applied {
		fmt.Println("\nThe customer has this update: it was applied, nothing to send again.")
		return nil
	}
	fmt.Println("\nThe customer does not have this update: sending it again.")
	res, err := c.Customers.Update(ctx, env.UserID, body, params)
	if err != nil {
		return fmt.Errorf("update failed: %w", err)
	}
	exampleenv.PrintResult(res)
	return nil
}

// uncertain reports whether a failed call may have been applied.
func uncertain(err error) bool {
	var reqErr *capillary.RequestError
	var apiErr *capillary.APIError
	return errors.As(err, &reqErr) && reqErr.Uncertain || errors.As(err, &apiErr) && apiErr.Uncertain
}

// hasUpdate reads the customer and reports whether its INSTORE profile carries token.
func hasUpdate(ctx context.Context, c *capillary.Client, userID, token string) (bool, error) {
	cust, err := c.Customers.Get(ctx, userID, &capillary.GetCustomerParams{Source: capillary.SourceInstore})
	if err != nil {
		return false, err
	}
	for _, p := range cust.Profiles {
		if p.Source == capillary.SourceInstore && p.Fields[syncField] == token {
			return true, nil
		}
	}
	return false, nil
}
