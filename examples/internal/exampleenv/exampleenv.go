// Package exampleenv sets up the examples: against the embedded fake by default, or against a
// real cluster when the environment names one. It also prints what goes over the wire.
package exampleenv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/capillarytest"
)

// DefaultUserID is the customer the vendor's example updates, seeded into the fake.
const DefaultUserID = "171891944"

// Env is where an example sends its calls.
type Env struct {
	// Options reach the fake or the real cluster, with credentials and a printing transport.
	Options []capillary.ClientOption
	// UserID is the customer to update.
	UserID string
	// Fake is the embedded fake, or nil against a real cluster.
	Fake *capillarytest.Server
}

// Close stops the fake, if any.
func (e *Env) Close() {
	if e.Fake != nil {
		e.Fake.Close()
	}
}

// Setup reads CAPILLARY_BASE_URL or CAPILLARY_REGION, CAPILLARY_TILL and CAPILLARY_PASSWORD or
// CAPILLARY_OAUTH_KEY and CAPILLARY_OAUTH_SECRET, and CAPILLARY_USER_ID. Without a base URL or
// region it starts the embedded fake, seeded with the vendor's example customer. preferOAuth
// makes the fake case use OAuth instead of Basic auth.
func Setup(preferOAuth bool) (*Env, error) {
	env := &Env{UserID: os.Getenv("CAPILLARY_USER_ID")}
	printing := capillary.WithHTTPClient(&http.Client{Transport: printingTransport{next: http.DefaultTransport}})

	baseURL, region := os.Getenv("CAPILLARY_BASE_URL"), os.Getenv("CAPILLARY_REGION")
	if baseURL == "" && region == "" {
		env.Fake = capillarytest.NewServer()
		env.Fake.AddCustomer(capillarytest.Customer{ID: DefaultUserID, Profile: capillarytest.Profile{Source: string(capillary.SourceInstore)}, LoyaltyType: string(capillary.LoyaltyTypeNonLoyalty)})
		if env.UserID == "" {
			env.UserID = DefaultUserID
		}
		auth := capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword)
		if preferOAuth {
			auth = capillary.WithOAuth(capillarytest.DefaultOAuthKey, capillarytest.DefaultOAuthSecret)
		}
		fmt.Printf("Using the embedded fake Capillary at %s (set CAPILLARY_BASE_URL or CAPILLARY_REGION for a real cluster)\n\n", env.Fake.URL)
		env.Options = []capillary.ClientOption{capillary.WithBaseURL(env.Fake.URL), auth, printing}
		return env, nil
	}

	opts, err := capillary.OptionsFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	if env.UserID == "" {
		env.UserID = DefaultUserID
	}
	env.Options = append(opts, printing)
	return env, nil
}

// Main runs an example's body and exits with its error, if any.
func Main(preferOAuth bool, body func(*Env, *capillary.Client) error) {
	if err := Run(preferOAuth, body); err != nil {
		log.SetFlags(0)
		log.Fatal(err)
	}
}

// Run sets up the environment (see Setup), makes a Client for it and runs body.
func Run(preferOAuth bool, body func(*Env, *capillary.Client) error) error {
	env, err := Setup(preferOAuth)
	if err != nil {
		return err
	}
	defer env.Close()
	c, err := capillary.NewClient(env.Options...)
	if err != nil {
		return err
	}
	return body(env, c)
}

// printingTransport prints each request and answer as they cross the wire, with credentials
// masked.
type printingTransport struct{ next http.RoundTripper }

func (p printingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// Each request is printed in one write, so concurrent calls do not interleave their lines.
	var out strings.Builder
	fmt.Fprintf(&out, "> %s %s\n", req.Method, req.URL)
	for _, name := range []string{"Authorization", "X-Cap-Api-Oauth-Token", "Content-Type", "User-Agent",
		"User-Context-Entity-Type", "User-Context-Entity-Id", "User-Context-Entity-Source"} {
		if v := req.Header.Get(name); v != "" {
			fmt.Fprintf(&out, "> %s: %s\n", name, mask(name, v))
		}
	}
	if req.Body != nil && !strings.HasSuffix(req.URL.Path, "/oauth/token/generate") {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		var pretty bytes.Buffer
		if json.Indent(&pretty, body, "> ", "  ") == nil {
			body = pretty.Bytes()
		}
		fmt.Fprintf(&out, "> %s\n", body)
	}
	fmt.Print(out.String())
	resp, err := p.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	fmt.Printf("< %s %s: %s (X-Cap-Requestid: %s)\n\n", req.Method, req.URL.Path, resp.Status, resp.Header.Get("X-Cap-Requestid"))
	return resp, nil
}

// mask hides a credential header's value, keeping the scheme of an Authorization header.
func mask(name, value string) string {
	switch name {
	case "Authorization":
		scheme, _, _ := strings.Cut(value, " ")
		return scheme + " ****"
	case "X-Cap-Api-Oauth-Token":
		return "****"
	}
	return value
}

// PrintResult prints what a person wants to see of an update's answer.
func PrintResult(res *capillary.UpdateCustomerResponse) {
	fmt.Printf("Updated customer %s (HTTP %d, request id %s, %d attempt(s))\n", res.CreatedID, res.StatusCode, res.RequestID, res.Attempts)
	if len(res.Warnings) == 0 {
		fmt.Println("Warnings: none")
	}
	for _, w := range res.Warnings {
		fmt.Printf("Warning: %d %s\n", w.Code, w.Message)
	}
	if len(res.SideEffects) == 0 {
		fmt.Println("Side effects: none")
	}
	for _, se := range res.SideEffects {
		switch se.Type {
		case capillary.SideEffectPoints:
			fmt.Printf("Side effect: %v points awarded to %s (raw %v)\n", se.AwardedPoints, se.EntityType, se.RawAwardedPoints)
		case capillary.SideEffectAlternateCurrency:
			fmt.Printf("Side effect: %v %s awarded\n", se.AwardedValue, se.AlternateCurrencyName)
		case capillary.SideEffectCoupon:
			fmt.Printf("Side effect: coupon %s issued, valid till %s\n", se.CouponCode, se.ValidTill)
		default:
			fmt.Printf("Side effect: %s %+v\n", se.Type, se)
		}
	}
}
