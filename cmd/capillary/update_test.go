package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/bulk"
	"github.com/capillary-go/capillary/capillarytest"
)

// harness runs the command in-process against a fake.
type harness struct {
	t        *testing.T
	srv      *capillarytest.Server
	dir      string
	env      map[string]string
	terminal bool
	stdin    string
}

func newHarness(t *testing.T, ids ...string) *harness {
	t.Helper()
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	for _, id := range ids {
		srv.AddCustomer(capillarytest.Customer{ID: id, Profile: capillarytest.Profile{FirstName: "before"}})
	}
	return &harness{t: t, srv: srv, dir: t.TempDir(), env: map[string]string{
		"CAPILLARY_BASE_URL": srv.URL,
		"CAPILLARY_TILL":     capillarytest.DefaultTill,
		"CAPILLARY_PASSWORD": capillarytest.DefaultPassword,
	}}
}

// file writes a file in the test's directory and returns its path.
func (h *harness) file(name, content string) string {
	h.t.Helper()
	path := filepath.Join(h.dir, name)
	require.NoError(h.t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

func (h *harness) run(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	h.t.Helper()
	var out, errOut bytes.Buffer
	a := &app{
		stdin: strings.NewReader(h.stdin), stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return h.env[k] }, terminal: h.terminal,
	}
	code = a.run(ctx, args)
	return code, out.String(), errOut.String()
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// results reads a results file: every line, in order.
func results(t *testing.T, path string) []bulk.Result {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []bulk.Result
	sc := bufio.NewScanner(f)
	require.True(t, sc.Scan(), "the header line")
	for sc.Scan() {
		var r bulk.Result
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r), sc.Text())
		out = append(out, r)
	}
	return out
}

// finals returns the final outcome of each row; it fails on a row with two.
func finals(t *testing.T, lines []bulk.Result) map[int]bulk.Result {
	t.Helper()
	out := map[int]bulk.Result{}
	for _, r := range lines {
		if !r.Status.Final() {
			continue
		}
		_, dup := out[r.Row]
		require.False(t, dup, "row %d has two outcomes", r.Row)
		out[r.Row] = r
	}
	return out
}

func (h *harness) puts() map[string]int {
	out := map[string]int{}
	for _, r := range h.srv.Requests() {
		if r.Method == "PUT" {
			out[strings.TrimPrefix(r.Path, "/v2/customers/")]++
		}
	}
	return out
}

func TestUpdateFromCSV(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "101", "102", "103")
	in := h.file("customers.csv", "userId,firstName,fields.city\n101,Ann,Pune\n102,Bob,\n103,Cy,Goa\n")
	code, stdout, stderr := h.run(testCtx(t), "customers", "update", "--input", in, "--source", "INSTORE", "--concurrency", "2", "--rate", "1000/s", "--progress-every", "2")
	require.Equal(t, exitOK, code, stderr)

	lines := results(t, filepath.Join(h.dir, "customers.results.jsonl"))
	got := finals(t, lines)
	require.Len(t, got, 3)
	for row, id := range map[int]string{1: "101", 2: "102", 3: "103"} {
		assert.Equal(t, bulk.Applied, got[row].Status)
		assert.Equal(t, id, got[row].UserID)
		assert.NotEmpty(t, got[row].RequestID)
		assert.Equal(t, 1, got[row].Attempts)
	}
	assert.Len(t, lines, 6, "a sending line and an outcome per row")
	ann, _ := h.srv.Customer("101")
	assert.Equal(t, "Ann", ann.FirstName)
	assert.Equal(t, map[string]any{"city": "Pune"}, ann.Fields)

	assert.Contains(t, stdout, "Summary")
	assert.Regexp(t, `applied\s+3`, stdout)
	assert.Contains(t, stdout, "Results: "+filepath.Join(h.dir, "customers.results.jsonl"))
	assert.Contains(t, stderr, "capillary: 2 rows done, 2 applied")
	assert.NotContains(t, stderr, "\x1b[", "no terminal: plain lines only")
}

