package capillary

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Errors: answers become typed errors (*APIError, *RequestError) that errors.Is and errors.As see.

// The body's errors decide whatever the status: a 200 carrying errors is an error.
func TestErrorsBodyDecidesWhateverTheStatus(t *testing.T) {
	t.Parallel()
	for _, status := range []int{200, 201, 400, 404, 500} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			res, err := callOnce(t, status, vendorError(8015, "Customer not found for the given identifiers"), headerRequestID, "rid-1")
			assert.Nil(t, res)
			apiErr := requireAPIError(t, err)
			assert.Equal(t, status, apiErr.StatusCode)
			assert.Equal(t, "rid-1", apiErr.RequestID)
			assert.EqualValues(t, 8015, apiErr.Errors[0].Code)
			assert.ErrorIs(t, err, ErrCustomerNotFound)
		})
	}
	// And an empty errors list with a 2xx is a success.
	res, err := callOnce(t, 200, `{"createdId": 1, "warnings": [], "errors": []}`)
	require.NoError(t, err)
	assert.Equal(t, ID("1"), res.CreatedID)
	// A non-2xx without errors in the body is still an error.
	_, err = callOnce(t, 400, `{"warnings": [], "errors": []}`)
	assert.Equal(t, 400, requireAPIError(t, err).StatusCode)
}

// *APIError holds the status, the request id, every code and message, and the warnings; its
// text names them all.
func TestErrorsAPIErrorHoldsEverything(t *testing.T) {
	t.Parallel()
	body := `{"warnings": [{"code": 8054, "message": "Account id not passed", "status": false}],
	  "errors": [{"status": false, "code": 8015, "message": "Customer not found for the given identifiers"},
	             {"message": "Org source addition failed, Invalid source account identifier passed", "code": 3217, "status": false},
	             {"code": 91006, "message": "mobile update is not allowed"}]}`
	_, err := callOnce(t, http.StatusBadRequest, body, headerRequestID, "cap-req-77")
	apiErr := requireAPIError(t, err)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "cap-req-77", apiErr.RequestID)
	assert.Equal(t, 1, apiErr.Attempts)
	assert.Equal(t, http.MethodPut, apiErr.Method)
	assert.Equal(t, "/v2/customers/171891944", apiErr.Path)
	assert.Equal(t, []Message{
		{Code: 8015, Message: "Customer not found for the given identifiers"},
		{Code: 3217, Message: "Org source addition failed, Invalid source account identifier passed"},
		{Code: 91006, Message: "mobile update is not allowed"},
	}, apiErr.Errors)
	assert.Equal(t, []Message{{Code: 8054, Message: "Account id not passed"}}, apiErr.Warnings)
	assert.Empty(t, apiErr.Body, "no excerpt when the vendor's errors were decoded")
	for _, s := range []string{"400", "8015", "Customer not found for the given identifiers", "3217",
		"Invalid source account identifier passed", "91006", "cap-req-77", "PUT /v2/customers/171891944"} {
		assert.Contains(t, err.Error(), s)
	}
	assert.NotContains(t, err.Error(), "source=INSTORE", "the query is not in error text")
	assert.ErrorIs(t, err, ErrCustomerNotFound)
	assert.ErrorIs(t, err, ErrInvalidSourceAccount)
	assert.ErrorIs(t, err, ErrIdentifierUpdate)
}

// allSentinels are the sentinels an *APIError can match.
var allSentinels = map[string]error{
	"ErrCustomerNotFound": ErrCustomerNotFound, "ErrInvalidSourceAccount": ErrInvalidSourceAccount,
	"ErrAccountIDRequired": ErrAccountIDRequired, "ErrInvalidSource": ErrInvalidSource,
	"ErrLoyaltyDowngrade": ErrLoyaltyDowngrade, "ErrIdentifierUpdate": ErrIdentifierUpdate,
	"ErrInvalidCommChannel": ErrInvalidCommChannel, "ErrCustomerBusy": ErrCustomerBusy,
	"ErrUnauthorized": ErrUnauthorized, "ErrForbidden": ErrForbidden, "ErrNotFound": ErrNotFound,
	"ErrRateLimited": ErrRateLimited, "ErrServer": ErrServer,
	"ErrInvalidRequest": ErrInvalidRequest, "ErrInvalidConfig": ErrInvalidConfig,
}

// errors.Is matches exactly the sentinels of the codes and the status class, and no other.
func TestErrorsIsTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		codes  []int
		want   []string
	}{
		{400, []int{8015}, []string{"ErrCustomerNotFound"}},
		{200, []int{8015}, []string{"ErrCustomerNotFound"}},
		{404, []int{8015}, []string{"ErrCustomerNotFound", "ErrNotFound"}},
		{500, []int{8015}, []string{"ErrCustomerNotFound", "ErrServer"}},
		{400, []int{3217}, []string{"ErrInvalidSourceAccount"}},
		{400, []int{8011}, []string{"ErrInvalidSourceAccount"}},
		{400, []int{8127}, []string{"ErrInvalidSourceAccount"}},
		{400, []int{8045}, []string{"ErrAccountIDRequired"}},
		{400, []int{8018}, []string{"ErrLoyaltyDowngrade"}},
		{400, []int{91005}, []string{"ErrIdentifierUpdate"}},
		{400, []int{91006}, []string{"ErrIdentifierUpdate"}},
		{400, []int{8003}, []string{"ErrInvalidSource"}},
		{400, []int{8010}, []string{"ErrInvalidCommChannel"}},
		{400, []int{8106}, []string{"ErrInvalidCommChannel"}},
		{400, []int{8015, 8018}, []string{"ErrCustomerNotFound", "ErrLoyaltyDowngrade"}},
		{400, []int{10002}, nil}, // a code without a sentinel
		{400, nil, nil},
		{521, nil, []string{"ErrCustomerBusy", "ErrServer"}},
		{521, []int{10002}, []string{"ErrCustomerBusy", "ErrServer"}},
		{401, nil, []string{"ErrUnauthorized"}},
		{403, nil, []string{"ErrForbidden"}},
		{404, nil, []string{"ErrNotFound"}},
		{429, nil, []string{"ErrRateLimited"}},
		{500, nil, []string{"ErrServer"}},
		{501, nil, []string{"ErrServer"}},
		{502, nil, []string{"ErrServer"}},
		{503, nil, []string{"ErrServer"}},
		{504, nil, []string{"ErrServer"}},
		{599, nil, []string{"ErrServer"}},
		{405, nil, nil},
		{409, nil, nil},
		{415, nil, nil},
		{422, nil, nil},
		{461, nil, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %v", tt.status, tt.codes), func(t *testing.T) {
			t.Parallel()
			var errs []string
			for _, code := range tt.codes {
				errs = append(errs, fmt.Sprintf(`{"status": false, "code": %d, "message": "m%d"}`, code, code))
			}
			body := `{"warnings": [], "errors": [` + strings.Join(errs, ",") + `]}`
			_, err := callOnce(t, tt.status, body)
			apiErr := requireAPIError(t, err)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			want := map[string]bool{}
			for _, name := range tt.want {
				want[name] = true
			}
			for name, sentinel := range allSentinels {
				assert.Equal(t, want[name], errors.Is(err, sentinel), "errors.Is(err, %s)", name)
			}
			assert.Contains(t, err.Error(), strconv.Itoa(tt.status))
			if tt.status == 521 {
				assert.Contains(t, err.Error(), "521 Customer Busy")
			}
			codes := []int{}
			for _, m := range apiErr.Errors {
				codes = append(codes, int(m.Code))
			}
			assert.Equal(t, append([]int{}, tt.codes...), codes)
		})
	}
}

