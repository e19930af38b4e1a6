package main

// These tests drive the command as an operator does: the built binary, its exit status, its
// stdout and stderr, against capillary-fake built too and run as a child process on a loopback
// port that it picks itself. No child outlives its test, and every wait is bounded by
// childBound, far above the work: nothing here depends on timing.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/bulk"
	"github.com/capillary-go/capillary/capillarytest"
)

// childBound bounds every wait on a child process.
const childBound = 60 * time.Second

// binDir holds the built binaries of this test run (TestMain makes and removes it).
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "capillary-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildErr  error
)

// binaries builds the command and capillary-fake once per test run, on first use, and
// returns their paths.
func binaries(t *testing.T) (cli, fake string) {
	t.Helper()
	cli, fake = filepath.Join(binDir, "capillary"), filepath.Join(binDir, "capillary-fake")
	buildOnce.Do(func() {
		for _, b := range []struct{ out, pkg string }{
			{cli, "."},
			{fake, "github.com/capillary-go/capillary/cmd/capillary-fake"},
		} {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			out, err := exec.CommandContext(ctx, "go", "build", "-o", b.out, b.pkg).CombinedOutput()
			cancel()
			if err != nil {
				buildErr = fmt.Errorf("go build %s: %w\n%s", b.pkg, err, out)
				return
			}
		}
	})
	require.NoError(t, buildErr)
	return cli, fake
}

// fakeServer is a capillary-fake child process.
type fakeServer struct {
	url  string
	dump string // where it writes its customers when stopped
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	out  bytes.Buffer  // its stdout after the banner line, once done
}

// startFake starts capillary-fake seeded with a customer named "before" for each id, on a
// port it picks, and stops it when the test ends.
func startFake(t *testing.T, ids []string, args ...string) *fakeServer {
	t.Helper()
	seed := make([]capillarytest.Customer, len(ids))
	for i, id := range ids {
		seed[i] = capillarytest.Customer{ID: id, Profile: capillarytest.Profile{Source: "INSTORE", FirstName: "before"}}
	}
	return startFakeSeeded(t, seed, args...)
}

// startFakeSeeded is startFake with the customers given.
func startFakeSeeded(t *testing.T, seed []capillarytest.Customer, args ...string) *fakeServer {
	t.Helper()
	_, bin := binaries(t)
	dir := t.TempDir()
	data, err := json.Marshal(seed)
	require.NoError(t, err)
	seedFile := filepath.Join(dir, "seed.json")
	require.NoError(t, os.WriteFile(seedFile, data, 0o644))

	f := &fakeServer{dump: filepath.Join(dir, "dump.json"), done: make(chan struct{})}
	f.cmd = exec.Command(bin, append([]string{"-addr", "127.0.0.1:0", "-quiet", "-seed", seedFile, "-dump", f.dump}, args...)...)
	stdout, err := f.cmd.StdoutPipe()
	require.NoError(t, err)
	f.cmd.Stderr = os.Stderr
	require.NoError(t, f.cmd.Start())
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if url, ok := strings.CutPrefix(sc.Text(), "capillary-fake listening on "); ok {
				urls <- url
				break
			}
		}
		for sc.Scan() { // drained, so that the fake never blocks on its stdout
			f.out.WriteString(sc.Text() + "\n")
		}
		_ = f.cmd.Wait()
		close(f.done)
	}()
	t.Cleanup(func() { f.stop(t) })
	select {
	case f.url = <-urls:
	case <-f.done:
		t.Fatal("capillary-fake exited before listening")
	case <-time.After(childBound):
		t.Fatal("capillary-fake did not say where it listens")
	}
	return f
}

// stop stops the fake (SIGTERM: it writes its dump) and waits for it; it kills it if it does
// not exit within the bound. Stopping twice is stopping once.
func (f *fakeServer) stop(t *testing.T) {
	t.Helper()
	_ = f.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-f.done:
	case <-time.After(childBound):
		_ = f.cmd.Process.Kill()
		<-f.done
		t.Error("capillary-fake did not stop on SIGTERM")
	}
}