func TestUpdateFromJSONLOnStdinReportsEachOutcome(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "101")
	h.stdin = `{"userId":"101","body":{"profiles":[{"firstName":"Ann"}]}}
{"userId":"999","body":{"profiles":[{"firstName":"Zed"}]}}
{"userId":"101","body":{"profiles":[{"firstName":"` + strings.Repeat("x", 101) + `"}]}}
`
	out := filepath.Join(h.dir, "out.jsonl")
	code, stdout, stderr := h.run(testCtx(t), "customers", "update", "--input", "-", "--format", "jsonl", "--source", "INSTORE", "--results", out)
	assert.Equal(t, exitFailed, code, stderr)
	got := finals(t, results(t, out))
	assert.Equal(t, bulk.Applied, got[1].Status)
	assert.Equal(t, bulk.Refused, got[2].Status)
	assert.EqualValues(t, 8015, got[2].Errors[0].Code)
	assert.Equal(t, bulk.Invalid, got[3].Status)
	assert.Equal(t, "profiles[0].firstName", got[3].Problems[0].Field)
	assert.Contains(t, stdout, "Not applied, by code: 8015 ×1, invalid ×1")
	assert.Equal(t, map[string]int{"101": 1, "999": 1}, h.puts())
}

func TestUpdateRefusesToStartOverExistingResults(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "101")
	in := h.file("c.csv", "userId,firstName\n101,Ann\n")
	resultsFile(t, filepath.Join(h.dir, "c.results.jsonl"), "userId,firstName\n101,Ann\n", "1 applied")
	code, _, stderr := h.run(testCtx(t), "customers", "update", "--input", in, "--source", "INSTORE")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "already holds results: use --resume")
	assert.Empty(t, h.puts())
}

func TestResumeSkipsFinalRowsAndRetryFailedSendsThemAgain(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "101", "102", "103")
	in := h.file("c.csv", "userId,firstName\n101,Ann\n102,Bob\n103,Cy\n")
	res := resultsFile(t, filepath.Join(h.dir, "c.results.jsonl"), "userId,firstName\n101,Ann\n102,Bob\n103,Cy\n",
		"1 sending", "1 applied", "2 sending", "2 refused")

	code, stdout, stderr := h.run(testCtx(t), "customers", "update", "--input", in, "--source", "INSTORE", "--resume")
	assert.Equal(t, exitFailed, code, "row 2 is still refused: %s", stderr)
	assert.Equal(t, map[string]int{"103": 1}, h.puts(), "only the row without an outcome is sent")
	assert.Regexp(t, `skipped\s+2\s+an earlier run settled them \(1 not applied: --retry-failed\)`, stdout)

	code, _, stderr = h.run(testCtx(t), "customers", "update", "--input", in, "--source", "INSTORE", "--retry-failed")
	assert.Equal(t, exitOK, code, stderr)
	assert.Equal(t, map[string]int{"102": 1, "103": 1}, h.puts(), "the refused row is sent again, nothing else")
	lines := results(t, res)
	last := lines[len(lines)-1]
	assert.Equal(t, 2, last.Row)
	assert.Equal(t, bulk.Applied, last.Status)
}

func TestDryRunReportsEveryBadRowAndSendsNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.env = map[string]string{} // offline: no cluster needed
	in := h.file("c.csv", "userId,firstName,loyaltyType\n101,Ann,loyalty\n,Bob,\n103,Cy,gold\n104,"+strings.Repeat("y", 101)+",\n")
	code, stdout, stderr := h.run(testCtx(t), "customers", "update", "--input", in, "--source", "INSTORE", "--dry-run")
	assert.Equal(t, exitFailed, code, stderr)
	assert.Equal(t, `row 2: userId: is empty: the row has no address
row 3: loyaltyInfo.loyaltyType: "gold" is not "loyalty" or "non_loyalty"
row 4: profiles[0].firstName: is 101 characters long; the vendor keeps at most 100
4 rows checked: 1 valid, 3 invalid. Nothing was sent.
`, stdout)
	assert.Empty(t, h.srv.Requests())
	_, err := os.Stat(filepath.Join(h.dir, "c.results.jsonl"))
	assert.True(t, os.IsNotExist(err), "a dry run writes no results")

	in = h.file("ok.csv", "userId,firstName\n101,Ann\n")
	code, _, _ = h.run(testCtx(t), "customers", "update", "--input", in, "--source", "INSTORE", "--dry-run")
	assert.Equal(t, exitOK, code)
}

