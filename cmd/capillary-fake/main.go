// Command capillary-fake serves the fake of Capillary's API from package capillarytest on a
// loopback port, for tests written in other languages or by hand with curl: the customer
// update by id and by identifier, the two reads, and OAuth token generation.
//
// Usage:
//
//	capillary-fake [-addr 127.0.0.1:8089] [-seed customers.json] [-till ID -password PW]
//	               [-oauth-key KEY -oauth-secret SECRET] [-token-ttl 5m] [-account SOURCE=ID]... [-quiet]
//	               [-rate-limit N] [-latency D] [-faults F [-random-seed S]] [-dump FILE]
//
// -rate-limit answers 429 beyond N requests a minute per API; -latency adds D to every answer;
// -faults gives a fraction F of update requests a random fault (429, 521, or a connection
// dropped after the update was applied), -random-seed fixing the draw; -dump writes every
// customer on shutdown, in the seed format with updatesReceived and updatesApplied (a dump
// seeds a later run). At shutdown it prints the most requests seen in any one-minute window.
//
// It prints its URL and the credentials it accepts, logs one line per request on stderr
// (never a credential, query or body), and stops cleanly on SIGINT or SIGTERM. It listens on
// loopback addresses only: it accepts well-known test credentials and must not face a network.
//
// The seed file is a JSON array of customers in capillarytest.Customer's JSON form; see
// seed.example.json beside this file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(serve(os.Args[1:], os.Stdout, os.Stderr))
}

// serve runs the command until SIGINT or SIGTERM and returns its exit status: 0 when it
// stopped cleanly (or printed its usage), 2 for a wrong command line, 1 for other failures.
func serve(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, args, stdout, stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "capillary-fake:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "capillary-fake:", err)
		return 1
	}
}

// errUsage marks errors in the command line, which exit with status 2 as flag errors do.
var errUsage = errors.New("usage")

func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// orDiscard returns w, or io.Discard for a caller of run that passes no writer.
func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
