package bulk

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/capillary-go/capillary"
)

// Row is one customer update: who, on which source, and the vendor's update body.
type Row struct {
	// Number is the row's 1-based number among the input's data rows, unique in a run;
	// results carry it.
	Number int
	// UserID addresses the customer by the vendor's user id. When it is empty, Identifier
	// does.
	UserID string
	// Identifier addresses the customer by mobile, email, external id or card number, through
	// UpdateByIdentifier.
	Identifier capillary.Identifier
	// Source is the source whose profile is updated; empty means the Runner's default.
	Source capillary.Source
	// AccountID is the source's account; empty means the Runner's default.
	AccountID string
	// Body is the vendor's update body.
	Body *capillary.UpdateCustomerRequest
	// Problems are what reading the row found wrong. A row with problems is invalid: it is
	// reported with them and never sent.
	Problems []Problem
	// Settle marks a row that an earlier run may have sent without learning the outcome: the
	// Runner reads the customer back first and sends the row only if it was not applied.
	Settle bool
}

// byIdentifier reports whether the row addresses its customer by identifier.
func (r *Row) byIdentifier() bool { return r.UserID == "" }

// Problem is one thing wrong with a row, found before it was sent.
type Problem struct {
	// Field names the input field (a CSV column, a JSON path) or the body's field path.
	Field string `json:"field"`
	// Problem says what is wrong with it.
	Problem string `json:"problem"`
}

// String formats the problem as "field: problem".
func (p Problem) String() string { return p.Field + ": " + p.Problem }

// Status is a row's outcome.
type Status string

// The outcomes of a row. Every one of them is final: a resumed run skips the row.
const (
	// Applied: the vendor applied the update (or a read-back found every value of the row).
	Applied Status = "applied"
	// Refused: the vendor refused the update; Result.Errors holds its codes and messages.
	Refused Status = "refused"
	// Invalid: the row was wrong before anything was sent; Result.Problems says how.
	Invalid Status = "invalid"
	// Uncertain: the answer was lost and a read-back could not settle it; Result.Settlement
	// says why.
	Uncertain Status = "uncertain"
)

// Sending is the journal's mark of a row about to be sent: the row is in flight until a line
// with its final Status follows.
const Sending Status = "sending"

// Final reports whether s is one of the four outcomes.
func (s Status) Final() bool {
	switch s {
	case Applied, Refused, Invalid, Uncertain:
		return true
	}
	return false
}

// Result is the outcome of one row, as the journal writes it.
type Result struct {
	// Row is the row's Number.
	Row int `json:"row"`
	// Status is the outcome.
	Status Status `json:"status"`
	// UserID or Identifier is the row's address.
	UserID     string                `json:"userId,omitempty"`
	Identifier *capillary.Identifier `json:"identifier,omitempty"`
	// CreatedID is the updated customer's id, from the vendor's answer.
	CreatedID string `json:"createdId,omitempty"`
	// Action is what an applied upsert row did: ActionCreated or ActionUpdated.
	Action string `json:"action,omitempty"`
	// HTTPStatus is the status of the last answer.
	HTTPStatus int `json:"httpStatus,omitempty"`
	// Errors are the vendor's codes and messages of a refusal.
	Errors []capillary.Message `json:"errors,omitempty"`
	// Warnings are the vendor's warnings.
	Warnings []capillary.Message `json:"warnings,omitempty"`
	// SideEffects are what the update caused (points, coupons, ...).
	SideEffects []capillary.SideEffect `json:"sideEffects,omitempty"`
	// Problems are an invalid row's validation problems.
	Problems []Problem `json:"problems,omitempty"`
	// Error is the failure in words when there are no vendor codes (a lost answer, a 503
	// after every attempt).
	Error string `json:"error,omitempty"`
	// Settlement says how a lost answer was settled by reading the customer back, or why it
	// could not be.
	Settlement string `json:"settlement,omitempty"`
	// RequestID is the vendor's X-Cap-Requestid of the last answer.
	RequestID string `json:"requestId,omitempty"`
	// Attempts is how many times the update was sent in this run.
	Attempts int `json:"attempts"`
	// Fingerprint identifies the row's content (see Fingerprint), so that a resumed run can
	// tell that its input is the one the results were written for.
	Fingerprint string `json:"fingerprint"`
}

// Code is the row's failure in one word for summaries: the first vendor code, the HTTP
// status, "invalid", "uncertain", or "" for an applied row.
func (r *Result) Code() string {
	switch {
	case r.Status == Applied:
		return ""
	case r.Status == Invalid:
		return "invalid"
	case r.Status == Uncertain:
		return "uncertain"
	case len(r.Errors) > 0:
		return strconv.FormatInt(int64(r.Errors[0].Code), 10)
	case r.HTTPStatus != 0:
		return "http " + strconv.Itoa(r.HTTPStatus)
	}
	return "error"
}

// resultOf starts the result of a row.
func resultOf(row *Row) *Result {
	res := &Result{Row: row.Number, UserID: row.UserID, Fingerprint: Fingerprint(row)}
	if row.byIdentifier() && (row.Identifier.Type != "" || row.Identifier.Value != "") {
		id := row.Identifier
		res.Identifier = &id
	}
	return res
}

// errorf is fmt.Errorf under the package's prefix.
func errorf(format string, args ...any) error {
	return fmt.Errorf("bulk: "+format, args...)
}

// withoutBOM reads r without the UTF-8 byte order mark that Windows tools (Excel, Notepad,
// PowerShell's Export-Csv) put at the start of a file, so that the first column or object
// reads as it would without it. A UTF-16 file (PowerShell's > and Out-File write them) is an
// error that says how to save it: its every line would be invalid.
func withoutBOM(r io.Reader) (*bufio.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	start, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(start, []byte("\uFEFF")):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(start, []byte{0xFF, 0xFE}) || bytes.HasPrefix(start, []byte{0xFE, 0xFF}):
		return nil, errorf("the input is UTF-16 text: save it as UTF-8 (in PowerShell, Out-File -Encoding utf8)")
	}
	return br, nil
}

// checkMobiles adds a problem for each mobile number of the row that is not all digits: the
// vendor takes a mobile as its digits with the country code and drops any other with a
// warning (8058), applying the rest of the update. address names the input field of the
// row's Identifier; the body's mobiles are named by their path.
func (r *Row) checkMobiles(address string) {
	if r.Identifier.Type == capillary.IdentifierMobile {
		r.checkMobile(address, r.Identifier.Value)
	}
	if r.Body == nil {
		return
	}
	for i, p := range r.Body.Profiles {
		for j, ch := range p.CommChannels {
			if ch.Type == capillary.ChannelMobile {
				r.checkMobile(fmt.Sprintf("profiles[%d].commChannels[%d].value", i, j), ch.Value)
			}
		}
		for j, id := range p.Identifiers {
			if id.Type == capillary.IdentifierMobile {
				r.checkMobile(fmt.Sprintf("profiles[%d].identifiers[%d].value", i, j), id.Value)
			}
		}
	}
}

func (r *Row) checkMobile(field, value string) {
	if value == "" || strings.Trim(value, "0123456789") == "" {
		return // an empty value is the SDK's to report
	}
	problem := fmt.Sprintf("%q is not a mobile number: the vendor takes digits only, with the country code", value)
	if digits := strings.Map(keepDigit, value); digits != "" && strings.Trim(value, "0123456789 +-().") == "" {
		problem += fmt.Sprintf(" (%s)", digits)
	}
	r.Problems = append(r.Problems, Problem{Field: field, Problem: problem})
}

func keepDigit(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}

// plural is "1 field", "2 fields".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
