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

// Sentinel errors for errors.Is. An *APIError matches every sentinel that one of its vendor
// codes or its HTTP status maps to, whatever status the vendor sent the code with.
var (
	ErrCustomerNotFound     = errors.New("capillary: customer not found")                            // codes 8015, 8009, 8065
	ErrInvalidSourceAccount = errors.New("capillary: invalid source account")                        // codes 3217, 8011, 8127
	ErrAccountIDRequired    = errors.New("capillary: account id required for this source")           // code 8045: the source has several accounts
	ErrInvalidSource        = errors.New("capillary: invalid source")                                // code 8003
	ErrLoyaltyDowngrade     = errors.New("capillary: loyalty to non-loyalty conversion not allowed") // code 8018
	ErrIdentifierUpdate     = errors.New("capillary: identifier update not allowed")                 // codes 91005, 91006
	ErrInvalidCommChannel   = errors.New("capillary: invalid communication channel")                 // codes 8010, 8106
	ErrInvalidIdentifier    = errors.New("capillary: invalid identifier")                            // codes 8013 (name or value missing or invalid), 8005 (an add with no valid identifier), 8020 (an external id not matching the org's prefix or length)
	ErrCustomerMerged       = errors.New("capillary: customer merged into another")                  // codes 8069 (read the survivor), 8066 and 8067 ("Merge already done")
	ErrCustomerDeleted      = errors.New("capillary: customer deleted after a PII delete request")   // codes 8109, 8026 (an add of such a customer)
	ErrCustomerExists       = errors.New("capillary: customer already exists")                       // codes 8006 (an add of a customer on the same source; ExistingCustomerID reads its id), 8028 ("already registered")
	ErrCustomerBusy         = errors.New("capillary: customer busy with another action")             // HTTP or code 521 (retried)
	ErrUnauthorized         = errors.New("capillary: unauthorized")                                  // HTTP 401: credentials refused
	ErrForbidden            = errors.New("capillary: forbidden")                                     // HTTP 403: v2 not enabled, or a mandatory field missing
	ErrNotFound             = errors.New("capillary: not found")                                     // HTTP 404
	ErrRateLimited          = errors.New("capillary: rate limited")                                  // HTTP 429: the cluster's per-minute limit
	ErrServer               = errors.New("capillary: server error")                                  // any HTTP 5xx
	ErrInvalidRequest       = errors.New("capillary: invalid request")                               // every *ValidationError: nothing was sent
	ErrInvalidConfig        = errors.New("capillary: invalid client configuration")                  // every error of NewClient for a bad option
)

// vendorCodes are the vendor codes each sentinel stands for; statusSentinels, the HTTP statuses.
var (
	vendorCodes = map[error][]int{
		ErrCustomerNotFound: {8015, 8009, 8065}, ErrInvalidSourceAccount: {3217, 8011, 8127},
		ErrAccountIDRequired: {8045}, ErrInvalidSource: {8003}, ErrLoyaltyDowngrade: {8018},
		ErrIdentifierUpdate: {91005, 91006}, ErrInvalidCommChannel: {8010, 8106}, ErrInvalidIdentifier: {8013, 8005, 8020},
		ErrCustomerMerged: {8069, 8066, 8067}, ErrCustomerDeleted: {8109, 8026}, ErrCustomerBusy: {statusCustomerBusy},
		ErrCustomerExists: {codeCustomerExists, 8028},
	}
	statusSentinels = map[int]error{
		statusCustomerBusy: ErrCustomerBusy, http.StatusUnauthorized: ErrUnauthorized, http.StatusForbidden: ErrForbidden,
		http.StatusNotFound: ErrNotFound, http.StatusTooManyRequests: ErrRateLimited,
	}
)

// APIError is a call the server answered with an error: the body's "errors" list was not empty
// (whatever the status, 200 included), or the status was not 2xx. After retries, the last answer's.
type APIError struct {
	StatusCode int           // the HTTP status of the (last) response
	RequestID  string        // the vendor's X-Cap-Requestid, for their support
	Errors     []Message     // every error code and message of the body, in order
	Warnings   []Message     // the warnings that came with the errors
	Body       string        // an excerpt of a body that was not the vendor's JSON; empty when Errors was decoded
	Attempts   int           // how many times the request was sent
	RetryAfter time.Duration // the server's Retry-After, when it sent one
	// Uncertain is true when the update may have been applied although it ends in this error:
	// an attempt broke after it was sent, a 5xx other than 503 and 521 came without the vendor's
	// errors list, or a 2xx could not be read. Read the customer back before acting on it.
	Uncertain    bool
	Method, Path string // the call (the path has no query and no credentials)
	Err          error  // what ended the call after this response (the context while waiting), if anything

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
	sep := ": "
	for _, m := range e.Errors {
		b.WriteString(sep + m.String())
		sep = "; "
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

// details is the parenthesis an error ends with: meta, the attempts, and whether it may have applied.
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
	codes := vendorCodes[target]
	return slices.ContainsFunc(e.Errors, func(m Message) bool { return slices.Contains(codes, int(m.Code)) }) ||
		target != nil && statusSentinels[e.StatusCode] == target ||
		target == ErrServer && e.StatusCode >= 500 && e.StatusCode <= 599
}

// Unwrap returns the cause that ended the call after this response, if any.
func (e *APIError) Unwrap() error { return e.Err }

// RequestError is a call that got no answer: the connection failed or broke, an attempt timed
// out, or the context ended. errors.Is and errors.As see the cause (context.DeadlineExceeded, net.Error).
type RequestError struct {
	Method, Path string // the call (the path has no query)
	Attempts     int    // how many times the request was sent
	// Uncertain is true when an attempt may have reached the server and been applied although
	// no answer came back: only a failure to connect rules that out. See APIError.Uncertain.
	Uncertain bool
	Err       error // the cause
}

// Error names the call, the cause, the attempts, and whether the call may have been applied.
func (e *RequestError) Error() string {
	return "capillary: " + e.Method + " " + e.Path + ": " + transportCause(e.Err).Error() + details(nil, e.Attempts, e.Uncertain)
}

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }

// transportCause strips *url.Error's "Put "<url>":" prefix, which carries the query.
func transportCause(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// FieldError is one problem found in a request before it was sent.
type FieldError struct {
	Field   string // the path of the offending value: "loyaltyProgramEnrollments[0].tierNumber", "params.source"
	Problem string // what is wrong with it
}

// String formats the problem as "field: problem".
func (f FieldError) String() string { return f.Field + ": " + f.Problem }

// ValidationError lists every problem found in a call's arguments. Nothing was sent.
type ValidationError struct {
	Problems []FieldError // each problem with its field path, in the order of the request
}

// Error lists every problem.
func (e *ValidationError) Error() string {
	return "capillary: invalid request, nothing was sent: " + problemList(e.Problems)
}

func problemList(problems []FieldError) string {
	parts := make([]string, len(problems))
	for i, p := range problems {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

// Is matches ErrInvalidRequest.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }
