package bulk

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"iter"
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
// are optional; body is the vendor's update body, sent with every field it has (those the SDK
// does not model too). A row's number is its line number; blank lines are skipped. A line that
// is not such an object gives a row with Problems. The iterator's error is an I/O error only.
func ReadJSONL(r io.Reader) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		br := bufio.NewReaderSize(r, 64<<10)
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
	if err := dec.Decode(&in); err != nil {
		row.Problems = []Problem{{Field: "line", Problem: "is not a row object: " + err.Error()}}
		return row
	}
	row.UserID, row.Source, row.AccountID = in.UserID.String(), in.Source, in.AccountID
	switch {
	case in.Identifier != nil && row.UserID != "":
		row.Problems = append(row.Problems, Problem{Field: "userId", Problem: "and identifier are both given: give one"})
	case in.Identifier != nil:
		row.Identifier = *in.Identifier
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
		row.Problems = append(row.Problems, Problem{Field: "body", Problem: err.Error()})
		return row
	}
	row.Body = body
	return row
}
