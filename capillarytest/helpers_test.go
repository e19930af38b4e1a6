package capillarytest_test

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/capillarytest"
)

// tomID is the user id of the vendor's sample customer.
const tomID = "171891944"

// tomSawyer is the vendor's sample customer as a non-loyalty INSTORE customer.
func tomSawyer() capillarytest.Customer {
	return capillarytest.Customer{
		ID: tomID,
		Profile: capillarytest.Profile{
			Source:    "INSTORE",
			FirstName: "Tom",
			LastName:  "Sawyer",
			CommChannels: []capillarytest.CommChannel{
				{Type: "mobile", Value: "9999000000", Primary: true, Verified: true},
				{Type: "email", Value: "tomsawyer@gmail.com", Primary: true, Verified: true},
			},
		},
		LoyaltyType: "non_loyalty",
	}
}

// tomSawyerBody is the body of the vendor's example request, verbatim.
const tomSawyerBody = `{
    "profiles": [
        {
            "firstName": "Tom",
            "lastName": "Sawyer",
            "fields": {
                "gender": "Male",
                "city": "Bangalore"
            },
            "commChannels": [
            {
                "type": "mobile",
                "value": "9999000000",
                "primary": "true",
                "verified": "true",
                "meta": {
            "residence": "true"
          }
        },
        {
          "type": "email",
          "value": "tomsawyer@gmail.com",
          "primary": "true",
          "verified": "true",
          "meta": {
            "residence": "true"
          }
        }
      ]
        }
    ],

    "loyaltyInfo": {
        "loyaltyType": "loyalty"
    },
    "extendedFields": {
        "gender": "MALE",
        "city": "Bangalore"
    },
    "loyaltyProgramEnrollments": [
    {
      "programId": 699,
      "tierNumber": 1,
      "loyaltyPoints": 0,
      "tierExpiryDate": "2024-07-11T16:36:17+05:30",
      "pointsExpiryDate": "2024-07-11T16:36:17+05:30"
    }
  ]
}`

// md5hex is the lower-case MD5 hex digest the vendor wants instead of a password.
func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// basicAuth is the vendor's Basic header value, computed independently of the fake.
func basicAuth(till, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(till+":"+md5hex(password)))
}

// defaultAuth is the header value for the default till.
func defaultAuth() string { return basicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword) }

// reply is an answer read whole.
type reply struct {
	status int
	header http.Header
	body   string
}

// send makes a request with the given headers (a nil map sends JSON with the default till).
func send(t *testing.T, method, url, body string, header map[string]string) reply {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, r)
	require.NoError(t, err)
	if header == nil {
		header = map[string]string{"Content-Type": "application/json", "Authorization": defaultAuth()}
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// update sends PUT /v2/customers/{id}?query with the default till.
func update(t *testing.T, srv *capillarytest.Server, id, query, body string) reply {
	t.Helper()
	return send(t, http.MethodPut, srv.URL+"/v2/customers/"+id+"?"+query, body, nil)
}

// vendorMessage is one entry of an envelope, as a test reads it.
type vendorMessage struct {
	Status  bool   `json:"status"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// envelope decodes the vendor's error or success envelope.
type envelope struct {
	CreatedID   json.Number      `json:"createdId"`
	Warnings    []vendorMessage  `json:"warnings"`
	Errors      []vendorMessage  `json:"errors"`
	SideEffects []map[string]any `json:"sideEffects"`
}

func decode(t *testing.T, body string) envelope {
	t.Helper()
	var e envelope
	require.NoError(t, json.Unmarshal([]byte(body), &e), "body: %s", body)
	return e
}

// codes lists the codes of messages.
func codes(msgs []vendorMessage) []int {
	out := make([]int, len(msgs))
	for i, m := range msgs {
		out[i] = m.Code
	}
	return out
}
