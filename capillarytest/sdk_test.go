package capillarytest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/capillarytest"
)

// newClient is an SDK client for srv with the default till and fast retries.
func newClient(t *testing.T, srv *capillarytest.Server, opts ...capillary.ClientOption) *capillary.Client {
	t.Helper()
	c, err := capillary.NewClient(append([]capillary.ClientOption{
		capillary.WithBaseURL(srv.URL),
		capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword),
		capillary.WithRetries(3, time.Millisecond, 5*time.Millisecond),
	}, opts...)...)
	require.NoError(t, err)
	return c
}

// tomSawyerRequest is the vendor's example request in the SDK's types.
func tomSawyerRequest() *capillary.UpdateCustomerRequest {
	ist := time.FixedZone("IST", 5*3600+1800)
	expiry := capillary.NewDateTime(time.Date(2024, 7, 11, 16, 36, 17, 0, ist))
	meta := map[string]any{"residence": "true"}
	return &capillary.UpdateCustomerRequest{
		Profiles: []capillary.Profile{{
			FirstName: capillary.Ptr("Tom"),
			LastName:  capillary.Ptr("Sawyer"),
			Fields:    map[string]any{"gender": "Male", "city": "Bangalore"},
			CommChannels: []capillary.CommChannel{
				{Type: capillary.ChannelMobile, Value: "9999000000", Primary: capillary.Ptr(true), Verified: capillary.Ptr(true), Meta: meta},
				{Type: capillary.ChannelEmail, Value: "tomsawyer@gmail.com", Primary: capillary.Ptr(true), Verified: capillary.Ptr(true), Meta: meta},
			},
		}},
		LoyaltyInfo:    &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty},
		ExtendedFields: map[string]any{"gender": "MALE", "city": "Bangalore"},
		LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{
			ProgramID: 699, TierNumber: capillary.Ptr(1), LoyaltyPoints: capillary.Ptr(json.Number("75")),
			TierExpiryDate: expiry, PointsExpiryDate: expiry,
		}},
	}
}

var instore = &capillary.UpdateCustomerParams{Source: capillary.SourceInstore, UseAsync: capillary.Ptr(false)}

func TestSDKUpdate(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	c := newClient(t, srv, capillary.WithUserContext(capillary.UserContext{EntityType: "ADMIN_USER", EntityID: "42", EntitySource: "API"}))

	res, err := c.Customers.Update(t.Context(), tomID, tomSawyerRequest(), instore)
	require.NoError(t, err)
	assert.Equal(t, capillary.ID(tomID), res.CreatedID)
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, 1, res.Attempts)
	assert.NotEmpty(t, res.RequestID)
	require.Len(t, res.Warnings, 1)
	assert.EqualValues(t, 8107, res.Warnings[0].Code)
	assert.Equal(t, capillary.List[capillary.SideEffect]{{Type: "points", EntityType: "USER", AwardedPoints: 75, RawAwardedPoints: 75}}, res.SideEffects)

	got, _ := srv.Customer(tomID)
	assert.Equal(t, "loyalty", got.LoyaltyType)
	require.Len(t, got.Enrollments, 1)
	assert.Equal(t, 75.0, got.Enrollments[0].Points)

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "INSTORE", reqs[0].Query.Get("source"))
	assert.Equal(t, "false", reqs[0].Query.Get("use_async"))
	assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
	assert.Equal(t, "Basic [redacted]", reqs[0].Header.Get("Authorization"))
	assert.Equal(t, "ADMIN_USER", reqs[0].Header.Get("USER-CONTEXT-ENTITY-TYPE"))
	assert.Equal(t, res.RequestID, reqs[0].RequestID)
	assert.JSONEq(t, `{
		"profiles":[{"firstName":"Tom","lastName":"Sawyer","fields":{"gender":"Male","city":"Bangalore"},
			"commChannels":[
				{"type":"mobile","value":"9999000000","primary":"true","verified":"true","meta":{"residence":"true"}},
				{"type":"email","value":"tomsawyer@gmail.com","primary":"true","verified":"true","meta":{"residence":"true"}}]}],
		"loyaltyInfo":{"loyaltyType":"loyalty"},
		"extendedFields":{"gender":"MALE","city":"Bangalore"},
		"loyaltyProgramEnrollments":[{"programId":699,"tierNumber":1,"loyaltyPoints":75,
			"tierExpiryDate":"2024-07-11T16:36:17+05:30","pointsExpiryDate":"2024-07-11T16:36:17+05:30"}]}`, string(reqs[0].Body))

	t.Run("use_async hides the side effects", func(t *testing.T) {
		res, err := c.Customers.Update(t.Context(), tomID, &capillary.UpdateCustomerRequest{
			LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: 700, LoyaltyPoints: capillary.Ptr(json.Number("5"))}},
		}, &capillary.UpdateCustomerParams{Source: capillary.SourceInstore, UseAsync: capillary.Ptr(true)})
		require.NoError(t, err)
		assert.Empty(t, res.SideEffects)
		got, _ := srv.Customer(tomID)
		assert.Equal(t, 5.0, got.Enrollments[1].Points)
	})
}