// errors.As and errors.Is see through the caller's own wrapping.
func TestErrorsAsThroughWrapping(t *testing.T) {
	t.Parallel()
	_, err := callOnce(t, http.StatusNotFound, vendorError(8015, "Customer not found for the given identifiers"), headerRequestID, "r-9")
	wrapped := fmt.Errorf("sync customer %s: %w", "171891944", fmt.Errorf("batch 3: %w", err))
	var apiErr *APIError
	require.ErrorAs(t, wrapped, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	assert.Equal(t, "r-9", apiErr.RequestID)
	assert.ErrorIs(t, wrapped, ErrCustomerNotFound)
	assert.ErrorIs(t, wrapped, ErrNotFound)
	assert.NotErrorIs(t, wrapped, ErrInvalidSourceAccount)
	joined := errors.Join(errors.New("other"), err)
	assert.ErrorIs(t, joined, ErrCustomerNotFound)
}

// A body that is not the vendor's JSON still gives an *APIError with the status and a short,
// single-line excerpt.
func TestErrorsNonJSONBodies(t *testing.T) {
	t.Parallel()
	html := `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center>` + strings.Repeat("<!-- padding -->\n", 100) + `</body></html>`
	tests := []struct {
		name       string
		status     int
		body       string
		excerptHas string
	}{
		{"html 502 page", http.StatusBadGateway, html, "502 Bad Gateway"},
		{"truncated json", http.StatusBadRequest, `{"warnings": [], "errors": [{"status": false, "code": 80`, `{"warnings": [], "errors"`},
		{"plain text 200", http.StatusOK, "OK", "OK"},
		{"json of the wrong shape", http.StatusInternalServerError, `["not", "an", "object"]`, `["not", "an", "object"]`},
		{"html 401", http.StatusUnauthorized, "<html><body>Unauthorized</body></html>", "Unauthorized"},
		{"control characters", http.StatusBadRequest, "bad\r\n\x00\x1bthing\n", "bad thing"},
		{"10 MB of junk", http.StatusBadRequest, strings.Repeat("junk ", 2_000_000), "junk junk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := callOnce(t, tt.status, tt.body, headerRequestID, "rid-x")
			assert.Nil(t, res)
			apiErr := requireAPIError(t, err)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, "rid-x", apiErr.RequestID)
			assert.Empty(t, apiErr.Errors)
			assert.Contains(t, apiErr.Body, tt.excerptHas)
			assert.LessOrEqual(t, len(apiErr.Body), 300, "the excerpt is short")
			assert.NotContains(t, apiErr.Body, "\n")
			assert.NotContains(t, apiErr.Body, "\r")
			assert.Contains(t, err.Error(), fmt.Sprint(tt.status))
			assert.LessOrEqual(t, len(err.Error()), 600, "the error text is short")
		})
	}
}

// An empty body says so, with its status.
func TestErrorsEmptyBody(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusOK, http.StatusBadRequest, http.StatusForbidden} {
		_, err := callOnce(t, status, "")
		apiErr := requireAPIError(t, err)
		assert.Equal(t, status, apiErr.StatusCode)
		assert.Empty(t, apiErr.Body)
		assert.Contains(t, err.Error(), fmt.Sprint(status))
		assert.Contains(t, err.Error(), "empty response body")
	}
}

// countingBody is an endless body that counts what is read from it.
type countingBody struct {
	read   atomic.Int64
	closed atomic.Bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	b.read.Add(int64(len(p)))
	return len(p), nil
}

func (b *countingBody) Close() error { b.closed.Store(true); return nil }

// The SDK reads at most 1 MiB of an answer: an endless body ends in an *APIError, not in
// memory exhaustion, and the body is closed.
func TestErrorsReadIsCappedAtOneMiB(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusOK, http.StatusBadRequest} {
		c, mt := newMockedClient(t, noRetries())
		body := &countingBody{}
		mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
				Body: body, ContentLength: -1, Request: req}, nil
		})
		_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
		apiErr := requireAPIError(t, err)
		assert.Equal(t, status, apiErr.StatusCode)
		assert.LessOrEqual(t, body.read.Load(), int64(1<<20+4096), "read beyond the 1 MiB cap")
		assert.GreaterOrEqual(t, body.read.Load(), int64(1<<20), "read less than the cap")
		assert.True(t, body.closed.Load(), "body closed")
		assert.LessOrEqual(t, len(apiErr.Body), 300)
	}
}

// The same over a real connection: an endless answer ends promptly.
func TestErrorsEndlessBodyOnRealServer(t *testing.T) {
	t.Parallel()
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		chunk := []byte(strings.Repeat("junk", 8192))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	c := newServerClient(t, srv.URL, noRetries())
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	apiErr := requireAPIError(t, err)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Contains(t, apiErr.Body, "junkjunk")
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "stopped reading, rather than reading until testCtx ended")
}

