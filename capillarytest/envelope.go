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
	// CodeInvalidCommChannel (HTTP 400): 8010, a channel with an unknown type, no value, or
	// primary/verified flags that are not booleans.
	CodeInvalidCommChannel = 8010
	// CodeCustomerNotFound (HTTP 400): 8015, no customer has the user id.
	CodeCustomerNotFound = 8015
	// CodeLoyaltyDowngrade (HTTP 400): 8018, a loyalty customer cannot become non-loyalty.
	CodeLoyaltyDowngrade = 8018
	// CodeAccountIDRequired (HTTP 400): 8045, a multi-account source was given no accountId.
	CodeAccountIDRequired = 8045
	// CodeChannelTypeMissing (HTTP 400): 8106, a communication channel has no type.
	CodeChannelTypeMissing = 8106
	// CodeUpdateFailed (HTTP 400): 10002, the vendor's "failed to update customer details",
	// used for an enrolment into a program the customer is already in (the vendor documents
	// the refusal but no code of its own for it) and into a program the org does not have.
	CodeUpdateFailed = 10002
	// CodePrimaryIdentifier (HTTP 400): 91005, a channel would change the value of the
	// customer's primary identifier.
	CodePrimaryIdentifier = 91005
	// CodeIdentifierUpdate (HTTP 400): 91006, a channel would change the primary value of the
	// customer's other identifier.
	CodeIdentifierUpdate = 91006
)

// Warning codes the fake returns beside a successful update.
const (
	// WarningInvalidEmail: 8055, an email channel whose value is not an address; the channel
	// is dropped and the rest of the update applied.
	WarningInvalidEmail = 8055
	// WarningInvalidMobile: 8056, a mobile channel whose value is not 8 to 15 digits (with an
	// optional leading +); the channel is dropped and the rest of the update applied.
	WarningInvalidMobile = 8056
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
	case CodeCustomerNotFound:
		return "Customer not found for the given identifiers"
	case CodeLoyaltyDowngrade:
		return "Conversion from loyalty to non-loyalty is not allowed"
	case CodeAccountIDRequired:
		return "Account id not passed"
	case CodeChannelTypeMissing:
		return "Communication channel type not passed"
	case CodeUpdateFailed:
		return "Failed to update customer details"
	case CodePrimaryIdentifier:
		return "is primary identifier and cannot be updated"
	case CodeIdentifierUpdate:
		return "update is not allowed"
	case WarningInvalidEmail:
		return "Invalid email"
	case WarningInvalidMobile:
		return "Invalid mobile"
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
	return jsonAnswer(status, errorEnvelope{Warnings: []message{}, Errors: msgs})
}

// failure answers status with one error of the given code and detail.
func failure(status, code int, detail string) answer {
	return errorAnswer(status, newMessage(code, detail))
}