// dumped stops the fake and returns each customer's first name and update counts, by id.
func (f *fakeServer) dumped(t *testing.T) map[string]dumpedCustomer {
	t.Helper()
	f.stop(t)
	data, err := os.ReadFile(f.dump)
	require.NoError(t, err)
	var list []dumpedCustomer
	require.NoError(t, json.Unmarshal(data, &list))
	out := map[string]dumpedCustomer{}
	for _, c := range list {
		out[c.ID] = c
	}
	return out
}

type dumpedCustomer struct {
	ID        string `json:"id"`
	FirstName string `json:"firstName"`
	Received  int    `json:"updatesReceived"`
}

// env is the environment that points the command at f with its credentials, and nothing
// else of the test's own environment.
func (f *fakeServer) env() []string {
	return []string{"CAPILLARY_BASE_URL=" + f.url, "CAPILLARY_TILL=" + capillarytest.DefaultTill, "CAPILLARY_PASSWORD=" + capillarytest.DefaultPassword}
}

// command is a run of the built command.
type command struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	cancel         context.CancelFunc
}

// startCLI starts the built command with env as its whole environment, in dir.
func startCLI(t *testing.T, dir string, env []string, args ...string) *command {
	t.Helper()
	bin, _ := binaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), childBound)
	c := &command{cmd: exec.CommandContext(ctx, bin, args...), cancel: cancel}
	c.cmd.Dir, c.cmd.Env = dir, append([]string{}, env...) // never nil: nil would pass on the test's own
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	c.cmd.WaitDelay = childBound
	require.NoError(t, c.cmd.Start())
	t.Cleanup(func() { // a test that ended early leaves no command running
		c.cancel()
		_ = c.wait()
	})
	return c
}

// wait waits for the command (killed at the bound) and returns its exit status.
func (c *command) wait() int {
	defer c.cancel()
	err := c.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// runCLI runs the built command to its end in dir and returns its exit status and output.
func runCLI(t *testing.T, dir string, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	c := startCLI(t, dir, env, args...)
	code = c.wait()
	return code, c.stdout.String(), c.stderr.String()
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

// A JSONL file as people write it: the dry run names every bad row offline, with its row and
// path, and the real run sends only the rows the dry run passed.
func TestBuiltMessyJSONL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "rows.jsonl", "\uFEFF"+`{"userId":"101","body":{"profiles":[{"firstName":"Ann"}]}}
{"userId":"102","body":{"profiles":[{"fistName":"Bob"}]}}
{"userId":"103","body":{"profile":[{"firstName":"Cy"}]}}
{"userId":"104","body":{"profiles":[{"firstName":"Di"}]}} {"userId":"104","body":{}}
{"userId":"105","body":{"profiles":[{"firstName":"Ed","commChannels":[{"type":"mobile","value":"+91 99999 00001"}]}]}}
{"userId":"106","body":{"profiles":[{"firstName":"Flo"}]}}
`)
	code, stdout, stderr := runCLI(t, dir, nil, "customers", "update", "--input", "rows.jsonl", "--source", "instore", "--dry-run")
	assert.Equal(t, exitFailed, code, stderr)
	assert.Equal(t, `row 2: profiles[0].fistName: is not a field of the update (it takes firstName, lastName, fields, identifiers, commChannels, source, accountId)
row 3: profile: is not a field of the update (it takes profiles, loyaltyInfo, extendedFields, fields, loyaltyProgramEnrollments)
row 4: line: has more after its object: give one object per line
row 5: profiles[0].commChannels[0].value: "+91 99999 00001" is not a mobile number: the vendor takes digits only, with the country code (919999900001)
6 rows checked: 2 valid, 4 invalid. Nothing was sent.
`, stdout)
	assert.Empty(t, stderr)

	fake := startFake(t, []string{"101", "102", "103", "104", "105", "106"})
	code, stdout, stderr = runCLI(t, dir, fake.env(), "customers", "update", "--input", "rows.jsonl", "--source", "INSTORE")
	assert.Equal(t, exitFailed, code, stderr)
	assert.Empty(t, stderr, "no progress off a terminal, and no error")
	assert.Regexp(t, `applied\s+2`, stdout)
	assert.Regexp(t, `invalid\s+4\s+never sent`, stdout)
	got := fake.dumped(t)
	for id, want := range map[string]string{"101": "Ann", "102": "before", "103": "before", "104": "before", "105": "before", "106": "Flo"} {
		assert.Equal(t, want, got[id].FirstName, id)
	}
	assert.Zero(t, got["102"].Received+got["103"].Received+got["104"].Received+got["105"].Received, "invalid rows are never sent")
}

