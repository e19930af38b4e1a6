package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/capillary-go/capillary"
)

// Exit statuses, which scripts can trust.
const (
	exitOK = 0
	// exitFailed: the run ended, or was interrupted, with rows not applied (refused, invalid,
	// uncertain, or left for --resume); get or lookup did not read the customer.
	exitFailed = 1
	// exitUsage: nothing was done, or the run stopped: a mistake in the command line, the
	// environment or the input's header, a results file that cannot be used, an answer every
	// call would get (bulk.FatalError), or another error that stopped the run.
	exitUsage   = 2
	programName = "capillary"
)

// app is the command with its surroundings, which tests replace.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	terminal       bool // stderr is a terminal: draw progress
}

const usage = `Usage:
  capillary customers update --input FILE --source SOURCE [flags]   update customers from a CSV or JSONL file
  capillary customers upsert --input FILE --source SOURCE [flags]   the same, creating the customers not found
  capillary customers get USERID [flags]                            print a customer as JSON
  capillary customers lookup --mobile M | --email E | --external-id X | --cardnumber C [flags]
  capillary --version

Run "capillary customers update --help" (or upsert, get, lookup) for their flags and examples.

The cluster and the credentials come from the environment:
  CAPILLARY_BASE_URL or CAPILLARY_REGION (india, asia2, eu, us, china)
  CAPILLARY_TILL and CAPILLARY_PASSWORD, or CAPILLARY_OAUTH_KEY and CAPILLARY_OAUTH_SECRET

Exit status: 0 when every row was applied (get, lookup: the customer was read); 1 when some
rows were not applied or the run was interrupted (get, lookup: not read); 2 when nothing was
done or the run stopped: a mistake in the command line, the environment or the input's header;
a results file that is locked, is not one, or was written for another input; an answer every
call would get (credentials the vendor refuses, a host that does not exist, a certificate that
does not verify, https to an http server); another error that stopped the run. The reason is on
stderr; after a stop, fix it and run the same command with --resume.

Examples:
  export CAPILLARY_REGION=india CAPILLARY_TILL=my.till CAPILLARY_PASSWORD=...
  capillary customers update --input customers.csv --source INSTORE --dry-run
  capillary customers update --input customers.csv --source INSTORE --rate 1000/min
  capillary customers get 171891944 --embed points
`

// exitError is an error with the exit status it gives. A usage error points to the help of
// the command (help) that explains what was wrong.
type exitError struct {
	status int
	err    error
	usage  bool
	help   string
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usagef is a mistake in the command line or the environment: exit status 2, with a pointer
// to the help.
func usagef(format string, args ...any) error {
	return &exitError{status: exitUsage, err: fmt.Errorf(format, args...), usage: true}
}

// stopped is a failure that keeps a run from starting or stops it: exit status 2.
func stopped(err error) error {
	return &exitError{status: exitUsage, err: err}
}

// run runs the command line args and returns the exit status.
func (a *app) run(ctx context.Context, args []string) int {
	status, err := a.dispatch(ctx, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err == nil {
		return status
	}
	fmt.Fprintf(a.stderr, "%s: %s\n", programName, plain(err))
	var ee *exitError
	if !errors.As(err, &ee) {
		return exitFailed
	}
	if ee.help != "" {
		fmt.Fprintf(a.stderr, "Run '%s --help' for usage.\n", ee.help)
	}
	return ee.status
}

// plain is err's message without the package prefixes of the SDK's and bulk's errors: the
// command prints its own name once.
func plain(err error) string {
	msg := err.Error()
	for {
		rest, ok := strings.CutPrefix(msg, "capillary: ")
		if !ok {
			rest, ok = strings.CutPrefix(msg, "bulk: ")
		}
		if !ok {
			return msg
		}
		msg = rest
	}
}

func (a *app) dispatch(ctx context.Context, args []string) (int, error) {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, usage)
		return exitUsage, nil
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(a.stdout, usage)
		return exitOK, nil
	case "-version", "--version", "version":
		fmt.Fprintln(a.stdout, version())
		return exitOK, nil
	case "customers":
	default:
		return 0, withHelp(usagef("unknown command %q", args[0]), programName)
	}
	if len(args) < 2 {
		return 0, withHelp(usagef("customers needs a subcommand: update, upsert, get or lookup"), programName)
	}
	sub, rest := args[1], args[2:]
	var status int
	var err error
	switch sub {
	case "update":
		status, err = a.update(ctx, rest)
	case "upsert":
		status, err = a.upsert(ctx, rest)
	case "get":
		status, err = a.get(ctx, rest)
	case "lookup":
		status, err = a.lookup(ctx, rest)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(a.stdout, usage)
		return exitOK, nil
	default:
		return 0, withHelp(usagef("unknown subcommand %q of customers: use update, upsert, get or lookup", sub), programName)
	}
	return status, withHelp(err, programName+" customers "+sub)
}

