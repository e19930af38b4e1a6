package bulk

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/capillary-go/capillary"
)

// Journal records a run as it goes. The Runner calls Sending before it first sends a row, and
// sends the row only once Sending has returned nil; it calls Finished with each row's outcome.
// Both are called from several goroutines at once; an error from either stops the run.
// *JournalFile writes them to a results file.
type Journal interface {
	Sending(row int) error
	Finished(res *Result) error
}

// Summary counts what a run did.
type Summary struct {
	// Rows is how many rows were taken from the input.
	Rows int
	// Applied, Refused, Invalid and Uncertain count the rows of each outcome.
	Applied, Refused, Invalid, Uncertain int
	// Failures counts the rows that were not applied by Result.Code: "8015", "invalid", ...
	Failures map[string]int
	// Sent is how many updates were sent; Throttled how many of them got 429.
	Sent, Throttled int
	// Unfinished lists the rows taken but left without an outcome when the run was
	// cancelled: not sent yet, waiting to be sent again, or cut at the end of the grace period.
	Unfinished []int
	// Elapsed is the run's duration.
	Elapsed time.Duration
}

// Runner sends rows of updates; make one with New. A Runner may serve several runs, one after
// the other or at once, each with its own limiter.
type Runner struct {
	api API
	cfg *settings
}

// New makes a Runner that sends through api.
func New(api API, opts ...Option) (*Runner, error) {
	if api == nil {
		return nil, fmt.Errorf("bulk: api is nil")
	}
	cfg, err := newSettings(opts)
	if err != nil {
		return nil, err
	}
	return &Runner{api: api, cfg: cfg}, nil
}

// Params returns the query parameters a row is sent with: its own source and account, or the
// Runner's.
func (r *Runner) Params(row *Row) capillary.UpdateCustomerParams {
	p := capillary.UpdateCustomerParams{Source: row.Source, AccountID: row.AccountID, UseAsync: r.cfg.useAsync}
	if p.Source == "" {
		p.Source = r.cfg.source
		if p.AccountID == "" {
			p.AccountID = r.cfg.accountID
		}
	}
	return p
}

// Validate checks a row offline, as a run would before sending it, and returns its problems:
// those found reading it, then the SDK's.
func (r *Runner) Validate(row *Row) []Problem {
	if len(row.Problems) > 0 {
		return row.Problems
	}
	params := r.Params(row)
	return r.api.Validate(row, &params)
}

// Run sends every row of rows with the Runner's workers and records each outcome in j (nil
// records nothing), and returns when every row has an outcome, or when ctx is cancelled:
// then it takes no more rows, lets the calls in flight finish within the grace period,
// records them, and returns ctx's error with the rows left unfinished in the Summary. An
// error from rows stops the run the same way and is returned.
//
// Rows are read as workers free up: at most a few per worker are held at any time.
func (r *Runner) Run(ctx context.Context, rows iter.Seq2[Row, error], j Journal) (*Summary, error) {
	if j == nil {
		j = discard{}
	}
	start := time.Now()
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	// The calls outlive ctx by the grace period, so that a cancelled run still learns their
	// outcome.
	callCtx, cutCalls := context.WithCancel(context.WithoutCancel(ctx))
	defer cutCalls()
	stopGrace := context.AfterFunc(ctx, func() { time.AfterFunc(r.cfg.grace, cutCalls) })
	defer stopGrace()

	held := 4 * r.cfg.concurrency
	ru := &run{
		Runner:  r,
		ctx:     ctx,
		callCtx: callCtx,
		stop:    stop,
		journal: j,
		limit:   newLimiter(r.cfg.limit, r.cfg.now),
		slots:   make(chan struct{}, held),
		retry:   make(chan *task, held),
		done:    make(chan struct{}),
		held:    map[int]*task{},
		sum:     Summary{Failures: map[string]int{}},
	}
	work := make(chan *task)
	var readErr error
	go func() {
		defer ru.fed()
		defer close(work)
		readErr = ru.feed(rows, work)
	}()
	var workers sync.WaitGroup
	for range r.cfg.concurrency {
		workers.Add(1)
		go func() {
			defer workers.Done()
			ru.work(work)
		}()
	}
	workers.Wait()

	ru.mu.Lock()
	defer ru.mu.Unlock()
	sum := ru.sum
	for n := range ru.held {
		sum.Unfinished = append(sum.Unfinished, n)
	}
	slices.Sort(sum.Unfinished)
	sum.Elapsed = time.Since(start)
	select {
	case <-ru.done: // every row taken has an outcome, and the feeder is finished
		if readErr != nil {
			return &sum, fmt.Errorf("bulk: reading rows: %w", readErr)
		}
	default:
	}
	if cause := context.Cause(ctx); cause != nil {
		return &sum, cause
	}
	return &sum, nil
}