// A CSV written by PowerShell's Export-Csv reads; a header that would make every row invalid
// is refused before anything is sent, naming its columns.
func TestBuiltCSVHeaders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "ps.csv", "\uFEFF\"userId\",\"firstName\"\r\n\"101\",\"Ann\"\r\n")
	writeFile(t, dir, "both.csv", "userId,externalId,firstName\n101,X1,Ann\n")
	fake := startFake(t, []string{"101"})

	code, stdout, stderr := runCLI(t, dir, fake.env(), "customers", "update", "--input", "ps.csv", "--source", "INSTORE")
	assert.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `applied\s+1`, stdout)

	code, stdout, stderr = runCLI(t, dir, fake.env(), "customers", "update", "--input", "both.csv", "--source", "INSTORE")
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "capillary: customers update: --input both.csv: CSV header: columns userId and externalId both address the customer, "+
		"and an update cannot set an external id: keep one of them\nRun 'capillary customers update --help' for usage.\n", stderr)
	writeFile(t, dir, "utf16.jsonl", "\xff\xfe{\x00}\x00\n\x00")
	code, stdout, stderr = runCLI(t, dir, nil, "customers", "update", "--input", "utf16.jsonl", "--source", "INSTORE", "--dry-run")
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "capillary: reading the input: the input is UTF-16 text: save it as UTF-8 (in PowerShell, Out-File -Encoding utf8)\n", stderr)

	assert.Equal(t, "Ann", fake.dumped(t)["101"].FirstName)
}

// The rough edges a new user met, each as the built command meets them.
func TestBuiltRoughEdges(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "one.csv", "userId,firstName\n101,Ann\n")
	noPassword := []string{"CAPILLARY_REGION=india", "CAPILLARY_TILL=my.till"}
	tests := []struct {
		name           string
		env            []string
		args           []string
		code           int
		stdout, stderr string // the whole of each
	}{
		{
			name: "a mistyped flag says what was wrong on stderr, and where to look",
			args: []string{"customers", "update", "--inptu", "one.csv"}, code: exitUsage,
			stderr: "capillary: customers update: flag provided but not defined: -inptu\nRun 'capillary customers update --help' for usage.\n",
		},
		{
			name: "a mistyped flag of get",
			args: []string{"customers", "get", "101", "--sauce", "INSTORE"}, code: exitUsage,
			stderr: "capillary: customers get: flag provided but not defined: -sauce\nRun 'capillary customers get --help' for usage.\n",
		},
		{
			name: "a missing password is named by its variable, and the name is said once",
			env:  noPassword, args: []string{"customers", "update", "--input", "one.csv", "--source", "INSTORE"}, code: exitUsage,
			stderr: "capillary: CAPILLARY_TILL is set but CAPILLARY_PASSWORD is empty: set both\nRun 'capillary --help' for usage.\n",
		},
		{
			name: "a missing password for get",
			env:  noPassword, args: []string{"customers", "get", "101"}, code: exitUsage,
			stderr: "capillary: CAPILLARY_TILL is set but CAPILLARY_PASSWORD is empty: set both\nRun 'capillary --help' for usage.\n",
		},
		{
			name: "one row is a row",
			args: []string{"customers", "update", "--input", "one.csv", "--source", "InStore", "--dry-run"}, code: exitOK,
			stdout: "1 row checked: 1 valid, 0 invalid. Nothing was sent.\n",
		},
		{
			name: "a source that is none", args: []string{"customers", "update", "--input", "one.csv", "--source", "shop"}, code: exitUsage,
			stderr: `capillary: customers update: --source "shop" is not one of FACEBOOK, WEB_ENGAGE, WECHAT, INSTORE, MARTJACK, TMALL, TAOBAO, JD, ECOMMERCE, WEBSITE, LINE, MOBILE_APP` +
				"\nRun 'capillary customers update --help' for usage.\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCLI(t, dir, tt.env, tt.args...)
			assert.Equal(t, tt.code, code, stderr)
			assert.Equal(t, tt.stdout, stdout)
			assert.Equal(t, tt.stderr, stderr)
		})
	}
}

