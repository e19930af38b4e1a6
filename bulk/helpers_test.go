package bulk

import (
	"context"
	"iter"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
)

// safety bounds every wait of a test; no test measures time.
const safety = 30 * time.Second

// receive waits for a value on ch, at most safety: a regression that leaves a wait without an
// end fails the test instead of hanging it.
func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(safety):
		t.Fatalf("no value within %s", safety)
		panic("unreachable")
	}
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	t.Cleanup(cancel)
	return ctx
}

// fakeAPI answers updates with a function of the row and of how many times it was sent, and
// reads with the customer state it keeps: applying an update stores its body.
type fakeAPI struct {
	mu      sync.Mutex
	answer  func(ctx context.Context, row *Row, n int) (*capillary.UpdateCustomerResponse, error)
	sends   map[int]int                              // row -> updates received
	applied map[int]*capillary.UpdateCustomerRequest // row -> the state a read returns
	reads   map[int]int
	readErr error
	order   []int                                              // rows in the order they were sent
	policy  *capillary.Client                                  // the SDK's policy with its own waits
	advise  func(err error, attempt int) capillary.RetryAdvice // a policy of the test's
}

func newFakeAPI(answer func(ctx context.Context, row *Row, n int) (*capillary.UpdateCustomerResponse, error)) *fakeAPI {
	if answer == nil {
		answer = func(context.Context, *Row, int) (*capillary.UpdateCustomerResponse, error) { return ok(), nil }
	}
	return &fakeAPI{answer: answer, sends: map[int]int{}, applied: map[int]*capillary.UpdateCustomerRequest{}, reads: map[int]int{}}
}

func ok() *capillary.UpdateCustomerResponse {
	return &capillary.UpdateCustomerResponse{CreatedID: "42", StatusCode: 200, RequestID: "req-1"}
}

func (f *fakeAPI) Update(ctx context.Context, row *Row, _ *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerResponse, error) {
	f.mu.Lock()
	f.sends[row.Number]++
	n := f.sends[row.Number]
	f.order = append(f.order, row.Number)
	f.mu.Unlock()
	resp, err := f.answer(ctx, row, n)
	if err == nil || uncertain(err) && appliedAnyway(err) {
		f.mu.Lock()
		f.applied[row.Number] = row.Body
		f.mu.Unlock()
	}
	return resp, err
}

// appliedError is a lost answer after the update was applied.
type appliedError struct{ error }

func (e appliedError) Unwrap() error { return e.error }

func appliedAnyway(err error) bool {
	_, ok := err.(appliedError)
	return ok
}

func (f *fakeAPI) Read(_ context.Context, row *Row, _ *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerRequest, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads[row.Number]++
	if f.readErr != nil {
		return nil, f.readErr
	}
	if got, ok := f.applied[row.Number]; ok {
		return got, nil
	}
	return &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr("before")}}}, nil
}

func (f *fakeAPI) Validate(row *Row, params *capillary.UpdateCustomerParams) []Problem {
	if row.Body == nil {
		return []Problem{{Field: "body", Problem: "is required"}}
	}
	return nil
}

// testPolicy is the SDK's retry policy, with waits of a second and more: the tests' waits end
// at once (immediately) or when the test says.
var testPolicy = func() *capillary.Client {
	c, err := capillary.NewClient(capillary.WithBaseURL("https://eu.api.capillarytech.com"),
		capillary.WithBasicAuth("till", "password"), capillary.WithRetries(3, time.Second, time.Minute))
	if err != nil {
		panic(err)
	}
	return c
}()

func (f *fakeAPI) AdviseRetry(err error, attempt int) capillary.RetryAdvice {
	if f.advise != nil {
		return f.advise(err, attempt)
	}
	if f.policy != nil {
		return f.policy.AdviseRetry(err, attempt)
	}
	return testPolicy.AdviseRetry(err, attempt)
}

func (f *fakeAPI) sent(row int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sends[row]
}

// memJournal keeps what a run records.
type memJournal struct {
	mu       sync.Mutex
	sending  []int
	results  map[int]*Result
	finished chan int // each finished row, when not nil
}

func newMemJournal() *memJournal { return &memJournal{results: map[int]*Result{}} }

func (j *memJournal) Sending(res *Result) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.sending = append(j.sending, res.Row)
	return nil
}

func (j *memJournal) Finished(res *Result) error {
	j.mu.Lock()
	if _, dup := j.results[res.Row]; dup {
		j.mu.Unlock()
		panic("row finished twice")
	}
	copied := *res
	j.results[res.Row] = &copied
	j.mu.Unlock()
	if j.finished != nil {
		j.finished <- res.Row
	}
	return nil
}

func (j *memJournal) result(t *testing.T, row int) *Result {
	t.Helper()
	j.mu.Lock()
	defer j.mu.Unlock()
	res, ok := j.results[row]
	require.True(t, ok, "row %d has no result", row)
	return res
}

// nameRows makes n rows setting the first name, numbered from 1.
func nameRows(n int) []Row {
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = nameRow(i + 1)
	}
	return rows
}

func itoa(n int) string { return strconv.Itoa(n) }

// nameRow is row n of nameRows.
func nameRow(n int) Row {
	return Row{
		Number: n,
		UserID: "1000" + itoa(n),
		Body:   &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr("name-" + itoa(n))}}},
	}
}

func seq(rows []Row) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// immediately makes a Runner's waits before re-sending a row end at once, and records them.
type immediately struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (w *immediately) after(d time.Duration, f func()) {
	w.mu.Lock()
	w.waits = append(w.waits, d)
	w.mu.Unlock()
	go f()
}

func newRunner(t *testing.T, api API, opts ...Option) *Runner {
	t.Helper()
	r, err := New(api, opts...)
	require.NoError(t, err)
	return r
}
