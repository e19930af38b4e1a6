package bulk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/capillary-go/capillary"
)

// jsonlRow is one line of a JSONL input.
type jsonlRow struct {
	UserID     capillary.ID          `json:"userId"`
	Identifier *capillary.Identifier `json:"identifier"`
	Source     capillary.Source      `json:"source"`
	AccountID  string                `json:"accountId"`
	Body       json.RawMessage       `json:"body"`
}

// ReadJSONL reads rows from JSON lines, one object per line:
//
//	{"userId": "171891944", "body": {"profiles": [{"firstName": "Tom"}]}}
//	{"identifier": {"type": "mobile", "value": "919999000001"}, "source": "INSTORE", "body": {...}}
//
// userId (a string or a number) or identifier addresses the customer; source and accountId
// are optional; body is the vendor's update body. A row's number is its line number; blank
// lines are skipped, and a byte order mark at the start is. A line that is not one such
// object, a body field that the vendor does not document (a misspelt "fistName", "profile" for
// "profiles") and a mobile number that is not digits give a row with Problems. The iterator's
// error is an I/O error, or UTF-16 input.
func ReadJSONL(r io.Reader) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		br, err := withoutBOM(r)
		if err != nil {
			yield(Row{}, err)
			return
		}
		for n := 1; ; n++ {
			line, err := br.ReadBytes('\n')
			if len(bytes.TrimSpace(line)) > 0 {
				if !yield(parseJSONLine(n, line), nil) {
					return
				}
			}
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(Row{}, err)
				return
			}
		}
	}
}

func parseJSONLine(n int, line []byte) Row {
	row := Row{Number: n}
	if !utf8.Valid(line) {
		// encoding/json would replace the bad bytes with U+FFFD without a word.
		row.Problems = []Problem{{Field: "line", Problem: "is not valid UTF-8"}}
		return row
	}
	var in jsonlRow
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	err := dec.Decode(&in)
	// encoding/json decodes the rest of an object past an unknown key or a value of the wrong
	// type: a refused line keeps the address it gave, for its result line.
	row.UserID, row.Source, row.AccountID = in.UserID.String(), in.Source, in.AccountID
	if in.Identifier != nil && row.UserID == "" {
		row.Identifier = *in.Identifier
	}
	if err != nil {
		row.Problems = []Problem{{Field: "line", Problem: jsonProblem(err, "a row object")}}
		return row
	}
	if _, err := dec.Token(); err != io.EOF {
		row.Problems = []Problem{{Field: "line", Problem: "has more after its object: give one object per line"}}
		return row
	}
	switch {
	case in.Identifier != nil && row.UserID != "":
		row.Problems = append(row.Problems, Problem{Field: "userId", Problem: "and identifier are both given: give one"})
	case in.Identifier != nil:
		if row.Identifier.Type == "" || row.Identifier.Value == "" {
			row.Problems = append(row.Problems, Problem{Field: "identifier", Problem: `needs a "type" and a "value"`})
		}
	case row.UserID == "":
		row.Problems = append(row.Problems, Problem{Field: "userId", Problem: "or identifier is required"})
	}
	if len(in.Body) == 0 || string(in.Body) == "null" {
		row.Problems = append(row.Problems, Problem{Field: "body", Problem: "is required"})
		return row
	}
	body := &capillary.UpdateCustomerRequest{}
	if err := json.Unmarshal(in.Body, body); err != nil {
		row.Problems = append(row.Problems, Problem{Field: "body", Problem: jsonProblem(err, "the vendor's update body")})
		return row
	}
	row.Body = body
	row.Problems = append(row.Problems, unknownFields(body)...)
	row.checkMobiles("identifier.value")
	return row
}

// jsonProblem says what encoding/json found wrong with a line, or the body in it (what), in
// the words of a file's author rather than Go's types.
func jsonProblem(err error, what string) string {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("is not JSON: %s, at character %d", syntax, syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "is cut short: an object or a string is not closed"
	case errors.As(err, &typ) && typ.Field == "":
		return fmt.Sprintf("is a JSON %s: it should be %s", typ.Value, what)
	case errors.As(err, &typ):
		return fmt.Sprintf("%s is a JSON %s, which it cannot be", typ.Field, typ.Value)
	}
	msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "json: "), "capillary: ")
	if key, ok := strings.CutPrefix(msg, "unknown field "); ok {
		return "has the key " + key + ": a row takes userId or identifier, source, accountId and body"
	}
	return msg
}

// unknownFields names the fields of body that the vendor's update does not document, which the
// SDK keeps in the Unknown of each object: in a file, they are misspellings that the vendor
// would refuse or ignore.
func unknownFields(body *capillary.UpdateCustomerRequest) []Problem {
	var out []Problem
	add := func(path string, unknown capillary.Unknown, of any) {
		for _, name := range slices.Sorted(maps.Keys(unknown)) {
			out = append(out, Problem{Field: path + name, Problem: "is not a field of the update (" + fieldsOf(of) + ")"})
		}
	}
	add("", body.Unknown, body)
	for i := range body.Profiles {
		p := &body.Profiles[i]
		at := fmt.Sprintf("profiles[%d].", i)
		add(at, p.Unknown, p)
		for j := range p.CommChannels {
			add(fmt.Sprintf("%scommChannels[%d].", at, j), p.CommChannels[j].Unknown, &p.CommChannels[j])
		}
		for j := range p.Identifiers {
			add(fmt.Sprintf("%sidentifiers[%d].", at, j), p.Identifiers[j].Unknown, &p.Identifiers[j])
		}
	}
	if body.LoyaltyInfo != nil {
		add("loyaltyInfo.", body.LoyaltyInfo.Unknown, body.LoyaltyInfo)
	}
	for i := range body.LoyaltyProgramEnrollments {
		add(fmt.Sprintf("loyaltyProgramEnrollments[%d].", i), body.LoyaltyProgramEnrollments[i].Unknown, &body.LoyaltyProgramEnrollments[i])
	}
	return out
}

// fieldsOf lists the JSON names of v's type, a pointer to a struct: "it takes a, b, c".
func fieldsOf(v any) string {
	t := reflect.TypeOf(v).Elem()
	var names []string
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return "it takes " + strings.Join(names, ", ")
}
