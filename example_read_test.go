package capillary_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/capillary-go/capillary"
)

// readStandIn answers reads like the vendor: customer 17742, or 8015.
func readStandIn() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Printf("server got: %s %s?%s\n", r.Method, r.URL.Path, r.URL.RawQuery)
		if r.URL.Path == "/v2/customers/17742" || r.URL.Query().Get("identifierValue") == "919999000001" {
			_, _ = io.WriteString(w, `{"id":17742,"profiles":[{"firstName":"Tom","lastName":"Sawyer","source":"INSTORE",
			  "identifiers":[{"type":"mobile","value":919999000001},{"type":"cardNumber","value":"TTM001","seriesId":19}],
			  "autoUpdateTime":"2021-11-23"}],
			  "loyaltyInfo":{"loyaltyType":"loyalty","lifetimePurchases":"230.0"},
			  "pointsSummary":{"loyaltyPoints":120.0,"currentSlab":"Gold","slabSNo":2,"slabExpiryDate":"2121-02-18T23:59:59+05:30"},
			  "fraudDetails":{"status":"NOT_FRAUD"},"loyaltyBadge":{"level":2},"warnings":[]}`)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"errors":[{"status":false,"code":8015,"message":"Customer not found for the given identifiers"}]}`)
	}))
}

// Read a customer by user id with its points, and look one up by mobile number.
func ExampleCustomersAPI_Get() {
	srv := readStandIn()
	defer srv.Close()
	c := newExampleClient(srv.URL)
	ctx := context.Background()

	cust, err := c.Customers.Get(ctx, "17742", &capillary.GetCustomerParams{
		Source: capillary.SourceInstore, Embed: []capillary.Embed{capillary.EmbedPoints, capillary.EmbedMLP},
		IncludedFraudDetails: capillary.Ptr(true)})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := cust.Profiles[0]
	fmt.Println(cust.ID, capillary.Deref(p.FirstName), capillary.Deref(p.LastName), p.Identifiers[0].Value, p.Identifiers[1].Type, p.AutoUpdateTime.Format("2006-01-02"))
	fmt.Println(cust.LoyaltyInfo.LifetimePurchases, cust.PointsSummary.LoyaltyPoints, cust.PointsSummary.CurrentSlab)
	fmt.Println(cust.FraudDetails.Status, "and, not modelled:", string(cust.Unknown["loyaltyBadge"]))

	_, err = c.Customers.Lookup(ctx, []capillary.Identifier{{Type: capillary.IdentifierMobile, Value: "919999999999"}},
		&capillary.GetCustomerParams{Source: capillary.SourceInstore})
	fmt.Println(errors.Is(err, capillary.ErrCustomerNotFound))
	// Output:
	// server got: GET /v2/customers/17742?embed=points%2Cmlp&includedFraudDetails=true&source=INSTORE
	// 17742 Tom Sawyer 919999000001 cardnumber 2021-11-23
	// 230 120 Gold
	// NOT_FRAUD and, not modelled: {"level":2}
	// server got: GET /v2/customers/lookup/customerDetails?identifierName=mobile&identifierValue=919999999999&source=INSTORE
	// true
}
