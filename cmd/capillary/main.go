// Command capillary updates and reads Capillary customers from the command line: bulk updates
// and upserts from a CSV or JSONL file at the vendor's rate limit, resumable, one result line
// per row; and the reads an operator needs to check a row.
//
// Usage:
//
//	capillary customers update --input FILE --source SOURCE [--account-id ID] [--rate N/min]
//	                           [--concurrency N] [--results FILE] [--resume] [--retry-failed] [--dry-run]
//	capillary customers upsert (the same flags: each row creates its customer when not found)
//	capillary customers get USERID [--source SOURCE] [--account-id ID] [--embed points,...]
//	capillary customers lookup --mobile M | --email E | --external-id X | --cardnumber C [--source SOURCE] [--account-id ID]
//
// Run "capillary customers update --help" for the input formats and examples. The cluster and
// the credentials come from the environment, as for the SDK's examples: CAPILLARY_BASE_URL or
// CAPILLARY_REGION, then CAPILLARY_TILL and CAPILLARY_PASSWORD, or CAPILLARY_OAUTH_KEY and
// CAPILLARY_OAUTH_SECRET.
//
// Exit status: 0 when every row was applied (or, for get and lookup, the customer was found);
// 1 when some were not, or the run was interrupted; 2 when nothing was sent or the run stopped:
// a mistake in the command line, the environment or the input's header, a results file that
// cannot be used, or an answer every row would get (refused credentials, a host that does not
// exist, TLS): --resume goes on once it is fixed.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first interrupt stops the run gracefully; a second one kills the process at once
	// (the results file is safe at any moment, and --resume settles what was in flight).
	context.AfterFunc(ctx, stop)
	a := &app{
		stdin:    os.Stdin,
		stdout:   os.Stdout,
		stderr:   os.Stderr,
		getenv:   os.Getenv,
		terminal: isTerminal(os.Stderr),
	}
	os.Exit(a.run(ctx, os.Args[1:]))
}

// isTerminal reports whether f is a character device: a terminal, for progress display.
func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