// A tier change comes back as the SDK reads it: the fake writes the names of the vendor's
// slab sample, so nothing lands in Unknown.
func TestSDKTierSideEffect(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	c := newClient(t, srv)
	body := &capillary.UpdateCustomerRequest{LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: 699, TierNumber: capillary.Ptr(2)}}}
	res, err := c.Customers.Update(t.Context(), tomID, body, instore)
	require.NoError(t, err)
	assert.Equal(t, capillary.List[capillary.SideEffect]{{Type: capillary.SideEffectSlab, EntityType: "USER",
		PreviousSlabName: "Tier 1", PreviousSlabNumber: 1, UpgradedSlabName: "Tier 2", UpgradedSlabNumber: 2}}, res.SideEffects)
}

// TestSDKPartialSuccess is what a service's test does after an update that the vendor answers
// with a warning: the call succeeds, the warning names what was left out, and the rest went
// through.
func TestSDKPartialSuccess(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	res, err := newClient(t, srv).Customers.Update(t.Context(), tomID, &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{
		FirstName:    capillary.Ptr("Huck"),
		CommChannels: []capillary.CommChannel{{Type: capillary.ChannelMobile, Value: "9999000001", Primary: capillary.Ptr(true)}},
	}}}, instore)
	require.NoError(t, err)
	require.Len(t, res.Warnings, 1)
	assert.EqualValues(t, 91005, res.Warnings[0].Code)
	got, _ := srv.Customer(tomID)
	assert.Equal(t, "Huck", got.FirstName, "the rest of the update went through")
	assert.Equal(t, tomSawyer().CommChannels, got.CommChannels, "the primary mobile was left as it was")
}

func TestSDKVendorErrors(t *testing.T) {
	t.Parallel()
	loyal := tomSawyer()
	loyal.LoyaltyType = "loyalty"
	loyal.Enrollments = []capillarytest.Enrollment{{ProgramID: 699}}
	srv := capillarytest.NewServer(capillarytest.WithCustomers(loyal), capillarytest.WithSourceAccounts("WECHAT", "wx-1"))
	t.Cleanup(srv.Close)
	c := newClient(t, srv)
	rename := &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr("Huck")}}}
	tests := []struct {
		name     string
		userID   string
		body     *capillary.UpdateCustomerRequest
		params   *capillary.UpdateCustomerParams
		opts     []capillary.ClientOption // a client of its own with these
		sentinel error
		code     int
	}{
		{"unknown customer", "1", rename, instore, nil, capillary.ErrCustomerNotFound, 8015},
		{"unknown account", tomID, rename, &capillary.UpdateCustomerParams{Source: capillary.SourceWeChat, AccountID: "wx-9"}, nil, capillary.ErrInvalidSourceAccount, 3217},
		{"missing account", tomID, rename, &capillary.UpdateCustomerParams{Source: capillary.SourceWeChat}, nil, capillary.ErrAccountIDRequired, 8045},
		{"loyalty downgrade", tomID, &capillary.UpdateCustomerRequest{LoyaltyInfo: &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeNonLoyalty}},
			instore, nil, capillary.ErrLoyaltyDowngrade, 8018},
		{"already enrolled", tomID, &capillary.UpdateCustomerRequest{LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: 699}}},
			instore, nil, nil, 10002},
		{"wrong password", tomID, rename, instore, []capillary.ClientOption{capillary.WithBasicAuth(capillarytest.DefaultTill, "wrong")}, capillary.ErrUnauthorized, 401},
		{"password digest", tomID, rename, instore, []capillary.ClientOption{capillary.WithBasicAuthDigest(capillarytest.DefaultTill, md5hex(capillarytest.DefaultPassword))}, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := c
			if tc.opts != nil {
				c = newClient(t, srv, tc.opts...)
			}
			_, err := c.Customers.Update(t.Context(), tc.userID, tc.body, tc.params)
			if tc.code == 0 {
				require.NoError(t, err)
				return
			}
			var apiErr *capillary.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.EqualValues(t, tc.code, apiErr.Errors[0].Code, err.Error())
			assert.NotEmpty(t, apiErr.RequestID)
			assert.Equal(t, 1, apiErr.Attempts, "a vendor refusal is not retried")
			if tc.sentinel != nil {
				assert.ErrorIs(t, err, tc.sentinel)
			}
		})
	}
}

func TestSDKRetriesFaults(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	c := newClient(t, srv)
	srv.InjectFaults(capillarytest.RateLimited(1), capillarytest.Unavailable(), capillarytest.CustomerBusy())

	res, err := c.Customers.Update(t.Context(), tomID, tomSawyerRequest(), instore)
	require.NoError(t, err)
	assert.Equal(t, 4, res.Attempts)
	assert.Equal(t, []int{429, 503, 521, 200}, statuses(srv.Requests()))
	assert.Len(t, res.SideEffects, 1, "the update was applied once")
}

func TestSDKRetriesRunOut(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	c := newClient(t, srv)
	for range 4 {
		srv.InjectFaults(capillarytest.BadGatewayHTML())
	}
	_, err := c.Customers.Update(t.Context(), tomID, tomSawyerRequest(), instore)
	var apiErr *capillary.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 502, apiErr.StatusCode)
	assert.Equal(t, 4, apiErr.Attempts)
	assert.Empty(t, apiErr.Errors)
	assert.Contains(t, apiErr.Body, "502 Bad Gateway")
	assert.ErrorIs(t, err, capillary.ErrServer)
	assert.NotEmpty(t, apiErr.RequestID)
	got, _ := srv.Customer(tomID)
	assert.Equal(t, "non_loyalty", got.LoyaltyType, "no attempt reached the fake's logic")
}

func TestSDKErrorsInA200(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	c := newClient(t, srv)
	srv.InjectFaults(capillarytest.Fault{Status: 200, Code: 8015, Message: "Customer not found for the given identifiers"})
	_, err := c.Customers.Update(t.Context(), tomID, tomSawyerRequest(), instore)
	var apiErr *capillary.APIError
	require.ErrorAs(t, err, &apiErr, "the body's errors decide, whatever the status")
	assert.Equal(t, 200, apiErr.StatusCode)
	assert.ErrorIs(t, err, capillary.ErrCustomerNotFound)
}

func TestSDKRetriesDroppedConnection(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	c := newClient(t, srv)
	srv.InjectFaults(capillarytest.DropConnection())
	res, err := c.Customers.Update(t.Context(), tomID, tomSawyerRequest(), instore)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Attempts)
	assert.Len(t, res.SideEffects, 1)
}

