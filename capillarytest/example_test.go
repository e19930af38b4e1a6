package capillarytest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/capillarytest"
)

// The vendor's Tom Sawyer update, against the fake: no network, no credentials of your own.
func Example() {
	srv := capillarytest.NewServer()
	defer srv.Close()
	srv.AddCustomer(capillarytest.Customer{ID: "171891944", Profile: capillarytest.Profile{Source: "INSTORE", FirstName: "Tom"}, LoyaltyType: "non_loyalty"})

	client, err := capillary.NewClient(
		capillary.WithBaseURL(srv.URL),
		capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword),
	)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	res, err := client.Customers.Update(context.Background(), "171891944", &capillary.UpdateCustomerRequest{
		Profiles:    []capillary.Profile{{LastName: capillary.Ptr("Sawyer")}},
		LoyaltyInfo: &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty},
		LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{
			{ProgramID: 699, TierNumber: capillary.Ptr(1), LoyaltyPoints: capillary.Ptr(json.Number("75"))},
		},
	}, &capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println("created id:", res.CreatedID)
	fmt.Println("warnings:", res.Warnings)
	for _, se := range res.SideEffects {
		fmt.Printf("side effect: %s %s %.0f\n", se.Type, se.EntityType, se.AwardedPoints)
	}

	stored, _ := srv.Customer("171891944")
	fmt.Println("stored:", stored.FirstName, stored.LastName, stored.LoyaltyType, stored.Enrollments[0].Points)
	fmt.Println("sent:", srv.Requests()[0].Method, srv.Requests()[0].Path, srv.Requests()[0].Header.Get("Authorization"))
	// Output:
	// created id: 171891944
	// warnings: [8107 Default customer status label not set: customer 171891944 became loyalty without a status label]
	// side effect: points USER 75
	// stored: Tom Sawyer loyalty 75
	// sent: PUT /v2/customers/171891944 Basic [redacted]
}

// Faults make the SDK's retries visible: a 429, a 503, then the real answer.
func ExampleServer_InjectFaults() {
	srv := capillarytest.NewServer(capillarytest.WithCustomers(capillarytest.Customer{ID: "171891944"}))
	defer srv.Close()
	srv.InjectFaults(capillarytest.RateLimited(1), capillarytest.Unavailable())

	client, _ := capillary.NewClient(
		capillary.WithBaseURL(srv.URL),
		capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword),
		capillary.WithRetries(3, time.Millisecond, 5*time.Millisecond),
	)
	res, err := client.Customers.Update(context.Background(), "171891944",
		&capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr("Tom")}}},
		&capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
	fmt.Println(res.Attempts, err)
	for _, r := range srv.Requests() {
		fmt.Println(r.Status)
	}

	_, err = client.Customers.Update(context.Background(), "1",
		&capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr("Nobody")}}},
		&capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
	fmt.Println(errors.Is(err, capillary.ErrCustomerNotFound))
	// Output:
	// 3 <nil>
	// 429
	// 503
	// 200
	// true
}

// A ManualClock expires OAuth tokens without sleeping.
func ExampleManualClock() {
	clock := capillarytest.NewManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := capillarytest.NewServer(capillarytest.WithClock(clock.Now), capillarytest.WithTokenTTL(time.Minute))
	defer srv.Close()
	// ... generate a token with POST /v3/oauth/token/generate and use it ...
	clock.Advance(time.Minute) // every token issued before now has expired
	fmt.Println(srv.TokenGenerations())
	// Output: 0
}
