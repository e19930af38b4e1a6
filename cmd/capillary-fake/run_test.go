package main

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tomSawyerBody is the body of the vendor's example request.
const tomSawyerBody = `{"profiles":[{"firstName":"Tom","lastName":"Sawyer","fields":{"gender":"Male","city":"Bangalore"},
	"commChannels":[{"type":"mobile","value":"9999000000","primary":"true","verified":"true","meta":{"residence":"true"}},
	{"type":"email","value":"tomsawyer@gmail.com","primary":"true","verified":"true","meta":{"residence":"true"}}]}],
	"loyaltyInfo":{"loyaltyType":"loyalty"},"extendedFields":{"gender":"MALE","city":"Bangalore"},
	"loyaltyProgramEnrollments":[{"programId":699,"tierNumber":1,"loyaltyPoints":0,
	"tierExpiryDate":"2024-07-11T16:36:17+05:30","pointsExpiryDate":"2024-07-11T16:36:17+05:30"}]}`

// basic is the Authorization value, computed here rather than with the command's own helper.
func basic(till, password string) string {
	sum := md5.Sum([]byte(password))
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(till+":"+hex.EncodeToString(sum[:])))
}

// bound limits every wait of these tests: far above the work, it only turns a hang into a
// clear failure.
const bound = 30 * time.Second

// client makes the tests' requests, each bounded.
var client = &http.Client{Timeout: bound}

// started runs the command with args until the test ends, and returns its URL and its
// output so far (the banner). It fails the test, without hanging, when the command does not
// start (no loopback, say).
func started(t *testing.T, args ...string) (url string, banner string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, w, io.Discard)
		_ = w.CloseWithError(err)
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err, "run ends cleanly when its context ends")
		case <-time.After(bound):
			t.Error("run did not stop")
		}
	})
	url, banner, err := readBanner(out)
	go func() { _, _ = io.Copy(io.Discard, out) }() // keep the pipe flowing
	require.NoError(t, err, "the command did not start: %s", banner)
	return url, banner
}

// readBanner reads the banner up to its last line, within bound.
func readBanner(out io.Reader) (url, banner string, err error) {
	type result struct{ url, banner string }
	got := make(chan result, 1)
	go func() {
		lines := bufio.NewScanner(out)
		var b strings.Builder
		var url string
		for lines.Scan() {
			b.WriteString(lines.Text() + "\n")
			if rest, ok := strings.CutPrefix(lines.Text(), "capillary-fake listening on "); ok {
				url = rest
			}
			if lines.Text() == "Stop with Ctrl-C." {
				break
			}
		}
		if lines.Err() != nil {
			b.WriteString(lines.Err().Error())
		}
		got <- result{url, b.String()}
	}()
	select {
	case r := <-got:
		if r.url == "" {
			return "", r.banner, errors.New("no URL in the output")
		}
		return r.url, r.banner, nil
	case <-time.After(bound):
		return "", "", errors.New("no banner within " + bound.String())
	}
}

func put(t *testing.T, url, auth, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", auth)
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.NotEmpty(t, resp.Header.Get("X-Cap-Requestid"))
	return resp.StatusCode, string(b)
}

func TestRunServesTheSeededCustomer(t *testing.T) {
	url, banner := started(t, "-addr", "127.0.0.1:0", "-seed", "seed.example.json", "-quiet")
	assert.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)
	assert.Contains(t, banner, `Basic auth: till "fake.till", password "fake-till-password"`)
	assert.Contains(t, banner, "Authorization: "+basic("fake.till", "fake-till-password"))
	assert.Contains(t, banner, `OAuth: key "fake-oauth-key", secret "fake-oauth-secret", tokens live 5m0s`)
	assert.Contains(t, banner, "Customers: 1 seeded: 171891944\n")
	assert.Equal(t, 1, strings.Count(banner, "  POST "+url+"/v2/customers?source=INSTORE\n"), "each route once:\n%s", banner)

	status, body := put(t, url+"/v2/customers/171891944?source=INSTORE&use_async=false", basic("fake.till", "fake-till-password"), tomSawyerBody)
	assert.Equal(t, 200, status, body)
	assert.JSONEq(t, `{"createdId":171891944,"sideEffects":[],"warnings":[{"status":false,"code":8107,
		"message":"Default customer status label not set: customer 171891944 became loyalty without a status label"}]}`, body)

	status, body = put(t, url+"/v2/customers/171891944?source=INSTORE", basic("fake.till", "fake-till-password"), tomSawyerBody)
	assert.Equal(t, 400, status, "the state was kept: the enrolment is now refused")
	assert.Contains(t, body, `"code":10002`)

	status, _ = put(t, url+"/v2/customers/1?source=INSTORE", basic("fake.till", "fake-till-password"), `{}`)
	assert.Equal(t, 400, status)
}

