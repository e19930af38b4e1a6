// Command explicit-zero shows optional fields carrying explicit zero values (0 points, an empty
// last name, use_async=false) and the audit (user context) headers on one call.
package main

import (
	"context"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/examples/internal/exampleenv"
)

func main() { exampleenv.Main(false, run) }

func run(env *exampleenv.Env, c *capillary.Client) error {

	body := &capillary.UpdateCustomerRequest{
		Profiles: []capillary.Profile{{
			FirstName: capillary.Ptr("Tom"),
			LastName:  capillary.Ptr(""), // sent as "lastName": ""; nil would leave it out
		}},
		LoyaltyInfo: &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty},
		LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{
			ProgramID:     699,
			TierNumber:    capillary.Ptr(1),
			LoyaltyPoints: capillary.Ptr(int64(0)), // sent as "loyaltyPoints": 0
		}},
	}
	params := &capillary.UpdateCustomerParams{
		Source:   capillary.SourceInstore,
		UseAsync: capillary.Ptr(false), // sent as use_async=false: wait for the side effects
	}
	// Enrolling twice is refused: UpdateEnrolling sends the rest alone on a second run.
	res, err := exampleenv.UpdateEnrolling(context.Background(), c, env.UserID, body, params,
		// Per-call option: who made this change, for the customer's audit log.
		capillary.WithUserContext(capillary.UserContext{
			EntityType:   "ADMIN_USER",
			EntityID:     "42",
			EntitySource: "API",
		}),
	)
	if err != nil {
		return err
	}
	exampleenv.PrintResult(res)
	return nil
}
