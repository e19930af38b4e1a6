package bulk

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"iter"
	"sort"
	"strconv"

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
// lines are skipped. A line that is not such an object, or a body with a field the update
// does not know (it would be dropped), gives a row with Problems. The iterator's error is an
// I/O error only.
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
	for _, path := range droppedFields(in.Body, body) {
		row.Problems = append(row.Problems, Problem{Field: "body." + path, Problem: "is not a field of the update: it would be dropped"})
	}
	row.Body = body
	return row
}

// droppedFields lists the paths of the fields of raw that decoding into body left out.
func droppedFields(raw json.RawMessage, body *capillary.UpdateCustomerRequest) []string {
	again, err := json.Marshal(body)
	if err != nil {
		return nil // the SDK's validation will report it
	}
	var before, after any
	if json.Unmarshal(raw, &before) != nil || json.Unmarshal(again, &after) != nil {
		return nil
	}
	var out []string
	walkDropped("", before, after, &out)
	return out
}

func walkDropped(path string, before, after any, out *[]string) {
	switch b := before.(type) {
	case map[string]any:
		a, _ := after.(map[string]any)
		keys := make([]string, 0, len(b))
		for k := range b {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub := k
			if path != "" {
				sub = path + "." + k
			}
			av, kept := a[k]
			switch {
			case b[k] == nil: // null: not set, nothing to lose
			case !kept:
				*out = append(*out, sub)
			default:
				walkDropped(sub, b[k], av, out)
			}
		}
	case []any:
		a, _ := after.([]any)
		for i := range b {
			if i < len(a) {
				walkDropped(path+"["+strconv.Itoa(i)+"]", b[i], a[i], out)
			}
		}
	}
}
