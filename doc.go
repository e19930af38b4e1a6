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
//
// A Client is safe for concurrent use. Calls validate their arguments before any I/O
// (*ValidationError), retry what is safe to retry with backoff that honours Retry-After, and
// return *APIError for the server's answers, matched by errors.Is against sentinels such as
// ErrCustomerNotFound (code 8015). An error whose Uncertain field is true may hide an update that
// was applied: read the customer back before acting on it.
//
// Package [github.com/capillary-go/capillary/capillarytest] is a fake of the vendor's API on
// loopback, like net/http/httptest: give its URL to WithBaseURL to test code that uses this
// package, inject faults and read back what it received.
package capillary
