package bulk

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
)

func busy() error {
	return &capillary.APIError{StatusCode: 521, Errors: []capillary.Message{{Code: 521, Message: "busy"}}}
}
func throttle() error {
	return &capillary.APIError{StatusCode: 429, Errors: []capillary.Message{{Code: 429, Message: "slow down"}}}
}
func notFound() error {
	return &capillary.APIError{StatusCode: 400, RequestID: "req-9", Errors: []capillary.Message{{Code: 8015, Message: "Customer not found"}}}
}
func dropped() error {
	return &capillary.RequestError{Method: "PUT", Path: "/v2/customers/1", Attempts: 1, Uncertain: true, Err: io.ErrUnexpectedEOF}
}

func TestRunAppliesEveryRowAndRecordsIt(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(nil)
	j := newMemJournal()
	sum, err := newRunner(t, api, WithConcurrency(3)).Run(testCtx(t), seq(nameRows(20)), j)
	require.NoError(t, err)
	assert.Equal(t, 20, sum.Rows)
	assert.Equal(t, 20, sum.Applied)
	assert.Equal(t, 20, sum.Sent)
	assert.Empty(t, sum.Failures)
	assert.Empty(t, sum.Unfinished)
	assert.Len(t, j.sending, 20)
	for n := 1; n <= 20; n++ {
		res := j.result(t, n)
		assert.Equal(t, Applied, res.Status)
		assert.Equal(t, "42", res.CreatedID)
		assert.Equal(t, "req-1", res.RequestID)
		assert.Equal(t, 1, res.Attempts)
		assert.Equal(t, 1, api.sent(n))
	}
}

func TestRunOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		row     func(r *Row)
		answer  func(n int) (*capillary.UpdateCustomerResponse, error)
		status  Status
		code    string
		sends   int
		check   func(t *testing.T, res *Result)
		readErr error
	}{
		{
			name:   "refused with the vendor's codes",
			answer: func(int) (*capillary.UpdateCustomerResponse, error) { return nil, notFound() },
			status: Refused, code: "8015", sends: 1,
			check: func(t *testing.T, res *Result) {
				assert.Equal(t, []capillary.Message{{Code: 8015, Message: "Customer not found"}}, res.Errors)
				assert.Equal(t, 400, res.HTTPStatus)
				assert.Equal(t, "req-9", res.RequestID)
				assert.Empty(t, res.Error)
			},
		},
		{
			name:   "a row with problems is never sent",
			row:    func(r *Row) { r.Problems = []Problem{{Field: "email", Problem: "is bad"}} },
			status: Invalid, code: "invalid", sends: 0,
			check: func(t *testing.T, res *Result) {
				assert.Equal(t, []Problem{{Field: "email", Problem: "is bad"}}, res.Problems)
			},
		},
		{
			name:   "the SDK's validation makes a row invalid",
			row:    func(r *Row) { r.Body = nil },
			status: Invalid, code: "invalid", sends: 0,
		},
		{
			name: "521 delays the row, which then applies",
			answer: func(n int) (*capillary.UpdateCustomerResponse, error) {
				if n < 3 {
					return nil, busy()
				}
				return ok(), nil
			},
			status: Applied, sends: 3,
		},
		{
			name:   "521 on every try: refused after the attempts",
			answer: func(int) (*capillary.UpdateCustomerResponse, error) { return nil, busy() },
			status: Refused, code: "521", sends: DefaultMaxAttempts,
		},
		{
			name: "429 is sent again",
			answer: func(n int) (*capillary.UpdateCustomerResponse, error) {
				if n == 1 {
					return nil, throttle()
				}
				return ok(), nil
			},
			status: Applied, sends: 2,
		},
		{
			name: "lost answer, applied: settled by reading back",
			answer: func(n int) (*capillary.UpdateCustomerResponse, error) {
				return nil, appliedError{dropped()}
			},
			status: Applied, sends: 1,
			check: func(t *testing.T, res *Result) {
				assert.Contains(t, res.Settlement, "the answer was lost")
				assert.Contains(t, res.Settlement, "read back: the customer holds every value of the row")
				assert.Empty(t, res.Error)
			},
		},
		{
			name: "lost answer, not applied: sent again",
			answer: func(n int) (*capillary.UpdateCustomerResponse, error) {
				if n == 1 {
					return nil, dropped()
				}
				return ok(), nil
			},
			status: Applied, sends: 2,
			check: func(t *testing.T, res *Result) {
				assert.Contains(t, res.Settlement, "read back: not applied (profiles[0].firstName is \"before\", not \"name-1\"), sent again")
			},
		},
		{
			name:   "lost answer, cannot read: uncertain",
			answer: func(int) (*capillary.UpdateCustomerResponse, error) { return nil, dropped() },
			status: Uncertain, code: "uncertain", sends: 1, readErr: ErrCannotRead,
			check: func(t *testing.T, res *Result) {
				assert.Contains(t, res.Settlement, "the read-back cannot tell: reading the customer back failed")
				assert.Contains(t, res.Error, "unexpected EOF")
			},
		},
		{
			name:   "lost every time and never applied: uncertain after the attempts",
			answer: func(int) (*capillary.UpdateCustomerResponse, error) { return nil, dropped() },
			status: Uncertain, code: "uncertain", sends: DefaultMaxAttempts,
			check: func(t *testing.T, res *Result) {
				assert.Contains(t, res.Settlement, "not sent again after 5 attempts")
			},
		},
		{
			name: "an uncertain 502 (the SDK says it may hide an applied update) is read back",
			answer: func(int) (*capillary.UpdateCustomerResponse, error) {
				return nil, appliedError{&capillary.APIError{StatusCode: 502, Method: "PUT", Uncertain: true}} // as the SDK says it
			},
			status: Applied, sends: 1,
		},
		{
			name:   "a row from an interrupted run already applied is not sent",
			row:    func(r *Row) { r.Settle = true; r.Body.Profiles[0].FirstName = capillary.Ptr("before") },
			status: Applied, sends: 0,
			check: func(t *testing.T, res *Result) {
				assert.Contains(t, res.Settlement, "in flight when an earlier run stopped; read back: the customer holds")
			},
		},
		{
			name:   "a row from an interrupted run not applied is sent",
			row:    func(r *Row) { r.Settle = true },
			status: Applied, sends: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI(func(_ context.Context, _ *Row, n int) (*capillary.UpdateCustomerResponse, error) {
				if tt.answer == nil {
					return ok(), nil
				}
				return tt.answer(n)
			})
			api.readErr = tt.readErr
			rows := nameRows(1)
			if tt.row != nil {
				tt.row(&rows[0])
			}
			waits := &immediately{}
			r := newRunner(t, api)
			r.cfg.after = waits.after
			j := newMemJournal()
			sum, err := r.Run(testCtx(t), seq(rows), j)
			require.NoError(t, err)
			res := j.result(t, 1)
			assert.Equal(t, tt.status, res.Status, "%+v", res)
			assert.Equal(t, tt.code, res.Code())
			assert.Equal(t, tt.sends, api.sent(1))
			assert.Equal(t, tt.sends, sum.Sent)
			if tt.status != Applied {
				assert.Equal(t, map[string]int{tt.code: 1}, sum.Failures)
			}
			if tt.check != nil {
				tt.check(t, res)
			}
		})
	}
}

func TestBusyCustomerDelaysItsRowNotTheRun(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(func(_ context.Context, row *Row, n int) (*capillary.UpdateCustomerResponse, error) {
		if row.Number == 1 && n == 1 {
			return nil, busy()
		}
		return ok(), nil
	})
	api.policy = sevenSeconds(t)
	r := newRunner(t, api, WithConcurrency(1))
	release := make(chan func(), 1)
	var delays []time.Duration
	r.cfg.after = func(d time.Duration, f func()) {
		delays = append(delays, d)
		release <- f
	}
	j := newMemJournal()
	j.finished = make(chan int, 10)
	done := make(chan error, 1)
	go func() {
		_, err := r.Run(testCtx(t), seq(nameRows(5)), j)
		done <- err
	}()
	// With one worker and row 1 waiting, rows 2 to 5 finish first.
	for want := 2; want <= 5; want++ {
		select {
		case got := <-j.finished:
			assert.Equal(t, want, got)
		case <-time.After(safety):
			t.Fatal("rows did not finish")
		}
	}
	receive(t, release)()
	require.NoError(t, receive(t, done))
	assert.Equal(t, Applied, j.result(t, 1).Status)
	assert.Equal(t, 2, j.result(t, 1).Attempts)
	assert.Equal(t, []time.Duration{7 * time.Second}, delays)
}

