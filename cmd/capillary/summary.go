package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/capillary-go/capillary/bulk"
)

// printSummary prints the run's table on stdout, from the Runner's Summary and the plan's
// count of the rows an earlier run settled.
func (a *app) printSummary(sum *bulk.Summary, pl *plan, results string) {
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	line := func(label string, n int, note string) {
		if note != "" {
			note = "  " + note
		}
		fmt.Fprintf(w, "%s\t%d\t%s\n", label, n, note)
	}
	fmt.Fprintln(a.stdout, "Summary")
	line("rows", sum.Rows, "taken from the input in this run")
	line("applied", sum.Applied, "")
	if pl.upsert {
		line("created", sum.Created, "customers the vendor did not know")
		line("updated", sum.Updated, "customers found by their identifiers")
	}
	if sum.AppliedWithWarnings > 0 {
		line("with warnings", sum.AppliedWithWarnings, "applied, with the vendor's warnings (below)")
	}
	line("refused", sum.Refused, "the vendor's codes are in the results")
	line("invalid", sum.Invalid, "never sent")
	if pl.upsert {
		line("uncertain", sum.Uncertain, "answer lost, and sending it again could not settle it")
	} else {
		line("uncertain", sum.Uncertain, "answer lost, read-back could not settle it")
	}
	if n := len(sum.Unfinished); n > 0 {
		line("unfinished", n, "left without an outcome: --resume goes on")
	}
	if n := int(pl.skipped.Load()); n > 0 {
		note := "an earlier run settled them"
		if failed := pl.keptFailed.Load(); failed > 0 {
			note += fmt.Sprintf(" (%d not applied: --retry-failed)", failed)
		}
		line("skipped", n, note)
	}
	if n := int(pl.settled.Load()); n > 0 && pl.upsert {
		line("in flight before", n, "sent again: an upsert looks its customer up first")
	} else if n > 0 {
		line("in flight before", n, "read back before sending")
	}
	sent := "updates sent"
	if pl.upsert {
		sent = "upserts sent"
	}
	line(sent, sum.Sent, fmt.Sprintf("%d throttled (429)", sum.Throttled))
	_ = w.Flush()
	if f := failureList(sum.Failures); f != "" {
		fmt.Fprintf(a.stdout, "Not applied, by code: %s\n", f)
	}
	printWarnings(a.stdout, sum.Warnings)
	printDuplicates(a.stdout, sum.DuplicateCustomers)
	rate := ""
	if done, secs := sum.Rows-len(sum.Unfinished), sum.Elapsed.Seconds(); done > 0 && secs > 0 {
		rate = fmt.Sprintf(" (%.1f rows/s)", float64(done)/secs)
	}
	fmt.Fprintf(a.stdout, "Elapsed %s%s. Results: %s\n", sum.Elapsed.Round(time.Millisecond), rate, results)
}

// printWarnings lists the vendor's warnings by code, the most frequent first, with the first
// rows that got each: "  8057 on 2 rows (1, 3): not an email address".
func printWarnings(w io.Writer, warnings map[string]*bulk.Warned) {
	if len(warnings) == 0 {
		return
	}
	codes := make([]string, 0, len(warnings))
	for c := range warnings {
		codes = append(codes, c)
	}
	slices.SortFunc(codes, func(a, b string) int {
		if n := warnings[b].Rows - warnings[a].Rows; n != 0 {
			return n
		}
		return strings.Compare(a, b)
	})
	fmt.Fprintln(w, "The vendor's warnings, by code (the results file has each row's):")
	for _, c := range codes {
		wd := warnings[c]
		rows := make([]string, len(wd.FirstRows))
		for i, r := range slices.Sorted(slices.Values(wd.FirstRows)) {
			rows[i] = strconv.Itoa(r)
		}
		list := pluralWord(wd.Rows, "row") + " " + strings.Join(rows, ", ")
		if more := wd.Rows - len(wd.FirstRows); more > 0 {
			list += fmt.Sprintf(" and %d more", more)
		}
		fmt.Fprintf(w, "  %s on %s: %s\n", c, list, wd.Message)
	}
}

// printDuplicates says how many customers more than one row addresses (the Runner sends their
// rows one after the other, in the order of the input).
func printDuplicates(w io.Writer, n int) {
	switch {
	case n == 1:
		fmt.Fprintln(w, "1 customer appears in more than one row: its rows are sent in the order of the input.")
	case n > 1:
		fmt.Fprintf(w, "%d customers appear in more than one row: each one's rows are sent in the order of the input.\n", n)
	}
}
