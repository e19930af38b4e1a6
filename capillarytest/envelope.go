package capillarytest

import (
	"encoding/json"
	"net/http"
)

// Codes the fake answers with. The vendor's codes are used wherever the vendor documents one;
// where it does not, the HTTP status doubles as the code (401, 404, 405, 415, and whatever
// status a Fault injects), which is also what the vendor does with its generic code 400.
const (
	// CodeInvalidInput (HTTP 400) is the vendor's generic "Input is invalid" code: malformed
	// JSON, a field of the wrong type, an unknown field, a value out of range, a bad date.
	CodeInvalidInput = 400
	// CodeUnauthorized (HTTP 401): no credentials, or credentials the fake does not accept.
	CodeUnauthorized = 401
	// CodeNotFound (HTTP 404): no such resource.
	CodeNotFound = 404
	// CodeMethodNotAllowed (HTTP 405): the resource exists but not with this method.
	CodeMethodNotAllowed = 405
	// CodeUnsupportedMediaType (HTTP 415): the body is not sent as application/json.
	CodeUnsupportedMediaType = 415
	// CodeInvalidSourceAccount (HTTP 400): 3217, the accountId is not one of the source's.
	CodeInvalidSourceAccount = 3217
	// CodeInvalidSource (HTTP 400): 8003, the source is missing or not one the update accepts.
	CodeInvalidSource = 8003
	// CodeInvalidReadSource (HTTP 400): 8012, a read's source is missing or unknown.
	CodeInvalidReadSource = 8012
	// CodeInvalidCommChannel (HTTP 400): 8010, a channel with an unknown type, no value, or
	// primary/verified flags that are not booleans.
	CodeInvalidCommChannel = 8010
	// CodeInvalidIdentifier (HTTP 400): 8013, a lookup's identifierName or identifierValue is
	// missing or not one the call takes.
	CodeInvalidIdentifier = 8013
	// CodeCustomerNotFound (HTTP 400): 8015, no customer has the user id or identifiers.
	CodeCustomerNotFound = 8015
	// CodeNotInSource (HTTP 400): 8065, the customer has no profile on the source (account)
	// a read names.
	CodeNotInSource = 8065
	// CodeLoyaltyDowngrade (HTTP 400): 8018, a loyalty customer cannot become non-loyalty.
	CodeLoyaltyDowngrade = 8018
	// CodeAccountIDRequired (HTTP 400): 8045, a multi-account source was given no accountId.
	CodeAccountIDRequired = 8045
	// CodeMergedCustomer (HTTP 400): 8069, a read of a customer merged into another one
	// (Customer.MergedInto).
	CodeMergedCustomer = 8069
	// CodeChannelTypeMissing (HTTP 400): 8106, a communication channel has no type.
	CodeChannelTypeMissing = 8106
	// CodeDeletedCustomer (HTTP 400): 8109, a read of a customer deleted after a PII delete
	// request (Customer.Deleted).
	CodeDeletedCustomer = 8109
	// CodeUpdateFailed (HTTP 400): 10002, the vendor's "failed to update customer details",
	// used for an enrolment into a program the customer is already in (the vendor documents
	// the refusal but no code of its own for it) and into a program the org does not have.
	CodeUpdateFailed = 10002
	// CodePrimaryIdentifier (HTTP 400): 91005, a channel would change the value of the
	// customer's primary identifier.
	CodePrimaryIdentifier = 91005
	// CodeIdentifierUpdate (HTTP 400): 91006, a channel would change the primary value of the
	// customer's other identifier, or an identifier would change one of another type.
	CodeIdentifierUpdate = 91006
	// CodeExtendedFieldUpdate (HTTP 400): 91015, an extended field the org does not have, or a
	// value not of its type (see WithExtendedFields).
	CodeExtendedFieldUpdate = 91015
)

// Warning codes the fake returns beside a successful update.
const (
	// WarningAccountIDNotPassed: 8054, a multi-account source without accountId, applied on
	// the source's first account (see WithAccountIDWarning).
	WarningAccountIDNotPassed = 8054
	// WarningInvalidEmail: 8055, an email identifier whose value is not an address; the
	// identifier is dropped and the rest of the update applied.
	WarningInvalidEmail = 8055
	// WarningInvalidMobile: 8056, a mobile identifier whose value is not a mobile number; the
	// identifier is dropped and the rest of the update applied.
	WarningInvalidMobile = 8056
	// WarningInvalidChannelEmail: 8057, an email channel whose value is not an address; the
	// channel is dropped and the rest of the update applied.
	WarningInvalidChannelEmail = 8057
	// WarningInvalidChannelMobile: 8058, a mobile channel whose value is not a mobile number;
	// the channel is dropped and the rest of the update applied.
	WarningInvalidChannelMobile = 8058
	// WarningNoDefaultStatusLabel: 8107, a customer became loyalty and the org has no default
	// status label (see WithDefaultStatusLabel).
	WarningNoDefaultStatusLabel = 8107
)

