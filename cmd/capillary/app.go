package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/capillary-go/capillary"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailed  = 1
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
  capillary customers get USERID [flags]                            print a customer as JSON
  capillary customers lookup --mobile M | --email E | --external-id X [flags]

Run "capillary customers update --help" (or get, lookup) for their flags and examples.

The cluster and the credentials come from the environment:
  CAPILLARY_BASE_URL or CAPILLARY_REGION (india, asia2, eu, us, china)
  CAPILLARY_TILL and CAPILLARY_PASSWORD, or CAPILLARY_OAUTH_KEY and CAPILLARY_OAUTH_SECRET
`

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// run runs the command line args and returns the exit status.
func (a *app) run(ctx context.Context, args []string) int {
	status, err := a.dispatch(ctx, args)
	var ue *usageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "%s: %v\n", programName, err)
		fmt.Fprintf(a.stderr, "Run '%s --help' for usage.\n", programName)
		return exitUsage
	case err != nil:
		msg := err.Error()
		if !strings.HasPrefix(msg, programName+": ") { // the SDK's errors name it already
			msg = programName + ": " + msg
		}
		fmt.Fprintln(a.stderr, msg)
		return exitFailed
	}
	return status
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
	case "customers":
	default:
		return 0, usagef("unknown command %q", args[0])
	}
	if len(args) < 2 {
		return 0, usagef("customers needs a subcommand: update, get or lookup")
	}
	switch sub, rest := args[1], args[2:]; sub {
	case "update":
		return a.update(ctx, rest)
	case "get":
		return a.get(ctx, rest)
	case "lookup":
		return a.lookup(ctx, rest)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(a.stdout, usage)
		return exitOK, nil
	default:
		return 0, usagef("unknown subcommand %q of customers: use update, get or lookup", sub)
	}
}

// flagSet makes a flag set that reports its errors as usage errors and prints help to stdout.
func (a *app) flagSet(name, help string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fs.SetOutput(a.stdout)
		fmt.Fprint(a.stdout, help)
		fmt.Fprintln(a.stdout, "\nFlags:")
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, turning flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usagef("%s: %v", fs.Name(), err)
}

// client makes an SDK client from the environment.
func (a *app) client() (*capillary.Client, error) {
	opts, err := capillary.OptionsFromEnv(a.getenv)
	if err != nil {
		return nil, usagef("%v", err)
	}
	c, err := capillary.NewClient(append(opts, capillary.WithUserAgent(programName+"-cli"))...)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return c, nil
}