func TestThrottledRowSlowsTheRun(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(func(_ context.Context, row *Row, n int) (*capillary.UpdateCustomerResponse, error) {
		if row.Number == 1 && n == 1 {
			return nil, throttle()
		}
		return ok(), nil
	})
	r := newRunner(t, api, WithConcurrency(1), WithRate(1000, time.Second))
	sum, err := r.Run(testCtx(t), seq(nameRows(2)), newMemJournal())
	require.NoError(t, err)
	assert.Equal(t, 1, sum.Throttled)
	assert.Equal(t, 2, sum.Applied)
	assert.Equal(t, 3, sum.Sent)
}

func TestRunStreamsRows(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	api := newFakeAPI(func(ctx context.Context, _ *Row, _ int) (*capillary.UpdateCustomerResponse, error) {
		select {
		case <-gate:
		case <-ctx.Done():
		}
		return ok(), nil
	})
	var taken atomic.Int64
	taking := make(chan int64, 100)
	rows := func(yield func(Row, error) bool) {
		for i := 1; i <= 1000; i++ {
			taken.Add(1)
			taking <- taken.Load()
			if !yield(nameRow(i), nil) {
				return
			}
		}
	}
	r := newRunner(t, api, WithConcurrency(2))
	done := make(chan *Summary, 1)
	go func() {
		sum, _ := r.Run(testCtx(t), rows, nil)
		done <- sum
	}()
	// Two rows in flight, and a third waiting for a free worker: no more is read.
	for n := int64(1); n <= 3; n++ {
		receive(t, taking)
	}
	select {
	case n := <-taking:
		t.Fatalf("row %d was read while both workers are busy", n)
	default:
	}
	close(gate)
	for range 1000 - 3 {
		receive(t, taking)
	}
	sum := receive(t, done)
	assert.Equal(t, 1000, sum.Applied)
}

func TestCancelStopsTakingRowsAndRecordsCallsInFlight(t *testing.T) {
	t.Parallel()
	inFlight := make(chan int, 10)
	release := make(chan struct{})
	api := newFakeAPI(func(ctx context.Context, row *Row, _ int) (*capillary.UpdateCustomerResponse, error) {
		inFlight <- row.Number
		<-release
		return ok(), ctx.Err()
	})
	ctx, cancel := context.WithCancel(testCtx(t))
	var yielded atomic.Int64
	rows := func(yield func(Row, error) bool) {
		for i := 1; ; i++ {
			yielded.Add(1)
			if !yield(nameRow(i), nil) {
				return
			}
		}
	}
	j := newMemJournal()
	done := make(chan *Summary, 1)
	go func() {
		sum, err := newRunner(t, api, WithConcurrency(2)).Run(ctx, rows, j)
		assert.ErrorIs(t, err, context.Canceled)
		done <- sum
	}()
	a, b := receive(t, inFlight), receive(t, inFlight)
	cancel()
	close(release) // the calls in flight finish within the grace period, with their answers
	sum := receive(t, done)
	assert.Equal(t, Applied, j.result(t, a).Status)
	assert.Equal(t, Applied, j.result(t, b).Status)
	assert.Equal(t, 2, sum.Applied)
	assert.Equal(t, 2, sum.Sent)
	assert.Equal(t, int64(sum.Rows), int64(sum.Applied+len(sum.Unfinished)))
	assert.LessOrEqual(t, yielded.Load(), int64(4*2+1))
	assert.Len(t, j.results, 2)
}

func TestCallsCutAtTheEndOfTheGracePeriodStayUnfinished(t *testing.T) {
	t.Parallel()
	inFlight := make(chan struct{}, 1)
	api := newFakeAPI(func(ctx context.Context, _ *Row, _ int) (*capillary.UpdateCustomerResponse, error) {
		inFlight <- struct{}{}
		<-ctx.Done() // only the end of the grace period ends this call
		return nil, &capillary.RequestError{Uncertain: true, Err: ctx.Err()}
	})
	ctx, cancel := context.WithCancel(testCtx(t))
	j := newMemJournal()
	done := make(chan *Summary, 1)
	go func() {
		sum, _ := newRunner(t, api, WithConcurrency(1), WithGracePeriod(0)).Run(ctx, seq(nameRows(3)), j)
		done <- sum
	}()
	receive(t, inFlight)
	cancel()
	sum := receive(t, done)
	assert.Empty(t, j.results, "a cut call has no outcome")
	assert.Equal(t, []int{1}, j.sending)
	assert.Contains(t, sum.Unfinished, 1)
	assert.Zero(t, api.reads[1], "no read-back once the calls are cut")
}

func TestRowsErrorStopsTheRun(t *testing.T) {
	t.Parallel()
	boom := errors.New("disk on fire")
	rows := func(yield func(Row, error) bool) {
		if yield(nameRows(1)[0], nil) {
			yield(Row{}, boom)
		}
	}
	_, err := newRunner(t, newFakeAPI(nil)).Run(testCtx(t), rows, nil)
	require.ErrorIs(t, err, boom)
	assert.True(t, strings.HasPrefix(err.Error(), "bulk: reading rows"), err.Error())
}

func TestJournalErrorStopsTheRun(t *testing.T) {
	t.Parallel()
	_, err := newRunner(t, newFakeAPI(nil)).Run(testCtx(t), seq(nameRows(50)), failingJournal{})
	require.ErrorContains(t, err, "bulk: recording row")
}

type failingJournal struct{}

func (failingJournal) Sending(*Result) error  { return errors.New("disk full") }
func (failingJournal) Finished(*Result) error { return errors.New("disk full") }

func TestParamsDefaults(t *testing.T) {
	t.Parallel()
	r := newRunner(t, newFakeAPI(nil), WithSource(capillary.SourceWeChat, "wx-1"), WithUseAsync(true))
	p := r.Params(&Row{})
	assert.Equal(t, capillary.UpdateCustomerParams{Source: capillary.SourceWeChat, AccountID: "wx-1", UseAsync: capillary.Ptr(true)}, p)
	p = r.Params(&Row{Source: capillary.SourceInstore})
	assert.Equal(t, capillary.SourceInstore, p.Source)
	assert.Empty(t, p.AccountID, "the default account belongs to the default source")
}

func TestNewRefusesBadOptions(t *testing.T) {
	t.Parallel()
	_, err := New(newFakeAPI(nil), WithConcurrency(0), WithRate(0, time.Minute), WithMaxAttempts(0), WithGracePeriod(-1))
	require.Error(t, err)
	for _, want := range []string{"concurrency 0", "rate 0 per 1m0s", "max attempts 0", "grace period -1ns"} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = New(nil)
	require.Error(t, err)
}

func TestCheckReportsBadRowsInOrder(t *testing.T) {
	t.Parallel()
	rows := nameRows(3*checkBatch + 7)
	var want []int
	for _, n := range []int{2, checkBatch + 1, 2 * checkBatch, 3*checkBatch + 7} {
		rows[n-1].Body = nil
		want = append(want, n)
	}
	var got []int
	sum, err := newRunner(t, newFakeAPI(nil)).Check(seq(rows), func(row int, problems []Problem) {
		got = append(got, row)
		assert.Equal(t, []Problem{{Field: "body", Problem: "is required"}}, problems)
	})
	require.NoError(t, err)
	assert.Equal(t, len(rows), sum.Rows)
	assert.Equal(t, len(want), sum.Invalid)
	assert.Equal(t, want, got)

	boom := errors.New("unreadable")
	_, err = newRunner(t, newFakeAPI(nil)).Check(func(yield func(Row, error) bool) {
		if yield(nameRow(1), nil) {
			yield(Row{}, boom)
		}
	}, func(int, []Problem) {})
	assert.ErrorIs(t, err, boom)
}

// sevenSeconds is the SDK's policy with every wait 7 s.
func sevenSeconds(t *testing.T) *capillary.Client {
	t.Helper()
	c, err := capillary.NewClient(capillary.WithBaseURL("https://eu.api.capillarytech.com"),
		capillary.WithBasicAuth("till", "password"), capillary.WithRetries(3, 7*time.Second, 7*time.Second))
	require.NoError(t, err)
	return c
}

// The summary counts the vendor's warnings by code, says which rows got them, and how many
// rows were applied with warnings.
func TestSummaryCountsWarningsByCode(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(func(_ context.Context, row *Row, _ int) (*capillary.UpdateCustomerResponse, error) {
		resp := ok()
		if row.Number%2 == 0 {
			resp.Warnings = []capillary.Message{{Code: 8057, Message: "not an email address"}, {Code: 8057, Message: "not an email address"}}
		}
		if row.Number%3 == 0 {
			resp.Warnings = append(resp.Warnings, capillary.Message{Code: 8075, Message: "primary identifier not matching"})
		}
		return resp, nil
	})
	sum, err := newRunner(t, api, WithConcurrency(1)).Run(testCtx(t), seq(nameRows(30)), nil)
	require.NoError(t, err)
	assert.Equal(t, 30, sum.Applied)
	assert.Equal(t, 20, sum.AppliedWithWarnings)
	require.Contains(t, sum.Warnings, "8057")
	assert.Equal(t, 15, sum.Warnings["8057"].Rows, "a row with the code twice counts once")
	assert.Equal(t, "not an email address", sum.Warnings["8057"].Message)
	assert.Equal(t, []int{2, 4, 6, 8, 10, 12, 14, 16, 18, 20}, sum.Warnings["8057"].FirstRows)
	assert.Equal(t, 10, sum.Warnings["8075"].Rows)
	assert.Equal(t, []int{3, 6, 9}, sum.Warnings["8075"].FirstRows[:3])
}

// The Runner keeps no retry policy of its own: it does what API.AdviseRetry says, and slows
// down when it says the answer was a 429.
func TestRunnerFollowsTheSDKsRetryAdvice(t *testing.T) {
	t.Parallel()
	vendorFailure := &capillary.APIError{StatusCode: 500, Method: "PUT", Errors: []capillary.Message{{Code: 500, Message: "failed"}}}
	tests := []struct {
		name      string
		err       error
		advice    capillary.RetryAdvice
		status    Status
		sends     int
		waits     []time.Duration
		throttled int
	}{
		{"a 521 the policy does not retry", busy(), capillary.RetryAdvice{}, Refused, 1, nil, 0},
		{"an answer the policy retries, after its wait", vendorFailure, capillary.RetryAdvice{Retry: true, Wait: 42 * time.Second}, Applied, 2, []time.Duration{42 * time.Second}, 0},
		{"a 429: slower, and sent again after the wait", throttle(), capillary.RetryAdvice{Retry: true, Wait: 3 * time.Second, RateLimited: true}, Applied, 2, []time.Duration{3 * time.Second}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI(func(_ context.Context, _ *Row, n int) (*capillary.UpdateCustomerResponse, error) {
				if n == 1 {
					return nil, tt.err
				}
				return ok(), nil
			})
			var asked []int
			api.advise = func(err error, attempt int) capillary.RetryAdvice {
				assert.Same(t, tt.err, err)
				asked = append(asked, attempt)
				return tt.advice
			}
			waits := &immediately{}
			r := newRunner(t, api, WithRate(100, time.Second))
			r.cfg.after = waits.after
			sum, err := r.Run(testCtx(t), seq(nameRows(1)), nil)
			require.NoError(t, err)
			assert.Equal(t, []int{1}, asked)
			assert.Equal(t, tt.sends, sum.Sent)
			assert.Equal(t, tt.waits, waits.waits)
			assert.Equal(t, tt.throttled, sum.Throttled)
			if tt.status == Applied {
				assert.Equal(t, 1, sum.Applied)
			} else {
				assert.Equal(t, 1, sum.Refused)
			}
		})
	}
}
