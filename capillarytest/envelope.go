package capillarytest

import (
	"encoding/json"
	"net/http"
)

// message is one entry of the vendor's errors or warnings lists. The field order is the
// vendor's: status, code, message.
type message struct {
	Status  bool   `json:"status"`
	Code    int    `json:"code"`
	Message string `json:"message"`
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

// failure answers status with one error, its code the status, and text.
func failure(status int, text string) answer {
	return errorAnswer(status, message{Code: status, Message: text})
}
