package capillary_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/capillary-go/capillary"
)

// addStandIn answers like the vendor, knowing one customer, 171891944, by mobile 919988221100:
// look-ups find it, an add creates customer 556844761, an update by id succeeds. It prints
// each call it receives.
func addStandIn() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(strings.TrimSpace(fmt.Sprintf("server got: %s %s?%s %s", r.Method, r.URL.EscapedPath(), r.URL.RawQuery, body)))
		switch {
		case r.URL.Path == "/v2/customers/lookup/customerDetails" && r.URL.Query().Get("identifierValue") == "919988221100":
			_, _ = io.WriteString(w, `{"id":171891944,"profiles":[],"warnings":[]}`)
		case r.URL.Path == "/v2/customers/lookup/customerDetails":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"warnings":[],"errors":[{"status":false,"code":8015,"message":"Customer not found for the given identifiers"}]}`)
		case r.Method == http.MethodPost:
			_, _ = io.WriteString(w, `{"createdId":556844761,"warnings":[{"status":false,"code":8107,"message":"Default customer status label not set"}],"sideEffects":[]}`)
		default:
			_, _ = io.WriteString(w, `{"createdId":171891944,"warnings":[],"sideEffects":[]}`)
		}
	}))
}

// Create registers a customer; the vendor's own sample, decoded from its JSON, is sent whole.
func ExampleCustomersAPI_Create() {
	srv := addStandIn()
	defer srv.Close()
	c := newExampleClient(srv.URL)

	var body capillary.CreateCustomerRequest
	if err := json.Unmarshal([]byte(`{"profiles": [{"identifiers": [{"type": "externalId", "value": "879577211225"}],
	  "fields": {}, "source": "INSTORE"}], "referralCode": ""}`), &body); err != nil {
		log.Fatal(err)
	}
	res, err := c.Customers.Create(context.Background(), &body, &capillary.CreateCustomerParams{Source: capillary.SourceInstore})
	if err != nil {
		log.Fatal(err) // errors.Is(err, capillary.ErrCustomerExists) for 8006
	}
	fmt.Println("created:", res.CreatedID, "warnings:", res.Warnings)
	// Output:
	// server got: POST /v2/customers?source=INSTORE {"profiles":[{"fields":{},"identifiers":[{"type":"externalId","value":"879577211225"}],"source":"INSTORE"}],"referralCode":""}
	// created: 556844761 warnings: [8107 Default customer status label not set]
}

// Upsert updates the customer its identifiers name, and creates the one they do not.
func ExampleCustomersAPI_Upsert() {
	srv := addStandIn()
	defer srv.Close()
	c := newExampleClient(srv.URL)
	params := &capillary.CreateCustomerParams{Source: capillary.SourceInstore}

	for _, mobile := range []string{"919988221100", "919988221101"} {
		body := &capillary.CreateCustomerRequest{Profiles: []capillary.Profile{{
			FirstName:   capillary.Ptr("Tom"),
			Identifiers: []capillary.Identifier{{Type: capillary.IdentifierMobile, Value: mobile}},
			Source:      capillary.SourceInstore,
		}}}
		res, err := c.Customers.Upsert(context.Background(), body, params)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("created:", res.Created, "customer:", res.CustomerID)
	}
	// Output:
	// server got: GET /v2/customers/lookup/customerDetails?identifierName=mobile&identifierValue=919988221100&source=INSTORE
	// server got: PUT /v2/customers/171891944?source=INSTORE {"profiles":[{"firstName":"Tom","identifiers":[{"type":"mobile","value":"919988221100"}],"source":"INSTORE"}]}
	// created: false customer: 171891944
	// server got: GET /v2/customers/lookup/customerDetails?identifierName=mobile&identifierValue=919988221101&source=INSTORE
	// server got: POST /v2/customers?source=INSTORE {"profiles":[{"firstName":"Tom","identifiers":[{"type":"mobile","value":"919988221101"}],"source":"INSTORE"}]}
	// created: true customer: 556844761
}
