// Command update-customer sends the vendor's own example update (Tom Sawyer) and prints the
// request and the result: optional fields with explicit zero values, and the audit (user
// context) headers of a per-call option. It runs against the embedded fake unless
// CAPILLARY_BASE_URL or CAPILLARY_REGION and credentials are set.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/examples/internal/exampleenv"
)

func main() { exampleenv.Main(false, run) }

func run(env *exampleenv.Env, c *capillary.Client) error {
	ist := time.FixedZone("IST", 5*3600+1800)
	expiry := capillary.NewDateTime(time.Date(2024, 7, 11, 16, 36, 17, 0, ist))
	residence := map[string]any{"residence": "true"}
	body := &capillary.UpdateCustomerRequest{
		Profiles: []capillary.Profile{{
			FirstName: capillary.Ptr("Tom"),
			LastName:  capillary.Ptr("Sawyer"),
			Fields:    map[string]any{"gender": "Male", "city": "Bangalore"},
			CommChannels: []capillary.CommChannel{
				{Type: capillary.ChannelMobile, Value: "9999000000", Primary: capillary.Ptr(true), Verified: capillary.Ptr(true), Meta: residence},
				{Type: capillary.ChannelEmail, Value: "tomsawyer@gmail.com", Primary: capillary.Ptr(true), Verified: capillary.Ptr(true), Meta: residence},
			},
		}},
		LoyaltyInfo:    &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty},
		ExtendedFields: map[string]any{"gender": "MALE", "city": "Bangalore"},
		LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{
			ProgramID:        699,
			TierNumber:       capillary.Ptr(1),
			LoyaltyPoints:    capillary.Ptr(json.Number("0")), // sent as "loyaltyPoints": 0 (12.5 too); nil would leave it out
			TierExpiryDate:   expiry,
			PointsExpiryDate: expiry,
		}},
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Enrolling twice is refused: UpdateEnrolling sends the rest alone on a second run.
	res, err := exampleenv.UpdateEnrolling(ctx, c, env.UserID, body,
		&capillary.UpdateCustomerParams{
			Source:   capillary.SourceInstore,
			UseAsync: capillary.Ptr(false), // sent as use_async=false: wait for the side effects
		},
		// Per-call option: who made this change, for the customer's audit log.
		capillary.WithUserContext(capillary.UserContext{EntityType: "ADMIN_USER", EntityID: "42", EntitySource: "API"}),
	)
	if err != nil {
		return fmt.Errorf("update failed: %w", err)
	}
	exampleenv.PrintResult(res)
	return nil
}
