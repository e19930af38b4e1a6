package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/capillary-go/capillary/bulk"
)

// printSummary prints the run's table on stdout.
func (a *app) printSummary(sum *bulk.Summary, pl *plan, results string) {
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	line := func(label string, n int, note string) { fmt.Fprintf(w, "%s\t%d\t  %s\n", label, n, note) }
	fmt.Fprintln(a.stdout, "Summary")
	line("rows", sum.Rows, "taken from the input in this run")
	line("applied", sum.Applied, "")
	warned, warnings := pl.progress.warningCounts()
	if warned > 0 {
		line("with warnings", warned, "applied, with the vendor's warnings: see \"warnings\" in the results")
	}
	line("refused", sum.Refused, "the vendor's codes are in the results")
	line("invalid", sum.Invalid, "never sent")
	line("uncertain", sum.Uncertain, "answer lost, read-back could not settle it")
	if n := len(sum.Unfinished); n > 0 {
		line("unfinished", n, "interrupted: --resume goes on")
	}
	if n := int(pl.skipped.Load()); n > 0 {
		line("skipped", n, fmt.Sprintf("an earlier run settled them (%d not applied: --retry-failed)", pl.keptFailed.Load()))
	}
	if n := int(pl.settled.Load()); n > 0 {
		line("in flight before", n, "read back before sending")
	}
	line("updates sent", sum.Sent, fmt.Sprintf("%d throttled (429)", sum.Throttled))
	_ = w.Flush()
	if f := failureList(sum.Failures); f != "" {
		fmt.Fprintf(a.stdout, "Not applied, by code: %s\n", f)
	}
	if warnings != "" {
		fmt.Fprintf(a.stdout, "Applied with warnings, by code: %s\n", warnings)
	}
	rate := ""
	if secs := sum.Elapsed.Seconds(); secs > 0 {
		rate = fmt.Sprintf(" (%.1f rows/s)", float64(sum.Rows)/secs)
	}
	fmt.Fprintf(a.stdout, "Elapsed %s%s. Results: %s\n", sum.Elapsed.Round(time.Millisecond), rate, results)
}
