package bulk

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/capillary-go/capillary"
)

// Journal records a run as it goes. The Runner calls Sending before it first sends a row, and
// sends the row only once Sending has returned nil; it calls Finished with each row's outcome.
// The Result given to Sending has the row's number, address and Fingerprint, and no outcome
// yet. Both are called from several goroutines at once; an error from either stops the run.
// *JournalFile writes them to a results file.
type Journal interface {
	Sending(res *Result) error
	Finished(res *Result) error
}

// Summary counts what a run did.
type Summary struct {
	// Rows is how many rows were taken from the input.
	Rows int
	// Applied, Refused, Invalid and Uncertain count the rows of each outcome.
	Applied, Refused, Invalid, Uncertain int
	// AppliedWithWarnings counts the applied rows that came with the vendor's warnings.
	AppliedWithWarnings int
	// Created and Updated split the applied rows of an upsert run (Result.Action).
	Created, Updated int
	// Failures counts the rows that were not applied by Result.Code: "8015", "invalid", ...
	Failures map[string]int
	// Warnings counts, by the vendor's warning code ("8057"), the rows that got it, and
	// says which.
	Warnings map[string]*Warned
	// DuplicateCustomers is how many customers (user ids, or identifiers) more than one of the
	// rows taken addresses. Their rows are applied one after the other, in the order of the
	// input.
	DuplicateCustomers int
	// Sent is how many updates were sent; Throttled how many of them got 429. Reads counts
	// the customers read back to settle a lost answer. Every one of them counts against the
	// rate.
	Sent, Throttled, Reads int
	// Unfinished lists the rows taken but left without an outcome when the run stopped: not
	// sent yet, waiting to be sent again, cut at the end of the grace period, or whose answer
	// stopped the run (a FatalError).
	Unfinished []int
	// Elapsed is the run's duration.
	Elapsed time.Duration
}

// Warned is one warning code of a Summary: how many rows got it, the first of them, and the
// vendor's message.
type Warned struct {
	// Rows counts the rows.
	Rows int
	// FirstRows are the numbers of the first rows that got it (at most maxWarnedRows), in
	// the order they finished; the results file has every one.
	FirstRows []int
	// Message is the vendor's message of the first.
	Message string
}

// maxWarnedRows bounds Warned.FirstRows.
const maxWarnedRows = 10

// FatalError stops a run: an answer that will fail every row the same way (refused
// credentials, a certificate that does not verify, a host that does not exist, https spoken
// to an http server: see capillary.FailsEveryCall). No row is sent after it; the rows in
// flight settle, and the rows not sent, this one included, are left for a resumed run.
type FatalError struct {
	// Row is the row whose answer it was.
	Row int
	// Err is the SDK's error: errors.Is(err, capillary.ErrUnauthorized) and the like tell
	// which of the failures it is.
	Err error
}

// Error says why the run stopped and what to do.
func (e *FatalError) Error() string {
	return fmt.Sprintf("bulk: stopped at row %d, since every row would fail the same way (%s): %v", e.Row, e.Reason(), e.Err)
}

// Unwrap returns the SDK's error.
func (e *FatalError) Unwrap() error { return e.Err }

// Reason says in a few words what is wrong and what to fix.
func (e *FatalError) Reason() string {
	switch {
	case errors.Is(e.Err, capillary.ErrOAuthCredentials):
		return "the OAuth key or secret was refused: check them"
	case errors.Is(e.Err, capillary.ErrUnauthorized):
		return "the credentials were refused: check the till and password, or the OAuth key and secret"
	case errors.Is(e.Err, capillary.ErrForbidden):
		return "the credentials may not make this call (403): check the API client's permissions and that v2 is enabled for the org"
	case errors.As(e.Err, new(*net.DNSError)):
		return "the host does not exist: check the base URL or region"
	}
	return "the server's TLS does not verify, or it does not speak https: check the base URL's scheme and host"
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
// error from rows stops the run the same way and is returned, and so does a *FatalError.
//
// Rows of the same customer are sent one after the other, in the order of rows: a row is
// sent once the customer's row before it has its outcome. Rows are read as workers free up:
// at most a few per worker are held at any time.
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
		Runner:    r,
		ctx:       ctx,
		callCtx:   callCtx,
		stop:      stop,
		journal:   j,
		limit:     newLimiter(r.cfg.limit, r.cfg.now, r.cfg.sleep),
		slots:     make(chan struct{}, held),
		retry:     make(chan *task, held),
		done:      make(chan struct{}),
		held:      map[int]*task{},
		customers: map[uint64]*task{},
		sum:       Summary{Failures: map[string]int{}, Warnings: map[string]*Warned{}},
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
	sum.DuplicateCustomers = ru.keys.duplicates()
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
	retry   chan *task    // rows whose turn came: back from a wait, or next of their customer
	done    chan struct{} // closed when the feeder is finished and no row is held

	mu        sync.Mutex
	held      map[int]*task    // rows taken and without outcome, by number
	customers map[uint64]*task // the last row held of each customer with one
	keys      customerKeys     // every row's customer, to count those in several rows
	finished  bool             // the feeder is finished
	sum       Summary
}

