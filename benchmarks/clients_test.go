package benchmarks

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/capillary-go/capillary"
	"github.com/go-resty/resty/v2"
)

// The vendor's documented success body for the update (shared/spec/capillary-api.md) and the
// request id the fake server stamps on every answer.
const (
	successBody = `{"createdId": 162116213, "warnings": [], "sideEffects": [{"awardedPoints": 25, "type": "points"}]}`
	requestID   = "bench-0f3c9a"
	userID      = "171891944" // the vendor's example customer
	till        = "bench.till"
	password    = "bench-password"
)

// userAgent is the SDK's default User-Agent; the floor and resty send it too, so that all three
// put the same bytes on the wire.
var userAgent = "capillary-go/" + capillary.Version + " (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"

// basicAuthorization is the vendor's Basic header, computed once, as the SDK does at NewClient.
func basicAuthorization() string {
	sum := md5.Sum([]byte(password))
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(till+":"+hex.EncodeToString(sum[:])))
}

// exampleRequest is the vendor's example request from the spec page: customer 171891944 on
// INSTORE with use_async=false, one profile with two channels, loyalty info, extended fields and
// one program enrolment.
func exampleRequest() (*capillary.UpdateCustomerRequest, *capillary.UpdateCustomerParams) {
	expiry := time.Date(2024, 7, 11, 16, 36, 17, 0, time.FixedZone("IST", 5*3600+30*60))
	body := &capillary.UpdateCustomerRequest{
		Profiles: []capillary.Profile{{
			FirstName: capillary.Ptr("Tom"),
			LastName:  capillary.Ptr("Sawyer"),
			Fields:    map[string]any{"gender": "Male", "city": "Bangalore"},
			CommChannels: []capillary.CommChannel{
				{
					Type: capillary.ChannelMobile, Value: "9999000000",
					Primary: capillary.Ptr(true), Verified: capillary.Ptr(true),
					Meta: map[string]any{"residence": "true"},
				},
				{
					Type: capillary.ChannelEmail, Value: "tomsawyer@gmail.com",
					Primary: capillary.Ptr(true), Verified: capillary.Ptr(true),
					Meta: map[string]any{"residence": "true"},
				},
			},
		}},
		LoyaltyInfo:    &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty},
		ExtendedFields: map[string]any{"gender": "MALE", "city": "Bangalore"},
		LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{
			ProgramID:        699,
			TierNumber:       capillary.Ptr(1),
			LoyaltyPoints:    capillary.Ptr(json.Number("0")),
			TierExpiryDate:   capillary.NewDateTime(expiry),
			PointsExpiryDate: capillary.NewDateTime(expiry),
		}},
	}
	params := &capillary.UpdateCustomerParams{Source: capillary.SourceInstore, UseAsync: capillary.Ptr(false)}
	return body, params
}

// vendorHandler answers like the vendor: it reads the request, then sends the success body.
// Every client under test pays the same server cost, since the server runs in the same process.
func vendorHandler(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Cap-Requestid", requestID)
	_, _ = io.WriteString(w, successBody)
}

// newVendorServer starts a loopback server that tb closes when it ends.
func newVendorServer(tb testing.TB, h http.HandlerFunc) *httptest.Server {
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv
}

// updateFunc is one way of making the update call.
type updateFunc func(ctx context.Context, userID string, body *capillary.UpdateCustomerRequest, params *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerResponse, error)

// client is one contender: a name for the benchmark and a constructor against a base URL.
// hc is the http.Client to send through, or nil for the SDK's default one and, for the floor
// and resty, the plainest one (newHTTPClient).
type client struct {
	name  string
	setup func(tb testing.TB, baseURL string, hc *http.Client) updateFunc
}

// clients are the contenders, the floor first so that it is benchstat's baseline column.
var clients = []client{
	{"floor", newFloor},
	{"sdk", newSDK},
	{"resty", newResty},
}

func newSDK(tb testing.TB, baseURL string, hc *http.Client) updateFunc {
	opts := []capillary.ClientOption{capillary.WithBaseURL(baseURL), capillary.WithBasicAuth(till, password)}
	if hc != nil {
		opts = append(opts, capillary.WithHTTPClient(hc))
	}
	c, err := capillary.NewClient(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return func(ctx context.Context, userID string, body *capillary.UpdateCustomerRequest, params *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerResponse, error) {
		return c.Customers.Update(ctx, userID, body, params)
	}
}

// newHTTPClient is the plainest http.Client that is correct for this call: a clone of
// http.DefaultTransport and no Timeout. The floor and resty send through it; the SDK brings its
// own transport and bounds each attempt itself.
func newHTTPClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}

// updateEnvelope is the answer with the vendor's errors list, as a careful hand-written client
// would decode it: the SDK's response fields without its UnmarshalJSON, which keeps the fields
// of the answer the SDK does not model (embedded with it, that method would decode the whole
// envelope and leave Errors empty).
type updateEnvelope struct {
	plainResponse
	Errors []capillary.Message `json:"errors"`
}

type plainResponse capillary.UpdateCustomerResponse

// plainRequest is the SDK's request type without its MarshalJSON, which the SDK has to carry
// fields it does not model (the example has none). A hand-written client's struct has no such
// method, and encoding/json would scan the output of one a second time: the floor and resty
// marshal this, which gives the same bytes (TestSameRequest).
type plainRequest capillary.UpdateCustomerRequest

// newFloor is the plainest correct hand-written update: url.Values for the query, json.Marshal
// for the body, the same four headers as the SDK (credentials computed once), one shared
// http.Client, the answer decoded with a json.Decoder into the same response struct, status and
// vendor errors checked, the body drained so the connection goes back to the pool. No
// validation, no retries, no timeout, no typed errors: the least a team could write.
func newFloor(tb testing.TB, baseURL string, hc *http.Client) updateFunc {
	if hc == nil {
		hc = newHTTPClient()
	}
	authorization := basicAuthorization()
	return func(ctx context.Context, userID string, body *capillary.UpdateCustomerRequest, params *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerResponse, error) {
		q := url.Values{"source": {string(params.Source)}}
		if params.AccountID != "" {
			q.Set("accountId", params.AccountID)
		}
		if params.UseAsync != nil {
			q.Set("use_async", strconv.FormatBool(*params.UseAsync))
		}
		payload, err := json.Marshal((*plainRequest)(body))
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPut,
			baseURL+"/v2/customers/"+url.PathEscape(userID)+"?"+q.Encode(), bytes.NewReader(payload))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", userAgent)
		req.Header.Set("Authorization", authorization)
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var out updateEnvelope
		err = json.NewDecoder(resp.Body).Decode(&out)
		_, _ = io.Copy(io.Discard, resp.Body)
		if err != nil {
			return nil, fmt.Errorf("status %d: decoding: %w", resp.StatusCode, err)
		}
		if resp.StatusCode/100 != 2 || len(out.Errors) > 0 {
			return nil, fmt.Errorf("status %d: errors %v", resp.StatusCode, out.Errors)
		}
		res := (*capillary.UpdateCustomerResponse)(&out.plainResponse)
		res.StatusCode, res.RequestID, res.Attempts = resp.StatusCode, resp.Header.Get("X-Cap-Requestid"), 1
		return res, nil
	}
}

// newResty is the update through resty with the floor's http.Client, base URL and headers set
// once on the resty client, resty's defaults otherwise (it marshals the body and unmarshals the
// result itself).
func newResty(tb testing.TB, baseURL string, hc *http.Client) updateFunc {
	if hc == nil {
		hc = newHTTPClient()
	}
	rc := resty.NewWithClient(hc).
		SetBaseURL(baseURL).
		SetHeaders(map[string]string{
			"Content-Type":  "application/json",
			"Accept":        "application/json",
			"User-Agent":    userAgent,
			"Authorization": basicAuthorization(),
		})
	return func(ctx context.Context, userID string, body *capillary.UpdateCustomerRequest, params *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerResponse, error) {
		q := url.Values{"source": {string(params.Source)}}
		if params.AccountID != "" {
			q.Set("accountId", params.AccountID)
		}
		if params.UseAsync != nil {
			q.Set("use_async", strconv.FormatBool(*params.UseAsync))
		}
		var out updateEnvelope
		resp, err := rc.R().
			SetContext(ctx).
			SetPathParam("userId", userID).
			SetQueryParamsFromValues(q).
			SetBody((*plainRequest)(body)).
			SetResult(&out).
			Put("/v2/customers/{userId}")
		if err != nil {
			return nil, err
		}
		if resp.IsError() || len(out.Errors) > 0 {
			return nil, fmt.Errorf("status %d: errors %v", resp.StatusCode(), out.Errors)
		}
		res := (*capillary.UpdateCustomerResponse)(&out.plainResponse)
		res.StatusCode, res.RequestID, res.Attempts = resp.StatusCode(), resp.Header().Get("X-Cap-Requestid"), 1
		return res, nil
	}
}

// memoryTransport answers every request with the vendor's success body without any I/O, after
// reading the request body as a server would: with it, a benchmark measures the clients' own
// work, which loopback TCP and the server's work otherwise dwarf.
type memoryTransport struct{}

// RoundTrip answers req.
func (memoryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		Status:     "200 OK",
		StatusCode: http.StatusOK,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{
			"Content-Type":    {"application/json"},
			"X-Cap-Requestid": {requestID},
		},
		ContentLength: int64(len(successBody)),
		Body:          io.NopCloser(strings.NewReader(successBody)),
		Request:       req,
	}, nil
}

// newMemoryHTTPClient is an http.Client over memoryTransport, without a Timeout as the floor's.
// The SDK bounds each attempt with its own default of 30 s on it.
func newMemoryHTTPClient() *http.Client {
	return &http.Client{Transport: memoryTransport{}}
}
