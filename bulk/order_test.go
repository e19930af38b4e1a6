package bulk

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
)

// customerRows are n rows for customer "7" (odd rows) and for customers of their own (even
// rows), each setting the first name to its row number.
func customerRows(n int) []Row {
	rows := nameRows(n)
	for i := range rows {
		if (i+1)%2 == 1 {
			rows[i].UserID = "7"
		}
	}
	return rows
}

// Whatever the concurrency and the answers, the rows of one customer are sent one after the
// other, in file order, and the customer ends with its last row's values.
func TestRowsOfOneCustomerApplyInFileOrder(t *testing.T) {
	t.Parallel()
	busyOnce, throttledOnce, lostOnce, appliedLost := 1, 5, 9, 11
	for _, concurrency := range []int{1, 8} {
		t.Run(itoa(concurrency), func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var customer string // what customer 7 holds
			var order []int     // customer 7's rows, as each send starts
			var inFlight int
			api := newFakeAPI(func(_ context.Context, row *Row, n int) (*capillary.UpdateCustomerResponse, error) {
				if row.UserID != "7" {
					return ok(), nil
				}
				mu.Lock()
				defer mu.Unlock()
				inFlight++
				defer func() { inFlight-- }()
				assert.Equal(t, 1, inFlight, "two rows of one customer at once")
				order = append(order, row.Number)
				name := *row.Body.Profiles[0].FirstName
				switch {
				case row.Number == busyOnce && n == 1:
					return nil, busy()
				case row.Number == throttledOnce && n == 1:
					return nil, throttle()
				case row.Number == lostOnce && n == 1:
					return nil, dropped() // not applied
				case row.Number == appliedLost && n == 1:
					customer = name
					return nil, appliedError{dropped()}
				}
				customer = name
				return ok(), nil
			})
			waits := &immediately{}
			r := newRunner(t, api, WithConcurrency(concurrency))
			r.cfg.after = waits.after
			rows := customerRows(16)
			sum, err := r.Run(testCtx(t), seq(rows), newMemJournal())
			require.NoError(t, err)
			assert.Equal(t, 16, sum.Applied)
			assert.Equal(t, "name-15", customer, "the customer holds its last row's values")
			assert.IsNonDecreasing(t, order, "customer 7's rows went out of file order")
			assert.Equal(t, 1, sum.DuplicateCustomers)
		})
	}
}

func TestDuplicateCustomersAreCounted(t *testing.T) {
	t.Parallel()
	rows := nameRows(10)
	rows[3].UserID = rows[0].UserID // customer of row 1: three rows
	rows[5].UserID = rows[0].UserID
	rows[8].UserID = rows[7].UserID // customer of row 8: two rows
	rows[9].UserID = ""             // two rows by the same email, spelt differently
	rows[9].Identifier = capillary.Identifier{Type: capillary.IdentifierEmail, Value: "Ann@Example.com"}
	rows[2].UserID = ""
	rows[2].Identifier = capillary.Identifier{Type: capillary.IdentifierEmail, Value: "ann@example.com"}
	for n := 11; n <= 12; n++ { // lines that could not be read name no customer: they are not one customer
		rows = append(rows, Row{Number: n, Problems: []Problem{{Field: "line", Problem: "has 3 fields; the header has 2"}}})
	}
	sum, err := newRunner(t, newFakeAPI(nil)).Check(seq(rows), func(int, []Problem) {})
	require.NoError(t, err)
	assert.Equal(t, 3, sum.DuplicateCustomers, "the dry run counts them")
	run, err := newRunner(t, newFakeAPI(nil), WithConcurrency(4)).Run(testCtx(t), seq(rows), nil)
	require.NoError(t, err)
	assert.Equal(t, 3, run.DuplicateCustomers, "and so does the run")
}
