package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"iter"
	"sync/atomic"

	"github.com/capillary-go/capillary/bulk"
)

// send runs the update: the rows the results file does not settle already go to the vendor,
// and each outcome is appended to the results file.
func (a *app) send(ctx context.Context, f *updateFlags, runner *bulk.Runner, rows iter.Seq2[bulk.Row, error]) (int, error) {
	// The journal first: its lock keeps another run off the file while this one reads it.
	journal, err := bulk.OpenJournal(f.results)
	if errors.Is(err, bulk.ErrNotResults) {
		return 0, stopped(fmt.Errorf("%w\nName a new results file with --results. A results file from an earlier version "+
			"of capillary cannot be resumed: start over with a new one", err))
	}
	if err != nil {
		return 0, stopped(err)
	}
	hist, err := history(f)
	if err != nil {
		_ = journal.Close()
		return 0, stopped(err)
	}
	prog := a.newProgress(ctx, f, journal)
	pl := &plan{history: hist, retryFailed: f.retryFailed, progress: prog, upsert: f.upsert}
	// Said at once: the rows in flight may take the whole grace period to finish.
	noted := make(chan struct{})
	stopNote := context.AfterFunc(ctx, func() {
		defer close(noted)
		prog.note(fmt.Sprintf("interrupted: no more rows are sent; the rows in flight get up to %s to finish "+
			"(interrupt again to stop at once: --resume settles them)", bulk.DefaultGracePeriod))
	})
	sum, runErr := runner.Run(ctx, pl.filter(sentWith(runner, rows)), prog)
	if !stopNote() {
		<-noted // said before the summary
	}
	prog.stop()
	if err := journal.Close(); err != nil && runErr == nil {
		runErr = err
	}
	var changed *bulk.InputChangedError
	if errors.As(runErr, &changed) {
		// Resume checks every recorded row before it yields one to send.
		return 0, stopped(fmt.Errorf("cannot resume: %s was written for another input: %s.\n"+
			"Nothing was sent. Resume with the input as it was, or start over with a new results file (--results)", f.results, changed.Reason))
	}
	a.printSummary(sum, pl, f.results)
	var fatal *bulk.FatalError
	switch {
	case errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded):
		fmt.Fprintf(a.stderr, "%s: interrupted: %s left without an outcome; run the same command with --resume to go on\n", programName, plural(len(sum.Unfinished), "row"))
		return exitFailed, nil
	case errors.As(runErr, &fatal):
		return 0, stopped(fmt.Errorf("the run stopped at row %d, since every row would fail the same way: %s.\n%s\nThe answer was: %s\n"+
			"No more rows were sent: once this is fixed, run the same command with --resume to send the rest",
			fatal.Row, fatal.Reason(), a.whatToCheck(fatal.Err), plain(fatal.Err)))
	case runErr != nil:
		return 0, stopped(fmt.Errorf("the run stopped: %w", runErr))
	case sum.Applied == sum.Rows && pl.keptFailed.Load() == 0:
		return exitOK, nil
	}
	return exitFailed, nil
}

// sentWith gives each row the source and account it is sent with (--source and --account-id
// when it names none), so that its fingerprint binds the results file to them: a resume with
// another --source or --account-id is refused, as another input is.
func sentWith(runner *bulk.Runner, rows iter.Seq2[bulk.Row, error]) iter.Seq2[bulk.Row, error] {
	return func(yield func(bulk.Row, error) bool) {
		for row, err := range rows {
			if err == nil {
				p := runner.Params(&row)
				row.Source, row.AccountID = p.Source, p.AccountID
			}
			if !yield(row, err) {
				return
			}
		}
	}
}

// history reads the results of earlier runs when resuming, and refuses to start over a results
// file that has some otherwise: its rows would be sent twice.
func history(f *updateFlags) (*bulk.History, error) {
	h, err := bulk.ReadHistory(f.results)
	if err != nil || f.resume || f.retryFailed {
		return h, err
	}
	if h.Last() > 0 {
		return nil, usagef("the results file %s already holds results: use --resume to go on with that run, "+
			"--retry-failed to send its failed rows again, or --results to name another file", f.results)
	}
	return &bulk.History{}, nil
}

// plan decides, from the results of earlier runs, which rows to send.
type plan struct {
	history     *bulk.History
	retryFailed bool
	progress    *progress
	upsert      bool // the rows are upserts

	// Counted on the Runner's reading goroutine, which a cancelled run may leave behind.
	skipped    atomic.Int64 // rows with an outcome already, not sent again
	keptFailed atomic.Int64 // of those, rows that were not applied
	settled    atomic.Int64 // rows in flight in an earlier run, read back before sending
}

// filter yields the rows to send (bulk.History.Resume): those without an outcome, those in
// flight in an earlier run (marked to be settled first), and with --retry-failed those that
// failed (uncertain ones settled first). It counts those skipped and those settled.
func (p *plan) filter(rows iter.Seq2[bulk.Row, error]) iter.Seq2[bulk.Row, error] {
	return func(yield func(bulk.Row, error) bool) {
		for row, err := range p.history.Resume(rows, p.retryFailed, p.skip) {
			if err == nil && p.history.Status(row.Number) == bulk.Sending {
				p.settled.Add(1)
			}
			if !yield(row, err) {
				return
			}
		}
	}
}

// skip counts a row an earlier run settled.
func (p *plan) skip(status bulk.Status) {
	p.skipped.Add(1)
	if status != bulk.Applied {
		p.keptFailed.Add(1)
	}
	p.progress.skip()
}

// dryRun checks every row offline and prints each problem with its row number and field.
func (a *app) dryRun(rows iter.Seq2[bulk.Row, error], api bulk.API, opts []bulk.Option) (int, error) {
	runner, err := bulk.New(api, opts...)
	if err != nil {
		return 0, usagef("%w", err)
	}
	w := bufio.NewWriterSize(a.stdout, 64<<10)
	defer w.Flush()
	sum, err := runner.Check(rows, func(row int, problems []bulk.Problem) {
		for _, p := range problems {
			fmt.Fprintf(w, "row %d: %s: %s\n", row, p.Field, p.Problem)
		}
	})
	if err != nil {
		return 0, stopped(errors.New("reading the input: " + plain(err)))
	}
	printDuplicates(w, sum.DuplicateCustomers)
	fmt.Fprintf(w, "%s checked: %d valid, %d invalid. Nothing was sent.\n", plural(sum.Rows, "row"), sum.Rows-sum.Invalid, sum.Invalid)
	if sum.Invalid > 0 {
		return exitFailed, nil
	}
	return exitOK, nil
}