// run is one Run's state.
type run struct {
	*Runner
	ctx     context.Context // when it ends, no more rows are taken or sent
	callCtx context.Context // the calls', cut at the end of the grace period
	stop    context.CancelCauseFunc
	journal Journal
	limit   *limiter
	slots   chan struct{} // one per row held
	retry   chan *task    // rows whose wait before another try is over
	done    chan struct{} // closed when the feeder is finished and no row is held

	mu       sync.Mutex
	held     map[int]*task // rows taken and without outcome, by number
	finished bool          // the feeder is finished
	sum      Summary
}

// task is a row on its way, with what its tries so far found.
type task struct {
	row       Row
	params    capillary.UpdateCustomerParams
	res       *Result
	marked    bool // Sending was recorded
	settle    bool // read the customer back before sending
	lost      bool // the last answer was lost
	tries     int  // sends that count against maxAttempts: all but those throttled
	throttles int  // 429s in a row
	waits     int  // sends turned away (521, 503, no connection), for the next delay
}

// maxThrottles bounds the 429s one row may get in a row. A 429 is not counted against the
// row's attempts: the vendor turned it away, and the limiter slows down for it.
const maxThrottles = 20

// feed takes rows while there is room for them and hands them to the workers.
func (ru *run) feed(rows iter.Seq2[Row, error], work chan<- *task) error {
	for row, err := range rows {
		if err != nil {
			ru.stop(fmt.Errorf("bulk: reading rows: %w", err))
			return err
		}
		select {
		case ru.slots <- struct{}{}:
		case <-ru.ctx.Done():
			return nil
		}
		if ru.ctx.Err() != nil {
			return nil
		}
		t := &task{row: row, params: ru.Params(&row), res: resultOf(&row), settle: row.Settle}
		ru.mu.Lock()
		ru.held[row.Number] = t
		ru.sum.Rows++
		ru.mu.Unlock()
		select {
		case work <- t:
		case <-ru.ctx.Done():
			return nil
		}
	}
	return nil
}

// fed marks the feeder finished.
func (ru *run) fed() {
	ru.mu.Lock()
	defer ru.mu.Unlock()
	ru.finished = true
	ru.closeIfDone()
}

func (ru *run) closeIfDone() {
	if ru.finished && len(ru.held) == 0 {
		close(ru.done)
	}
}

// work runs rows, fresh or back from a wait, until every row has an outcome or the run stops.
func (ru *run) work(fresh <-chan *task) {
	for {
		select {
		case <-ru.ctx.Done():
			return
		case <-ru.done:
			return
		case t := <-ru.retry:
			ru.step(t)
		case t, ok := <-fresh:
			if !ok {
				fresh = nil
				continue
			}
			ru.step(t)
		}
	}
}

// finish records a row's outcome.
func (ru *run) finish(t *task, status Status) {
	t.res.Status = status
	if err := ru.journal.Finished(t.res); err != nil {
		ru.stop(fmt.Errorf("bulk: recording row %d: %w", t.row.Number, err))
	}
	ru.mu.Lock()
	defer ru.mu.Unlock()
	switch status {
	case Applied:
		ru.sum.Applied++
	case Refused:
		ru.sum.Refused++
	case Invalid:
		ru.sum.Invalid++
	case Uncertain:
		ru.sum.Uncertain++
	}
	if status != Applied {
		ru.sum.Failures[t.res.Code()]++
	}
	delete(ru.held, t.row.Number)
	<-ru.slots
	ru.closeIfDone()
}

// later sends the row again after d, without holding a worker.
func (ru *run) later(t *task, d time.Duration) {
	ru.cfg.after(d, func() { ru.retry <- t }) // never blocks: retry has room for every row held
}