func TestInterruptedRunSaysHowToGoOn(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "101")
	in := h.file("c.csv", "userId,firstName\n101,Ann\n")
	ctx, cancel := context.WithCancel(testCtx(t))
	cancel()
	code, _, stderr := h.run(ctx, "customers", "update", "--input", in, "--source", "INSTORE")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr, "interrupted")
	assert.Contains(t, stderr, "--resume")
}

func TestProgressBarOnATerminal(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "101", "102")
	h.terminal = true
	in := h.file("c.csv", "userId,firstName\n101,Ann\n102,\n")
	code, stdout, stderr := h.run(testCtx(t), "customers", "update", "--input", in, "--source", "INSTORE")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr, "2 / 2 rows")
	assert.Contains(t, stderr, "not applied: invalid ×1")
	assert.NotContains(t, stdout, "\x1b[", "the bar stays on stderr")
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	csv := h.file("c.csv", "userId,firstName\n101,Ann\n")
	txt := h.file("c.txt", "")
	badHeader := h.file("bad.csv", "userId,nickname\n")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"customers", "update", "--source", "INSTORE"}, "--input is required"},
		{[]string{"customers", "update", "--input", csv}, "--source is required"},
		{[]string{"customers", "update", "--input", csv, "--source", "SHOP"}, `--source "SHOP" is not one of`},
		{[]string{"customers", "update", "--input", csv, "--source", "INSTORE", "--rate", "fast"}, `--rate "fast": write it as N/s, N/min or N/h`},
		{[]string{"customers", "update", "--input", csv, "--source", "INSTORE", "--concurrency", "0"}, "--concurrency 0 is below 1"},
		{[]string{"customers", "update", "--input", txt, "--source", "INSTORE"}, "cannot tell the format"},
		{[]string{"customers", "update", "--input", "-", "--source", "INSTORE"}, "--format csv or --format jsonl is needed"},
		{[]string{"customers", "update", "--input", "-", "--format", "csv", "--source", "INSTORE"}, "--results is needed"},
		{[]string{"customers", "update", "--input", badHeader, "--source", "INSTORE"}, `unknown column "nickname"`},
		{[]string{"customers", "update", "--input", filepath.Join(h.dir, "missing.csv"), "--source", "INSTORE"}, "no such file"},
		{[]string{"customers", "update", "--input", csv, "--source", "INSTORE", "--dry-run", "--resume"}, "cannot be combined"},
		{[]string{"customers", "update", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"customers", "delete"}, `unknown subcommand "delete"`},
		{[]string{"orders"}, `unknown command "orders"`},
		{[]string{"customers"}, "needs a subcommand"},
	}
	for _, tt := range tests {
		code, _, stderr := h.run(testCtx(t), tt.args...)
		assert.Equal(t, exitUsage, code, "%v", tt.args)
		assert.Contains(t, stderr, tt.want, "%v", tt.args)
	}

	h.env = map[string]string{}
	code, _, stderr := h.run(testCtx(t), "customers", "update", "--input", csv, "--source", "INSTORE")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "set CAPILLARY_BASE_URL or CAPILLARY_REGION")
	h.env = map[string]string{"CAPILLARY_REGION": "india"}
	_, _, stderr = h.run(testCtx(t), "customers", "update", "--input", csv, "--source", "INSTORE")
	assert.Contains(t, stderr, "set CAPILLARY_TILL and CAPILLARY_PASSWORD")
}