// --version and --help answer on stdout with status 0; the help says what scripts need.
func TestBuiltVersionAndHelp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, dir, nil, "--version")
	assert.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `^capillary \S+.* \(go1\.\d+[^)]*\)\n$`, stdout)

	code, stdout, stderr = runCLI(t, dir, nil, "--help")
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "\nExamples:\n  export CAPILLARY_REGION=")

	code, stdout, stderr = runCLI(t, dir, nil, "customers", "update", "--help")
	assert.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stderr)
	for _, want := range []string{"Examples:", "Exit status:", `{"row":N,"status":"sending","userId":"...","fingerprint":"..."}`,
		"a row's outcome is its last outcome line", "-progress-every N", "  2  nothing was sent, or the run stopped."} {
		assert.Contains(t, stdout, want)
	}
}

// A results file that another run holds stops the command before it sends anything, with
// status 2.
func TestBuiltLockedResultsFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "one.csv", "userId,firstName\n101,Ann\n")
	held, err := bulk.OpenJournal(filepath.Join(dir, "one.results.jsonl"))
	require.NoError(t, err)
	defer held.Close()
	fake := startFake(t, []string{"101"})

	code, stdout, stderr := runCLI(t, dir, fake.env(), "customers", "update", "--input", "one.csv", "--source", "INSTORE")
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "another run is writing it")
	assert.NotContains(t, stderr, "--help", "not a mistake in the command line")
	assert.Zero(t, fake.dumped(t)["101"].Received)
}

// Ctrl-C stops a run between rows; the same command with --resume sends the rest, and every
// row ends with one outcome and every customer is updated once.
func TestBuiltInterruptThenResume(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "c.csv", "userId,firstName\n101,Ann\n102,Bob\n103,Cy\n104,Di\n105,Ed\n")
	names := map[string]string{"101": "Ann", "102": "Bob", "103": "Cy", "104": "Di", "105": "Ed"}
	resultsFile := filepath.Join(dir, "c.results.jsonl")
	fake := startFake(t, []string{"101", "102", "103", "104", "105"})

	// At 1/h the limiter lets the first row or two go at once and holds the next for an hour:
	// the interrupt comes while it waits, whatever the machine's speed.
	run := startCLI(t, dir, fake.env(), "customers", "update", "--input", "c.csv", "--source", "INSTORE", "--rate", "1/h")
	deadline := time.Now().Add(childBound)
	for !strings.Contains(readFile(t, resultsFile), `"status":"applied"`) {
		require.True(t, time.Now().Before(deadline), "the first row has no outcome")
		time.Sleep(10 * time.Millisecond)
	}
	require.NoError(t, run.cmd.Process.Signal(os.Interrupt))
	assert.Equal(t, exitFailed, run.wait(), run.stderr.String())
	done := len(finals(t, results(t, resultsFile)))
	require.Less(t, done, 5, "the interrupt stopped nothing")
	assert.Equal(t, "capillary: interrupted: no more rows are sent; the rows in flight get up to 30s to finish (interrupt again to stop at once: --resume settles them)\n"+
		fmt.Sprintf("capillary: interrupted: %s left without an outcome; run the same command with --resume to go on\n", plural(5-done, "row")),
		run.stderr.String())

	code, stdout, stderr := runCLI(t, dir, fake.env(), "customers", "update", "--input", "c.csv", "--source", "INSTORE", "--resume")
	assert.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, fmt.Sprintf(`skipped\s+%d`, done), stdout)
	got := finals(t, results(t, resultsFile))
	require.Len(t, got, 5)
	for row := 1; row <= 5; row++ {
		assert.Equal(t, bulk.Applied, got[row].Status, "row %d", row)
	}
	customers := fake.dumped(t)
	for id, name := range names {
		assert.Equal(t, name, customers[id].FirstName)
		assert.Equal(t, 1, customers[id].Received, "%s is updated once", id)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	require.NoError(t, err)
	return string(data)
}