// step takes a row as far as it goes now: to its outcome, to a wait before another try, or,
// when the run stops, nowhere (it stays held, and unfinished).
func (ru *run) step(t *task) {
	if ru.ctx.Err() != nil {
		return
	}
	if !t.marked {
		if problems := ru.Validate(&t.row); len(problems) > 0 {
			t.res.Problems = problems
			ru.finish(t, Invalid)
			return
		}
	}
	for {
		if t.settle {
			t.settle = false
			if done := ru.settle(t); done {
				return
			}
		}
		if t.tries >= ru.cfg.maxAttempts || t.throttles >= maxThrottles {
			ru.finish(t, Refused) // with what the last try found
			return
		}
		if ru.ctx.Err() != nil {
			return
		}
		if !t.marked {
			if err := ru.journal.Sending(t.row.Number); err != nil {
				ru.stop(fmt.Errorf("bulk: recording row %d: %w", t.row.Number, err))
				return
			}
			t.marked = true
		}
		sentAt, err := ru.limit.wait(ru.ctx)
		if err != nil {
			return // the run stopped while the row waited for its turn
		}
		resp, err := ru.api.Update(ru.callCtx, &t.row, &t.params)
		t.res.Attempts++
		ru.mu.Lock()
		ru.sum.Sent++
		ru.mu.Unlock()
		if again := ru.answer(t, sentAt, resp, err); !again {
			return
		}
	}
}

// answer handles the answer to one update, and reports whether to send the row again now.
func (ru *run) answer(t *task, sentAt time.Time, resp *capillary.UpdateCustomerResponse, err error) (again bool) {
	t.res.Error, t.lost = "", false
	kind := classify(err)
	if kind == throttled {
		t.throttles++
	} else {
		t.throttles = 0
		t.tries++
	}
	if kind != succeeded {
		t.res.fillError(err)
	}
	switch {
	case kind == succeeded:
		t.res.fillResponse(resp)
		ru.finish(t, Applied)
	case kind == invalid:
		t.res.Problems = problemsOf(err)
		ru.finish(t, Invalid)
	case ru.callCtx.Err() != nil:
		// Cut at the end of the grace period: the outcome is unknown and the row stays
		// in flight in the journal, for a resumed run to settle.
	case kind == throttled:
		ru.mu.Lock()
		ru.sum.Throttled++
		ru.mu.Unlock()
		ru.limit.throttled(sentAt)
		if wait := retryAfterOf(err); wait > 0 {
			ru.later(t, wait)
			return false
		}
		return true
	case kind == turnedAway && t.tries >= ru.cfg.maxAttempts:
		ru.finish(t, Refused)
	case kind == turnedAway:
		t.waits++
		ru.later(t, ru.cfg.retryDelayFor(t.waits))
	case kind == lost:
		t.settle, t.lost = true, true
		return true
	default:
		ru.finish(t, Refused)
	}
	return false
}

// settle reads the customer back after a lost answer, or for a row an earlier run left in
// flight, and ends the row when the read-back says how it went. It reports whether the row
// has its outcome.
func (ru *run) settle(t *task) bool {
	why := "in flight when an earlier run stopped"
	if t.lost {
		why = "the answer was lost (" + t.res.Error + ")"
	}
	got, err := ru.api.Read(ru.callCtx, &t.row, &t.params)
	if ru.callCtx.Err() != nil {
		return true // cut: stays unfinished
	}
	var v verdict
	var detail string
	switch {
	case err == nil:
		v, detail = compare(t.row.Body, got)
	case isNotFound(err):
		v, detail = lacks, "the customer was not found"
	default:
		v, detail = cannotTell, "reading the customer back failed: "+err.Error()
	}
	switch v {
	case holds:
		t.res.Settlement = why + "; read back: the customer holds every value of the row"
		t.res.Error = ""
		ru.finish(t, Applied)
		return true
	case cannotTell:
		t.res.Settlement = why + "; the read-back cannot tell: " + detail
		ru.finish(t, Uncertain)
		return true
	}
	if t.tries >= ru.cfg.maxAttempts {
		t.res.Settlement = fmt.Sprintf("%s; read back: not applied (%s); not sent again after %d attempts", why, detail, t.tries)
		ru.finish(t, Uncertain)
		return true
	}
	t.res.Settlement = why + "; read back: not applied (" + detail + "), sent again"
	return false
}