func TestHelp(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code, stdout, _ := h.run(testCtx(t), "customers", "update", "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "Examples:")
	assert.Contains(t, stdout, "--retry-failed")
	assert.Contains(t, stdout, "-rate N/s")
	code, stdout, _ = h.run(testCtx(t), "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "CAPILLARY_BASE_URL")
	code, _, stderr := h.run(testCtx(t))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "Usage:")
}

func TestParseRate(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]struct {
		n   float64
		per time.Duration
	}{"10/s": {10, time.Second}, "600/min": {600, time.Minute}, "3600/h": {3600, time.Hour}, "1.5/s": {1.5, time.Second}, " 60 / min ": {60, time.Minute}} {
		n, per, err := parseRate(in)
		require.NoError(t, err, in)
		assert.Equal(t, want.n, n, in)
		assert.Equal(t, want.per, per, in)
	}
	for _, in := range []string{"10", "0/s", "-1/s", "x/s", "10/d", "10/", "NaN/s"} {
		_, _, err := parseRate(in)
		assert.Error(t, err, in)
	}
}

func TestResumeSettlesRowsInFlightByReadingBack(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "102")
	h.srv.AddCustomer(capillarytest.Customer{ID: "101", Profile: capillarytest.Profile{FirstName: "Ann"}}) // the killed run's update was applied
	in := h.file("c.csv", "userId,firstName\n101,Ann\n102,Bob\n")
	res := resultsFile(t, filepath.Join(h.dir, "c.results.jsonl"), "userId,firstName\n101,Ann\n102,Bob\n", "1 sending", "2 sending")
	f, err := os.OpenFile(res, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"row":2,"status":"appl`) // the killed run was writing this line
	require.NoError(t, err)
	require.NoError(t, f.Close())

	code, stdout, stderr := h.run(testCtx(t), "customers", "update", "--input", in, "--source", "INSTORE", "--resume")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, map[string]int{"102": 1}, h.puts(), "the row already applied is not sent again")
	assert.Regexp(t, `in flight before\s+2\s+read back before sending`, stdout)
	got := finals(t, results(t, res))
	assert.Equal(t, bulk.Applied, got[1].Status)
	assert.Equal(t, 0, got[1].Attempts)
	assert.Contains(t, got[1].Settlement, "in flight when an earlier run stopped; read back: the customer holds every value of the row")
	assert.Equal(t, bulk.Applied, got[2].Status)
	assert.Equal(t, 1, got[2].Attempts)
	bob, _ := h.srv.Customer("102")
	assert.Equal(t, "Bob", bob.FirstName)
}

// Progress is for a terminal: off one, a run of many rows writes nothing on stderr unless
// --progress-every asks for lines.
func TestNoProgressOffATerminal(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "101")
	var in strings.Builder
	in.WriteString("userId,firstName\n")
	for i := range 1000 {
		fmt.Fprintf(&in, "101,Ann%d\n", i)
	}
	path := h.file("c.csv", in.String())
	code, _, stderr := h.run(testCtx(t), "customers", "update", "--input", path, "--source", "INSTORE", "--concurrency", "8")
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stderr)
}

// resultsFile writes the results an earlier run over the CSV input left at path: each entry is
// "ROW STATUS", in order (sending, applied, refused, ...).
func resultsFile(t *testing.T, path, csv string, entries ...string) string {
	t.Helper()
	rows, err := bulk.ReadCSV(strings.NewReader(csv))
	require.NoError(t, err)
	written := map[int]bulk.Result{}
	for row, err := range rows {
		require.NoError(t, err)
		row.Source = capillary.SourceInstore // sent with --source INSTORE, as the command fills it in
		written[row.Number] = bulk.Result{UserID: row.UserID, Fingerprint: bulk.Fingerprint(&row)}
	}
	j, err := bulk.OpenJournal(path)
	require.NoError(t, err)
	for _, e := range entries {
		n, status, _ := strings.Cut(e, " ")
		row, err := strconv.Atoi(n)
		require.NoError(t, err)
		res := &bulk.Result{Row: row, Status: bulk.Status(status), UserID: written[row].UserID, Fingerprint: written[row].Fingerprint}
		if res.Status == bulk.Sending {
			require.NoError(t, j.Sending(res))
			continue
		}
		res.Attempts = 1
		require.NoError(t, j.Finished(res))
	}
	require.NoError(t, j.Close())
	return path
}

