// Command errors shows how the SDK reports what goes wrong: a *ValidationError before anything
// is sent, and the vendor's codes as *APIError values matched with errors.Is and errors.As.
package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/examples/internal/exampleenv"
)

func main() { exampleenv.Main(false, run) }

func run(env *exampleenv.Env, c *capillary.Client) error {
	ctx := context.Background()
	params := &capillary.UpdateCustomerParams{Source: capillary.SourceInstore}

	fmt.Println("1. Bad input is refused before anything is sent, every problem at once:")
	_, err := c.Customers.Update(ctx, "..", &capillary.UpdateCustomerRequest{
		LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: 699, TierNumber: capillary.Ptr(0)}},
	}, &capillary.UpdateCustomerParams{Source: "POS"})
	var ve *capillary.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fmt.Printf("   - %s: %s\n", p.Field, p.Problem)
		}
	}

	fmt.Println("\n2. A customer the server does not know (vendor code 8015):")
	_, err = c.Customers.Update(ctx, "1", &capillary.UpdateCustomerRequest{
		Profiles: []capillary.Profile{{FirstName: capillary.Ptr("Nobody")}},
	}, params)
	report(err)

	fmt.Println("\n3. A loyalty customer cannot be made non-loyalty (vendor code 8018):")
	if _, err := c.Customers.Update(ctx, env.UserID, &capillary.UpdateCustomerRequest{
		LoyaltyInfo: &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty},
	}, params); err != nil {
		return err
	}
	_, err = c.Customers.Update(ctx, env.UserID, &capillary.UpdateCustomerRequest{
		LoyaltyInfo: &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeNonLoyalty},
	}, params)
	report(err)
	return nil
}

func report(err error) {
	switch {
	case err == nil:
		fmt.Println("   no error")
		return
	case errors.Is(err, capillary.ErrCustomerNotFound):
		fmt.Println("   errors.Is(err, capillary.ErrCustomerNotFound) is true")
	case errors.Is(err, capillary.ErrLoyaltyDowngrade):
		fmt.Println("   errors.Is(err, capillary.ErrLoyaltyDowngrade) is true")
	}
	var apiErr *capillary.APIError
	if errors.As(err, &apiErr) {
		fmt.Printf("   status %d, request id %q, codes:", apiErr.StatusCode, apiErr.RequestID)
		for _, m := range apiErr.Errors {
			fmt.Printf(" [%d %s]", m.Code, m.Message)
		}
		fmt.Println()
	}
	fmt.Println("   error text:", err)
}