// task is a row on its way, with what its tries so far found.
type task struct {
	row       Row
	customer  uint64
	params    capillary.UpdateCustomerParams
	res       *Result
	next      *task // the customer's next row, sent once this one has its outcome
	marked    bool  // Sending was recorded
	settle    bool  // read the customer back before sending
	lost      bool  // the last answer was lost
	tries     int   // sends that count against maxAttempts: all but those throttled
	throttles int   // 429s in a row
	reads     int   // read-backs that failed and were tried again
}

// maxThrottles bounds the 429s one row may get in a row. A 429 is not counted against the
// row's attempts: the vendor turned it away, and the limiter slows down for it.
const maxThrottles = 20

// feed takes rows while there is room for them and hands them to the workers, or queues them
// behind the row of the same customer that is on its way.
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
		// An upsert in flight in an earlier run is sent again: it looks its customer up first.
		t := &task{row: row, customer: customerOf(&row), params: ru.Params(&row), res: resultOf(&row), settle: row.Settle && !ru.upserts()}
		ru.mu.Lock()
		ru.held[row.Number] = t
		ru.sum.Rows++
		ru.keys.add(&row, t.customer)
		before := ru.customers[t.customer]
		ru.customers[t.customer] = t
		if before != nil {
			before.next = t
		}
		ru.mu.Unlock()
		if before != nil {
			continue // its turn comes when the row before has its outcome (finish)
		}
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

// finish records a row's outcome, and hands on the customer's next row.
func (ru *run) finish(t *task, status Status) {
	t.res.Status = status
	if err := ru.journal.Finished(t.res); err != nil {
		ru.stop(fmt.Errorf("bulk: recording row %d: %w", t.row.Number, err))
	}
	ru.mu.Lock()
	defer ru.mu.Unlock()
	ru.count(t.res)
	delete(ru.held, t.row.Number)
	if t.next != nil {
		ru.retry <- t.next // never blocks: retry has room for every row held
	} else if ru.customers[t.customer] == t {
		delete(ru.customers, t.customer)
	}
	<-ru.slots
	ru.closeIfDone()
}

// count adds a row's outcome to the summary; ru.mu is held.
func (ru *run) count(res *Result) {
	switch res.Status {
	case Applied:
		ru.sum.Applied++
		switch res.Action {
		case ActionCreated:
			ru.sum.Created++
		case ActionUpdated:
			ru.sum.Updated++
		}
		if len(res.Warnings) > 0 {
			ru.sum.AppliedWithWarnings++
		}
	case Refused:
		ru.sum.Refused++
	case Invalid:
		ru.sum.Invalid++
	case Uncertain:
		ru.sum.Uncertain++
	}
	if res.Status != Applied {
		ru.sum.Failures[res.Code()]++
	}
	seen := map[string]bool{}
	for _, w := range res.Warnings {
		code := strconv.FormatInt(int64(w.Code), 10)
		if seen[code] {
			continue
		}
		seen[code] = true
		c := ru.sum.Warnings[code]
		if c == nil {
			c = &Warned{Message: w.Message}
			ru.sum.Warnings[code] = c
		}
		c.Rows++
		if len(c.FirstRows) < maxWarnedRows {
			c.FirstRows = append(c.FirstRows, res.Row)
		}
	}
}

