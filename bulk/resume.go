package bulk

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"iter"
	"strconv"

	"github.com/capillary-go/capillary"
)

// Fingerprint identifies a row's content: its address, source, account, body and problems (not
// its number), as 16 hex digits. Two rows with the same fingerprint send the same update.
func Fingerprint(row *Row) string {
	return strconv.FormatUint(fingerprintOf(row), 16)
}

func fingerprintOf(row *Row) uint64 {
	content, err := json.Marshal(struct {
		UserID     string
		Identifier any
		Source     string
		AccountID  string
		Body       any
		Problems   []Problem
	}{row.UserID, row.Identifier, string(row.Source), row.AccountID, row.Body, row.Problems})
	h := fnv.New64a()
	if err != nil {
		_, _ = h.Write([]byte("unencodable: " + err.Error()))
	}
	_, _ = h.Write(content)
	return h.Sum64()
}

// InputChangedError refuses to resume: the input is not the one the results file was written
// for (another input, or this one with a row inserted, removed or edited since). Nothing was
// sent.
type InputChangedError struct {
	// Row is the first row number where the input and the results differ.
	Row int
	// Reason says how they differ.
	Reason string
}

// Error says what differs and what to do. It has no "bulk:" prefix: Run returns it wrapped,
// as an error of the rows ("bulk: reading rows: ...").
func (e *InputChangedError) Error() string {
	return "the results file was written for another input: " + e.Reason +
		"; resume with the input as it was, or start over with a new results file"
}

// Resume yields the rows of rows that a run resumed from h still has to send: those without an
// outcome, those in flight when the run before stopped (marked Settle, to be read back before
// they are sent), and with retryFailed those that were not applied (uncertain ones marked
// Settle). For each row it skips it calls skipped, when not nil, with the row's recorded status.
//
// Every row h records must be the same row of rows (by Fingerprint), and rows must reach the
// last row h records; otherwise the iterator yields an *InputChangedError and stops. It holds
// back the rows to send until it has checked every recorded row, so that a changed input is
// refused before anything is sent: those are the rows in flight and never sent when the run
// before stopped (a few per worker), and with retryFailed the failed ones, held in memory. With retryFailed, a row recorded as not applied may have
// been edited: it is sent as it is now; one whose customer a later row has since been applied
// to is not sent again (skipped), since it would undo the later row.
func (h *History) Resume(rows iter.Seq2[Row, error], retryFailed bool, skipped func(Status)) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		var pending []Row // rows to send, held until every recorded row is checked
		var superseded map[int]bool
		if retryFailed {
			superseded = h.superseded()
		}
		seen := 0
		for row, err := range rows {
			if err != nil {
				yield(row, err)
				return
			}
			seen = row.Number
			status := h.Status(row.Number)
			if status != "" && h.fingerprints[row.Number] != fingerprintOf(&row) && !(retryFailed && status.Final() && status != Applied) {
				yield(Row{}, h.changed(&row, status))
				return
			}
			switch {
			case status == Sending || (status == Uncertain && retryFailed):
				row.Settle = true
			case status == Applied || (status.Final() && (!retryFailed || superseded[row.Number])):
				if skipped != nil {
					skipped(status)
				}
				continue
			}
			if row.Number < h.last {
				pending = append(pending, row)
				continue
			}
			for _, p := range pending {
				if !yield(p, nil) {
					return
				}
			}
			pending = nil
			if !yield(row, nil) {
				return
			}
		}
		if seen < h.last {
			yield(Row{}, &InputChangedError{Row: seen + 1, Reason: fmt.Sprintf(
				"the input ends at row %d, and the results file records row %d: rows were removed", seen, h.last)})
			return
		}
		for _, p := range pending {
			if !yield(p, nil) {
				return
			}
		}
	}
}

// changed says how the input's row differs from the row the results file recorded.
func (h *History) changed(row *Row, status Status) *InputChangedError {
	here, there := customerText(row.UserID, &row.Identifier), h.recorded(row.Number)
	reason := fmt.Sprintf("row %d is not the row %d the results file recorded (%s there)", row.Number, row.Number, status)
	switch {
	case there == "" || here != there:
		if there != "" {
			reason += fmt.Sprintf(": row %d was for %s, and is for %s now", row.Number, there, here)
		}
		reason += "; a row was inserted, removed or edited"
	default:
		// Every row differs when the run's source or account does (Fingerprint covers them).
		reason += fmt.Sprintf(": row %d, for %s, sends other values now, or to another source or account; "+
			"a row was edited, or the run's source or account changed", row.Number, here)
	}
	if status.Final() && status != Applied && here == there {
		reason += " (a row that failed may be edited when the failed rows are sent again)"
	}
	return &InputChangedError{Row: row.Number, Reason: reason}
}

// customerText names a row's customer, for messages.
func customerText(userID string, id *capillary.Identifier) string {
	switch {
	case userID != "":
		return "user id " + userID
	case id != nil && id.Value != "":
		return string(id.Type) + " " + id.Value
	}
	return "no customer"
}

// superseded returns the rows not applied whose customer a later row was applied to: sent
// again, they would leave the customer with an earlier row's values.
func (h *History) superseded() map[int]bool {
	failed := map[uint64][]int{} // customer -> its rows not applied
	for row := 1; row <= h.last; row++ {
		if s := h.Status(row); s.Final() && s != Applied {
			failed[h.customers[row]] = append(failed[h.customers[row]], row)
		}
	}
	out := map[int]bool{}
	for row := 1; row <= h.last && len(failed) > 0; row++ {
		if h.Status(row) != Applied {
			continue
		}
		for _, f := range failed[h.customers[row]] {
			if f < row {
				out[f] = true
			}
		}
	}
	return out
}