// vendorText is the vendor's message for a code; the fake appends what exactly was wrong.
func vendorText(code int) string {
	switch code {
	case CodeInvalidInput:
		return "Input is invalid. Please check request parameters or input xml/json"
	case CodeUnauthorized:
		return "Authentication failed"
	case CodeNotFound:
		return "Resource not found"
	case CodeMethodNotAllowed:
		return "Method not allowed"
	case CodeUnsupportedMediaType:
		return "Unsupported media type"
	case CodeInvalidSourceAccount:
		return "Org source addition failed, Invalid source account identifier passed"
	case CodeInvalidSource:
		return "Invalid source"
	case CodeInvalidCommChannel:
		return "Invalid communication channel"
	case CodeInvalidReadSource:
		return "Invalid source passed"
	case CodeNotInSource:
		return "No customer found in the given source with the given identifier"
	case CodeInvalidIdentifier:
		return "Lookup, Invalid identifier passed"
	case CodeCustomerNotFound:
		return "Customer not found for the given identifiers"
	case CodeLoyaltyDowngrade:
		return "Conversion from loyalty to non-loyalty not allowed"
	case CodeAccountIDRequired:
		return "Account id not passed"
	case CodeChannelTypeMissing:
		return "Communication channel type not passed"
	case CodeMergedCustomer:
		return "The customer is merged into another account"
	case CodeDeletedCustomer:
		return "Customer is deleted after PII delete request"
	case CodeExtendedFieldUpdate:
		return "Extended field update failed or too long"
	case CodeUpdateFailed:
		return "Failed to update customer details"
	case CodePrimaryIdentifier:
		return "is primary identifier and cannot be updated"
	case CodeIdentifierUpdate:
		return "update is not allowed"
	case 8050, 8051:
		return "Customer combined/merged across sources"
	case 8053:
		return "Conflicting customers"
	case WarningAccountIDNotPassed:
		return "Account id not passed"
	case WarningInvalidEmail:
		return "Invalid email"
	case WarningInvalidMobile:
		return "Invalid mobile"
	case WarningInvalidChannelEmail:
		return "Invalid email id in comm channel"
	case WarningInvalidChannelMobile:
		return "Invalid mobile in comm channel"
	case 8075:
		return "Primary identifier not matching"
	case WarningNoDefaultStatusLabel:
		return "Default customer status label not set"
	case 521:
		return "Multiple actions are running for the same customer, try later"
	}
	if text := http.StatusText(code); text != "" {
		return text
	}
	return "Error"
}

// message is one entry of the vendor's errors or warnings lists. The field order is the
// vendor's: status, code, message.
type message struct {
	Status  bool   `json:"status"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// newMessage builds an entry with the vendor's text for code, followed by detail when given.
func newMessage(code int, detail string) message {
	text := vendorText(code)
	if detail != "" {
		text += ": " + detail
	}
	return message{Status: false, Code: code, Message: text}
}

// answer is a response before it is written: handlers build one, faults reshape it, and
// the server writes it once at the end.
type answer struct {
	status int
	header http.Header
	body   []byte
	code   int // the first error's code, for WithCodeStatus; 0 on success
}

// jsonAnswer encodes v as the body of an application/json answer.
func jsonAnswer(status int, v any) answer {
	body, err := json.Marshal(v)
	if err != nil {
		// Every value the fake encodes is built from JSON it decoded or from plain Go types;
		// failing here is a bug in the fake, not in the request.
		panic("capillarytest: encoding an answer: " + err.Error())
	}
	return answer{status: status, header: http.Header{"Content-Type": {"application/json"}}, body: body}
}

// errorEnvelope is the vendor's v2 error body: {"warnings":[],"errors":[...]}.
type errorEnvelope struct {
	Warnings []message `json:"warnings"`
	Errors   []message `json:"errors"`
}

// errorAnswer answers status with the vendor's envelope holding msgs.
func errorAnswer(status int, msgs ...message) answer {
	a := jsonAnswer(status, errorEnvelope{Warnings: []message{}, Errors: msgs})
	if len(msgs) > 0 {
		a.code = msgs[0].Code
	}
	return a
}

// failure answers status with one error of the given code and detail.
func failure(status, code int, detail string) answer {
	return errorAnswer(status, newMessage(code, detail))
}