// TestSDKReplaysAnAppliedUpdate shows a hazard of retrying the update: when the answer is lost
// after the vendor applied it, the SDK sends it again, and an enrolment in it is then refused
// as already done, so the caller sees an error for an update that succeeded.
func TestSDKReplaysAnAppliedUpdate(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	c := newClient(t, srv)
	srv.InjectFaults(capillarytest.DropAfterHandling())
	_, err := c.Customers.Update(t.Context(), tomID, tomSawyerRequest(), instore)
	var apiErr *capillary.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.EqualValues(t, 10002, apiErr.Errors[0].Code)
	assert.Equal(t, 2, apiErr.Attempts)
	assert.True(t, apiErr.Uncertain, "the first attempt broke after it was sent")
	assert.Contains(t, err.Error(), "it may have been applied")
	got, _ := srv.Customer(tomID)
	assert.Equal(t, "loyalty", got.LoyaltyType, "the first attempt was applied")
	assert.Len(t, got.Enrollments, 1)
}

func TestSDKDamagedAnswers(t *testing.T) {
	t.Parallel()
	for _, fault := range []capillarytest.Fault{capillarytest.TruncatedBody(), capillarytest.MalformedBody()} {
		t.Run(fault.String(), func(t *testing.T) {
			t.Parallel()
			srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
			t.Cleanup(srv.Close)
			c := newClient(t, srv)
			srv.InjectFaults(fault)
			_, err := c.Customers.Update(t.Context(), tomID, tomSawyerRequest(), instore)
			var apiErr *capillary.APIError
			require.ErrorAs(t, err, &apiErr, "a damaged answer is still the server's: status and request id")
			assert.Equal(t, 200, apiErr.StatusCode)
			assert.NotEmpty(t, apiErr.RequestID)
			assert.True(t, apiErr.Uncertain, "the server accepted the call")
			assert.Contains(t, err.Error(), "it may have been applied")
			assert.Len(t, srv.Requests(), 1, "a damaged 200 is not retried")
			got, _ := srv.Customer(tomID)
			assert.Equal(t, "loyalty", got.LoyaltyType, "the update was applied")
		})
	}
}

// TestSDKAttemptTimeout: the first attempt is held until the call is over, so only the attempt
// timeout can end it; the timeout is far above what a normal attempt takes on a loaded
// machine, and the assertions hold whatever the machine's speed.
func TestSDKAttemptTimeout(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	c := newClient(t, srv, capillary.WithAttemptTimeout(time.Second), capillary.WithRetries(5, time.Millisecond, 5*time.Millisecond))
	release := make(chan struct{})
	defer close(release)
	srv.InjectFaults(capillarytest.Hold(release))
	res, err := c.Customers.Update(t.Context(), tomID, tomSawyerRequest(), instore)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, res.Attempts, 2)
	got := statuses(srv.Requests())
	assert.Equal(t, 0, got[0], "the held attempt was abandoned")
	assert.Equal(t, 200, got[len(got)-1])
}

func TestSDKContextEndsTheCall(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer(capillarytest.WithCustomers(tomSawyer()))
	t.Cleanup(srv.Close)
	c := newClient(t, srv)
	srv.InjectFaults(capillarytest.Delay(time.Hour))
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Customers.Update(ctx, tomID, tomSawyerRequest(), instore)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestSDKConcurrentUpdates(t *testing.T) {
	t.Parallel()
	const customers, perCustomer = 8, 12
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	for i := range customers {
		srv.AddCustomer(capillarytest.Customer{ID: fmt.Sprint(1000 + i)})
	}
	c := newClient(t, srv)
	var wg sync.WaitGroup
	errs := make(chan error, customers*perCustomer)
	for i := range customers {
		for j := range perCustomer {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.Customers.Update(t.Context(), fmt.Sprint(1000+i), &capillary.UpdateCustomerRequest{
					ExtendedFields:            map[string]any{fmt.Sprintf("f%d", j): j},
					LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: capillary.Int(j + 1), LoyaltyPoints: capillary.Ptr(json.Number(strconv.Itoa(j)))}},
				}, instore)
				errs <- err
			}()
		}
	}
	// Meanwhile, read the state: reads and writes must not race.
	for range 20 {
		_ = srv.Customers()
		_ = srv.Requests()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for _, cust := range srv.Customers() {
		assert.Len(t, cust.ExtendedFields, perCustomer, "no update of %s was lost", cust.ID)
		assert.Len(t, cust.Enrollments, perCustomer)
	}
	assert.Len(t, srv.Requests(), customers*perCustomer)
}
