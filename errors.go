package capillary

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// transportCause strips *url.Error's "Put "<url>":" prefix, which carries the query.
func transportCause(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// Sentinel errors for errors.Is. An *APIError matches every sentinel that one of its vendor
// codes or its HTTP status maps to, so errors.Is(err, ErrCustomerNotFound) works whatever
// status the vendor sent the code with.
var (
	// ErrCustomerNotFound: codes 8015, 8009 and 8065 (not found for the identifiers, the source).
	ErrCustomerNotFound = errors.New("capillary: customer not found")
	// ErrInvalidSourceAccount: codes 3217, 8011 and 8127 (invalid source account or accountId).
	ErrInvalidSourceAccount = errors.New("capillary: invalid source account")
	// ErrAccountIDRequired: code 8045, the source has several accounts and no accountId was given.
	ErrAccountIDRequired = errors.New("capillary: account id required for this source")
	// ErrInvalidSource: code 8003.
	ErrInvalidSource = errors.New("capillary: invalid source")
	// ErrLoyaltyDowngrade: code 8018, a loyalty customer cannot be made non-loyalty.
	ErrLoyaltyDowngrade = errors.New("capillary: loyalty to non-loyalty conversion not allowed")
	// ErrIdentifierUpdate: codes 91005 and 91006, identifiers cannot be changed by an update.
	ErrIdentifierUpdate = errors.New("capillary: identifier update not allowed")
	// ErrInvalidCommChannel: codes 8010 (invalid channel) and 8106 (channel type not passed).
	ErrInvalidCommChannel = errors.New("capillary: invalid communication channel")
	// ErrInvalidIdentifier: codes 8013 (the identifier's name or value is missing or invalid),
	// 8005 (an add with no valid identifier) and 8020 (an external id that does not match the
	// org's configured prefix or length).
	ErrInvalidIdentifier = errors.New("capillary: invalid identifier")
	// ErrCustomerMerged: code 8069, the customer was merged into another one; read the survivor.
	// Also 8066 and 8067, "Merge already done".
	ErrCustomerMerged = errors.New("capillary: customer merged into another")
	// ErrCustomerDeleted: codes 8109 (the customer was deleted after a PII delete request) and
	// 8026 (an add of a customer deleted that way).
	ErrCustomerDeleted = errors.New("capillary: customer deleted after a PII delete request")
	// ErrCustomerExists: codes 8006 (an add of a customer that exists on the same source; the
	// message names its id, see ExistingCustomerID) and 8028 ("Customer seems is already
	// registered").
	ErrCustomerExists = errors.New("capillary: customer already exists")
	// ErrCustomerBusy: HTTP 521 or code 521, other actions run for the customer (retried).
	ErrCustomerBusy = errors.New("capillary: customer busy with another action")

	// ErrUnauthorized: HTTP 401, the credentials were refused.
	ErrUnauthorized = errors.New("capillary: unauthorized")
	// ErrForbidden: HTTP 403, v2 not enabled for the org or a mandatory field missing.
	ErrForbidden = errors.New("capillary: forbidden")
	// ErrNotFound: HTTP 404.
	ErrNotFound = errors.New("capillary: not found")
	// ErrRateLimited: HTTP 429, the per-minute rate limit of the cluster was reached.
	ErrRateLimited = errors.New("capillary: rate limited")
	// ErrServer: any HTTP 5xx status.
	ErrServer = errors.New("capillary: server error")

	// ErrInvalidRequest matches every *ValidationError: nothing was sent.
	ErrInvalidRequest = errors.New("capillary: invalid request")
	// ErrInvalidConfig matches every error NewClient returns for a bad option.
	ErrInvalidConfig = errors.New("capillary: invalid client configuration")
)

// vendorCodes are the vendor codes that each sentinel stands for.
var vendorCodes = []struct {
	err   error
	codes []int
}{
	{ErrCustomerNotFound, []int{8015, 8009, 8065}},
	{ErrInvalidSourceAccount, []int{3217, 8011, 8127}},
	{ErrAccountIDRequired, []int{8045}},
	{ErrInvalidSource, []int{8003}},
	{ErrLoyaltyDowngrade, []int{8018}},
	{ErrIdentifierUpdate, []int{91005, 91006}},
	{ErrInvalidCommChannel, []int{8010, 8106}},
	{ErrInvalidIdentifier, []int{8013, 8005, 8020}},
	{ErrCustomerMerged, []int{8069, 8066, 8067}},
	{ErrCustomerDeleted, []int{8109, 8026}},
	{ErrCustomerExists, []int{codeCustomerExists, 8028}},
	{ErrCustomerBusy, []int{statusCustomerBusy}},
}

// statusSentinels are the HTTP statuses that each sentinel stands for (ErrServer: every 5xx).
var statusSentinels = []struct {
	err    error
	status int
}{
	{ErrCustomerBusy, statusCustomerBusy},
	{ErrUnauthorized, http.StatusUnauthorized},
	{ErrForbidden, http.StatusForbidden},
	{ErrNotFound, http.StatusNotFound},
	{ErrRateLimited, http.StatusTooManyRequests},
}

// APIError is a call the server answered with an error: the body's "errors" list was not empty
// (whatever the HTTP status, 200 included), or the status was not 2xx. When retries ran out, it
// is the last answer's.
type APIError struct {
	// StatusCode is the HTTP status of the (last) response.
	StatusCode int
	// RequestID is the vendor's X-Cap-Requestid of the (last) response, for their support.
	RequestID string
	// Errors lists every error code and message of the body, in order.
	Errors []Message
	// Warnings lists the warnings that came with the errors.
	Warnings []Message
	// Body is a short excerpt of a body that was not the vendor's JSON (an HTML error page,
	// nothing at all, a truncated document); it is empty when Errors was decoded.
	Body string
	// Attempts is how many times the request was sent.
	Attempts int
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter time.Duration
	// Uncertain is true when the update may have been applied although it ends in this error:
	// an attempt broke after it was sent, a 5xx other than 503 and 521 came without the vendor's
	// errors list, or a 2xx could not be read. Read the customer back before acting on it
	// (a refusal such as "already enrolled" may echo an earlier attempt's success).
	Uncertain bool
	// Method and Path name the call (the path has no query and no credentials).
	Method, Path string
	// Err is the cause when the call ended for another reason after this response, such as
	// the context expiring while waiting to retry; errors.Is sees through it.
	Err error

	read bool // the call changes nothing: the retry policy retries it on every 5xx
}

// Error describes the failure: the call, the status, every code and message, the request id.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("capillary: ")
	if e.Method != "" {
		b.WriteString(e.Method + " " + e.Path + ": ")
	}
	b.WriteString(strconv.Itoa(e.StatusCode))
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	} else if e.StatusCode == statusCustomerBusy {
		b.WriteString(" Customer Busy")
	}
	for i, m := range e.Errors {
		sep := "; "
		if i == 0 {
			sep = ": "
		}
		b.WriteString(sep + m.String())
	}
	switch {
	case len(e.Errors) > 0:
	case e.Body == "":
		b.WriteString(": empty response body")
	default:
		b.WriteString(": unexpected response body: " + strconv.Quote(e.Body))
	}
	var meta []string
	if e.RequestID != "" {
		meta = append(meta, "request id "+e.RequestID)
	}
	if e.RetryAfter > 0 {
		meta = append(meta, "server asked to retry after "+e.RetryAfter.String())
	}
	b.WriteString(details(meta, e.Attempts, e.Uncertain))
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// details is the parenthesis an error ends with: meta, the attempts, and whether the call may
// have been applied.
func details(meta []string, attempts int, uncertain bool) string {
	if attempts > 1 {
		meta = append(meta, strconv.Itoa(attempts)+" attempts")
	}
	if uncertain {
		meta = append(meta, "it may have been applied")
	}
	if len(meta) == 0 {
		return ""
	}
	return " (" + strings.Join(meta, ", ") + ")"
}

