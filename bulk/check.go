package bulk

import (
	"iter"
	"runtime"
)

// checkBatch is how many rows a checker takes at a time.
const checkBatch = 512

// batch is rows on their way through Check, with their problems once checked.
type batch struct {
	rows     []Row
	problems [][]Problem
	done     chan struct{} // closed when problems is filled
}

// Check validates every row offline, as Validate does, on all cores, and calls bad for each
// row with problems, in the order of the rows, from the goroutine that called Check. It sends
// nothing and returns a Summary of the rows checked (Rows, Invalid, DuplicateCustomers), or the
// first error of rows. Memory stays flat but for eight bytes a row (to count the customers in
// several rows): a few batches of rows are held at a time.
func (r *Runner) Check(rows iter.Seq2[Row, error], bad func(row int, problems []Problem)) (*Summary, error) {
	workers := runtime.GOMAXPROCS(0)
	work := make(chan *batch, workers)
	ordered := make(chan *batch, 2*workers)
	for range workers {
		go func() {
			for b := range work {
				b.problems = make([][]Problem, len(b.rows))
				for i := range b.rows {
					b.problems[i] = r.Validate(&b.rows[i])
				}
				close(b.done)
			}
		}()
	}
	// The rows are read on a goroutine of their own, so that this one reports in order.
	var (
		sum     Summary
		keys    customerKeys
		readErr error
	)
	go func() {
		defer close(ordered)
		defer close(work)
		b := &batch{done: make(chan struct{})}
		send := func() {
			work <- b
			ordered <- b
			b = &batch{rows: make([]Row, 0, checkBatch), done: make(chan struct{})}
		}
		for row, err := range rows {
			if err != nil {
				readErr = err
				break
			}
			sum.Rows++
			keys.add(&row, customerOf(&row))
			b.rows = append(b.rows, row)
			if len(b.rows) == checkBatch {
				send()
			}
		}
		if len(b.rows) > 0 {
			send()
		}
	}()
	for b := range ordered {
		<-b.done
		for i, p := range b.problems {
			if len(p) > 0 {
				sum.Invalid++
				bad(b.rows[i].Number, p)
			}
		}
	}
	sum.DuplicateCustomers = keys.duplicates()
	return &sum, readErr
}
