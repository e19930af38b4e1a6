package exampleenv

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/capillary-go/capillary"
)

// UpdateEnrolling sends an update that enrols the customer into loyalty programs, so that the
// example can be run any number of times against one server. An enrolment is applied once per
// customer and program: on a second run against a standalone fake or a real cluster, the server
// refuses the whole update ("already enrolled"). UpdateEnrolling then says so and sends the rest
// of the update again, without the enrolments.
func UpdateEnrolling(ctx context.Context, c *capillary.Client, userID string, body *capillary.UpdateCustomerRequest,
	params *capillary.UpdateCustomerParams, opts ...capillary.Option) (*capillary.UpdateCustomerResponse, error) {
	res, err := c.Customers.Update(ctx, userID, body, params, opts...)
	if len(body.LoyaltyProgramEnrollments) == 0 || !refusedEnrolment(err) {
		return res, err
	}
	fmt.Printf("The server refused the enrolment, as it does when this example has run before against it:\n  %v\n", err)
	rest := *body
	rest.LoyaltyProgramEnrollments = nil
	if rest.Profiles == nil && rest.LoyaltyInfo == nil && rest.ExtendedFields == nil {
		return res, err // nothing else to send
	}
	fmt.Printf("Sending the rest of the update again, without loyaltyProgramEnrollments.\n\n")
	return c.Customers.Update(ctx, userID, &rest, params, opts...)
}

// refusedEnrolment reports whether the server refused an update because of its enrolments: a
// refusal (not an update that may have been applied) whose message is about enrolling. The
// vendor documents the refusal but not its code, so the message is what tells.
func refusedEnrolment(err error) bool {
	var apiErr *capillary.APIError
	if !errors.As(err, &apiErr) || apiErr.Uncertain {
		return false
	}
	for _, m := range apiErr.Errors {
		if strings.Contains(strings.ToLower(m.Message), "enrol") {
			return true
		}
	}
	return false
}
