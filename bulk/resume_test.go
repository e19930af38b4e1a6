package bulk

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// historyOf writes the results a run over rows left, through a JournalFile, and reads them
// back: each entry is a row number and its last status.
func historyOf(t *testing.T, rows []Row, entries map[int]Status) *History {
	t.Helper()
	path := filepath.Join(t.TempDir(), "results.jsonl")
	j, err := OpenJournal(path)
	require.NoError(t, err)
	for n, status := range entries {
		res := resultOf(&rows[n-1])
		require.NoError(t, j.Sending(res))
		if status != Sending {
			res.Status = status
			require.NoError(t, j.Finished(res))
		}
	}
	require.NoError(t, j.Close())
	h, err := ReadHistory(path)
	require.NoError(t, err)
	return h
}

type resumed struct {
	rows    []int
	settle  []int
	skipped []Status
	err     error
}

func resume(h *History, rows []Row, retryFailed bool) resumed {
	var out resumed
	for row, err := range h.Resume(seq(rows), retryFailed, func(s Status) { out.skipped = append(out.skipped, s) }) {
		if err != nil {
			out.err = err
			break
		}
		out.rows = append(out.rows, row.Number)
		if row.Settle {
			out.settle = append(out.settle, row.Number)
		}
	}
	return out
}

func TestResumeGoesOnWithTheSameInput(t *testing.T) {
	t.Parallel()
	rows := nameRows(8)
	// Rows 1 to 6 taken: 4 was never sent (held when the run stopped), 5 was in flight.
	h := historyOf(t, rows, map[int]Status{1: Applied, 2: Refused, 3: Uncertain, 5: Sending, 6: Applied})
	got := resume(h, rows, false)
	require.NoError(t, got.err)
	assert.Equal(t, []int{4, 5, 7, 8}, got.rows)
	assert.Equal(t, []int{5}, got.settle)
	assert.ElementsMatch(t, []Status{Applied, Refused, Uncertain, Applied}, got.skipped)

	got = resume(h, rows, true)
	require.NoError(t, got.err)
	assert.Equal(t, []int{2, 3, 4, 5, 7, 8}, got.rows, "--retry-failed sends the failed rows again")
	assert.Equal(t, []int{3, 5}, got.settle, "the uncertain one is read back first")
}

// A results file belongs to one input: another input, or this one changed, is refused before
// anything is yielded, whatever the row numbers.
func TestResumeRefusesAnotherInput(t *testing.T) {
	t.Parallel()
	rows := nameRows(8)
	h := historyOf(t, rows, map[int]Status{1: Applied, 2: Applied, 3: Applied, 5: Applied, 6: Sending})
	edited := nameRows(8)
	edited[2].Body.Profiles[0].FirstName = &[]string{"Zed"}[0]
	inserted := append(append(nameRows(2), Row{Number: 3, UserID: "99", Body: nameRow(9).Body}), nameRows(8)[2:]...)
	for i := range inserted {
		inserted[i].Number = i + 1
	}
	removed := append(nameRows(1), nameRows(8)[2:]...)
	for i := range removed {
		removed[i].Number = i + 1
	}
	inFlightEdited := nameRows(8)
	inFlightEdited[5].Body.Profiles[0].FirstName = &[]string{"Zed"}[0]
	other := nameRows(8)
	for i := range other {
		other[i].UserID = "2000" + itoa(i)
	}
	tests := []struct {
		name   string
		rows   []Row
		row    int
		reason string
	}{
		{"another input's results", other, 1, "row 1 is not the row 1 the results file recorded (applied there): row 1 was for user id 10001, and is for user id 20000 now"},
		{"a row edited", edited, 3, "row 3 is not the row 3 the results file recorded (applied there): row 3, for user id 10003, sends other values now"},
		{"a row inserted", inserted, 3, "row 3 was for user id 10003, and is for user id 99 now"},
		{"a row removed", removed, 2, "row 2 was for user id 10002, and is for user id 10003 now"},
		{"a row in flight edited", inFlightEdited, 6, "row 6 is not the row 6 the results file recorded (sending there): row 6, for user id 10006, sends other values now"},
		{"the last rows removed", nameRows(4), 5, "the input ends at row 4, and the results file records row 6: rows were removed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, retryFailed := range []bool{false, true} {
				got := resume(h, tt.rows, retryFailed)
				var changed *InputChangedError
				require.True(t, errors.As(got.err, &changed), "%v", got.err)
				assert.Equal(t, tt.row, changed.Row)
				assert.Contains(t, got.err.Error(), tt.reason)
				assert.Empty(t, got.rows, "nothing is yielded to send before the input is checked")
			}
		})
	}
}

// With --retry-failed, a failed row fixed in the input is sent as it is now.
func TestRetryFailedSendsAFailedRowAsEdited(t *testing.T) {
	t.Parallel()
	rows := nameRows(3)
	h := historyOf(t, rows, map[int]Status{1: Applied, 2: Invalid, 3: Applied})
	fixed := nameRows(3)
	fixed[1].Body.Profiles[0].FirstName = &[]string{"Fixed"}[0]
	got := resume(h, fixed, true)
	require.NoError(t, got.err)
	assert.Equal(t, []int{2}, got.rows)
	refused := resume(h, fixed, false).err
	assert.ErrorAs(t, refused, new(*InputChangedError), "a plain resume refuses it")
	assert.ErrorContains(t, refused, "(a row that failed may be edited when the failed rows are sent again)")
}

// Run stops at the refusal, before anything is sent, and returns it.
func TestRunStopsAtAChangedInput(t *testing.T) {
	t.Parallel()
	rows := nameRows(4)
	h := historyOf(t, rows, map[int]Status{1: Applied, 2: Sending, 3: Applied})
	edited := nameRows(4)
	edited[2].UserID = "other"
	api := newFakeAPI(nil)
	sum, err := newRunner(t, api).Run(testCtx(t), h.Resume(seq(edited), false, nil), newMemJournal())
	var changed *InputChangedError
	require.ErrorAs(t, err, &changed)
	assert.Equal(t, "bulk: reading rows: the results file was written for another input: row 3 is not the row 3 the results file recorded (applied there): "+
		"row 3 was for user id 10003, and is for user id other now; a row was inserted, removed or edited; resume with the input as it was, or start over with a new results file", err.Error())
	assert.Zero(t, sum.Sent+sum.Reads, "nothing was sent, not even the read-back of row 2")
}

// --retry-failed does not send again a failed row whose customer a later row was applied to:
// the customer would end with the earlier row's values.
func TestRetryFailedKeepsTheCustomersLastRow(t *testing.T) {
	t.Parallel()
	rows := nameRows(6)
	rows[4].UserID = rows[1].UserID // rows 2 and 5: one customer
	rows[5].UserID = rows[2].UserID // rows 3 and 6: one customer, the later row not applied
	h := historyOf(t, rows, map[int]Status{1: Applied, 2: Refused, 3: Uncertain, 4: Applied, 5: Applied, 6: Refused})
	got := resume(h, rows, true)
	require.NoError(t, got.err)
	assert.Equal(t, []int{3, 6}, got.rows, "row 2 would undo row 5; rows 3 and 6 go again, in order")
	assert.ElementsMatch(t, []Status{Applied, Refused, Applied, Applied}, got.skipped)
}