// Credentials the vendor refuses stop get, naming the variables to check.
func TestBuiltRefusedCredentials(t *testing.T) {
	t.Parallel()
	fake := startFake(t, []string{"101"})
	for _, tt := range []struct {
		env  []string
		want string
	}{
		{[]string{"CAPILLARY_BASE_URL=" + fake.url, "CAPILLARY_TILL=" + capillarytest.DefaultTill, "CAPILLARY_PASSWORD=s3cr3t-typo"}, "Check CAPILLARY_TILL and CAPILLARY_PASSWORD"},
		{[]string{"CAPILLARY_BASE_URL=" + fake.url, "CAPILLARY_OAUTH_KEY=" + capillarytest.DefaultOAuthKey, "CAPILLARY_OAUTH_SECRET=s3cr3t-typo"}, "Check CAPILLARY_OAUTH_KEY and CAPILLARY_OAUTH_SECRET"},
	} {
		code, stdout, stderr := runCLI(t, t.TempDir(), tt.env, "customers", "get", "101")
		assert.Equal(t, exitUsage, code, stderr)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "401 Unauthorized")
		assert.Contains(t, stderr, "\n"+tt.want+", and the cluster (CAPILLARY_BASE_URL is "+fake.url+").\n")
		assert.NotContains(t, stderr, "s3cr3t", "no secret is printed")
	}
	// A host that does not exist fails every call too: status 2, naming the variable.
	code, stdout, stderr := runCLI(t, t.TempDir(), []string{"CAPILLARY_BASE_URL=https://capillary-cli-test.invalid", "CAPILLARY_TILL=t", "CAPILLARY_PASSWORD=p"}, "customers", "get", "101")
	assert.Equal(t, exitUsage, code, stderr)
	assert.Empty(t, stdout)
	assert.True(t, strings.HasSuffix(stderr, "\nCheck the cluster's address (CAPILLARY_BASE_URL is https://capillary-cli-test.invalid): its scheme (http or https) and host.\n"), stderr)
}

// Rows applied with the vendor's warnings are counted apart, by code, with the rows that got
// them: the run was "applied with warnings". The dry run and the summary say how many
// customers appear in more than one row.
func TestBuiltWarningsAndDuplicatesAreCounted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "c.csv", "userId,firstName,email\n101,Ann,not-an-email\n102,Bob,\n103,Cy,not-an-email\n101,Anna,\n102,Bo,\n102,Bob,\n")
	const duplicates = "2 customers appear in more than one row: each one's rows are sent in the order of the input.\n"
	code, stdout, stderr := runCLI(t, dir, nil, "customers", "update", "--input", "c.csv", "--source", "INSTORE", "--dry-run")
	assert.Equal(t, exitOK, code, stderr)
	assert.Equal(t, duplicates+"6 rows checked: 6 valid, 0 invalid. Nothing was sent.\n", stdout)

	fake := startFake(t, []string{"101", "102", "103"})
	code, stdout, stderr = runCLI(t, dir, fake.env(), "customers", "update", "--input", "c.csv", "--source", "INSTORE")
	assert.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `applied\s+6\s*\n\s+with warnings\s+2\s+applied, with the vendor's warnings \(below\)\n`, stdout)
	assert.Contains(t, stdout, "\nThe vendor's warnings, by code (the results file has each row's):\n"+
		`  8057 on rows 1, 3: Invalid email id in comm channel: profiles[0].commChannels[0].value: "not-an-email" is not an email address; the channel was not saved`+"\n"+
		duplicates)
	got := finals(t, results(t, filepath.Join(dir, "c.results.jsonl")))
	assert.EqualValues(t, 8057, got[1].Warnings[0].Code)
	assert.Empty(t, got[2].Warnings)
	customers := fake.dumped(t)
	assert.Equal(t, "Anna", customers["101"].FirstName, "the last row wins")
	assert.Equal(t, "Bob", customers["102"].FirstName, "the last row wins")
}