// later takes the row up again after d, without holding a worker.
func (ru *run) later(t *task, d time.Duration) {
	ru.cfg.after(d, func() { ru.retry <- t }) // never blocks: retry has room for every row held
}

// fatal stops the run on an answer that will fail every row; the row stays unfinished.
func (ru *run) fatal(t *task, err error) {
	ru.stop(&FatalError{Row: t.row.Number, Err: err})
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
			if handled := ru.settle(t); handled {
				return
			}
		}
		if t.tries >= ru.cfg.maxAttempts || t.throttles >= maxThrottles {
			if t.lost { // an upsert's answer was lost every time
				ru.finish(t, Uncertain)
				return
			}
			ru.finish(t, Refused) // with what the last try found
			return
		}
		if ru.ctx.Err() != nil {
			return
		}
		if !t.marked {
			if err := ru.journal.Sending(t.res); err != nil {
				ru.stop(fmt.Errorf("bulk: recording row %d: %w", t.row.Number, err))
				return
			}
			t.marked = true
		}
		sentAt, err := ru.limit.wait(ru.ctx)
		if err != nil {
			return // the run stopped while the row waited for its turn
		}
		resp, err := ru.send(t)
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
// What is retried, and after how long, is the SDK's decision (API.AdviseRetry); whether an
// answer was lost is the SDK's too (capillary's Uncertain).
func (ru *run) answer(t *task, sentAt time.Time, resp *capillary.UpdateCustomerResponse, err error) (again bool) {
	// An upsert's lost try may have been applied: it stays lost whatever the later tries say.
	t.res.Error, t.lost = "", t.lost && ru.upserts()
	switch {
	case err == nil:
		t.res.fillResponse(resp)
		ru.finish(t, Applied)
		return false
	case errors.Is(err, capillary.ErrInvalidRequest):
		t.res.Problems = problemsOf(err)
		ru.finish(t, Invalid)
		return false
	case ru.callCtx.Err() != nil:
		// Cut at the end of the grace period: the outcome is unknown and the row stays
		// in flight in the journal, for a resumed run to settle.
		return false
	case capillary.FailsEveryCall(err):
		ru.fatal(t, err)
		return false
	}
	t.res.fillError(err)
	if uncertain(err) {
		t.tries++
		// An update is read back; an upsert is sent again, as it looks its customer up first.
		t.settle, t.lost = !ru.upserts(), true
		return true
	}
	advice := ru.api.AdviseRetry(err, t.res.Attempts)
	if advice.RateLimited {
		t.throttles++
		ru.mu.Lock()
		ru.sum.Throttled++
		ru.mu.Unlock()
		ru.limit.throttled(sentAt)
	} else {
		t.throttles = 0
		t.tries++
	}
	if !advice.Retry || t.tries >= ru.cfg.maxAttempts || t.throttles >= maxThrottles {
		status := Refused
		if t.lost {
			status = Uncertain
		}
		ru.finish(t, status)
		return false
	}
	ru.later(t, advice.Wait)
	return false
}

// settle reads the customer back after a lost answer, or for a row an earlier run left in
// flight, and ends the row when the read-back says how it went. It reports whether the row is
// handled for now: it has its outcome, waits to be read again, or the run stopped.
func (ru *run) settle(t *task) (handled bool) {
	why := "in flight when an earlier run stopped"
	if t.lost {
		why = "the answer was lost (" + t.res.Error + ")"
	}
	readAt, err := ru.limit.wait(ru.ctx)
	if err != nil {
		return true // the run stopped: the row stays unfinished, to settle on resume
	}
	got, err := ru.api.Read(ru.callCtx, &t.row, &t.params)
	ru.mu.Lock()
	ru.sum.Reads++
	ru.mu.Unlock()
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
	case capillary.FailsEveryCall(err):
		ru.fatal(t, err)
		return true
	default:
		advice := ru.api.AdviseRetry(err, t.reads+1)
		if advice.RateLimited {
			ru.limit.throttled(readAt)
		}
		if advice.Retry && t.reads+1 < ru.cfg.maxAttempts {
			t.reads++
			ru.later(t, advice.Wait) // t.settle stays set: it is read again
			return true
		}
		v, detail = cannotTell, "reading the customer back failed: "+err.Error()
	}
	t.settle = false
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
