// Package capillary is a typed client for Capillary's loyalty and CRM API (v2), starting with
// the customer update, PUT /v2/customers/{userId}:
//
//	c, err := capillary.NewClient(
//		capillary.WithRegion(capillary.RegionEU),
//		capillary.WithBasicAuth("till-id", "till-password"),
//	)
//	if err != nil {
//		return err // a bad option: errors.Is(err, capillary.ErrInvalidConfig)
//	}
//	res, err := c.Customers.Update(ctx, "171891944",
//		&capillary.UpdateCustomerRequest{LoyaltyInfo: &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty}},
//		&capillary.UpdateCustomerParams{Source: capillary.SourceInstore})
//	switch {
//	case errors.Is(err, capillary.ErrCustomerNotFound): // the vendor's code 8015
//	case err != nil: // *ValidationError (nothing sent), *APIError or *RequestError
//	default:
//		fmt.Println("updated customer", res.CreatedID)
//	}
//
// A Client is made once with NewClient and is safe for concurrent use. Calls validate their
// arguments before any I/O, send the vendor's exact wire format, retry what is safe to retry
// (transport errors, 429, 502, 503, 504, 521) with backoff that honours Retry-After, and
// return typed errors: *ValidationError before sending, *APIError for the server's answers,
// matched by errors.Is against sentinels such as ErrCustomerNotFound (code 8015). An error
// whose Uncertain field is true may hide an update that was applied: read the customer back
// before acting on it.
//
// # Testing
//
// Package [github.com/capillary-go/capillary/capillarytest] is a stateful fake of the vendor's
// API, served on loopback like net/http/httptest: give its URL to WithBaseURL to test code that
// uses this package with no network and no credentials, inject faults (429, 521, dropped
// connections) and read back what it received. The command cmd/capillary-fake serves the same
// fake standalone. Code that only needs to stub the calls can put its own CustomersAPI in
// Client.Customers.
package capillary