func TestRunWithCredentialsAndAccounts(t *testing.T) {
	url, banner := started(t, "-addr", "localhost:0", "-till", "pos.1", "-password", "pw",
		"-oauth-key", "k", "-oauth-secret", "s", "-token-ttl", "90s", "-account", "WECHAT=wx-1", "-account", "LINE=ln-1")
	assert.Contains(t, banner, "Source accounts: WECHAT=wx-1, LINE=ln-1")
	assert.Contains(t, banner, "tokens live 1m30s")
	assert.Contains(t, banner, "Customers: none seeded (-seed loads some)\n")

	status, body := put(t, url+"/v2/customers/1?source=INSTORE", basic("fake.till", "fake-till-password"), `{}`)
	assert.Equal(t, 401, status, "the default till is replaced: %s", body)
	status, body = put(t, url+"/v2/customers/1?source=WECHAT&accountId=wx-2", basic("pos.1", "pw"), `{}`)
	assert.Equal(t, 400, status)
	assert.Contains(t, body, `"code":3217`)

	resp, err := client.Post(url+"/v3/oauth/token/generate", "application/json", strings.NewReader(`{"key":"k","secret":"s"}`))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(b), `"ttlSeconds":90`)
}

func TestRunRefuses(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	tests := []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"all interfaces", []string{"-addr", ":0"}, true, `-addr ":0" is not a loopback address`},
		{"any address", []string{"-addr", "0.0.0.0:0"}, true, "is not a loopback address"},
		{"any IPv6 address", []string{"-addr", "[::]:0"}, true, "is not a loopback address"},
		{"a private address", []string{"-addr", "192.168.1.10:0"}, true, "is not a loopback address"},
		{"a host name", []string{"-addr", "example.com:80"}, true, "is not a loopback address"},
		{"no port", []string{"-addr", "127.0.0.1"}, true, "missing port"},
		{"extra argument", []string{"serve"}, true, `unexpected argument "serve"`},
		{"unknown flag", []string{"-port", "1"}, true, "flag provided but not defined"},
		{"empty till", []string{"-till", ""}, true, "-till and -password must not be empty"},
		{"till with colon", []string{"-till", "a:b"}, true, "must not contain ':'"},
		{"empty secret", []string{"-oauth-secret", ""}, true, "-oauth-key and -oauth-secret must not be empty"},
		{"short TTL", []string{"-token-ttl", "0s"}, true, "-token-ttl must be at least 1s"},
		{"negative rate limit", []string{"-rate-limit", "-1"}, true, "-rate-limit must not be negative"},
		{"negative latency", []string{"-latency", "-1s"}, true, "-latency must not be negative"},
		{"faults above 1", []string{"-faults", "1.5"}, true, "-faults must be between 0 and 1"},
		{"bad account", []string{"-account", "WECHAT"}, true, `"WECHAT" is not SOURCE=ID`},
		{"unknown source", []string{"-addr", "127.0.0.1:0", "-account", "SMS=1"}, true, `"SMS" is not a source the update accepts`},
		{"missing seed", []string{"-seed", filepath.Join(dir, "nope.json")}, false, "no such file"},
		{"seed not an array", []string{"-seed", write("obj.json", `{"id":"1"}`)}, false, "not a JSON array of customers"},
		{"seed with a typo", []string{"-seed", write("typo.json", `[{"id":"1","fristName":"x"}]`)}, false, `unknown field "fristName"`},
		{"invalid customer", []string{"-seed", write("bad.json", `[{"id":"1","source":"WECHAT"}]`)}, false, "source WECHAT has several accounts"},
		{"duplicate customer", []string{"-seed", write("dup.json", `[{"id":"1"},{"id":"1"}]`)}, false, "id 1 is listed twice"},
		{"trailing data", []string{"-seed", write("trail.json", `[] []`)}, false, "more after the JSON array"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A bounded context: a case that wrongly starts serving fails instead of hanging.
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			err := run(ctx, tc.args, io.Discard, io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, tc.usage, errors.Is(err, errUsage), err.Error())
		})
	}
	t.Run("help", func(t *testing.T) {
		var usage strings.Builder
		err := run(t.Context(), []string{"-h"}, nil, &usage)
		assert.ErrorIs(t, err, flag.ErrHelp)
		assert.Contains(t, usage.String(), "-seed file")
	})
}

// TestServeStopsOnSignals runs the command as main does and stops it with SIGTERM and SIGINT,
// as a person or a CI script would. It runs in the test's own process: the signal goes to
// the handler serve registered (before its banner is printed), and no child process is left
// behind whatever happens. Not parallel: the signals are the process's.
func TestServeStopsOnSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			out, w := io.Pipe()
			var stderr syncBuffer
			exit := make(chan int, 1)
			go func() {
				code := serve([]string{"-addr", "127.0.0.1:0", "-seed", "seed.example.json"}, w, &stderr)
				_ = w.Close()
				exit <- code
			}()
			stopped := false
			t.Cleanup(func() { // a failed test still stops serve, within the bound
				if !stopped {
					_ = syscall.Kill(os.Getpid(), sig)
					select {
					case <-exit:
					case <-time.After(bound):
					}
				}
			})
			url, _, err := readBanner(out)
			require.NoError(t, err)
			rest := make(chan string, 1)
			go func() {
				b, _ := io.ReadAll(out)
				rest <- string(b)
			}()

			status, _ := put(t, url+"/v2/customers/171891944?source=INSTORE", basic("fake.till", "fake-till-password"), `{"profiles":[{"firstName":"Tom"}]}`)
			assert.Equal(t, 200, status)

			require.NoError(t, syscall.Kill(os.Getpid(), sig))
			select {
			case code := <-exit:
				stopped = true
				assert.Equal(t, 0, code, "exit status after %s", sig)
			case <-time.After(bound):
				t.Fatalf("serve did not stop on %s", sig)
			}
			assert.Contains(t, <-rest, "capillary-fake stopped")
			assert.Contains(t, stderr.String(), "path=/v2/customers/171891944 status=200")
			assert.NotContains(t, stderr.String(), "ZmFrZS50aWxs", "no credential in the log")
		})
	}
}

func TestServeExitStatus(t *testing.T) {
	t.Parallel()
	var stderr syncBuffer
	assert.Equal(t, 2, serve([]string{"-addr", ":0"}, io.Discard, &stderr))
	assert.Contains(t, stderr.String(), "capillary-fake: usage: -addr")
	assert.Equal(t, 1, serve([]string{"-seed", "no-such-file.json"}, io.Discard, io.Discard))
	assert.Equal(t, 0, serve([]string{"-h"}, io.Discard, io.Discard))
}

// syncBuffer is a strings.Builder safe for the server's logger and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// session runs the command with args, calls use with its URL, stops it, and returns what it
// printed after its banner.
func session(t *testing.T, args []string, use func(url string)) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, w, io.Discard)
		_ = w.CloseWithError(err)
		done <- err
	}()
	url, banner, err := readBanner(out)
	rest := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(out)
		rest <- string(b)
	}()
	require.NoError(t, err, banner)
	use(url)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(bound):
		t.Fatal("run did not stop")
	}
	return <-rest
}

func TestRunRateLimitPeakAndDump(t *testing.T) {
	t.Parallel()
	dumpFile := filepath.Join(t.TempDir(), "dump.json")
	auth := basic("fake.till", "fake-till-password")
	out := session(t, []string{"-addr", "127.0.0.1:0", "-seed", "seed.example.json", "-quiet", "-rate-limit", "1", "-dump", dumpFile},
		func(url string) {
			status, body := put(t, url+"/v2/customers/171891944?source=INSTORE", auth, `{"profiles":[{"firstName":"Huck"}]}`)
			assert.Equal(t, 200, status, body)
			status, body = put(t, url+"/v2/customers/171891944?source=INSTORE", auth, `{"profiles":[{"firstName":"Joe"}]}`)
			assert.Equal(t, 429, status, body)
		})
	assert.Contains(t, out, "peak requests in one minute: 2 (PUT /v2/customers/{userId} 2)\n")
	assert.Contains(t, out, "customers written to "+dumpFile+"\n")

	data, err := os.ReadFile(dumpFile)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"firstName": "Huck"`)
	assert.Contains(t, string(data), `"updatesReceived": 1,`)
	assert.Contains(t, string(data), `"updatesApplied": 1`)
	customers, err := loadSeed(dumpFile)
	require.NoError(t, err, "a dump seeds the next run")
	require.Len(t, customers, 1)
	assert.Equal(t, "Huck", customers[0].FirstName)
}

func TestRunRandomFaults(t *testing.T) {
	t.Parallel()
	auth := basic("fake.till", "fake-till-password")
	statuses := func(seed string) []int {
		var got []int
		session(t, []string{"-addr", "127.0.0.1:0", "-seed", "seed.example.json", "-quiet", "-faults", "1", "-random-seed", seed},
			func(url string) {
				for range 12 {
					req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, url+"/v2/customers/171891944?source=INSTORE", strings.NewReader(`{}`))
					require.NoError(t, err)
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", auth)
					resp, err := client.Do(req)
					if err != nil {
						got = append(got, 0) // the connection was dropped
						continue
					}
					resp.Body.Close()
					got = append(got, resp.StatusCode)
				}
			})
		return got
	}
	_, banner := started(t, "-addr", "127.0.0.1:0", "-quiet", "-faults", "0.1", "-random-seed", "5")
	assert.Contains(t, banner, "faults 0.1 of updates and adds (seed 5)")
	first := statuses("5")
	assert.NotContains(t, first, 200, "every update gets a fault: %v", first)
	assert.Equal(t, first, statuses("5"), "-random-seed fixes the draw")
}

// The banner lists a few seeded ids in numeric order, never thousands on one line.
func TestSeededLine(t *testing.T) {
	t.Parallel()
	many := make([]string, 2000)
	for i := range many {
		many[i] = strconv.Itoa(2100 - i)
	}
	for _, tt := range []struct {
		ids  []string
		want string
	}{
		{nil, "Customers: none seeded (-seed loads some)"},
		{[]string{"1000", "101", "99"}, "Customers: 3 seeded: 99, 101, 1000"},
		{many, "Customers: 2000 seeded: 101, 102, 103, 104, 105, 106, 107, 108, 109, ... 2100 (1990 more in the seed file)"},
	} {
		assert.Equal(t, tt.want, seededLine(tt.ids))
	}
}