// withHelp points a usage error that points nowhere yet to command's help.
func withHelp(err error, command string) error {
	var ee *exitError
	if errors.As(err, &ee) && ee.usage && ee.help == "" {
		ee.help = command
	}
	return err
}

// version is the command's version from its build info: the module's version (a pseudo-version
// with the commit when built from a clone), and the Go it was built with.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return programName + " (no build information)"
	}
	v := info.Main.Version
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; (v == "" || v == "(devel)") && rev != "" {
		v += " commit " + rev
		if settings["vcs.modified"] == "true" {
			v += " with local changes"
		}
	}
	return fmt.Sprintf("%s %s (%s)", programName, v, info.GoVersion)
}

// flagSet makes a flag set whose errors the command reports itself: a mistyped flag is a
// usage error on stderr, and only --help prints the help, on stdout.
func (a *app) flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse parses args, printing help on --help and turning flag errors into usage errors.
func (a *app) parse(fs *flag.FlagSet, help string, args []string) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(a.stdout, help)
		fmt.Fprintln(a.stdout, "\nFlags:")
		fs.SetOutput(a.stdout)
		fs.PrintDefaults()
		return err
	case err != nil:
		return usagef("%s: %v", fs.Name(), err)
	}
	return nil
}

// everyCallFails turns err, when the SDK says that every call would fail the same way
// (refused credentials, a host that does not exist, a TLS failure), into a stop that names
// what to check.
func (a *app) everyCallFails(err error) error {
	if !capillary.FailsEveryCall(err) {
		return err
	}
	return stopped(fmt.Errorf("%w\n%s", err, a.whatToCheck(err)))
}

// whatToCheck names the variables to check for an error that fails every call: the
// credentials' when the vendor refused them, the cluster's otherwise.
func (a *app) whatToCheck(err error) string {
	cluster := "CAPILLARY_BASE_URL or CAPILLARY_REGION"
	if raw := a.getenv("CAPILLARY_BASE_URL"); raw != "" {
		if u, perr := url.Parse(raw); perr == nil {
			cluster = "CAPILLARY_BASE_URL is " + u.Scheme + "://" + u.Host // never its user info
		}
	} else if region := a.getenv("CAPILLARY_REGION"); region != "" {
		cluster = "CAPILLARY_REGION is " + region
	}
	if !errors.Is(err, capillary.ErrUnauthorized) && !errors.Is(err, capillary.ErrForbidden) && !errors.Is(err, capillary.ErrOAuthCredentials) {
		return fmt.Sprintf("Check the cluster's address (%s): its scheme (http or https) and host.", cluster)
	}
	vars := "CAPILLARY_TILL and CAPILLARY_PASSWORD"
	if a.getenv("CAPILLARY_OAUTH_KEY") != "" {
		vars = "CAPILLARY_OAUTH_KEY and CAPILLARY_OAUTH_SECRET"
	}
	return fmt.Sprintf("Check %s, and the cluster (%s).", vars, cluster)
}

// client makes an SDK client from the environment; a mistake there points to the command's
// help, which lists the variables.
func (a *app) client() (*capillary.Client, error) {
	opts, err := capillary.OptionsFromEnv(a.getenv)
	if err == nil {
		var c *capillary.Client
		if c, err = capillary.NewClient(append(opts, capillary.WithUserAgent(programName+"-cli"))...); err == nil {
			return c, nil
		}
	}
	return nil, &exitError{status: exitUsage, err: err, usage: true, help: programName}
}

// plural is "1 row", "2 rows".
func plural(n int, noun string) string {
	return strconv.Itoa(n) + " " + pluralWord(n, noun)
}

// pluralWord is "row" for 1, "rows" otherwise.
func pluralWord(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}
