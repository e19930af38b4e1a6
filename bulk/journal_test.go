package bulk

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
)

func TestJournalFileWritesEveryLineFromManyWriters(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "results.jsonl")
	j, err := OpenJournal(path)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				row := w*50 + i + 1
				assert.NoError(t, j.Sending(&Result{Row: row, Fingerprint: "f"}))
				assert.NoError(t, j.Finished(&Result{Row: row, Status: Applied, Attempts: 1}))
			}
		}()
	}
	wg.Wait()
	require.NoError(t, j.Close())

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	lines := map[int][]Status{}
	sc := bufio.NewScanner(f)
	require.True(t, sc.Scan())
	require.Equal(t, journalHeader, sc.Text())
	for sc.Scan() {
		var res Result
		require.NoError(t, json.Unmarshal(sc.Bytes(), &res), sc.Text())
		lines[res.Row] = append(lines[res.Row], res.Status)
	}
	require.Len(t, lines, 400)
	for row, statuses := range lines {
		assert.Equal(t, []Status{Sending, Applied}, statuses, "row %d", row)
	}
}

func TestJournalLineFormat(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "results.jsonl")
	j, err := OpenJournal(path)
	require.NoError(t, err)
	require.NoError(t, j.Sending(&Result{Row: 3, Fingerprint: "a1b2"}))
	require.NoError(t, j.Finished(&Result{
		Row: 3, Status: Refused, Identifier: &capillary.Identifier{Type: capillary.IdentifierMobile, Value: "9199"},
		HTTPStatus: 400, Errors: []capillary.Message{{Code: 8015, Message: "Customer not found"}}, RequestID: "r-1", Attempts: 1,
		Fingerprint: "a1b2",
	}))
	require.NoError(t, j.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, journalHeader+"\n"+`{"row":3,"status":"sending","fingerprint":"a1b2"}`+"\n"+
		`{"row":3,"status":"refused","identifier":{"type":"mobile","value":"9199"},"httpStatus":400,"errors":[{"code":8015,"message":"Customer not found","status":false}],"requestId":"r-1","attempts":1,"fingerprint":"a1b2"}`+"\n", string(data))
}

func TestJournalRemovesALineCutShortAndHistoryReadsTheRest(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "results.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(journalHeader+"\n"+
		`{"row":1,"status":"sending","fingerprint":"1"}`+"\n"+
		`{"row":1,"status":"applied","attempts":1,"fingerprint":"1"}`+"\n"+
		`{"row":2,"status":"sending","fingerprint":"2"}`+"\n"+
		`{"row":3,"status":"sending","fingerprint":"3"}`+"\n"+
		`{"row":3,"status":"refused","attempts":1,"fingerprint":"3"}`+"\n"+
		`{"row":5,"status":"uncertain","attempts":1,"fingerprint":"5"}`+"\n"+
		`{"row":4,"status":"sen`), 0o644))

	h, err := ReadHistory(path)
	require.NoError(t, err)
	for row, want := range map[int]Status{1: Applied, 2: Sending, 3: Refused, 4: "", 5: Uncertain, 6: "", 0: ""} {
		assert.Equal(t, want, h.Status(row), "row %d", row)
	}

	j, err := OpenJournal(path)
	require.NoError(t, err)
	require.NoError(t, j.Finished(&Result{Row: 2, Status: Applied, Fingerprint: "2"}))
	require.NoError(t, j.Close())
	h, err = ReadHistory(path)
	require.NoError(t, err)
	assert.Equal(t, Applied, h.Status(2))
	assert.Equal(t, "", string(h.Status(4)))
}

func TestReadHistory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h, err := ReadHistory(filepath.Join(dir, "missing.jsonl"))
	require.NoError(t, err)
	assert.Equal(t, Status(""), h.Status(1))

	for _, tt := range []struct {
		name, content, want string
	}{
		{"not JSON", `{"row":1,"status":"applied","fingerprint":"1"}` + "\n" + `hello` + "\n", "line 3: not a result line: it is not JSON: invalid character 'h' looking for beginning of value, at character 1"},
		{"a line cut short in the middle", `{"row":1,"status":"appl` + "\n" + `{"row":2,"status":"applied","fingerprint":"1"}` + "\n", `line 2: not a result line: it is not JSON: invalid character '\n' in string literal, at character 24`},
		{"a row number that is text", `{"row":"1","status":"applied","fingerprint":"1"}` + "\n", "line 2: not a result line: row is a JSON string, which it cannot be"},
		{"no row", `{"status":"applied","fingerprint":"1"}` + "\n", "line 2: not a result line: no row number"},
		{"unknown status", `{"row":1,"status":"done","fingerprint":"1"}` + "\n", `line 2: status "done" is not one of`},
		{"no fingerprint", `{"row":1,"status":"applied"}` + "\n", `line 2: fingerprint "" is not a row's fingerprint`},
		{"a row far out of sequence", `{"row":99999999999,"status":"applied","fingerprint":"1"}` + "\n", "line 2: row 99999999999 is out of sequence: the lines before reach row 0"},
		{"a number where an object is", "7\n", "line 2: not a result line: it is a JSON number: it should be an object"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".jsonl")
			require.NoError(t, os.WriteFile(bad, []byte(journalHeader+"\n"+tt.content), 0o644))
			_, err = ReadHistory(bad)
			require.ErrorContains(t, err, tt.want)
			assert.Contains(t, err.Error(), bad, "the error names the file")
			assert.NotContains(t, err.Error(), "json:", "said without Go's words")
		})
	}
}

// A file that is not a results file (the input, named by mistake) is refused, untouched.
func TestJournalRefusesAFileThatIsNotResults(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"input.csv":     "userId,firstName\n101,Ann\n102,Bob", // no newline at the end: a line "cut short"
		"input.jsonl":   `{"userId":"101","body":{"profiles":[{"firstName":"Ann"}]}}` + "\n",
		"old.jsonl":     `{"row":1,"status":"sending"}` + "\n",
		"notes.txt":     "x",
		"header-ish.js": journalHeader, // the header, cut short
	} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		_, err := OpenJournal(path)
		require.ErrorIs(t, err, ErrNotResults, name)
		_, err = ReadHistory(path)
		require.ErrorIs(t, err, ErrNotResults, name)
		after, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, content, string(after), "%s was changed", name)
	}
}

func TestJournalFileIsLockedWhileOpen(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no flock")
	}
	path := filepath.Join(t.TempDir(), "results.jsonl")
	j, err := OpenJournal(path)
	require.NoError(t, err)
	_, err = OpenJournal(path)
	require.ErrorContains(t, err, "another run is writing it")
	require.NoError(t, j.Close())
	again, err := OpenJournal(path)
	require.NoError(t, err, "closed, the file is free")
	require.NoError(t, again.Close())
}