// Is reports whether one of the error's codes or its status stands for target.
func (e *APIError) Is(target error) bool {
	for _, v := range vendorCodes {
		if v.err == target && slices.ContainsFunc(e.Errors, func(m Message) bool { return slices.Contains(v.codes, int(m.Code)) }) {
			return true
		}
	}
	for _, s := range statusSentinels {
		if s.err == target && s.status == e.StatusCode {
			return true
		}
	}
	return target == ErrServer && e.StatusCode >= 500 && e.StatusCode <= 599
}

// Unwrap returns the cause that ended the call after this response, if any.
func (e *APIError) Unwrap() error { return e.Err }

// RequestError is a call that got no answer to report: the connection failed or broke, an
// attempt timed out, or the context ended while an attempt was under way. errors.Is and
// errors.As see the cause (context.DeadlineExceeded, *url.Error, net.Error).
type RequestError struct {
	// Method and Path name the call (the path has no query).
	Method, Path string
	// Attempts is how many times the request was sent.
	Attempts int
	// Uncertain is true when an attempt may have reached the server and been applied although
	// no answer came back: only a failure to connect rules that out. See APIError.Uncertain.
	Uncertain bool
	// Err is the cause.
	Err error
}

// Error names the call, the cause, the attempts, and whether the call may have been applied.
func (e *RequestError) Error() string {
	return "capillary: " + e.Method + " " + e.Path + ": " + transportCause(e.Err).Error() + details(nil, e.Attempts, e.Uncertain)
}

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }

// FieldError is one problem found in a request before it was sent.
type FieldError struct {
	// Field is the path of the offending value, such as "loyaltyProgramEnrollments[0].tierNumber"
	// or "params.source".
	Field string
	// Problem says what is wrong with it.
	Problem string
}

// String formats the problem as "field: problem".
func (f FieldError) String() string { return f.Field + ": " + f.Problem }

// ValidationError lists every problem found in a call's arguments. Nothing was sent.
type ValidationError struct {
	// Problems holds each problem with its field path, in the order of the request.
	Problems []FieldError
}

// Error lists every problem.
func (e *ValidationError) Error() string {
	return "capillary: invalid request, nothing was sent: " + problemList(e.Problems)
}

// problemList joins problems as "field: problem; field: problem".
func problemList(problems []FieldError) string {
	parts := make([]string, len(problems))
	for i, p := range problems {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

// Is matches ErrInvalidRequest.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }
