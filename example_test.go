package capillary_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/capillary-go/capillary"
)

// vendorStandIn answers like the vendor: 8015 for any customer but 171891944, and the success
// envelope otherwise. It prints the query and the body it received.
func vendorStandIn() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("server got: %s %s?%s\n", r.Method, r.URL.EscapedPath(), r.URL.RawQuery)
		fmt.Printf("server got body: %s\n", body)
		w.Header().Set("X-Cap-Requestid", "d0c5-example")
		if r.URL.Path != "/v2/customers/171891944" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"warnings":[],"errors":[{"status":false,"code":8015,"message":"Customer not found for the given identifiers"}]}`)
			return
		}
		_, _ = io.WriteString(w, `{"createdId":171891944,"warnings":[],"sideEffects":[{"entityType":"USER","rawAwardedPoints":0.000,"awardedPoints":0,"type":"points"}]}`)
	}))
}

func newExampleClient(baseURL string) *capillary.Client {
	c, err := capillary.NewClient(
		capillary.WithBaseURL(baseURL), // capillary.WithRegion(capillary.RegionEU) in production
		capillary.WithBasicAuth("till-id", "till-password"),
		capillary.WithRetries(3, 200*time.Millisecond, 5*time.Second),
	)
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// The vendor's own example: Tom Sawyer's profile, channels, loyalty status, extended fields and
// an enrolment, decoded from the vendor's JSON and sent as the same JSON.
func Example() {
	srv := vendorStandIn()
	defer srv.Close()
	c := newExampleClient(srv.URL)

	var body capillary.UpdateCustomerRequest
	if err := json.Unmarshal([]byte(`{
	  "profiles": [{
	    "firstName": "Tom", "lastName": "Sawyer",
	    "fields": {"gender": "Male", "city": "Bangalore"},
	    "commChannels": [
	      {"type": "mobile", "value": "9999000000", "primary": "true", "verified": "true", "meta": {"residence": "true"}},
	      {"type": "email", "value": "tomsawyer@gmail.com", "primary": "true", "verified": "true", "meta": {"residence": "true"}}
	    ]
	  }],
	  "loyaltyInfo": {"loyaltyType": "loyalty"},
	  "extendedFields": {"gender": "MALE", "city": "Bangalore"},
	  "loyaltyProgramEnrollments": [{"programId": 699, "tierNumber": 1, "loyaltyPoints": 0,
	    "tierExpiryDate": "2024-07-11T16:36:17+05:30", "pointsExpiryDate": "2024-07-11T16:36:17+05:30"}]
	}`), &body); err != nil {
		log.Fatal(err)
	}

	res, err := c.Customers.Update(context.Background(), "171891944", &body,
		&capillary.UpdateCustomerParams{Source: capillary.SourceInstore, UseAsync: capillary.Ptr(false)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created id:", res.CreatedID, "status:", res.StatusCode, "request id:", res.RequestID)
	for _, se := range res.SideEffects {
		fmt.Printf("side effect: %s %v\n", se.Type, se.AwardedPoints)
	}
	// Output:
	// server got: PUT /v2/customers/171891944?source=INSTORE&use_async=false
	// server got body: {"profiles":[{"firstName":"Tom","lastName":"Sawyer","fields":{"city":"Bangalore","gender":"Male"},"commChannels":[{"type":"mobile","value":"9999000000","primary":"true","verified":"true","meta":{"residence":"true"}},{"type":"email","value":"tomsawyer@gmail.com","primary":"true","verified":"true","meta":{"residence":"true"}}]}],"loyaltyInfo":{"loyaltyType":"loyalty"},"extendedFields":{"city":"Bangalore","gender":"MALE"},"loyaltyProgramEnrollments":[{"programId":699,"tierNumber":1,"loyaltyPoints":0,"tierExpiryDate":"2024-07-11T16:36:17+05:30","pointsExpiryDate":"2024-07-11T16:36:17+05:30"}]}
	// created id: 171891944 status: 200 request id: d0c5-example
	// side effect: points 0
}

// Optional fields are pointers: nil leaves a field out, capillary.Ptr sends it even when it
// is zero. Here the enrolment credits exactly 0 points and the call waits for side effects.
func ExampleCustomersAPI_Update_explicitZero() {
	srv := vendorStandIn()
	defer srv.Close()
	c := newExampleClient(srv.URL)

	_, err := c.Customers.Update(context.Background(), "171891944",
		&capillary.UpdateCustomerRequest{
			LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{
				ProgramID:      699,
				TierNumber:     capillary.Ptr(1),
				LoyaltyPoints:  capillary.Ptr(json.Number("0")), // sent as "loyaltyPoints": 0
				TierExpiryDate: capillary.NewDateTime(time.Date(2027, 7, 11, 16, 36, 17, 0, time.FixedZone("IST", 5*3600+1800))),
			}},
		},
		&capillary.UpdateCustomerParams{Source: capillary.SourceInstore, UseAsync: capillary.Ptr(false)},
		capillary.WithUserContext(capillary.UserContext{EntityType: "ADMIN_USER", EntityID: "42", EntitySource: "API"}),
	)
	fmt.Println("error:", err)
	// Output:
	// server got: PUT /v2/customers/171891944?source=INSTORE&use_async=false
	// server got body: {"loyaltyProgramEnrollments":[{"programId":699,"tierNumber":1,"loyaltyPoints":0,"tierExpiryDate":"2027-07-11T16:36:17+05:30"}]}
	// error: <nil>
}

// Vendor codes map to sentinels for errors.Is; *APIError carries the status, every code and
// message, and the request id for the vendor's support.
func ExampleAPIError() {
	srv := vendorStandIn()
	defer srv.Close()
	c := newExampleClient(srv.URL)

	_, err := c.Customers.Update(context.Background(), "404404",
		&capillary.UpdateCustomerRequest{LoyaltyInfo: &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty}},
		&capillary.UpdateCustomerParams{Source: capillary.SourceInstore})

	fmt.Println(errors.Is(err, capillary.ErrCustomerNotFound))
	var apiErr *capillary.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Errors[0].Code, apiErr.RequestID)
	}
	fmt.Println(err)
	// Output:
	// server got: PUT /v2/customers/404404?source=INSTORE
	// server got body: {"loyaltyInfo":{"loyaltyType":"loyalty"}}
	// true
	// 400 8015 d0c5-example
	// capillary: PUT /v2/customers/404404: 400 Bad Request: 8015 Customer not found for the given identifiers (request id d0c5-example)
}

// Arguments are checked before anything is sent, and every problem is reported at once.
func ExampleValidationError() {
	c, err := capillary.NewClient(capillary.WithRegion(capillary.RegionEU), capillary.WithBasicAuth("till-id", "till-password"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Customers.Update(context.Background(), "171891944",
		&capillary.UpdateCustomerRequest{
			LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: 699, TierNumber: capillary.Ptr(0), LoyaltyPoints: capillary.Ptr(json.Number("-5"))}},
		},
		&capillary.UpdateCustomerParams{Source: "POS"})

	var ve *capillary.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fmt.Println(p)
		}
	}
	// Output:
	// params.source: "POS" is not a source the update accepts (FACEBOOK, WEB_ENGAGE, WECHAT, INSTORE, MARTJACK, TMALL, TAOBAO, JD, ECOMMERCE, WEBSITE, LINE, MOBILE_APP)
	// loyaltyProgramEnrollments[0].tierNumber: must be at least 1, got 0
	// loyaltyProgramEnrollments[0].loyaltyPoints: must not be negative, got -5
}

// AdviseRetry tells a caller that sends each attempt itself what the SDK's own retries would do.
func ExampleClient_AdviseRetry() {
	c, err := capillary.NewClient(capillary.WithRegion(capillary.RegionEU), capillary.WithBasicAuth("till", "password"),
		capillary.WithRetries(3, time.Second, 10*time.Second))
	if err != nil {
		panic(err)
	}
	rateLimited := &capillary.APIError{StatusCode: 429, RetryAfter: 5 * time.Second}
	fmt.Printf("%+v\n", c.AdviseRetry(rateLimited, 1))
	fmt.Printf("%+v\n", c.AdviseRetry(&capillary.APIError{StatusCode: 400}, 1)) // a refusal: not again
	mayBeApplied := &capillary.APIError{StatusCode: 502, Uncertain: true}
	fmt.Println(c.AdviseRetry(mayBeApplied, 1).Retry) // read the customer back instead
	// Output:
	// {Retry:true Wait:5s RateLimited:true}
	// {Retry:false Wait:0s RateLimited:false}
	// false
}