// A resume with another input, or with this one changed, is refused before anything is sent,
// saying what differs, with status 2.
func TestResumeRefusesAChangedInput(t *testing.T) {
	t.Parallel()
	const was = "userId,firstName\n101,Ann\n102,Bob\n103,Cy\n"
	tests := []struct {
		name, input, why string
	}{
		{"a row inserted", "userId,firstName\n101,Ann\n104,Di\n102,Bob\n103,Cy\n", "row 2 was for user id 102, and is for user id 104 now"},
		{"a row edited", "userId,firstName\n101,Ann\n102,Bobby\n103,Cy\n", "row 2, for user id 102, sends other values now"},
		{"a row removed", "userId,firstName\n101,Ann\n102,Bob\n", "the input ends at row 2, and the results file records row 3: rows were removed"},
		{"another input", "userId,firstName\n201,Xi\n", "row 1 was for user id 101, and is for user id 201 now"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "101", "102", "103", "104", "201")
			in := h.file("c.csv", tt.input)
			res := resultsFile(t, filepath.Join(h.dir, "c.results.jsonl"), was, "1 sending", "1 applied", "2 sending", "2 applied", "3 sending")
			before := readFile(t, res)
			for _, flag := range []string{"--resume", "--retry-failed"} {
				code, stdout, stderr := h.run(testCtx(t), "customers", "update", "--input", in, "--source", "INSTORE", flag)
				assert.Equal(t, exitUsage, code, flag)
				assert.Empty(t, stdout, flag)
				assert.Contains(t, stderr, "capillary: cannot resume: "+res+" was written for another input: ", flag)
				assert.Contains(t, stderr, tt.why, flag)
				assert.True(t, strings.HasSuffix(stderr, ".\nNothing was sent. Resume with the input as it was, or start over with a new results file (--results)\n"), stderr)
			}
			assert.Empty(t, h.puts())
			assert.Equal(t, before, readFile(t, res), "the results file is as it was")
		})
	}
}

// A resume with another --source or --account-id is refused as another input is: the rows
// it would send go elsewhere than those the results file recorded.
func TestResumeRefusesAnotherSourceOrAccount(t *testing.T) {
	t.Parallel()
	const was = "userId,firstName\n101,Ann\n102,Bob\n103,Cy\n"
	for _, flags := range [][]string{{"--source", "WECHAT", "--account-id", "wx-1"}, {"--source", "INSTORE", "--account-id", "store-2"}} {
		t.Run(strings.Join(flags, " "), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "101", "102", "103")
			in := h.file("c.csv", was)
			res := resultsFile(t, filepath.Join(h.dir, "c.results.jsonl"), was, "1 sending", "1 applied", "2 sending")
			before := readFile(t, res)
			for _, resume := range []string{"--resume", "--retry-failed"} {
				args := append([]string{"customers", "update", "--input", in, resume}, flags...)
				code, stdout, stderr := h.run(testCtx(t), args...)
				assert.Equal(t, exitUsage, code, stderr)
				assert.Empty(t, stdout)
				assert.Contains(t, stderr, "capillary: cannot resume: "+res+" was written for another input: ")
				assert.Contains(t, stderr, "row 1, for user id 101, sends other values now, or to another source or account; "+
					"a row was edited, or the run's source or account changed")
			}
			assert.Empty(t, h.puts())
			assert.Equal(t, before, readFile(t, res), "the results file is as it was")
		})
	}
}