// An answer that will fail every row stops a 2,000-row run within the first rows, saying
// what to fix, with status 2; the rows not sent stay unsent, and once the mistake is fixed
// --resume sends them, each customer once.
func TestBuiltFatalStop(t *testing.T) {
	t.Parallel()
	const rows = 2000
	ids := make([]string, rows)
	var csv strings.Builder
	csv.WriteString("userId,firstName\n")
	for i := range ids {
		ids[i] = strconv.Itoa(100000 + i)
		fmt.Fprintf(&csv, "%s,Name%d\n", ids[i], i)
	}
	fake := startFake(t, ids)
	hostPort := strings.TrimPrefix(fake.url, "http://")
	basic := func(baseURL, password string) []string {
		return []string{"CAPILLARY_BASE_URL=" + baseURL, "CAPILLARY_TILL=" + capillarytest.DefaultTill, "CAPILLARY_PASSWORD=" + password}
	}
	tests := []struct {
		name string
		env  []string
		want []string // lines of stderr, each whole
	}{
		{
			name: "a wrong password", env: basic(fake.url, "s3cr3t-typo"),
			want: []string{"Check CAPILLARY_TILL and CAPILLARY_PASSWORD, and the cluster (CAPILLARY_BASE_URL is " + fake.url + ")."},
		},
		{
			name: "a wrong OAuth secret",
			env:  []string{"CAPILLARY_BASE_URL=" + fake.url, "CAPILLARY_OAUTH_KEY=" + capillarytest.DefaultOAuthKey, "CAPILLARY_OAUTH_SECRET=s3cr3t-typo"},
			want: []string{"Check CAPILLARY_OAUTH_KEY and CAPILLARY_OAUTH_SECRET, and the cluster (CAPILLARY_BASE_URL is " + fake.url + ")."},
		},
		{
			name: "https to an http server", env: basic("https://"+hostPort, capillarytest.DefaultPassword),
			want: []string{"Check the cluster's address (CAPILLARY_BASE_URL is https://" + hostPort + "): its scheme (http or https) and host."},
		},
		{
			// .invalid never resolves (RFC 6761), and the resolver says so at once.
			name: "a host that does not exist", env: basic("https://capillary-cli-test.invalid", capillarytest.DefaultPassword),
			want: []string{"Check the cluster's address (CAPILLARY_BASE_URL is https://capillary-cli-test.invalid): its scheme (http or https) and host."},
		},
	}
	t.Run("stops", func(t *testing.T) { // returns when its parallel cases are done
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				writeFile(t, dir, "c.csv", csv.String())
				code, stdout, stderr := runCLI(t, dir, tt.env, "customers", "update", "--input", "c.csv", "--source", "INSTORE")
				assert.Equal(t, exitUsage, code, stderr)
				assert.Regexp(t, `^capillary: the run stopped at row \d+, since every row would fail the same way: `, stderr)
				for _, line := range tt.want {
					assert.Contains(t, strings.Split(stderr, "\n"), line)
				}
				assert.True(t, strings.HasSuffix(stderr, "\nNo more rows were sent: once this is fixed, run the same command with --resume to send the rest\n"), stderr)
				assert.NotContains(t, stderr+stdout, "s3cr3t", "no secret is printed")
				assert.NotContains(t, stderr, "--help", "not a mistake in the command line")
				assert.Regexp(t, `unfinished\s+\d+`, stdout)

				lines := results(t, filepath.Join(dir, "c.results.jsonl"))
				assert.Zero(t, len(finals(t, lines)), "no row has an outcome: every row is left for --resume")
				assert.LessOrEqual(t, len(lines), 4*bulk.DefaultConcurrency, "the run stopped within the first rows")
			})
		}
	})

	// Fixed, the same command with --resume sends every row, each customer once.
	dir := t.TempDir()
	writeFile(t, dir, "c.csv", csv.String())
	code, _, stderr := runCLI(t, dir, basic(fake.url, "s3cr3t-typo"), "customers", "update", "--input", "c.csv", "--source", "INSTORE")
	require.Equal(t, exitUsage, code, stderr)
	code, stdout, stderr := runCLI(t, dir, fake.env(), "customers", "update", "--input", "c.csv", "--source", "INSTORE", "--resume")
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `applied\s+2000`, stdout)
	assert.Len(t, finals(t, results(t, filepath.Join(dir, "c.results.jsonl"))), rows)
	for id, c := range fake.dumped(t) {
		assert.Equal(t, 1, c.Received, id)
	}
}