// The excerpt helper: short, one line, valid UTF-8, marked when cut.
func TestErrorsExcerpt(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "", excerpt(""))
	assert.Equal(t, "a b c", excerpt("a\n\tb\r\n  c "))
	long := excerpt(strings.Repeat("é", 1000))
	assert.LessOrEqual(t, len(long), 260+len("…"))
	assert.True(t, strings.HasSuffix(long, "…"))
	assert.NotContains(t, excerpt("\xff\xfea"), "\xff")
}

// A transport failure is not an *APIError; its cause is reachable and its text has no query.
func TestErrorsTransportFailure(t *testing.T) {
	t.Parallel()
	cause := errors.New("connection reset by peer")
	c, mt := newMockedClient(t)
	var calls atomic.Int64
	mt.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
		calls.Add(1)
		return nil, cause
	})
	_, err := c.Customers.Update(testCtx(t), "1", minimalBody(), instore())
	require.Error(t, err)
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr))
	assert.ErrorIs(t, err, cause)
	assert.NotErrorIs(t, err, ErrServer)
	assert.Contains(t, err.Error(), "connection reset by peer")
	assert.Contains(t, err.Error(), "4 attempts")
	assert.NotContains(t, err.Error(), "source=")
	assert.NotContains(t, err.Error(), "giving up")
	assert.EqualValues(t, 4, calls.Load(), "transport errors are retried")
}

// A cancelled context is reported as such.
func TestErrorsCancelledContext(t *testing.T) {
	t.Parallel()
	c, mt := newMockedClient(t)
	script(mt)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Customers.Update(ctx, "1", minimalBody(), instore())
	require.ErrorIs(t, err, context.Canceled)
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr), "no response, no APIError")
	assert.Equal(t, 1, strings.Count(err.Error(), "context canceled"))
}

// The vendor's codes on reads map to sentinels; merged and deleted customers are told apart.
func TestReadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body   string
		status int
		want   error
	}{
		{readFile(t, "vendor_error_8015.json"), http.StatusOK, ErrCustomerNotFound},
		{readFile(t, "vendor_error_8015_with_warnings.json"), http.StatusBadRequest, ErrCustomerNotFound},
		{vendorError(8065, "No customer found in the given source with the given identifier."), http.StatusOK, ErrCustomerNotFound},
		{vendorError(8013, "Customer identifier is invalid."), http.StatusBadRequest, ErrInvalidIdentifier},
		{vendorError(8069, "The customer is merged into another account."), http.StatusOK, ErrCustomerMerged},
		{`{"id": 564332013, "profiles": [], "loyaltyInfo": {"loyaltyType": "loyalty"}, "segments": {}, "extendedFields": {},
		  "warnings": [], "errors": [{"status": false, "code": 8109, "message": "Customer is deleted after PII delete request"}]}`, http.StatusOK, ErrCustomerDeleted},
	}
	others := []error{ErrCustomerNotFound, ErrInvalidIdentifier, ErrCustomerMerged, ErrCustomerDeleted}
	for _, tt := range tests {
		c, mt := newMockedClient(t)
		scriptMethod(mt, http.MethodGet, respond(tt.status, tt.body))
		cust, err := c.Customers.Get(testCtx(t), "564332013", &GetCustomerParams{Source: SourceInstore})
		assert.Nil(t, cust)
		for _, other := range others {
			assert.Equal(t, other == tt.want, errors.Is(err, other), "%v: errors.Is(%v)", err, other)
		}
		assert.False(t, requireAPIError(t, err).Uncertain, "a read is never uncertain")
	}
}

// A read whose 2xx answer is empty or cut off says so, not "EOF", which reads as a dropped
// connection.
func TestReadAnswerEmptyOrCutOff(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "  \n", `{"id": 7, "profiles": [`} {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			c, mt := newMockedClient(t)
			scriptMethod(mt, http.MethodGet, respond(http.StatusOK, body))
			_, err := c.Customers.Get(testCtx(t), "7", &GetCustomerParams{Source: SourceInstore})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "unexpected end of JSON input")
			assert.NotErrorIs(t, err, io.EOF)
		})
	}
}