// --results naming a file that is not a results file (one written before the results had a
// header; the input itself is refused earlier, below) is refused, and the file is left byte for
// byte.
func TestResultsThatAreNotResultsAreLeftAlone(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "101")
	in := h.file("c.csv", "userId,firstName\n101,Ann\n")
	old := h.file("old.results.jsonl", `{"row":1,"status":"applied","userId":"101","attempts":1}`+"\n")
	for _, path := range []string{old} {
		for _, flags := range [][]string{nil, {"--resume"}, {"--retry-failed"}} {
			before := readFile(t, path)
			args := append([]string{"customers", "update", "--input", in, "--source", "INSTORE", "--results", path}, flags...)
			code, stdout, stderr := h.run(testCtx(t), args...)
			assert.Equal(t, exitUsage, code, args)
			assert.Empty(t, stdout)
			assert.Equal(t, "capillary: not a results file: "+path+` does not start with {"capillary":"bulk results","version":2}; it was left as it was`+"\n"+
				"Name a new results file with --results. A results file from an earlier version of capillary cannot be resumed: start over with a new one\n", stderr)
			assert.Equal(t, before, readFile(t, path), "not a byte changed")
		}
	}
	assert.Empty(t, h.puts())
}

// --results naming the input itself is refused before either is opened, even when the input
// is empty (a results file would start there, and its header be read as a row).
func TestResultsThatAreTheInputAreRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "101")
	for name, content := range map[string]string{"c.csv": "userId,firstName\n101,Ann\n", "c.jsonl": `{"userId":"101","body":{"profiles":[{"firstName":"Ann"}]}}` + "\n", "empty.jsonl": ""} {
		in := h.file(name, content)
		for _, flags := range [][]string{nil, {"--resume"}, {"--retry-failed"}} {
			args := append([]string{"customers", "update", "--input", in, "--source", "INSTORE", "--results", in}, flags...)
			code, stdout, stderr := h.run(testCtx(t), args...)
			assert.Equal(t, exitUsage, code, args)
			assert.Empty(t, stdout)
			assert.Equal(t, "capillary: customers update: --results "+in+" is the input: name another file for the results\n"+
				"Run 'capillary customers update --help' for usage.\n", stderr)
			assert.Equal(t, content, readFile(t, in), "not a byte changed")
		}
	}
	assert.Empty(t, h.puts())
}

// --help describes the results file as the run writes it: its first line, and every key of
// its lines.
func TestHelpDescribesTheResultsFile(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "101", "102")
	_, help, _ := h.run(testCtx(t), "customers", "update", "--help")
	help = strings.Join(strings.Fields(help), " ") // as one line: keys may sit at a line's end
	h.stdin = `{"userId":"101","body":{"profiles":[{"firstName":"Ann","commChannels":[{"type":"email","value":"not-an-email"}]}]}}
{"userId":"999","body":{"profiles":[{"firstName":"Zed"}]}}
{"userId":"102","body":{"profiles":[{"fistName":"Bob"}]}}
{"identifier":{"type":"mobile","value":"919999000001"},"body":{"profiles":[{"firstName":"Cy"}]}}
`
	out := filepath.Join(h.dir, "out.jsonl")
	code, _, stderr := h.run(testCtx(t), "customers", "update", "--input", "-", "--format", "jsonl", "--source", "INSTORE", "--results", out)
	assert.Equal(t, exitFailed, code, stderr)

	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	require.True(t, sc.Scan())
	assert.Contains(t, help, "The first line is "+sc.Text()+";")
	keys := map[string]bool{}
	for sc.Scan() {
		var line map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(sc.Bytes(), &line))
		for k := range line {
			keys[k] = true
		}
	}
	for _, k := range []string{"row", "status", "userId", "identifier", "errors", "warnings", "problems", "requestId", "attempts", "fingerprint"} {
		assert.True(t, keys[k], "the run wrote no %q: the test no longer covers it", k)
	}
	for k := range keys {
		assert.Contains(t, help, `"`+k+`"`, "--help does not describe %q", k)
	}
}
