package bulk_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/bulk"
)

// csvRows is a CSV input of n rows with every kind of column, as the dry-run measurement uses.
func csvRows(n int) []byte {
	var b bytes.Buffer
	b.WriteString("userId,firstName,lastName,email,mobile,loyaltyType,fields.city,extendedFields.dob\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d,First%d,Last%d,user%d@example.com,91%d,loyalty,City%d,2000-01-%02d\n", 100000000+i, i, i, i, 9000000000+i, i%100, i%28+1)
	}
	return b.Bytes()
}

// BenchmarkDryRunCSV reads and checks rows as capillary customers update --dry-run does.
func BenchmarkDryRunCSV(b *testing.B) {
	r, err := bulk.New(bulk.Offline, bulk.WithSource(capillary.SourceInstore, ""))
	if err != nil {
		b.Fatal(err)
	}
	const n = 10000
	data := csvRows(n)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rows, err := bulk.ReadCSV(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		checked, err := r.Check(rows, func(row int, problems []bulk.Problem) { b.Fatal("invalid row", row, problems) })
		if err != nil || checked.Rows != n {
			b.Fatal(err, checked)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// sleepyAPI answers every update after a fixed latency, as a server 20 ms away would, and
// costs nothing else: what BenchmarkRunLatency measures is the Runner's own overhead.
type sleepyAPI struct{ latency time.Duration }

func (a sleepyAPI) Update(ctx context.Context, row *bulk.Row, _ *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerResponse, error) {
	t := time.NewTimer(a.latency)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &capillary.UpdateCustomerResponse{CreatedID: capillary.ID(row.UserID), StatusCode: 200}, nil
}

func (sleepyAPI) Read(context.Context, *bulk.Row, *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerRequest, error) {
	return nil, bulk.ErrCannotRead
}

func (sleepyAPI) Validate(*bulk.Row, *capillary.UpdateCustomerParams) []bulk.Problem { return nil }

func (sleepyAPI) AdviseRetry(error, int) capillary.RetryAdvice { return capillary.RetryAdvice{} }

// BenchmarkRunLatency runs 3200 CSV rows with 32 workers against updates that take 20 ms,
// journaled to a results file: the ceiling is 32/0.020 = 1600 rows/s.
func BenchmarkRunLatency(b *testing.B) {
	const n, workers, latency = 3200, 32, 20 * time.Millisecond
	data := csvRows(n)
	r, err := bulk.New(sleepyAPI{latency}, bulk.WithConcurrency(workers), bulk.WithSource(capillary.SourceInstore, ""))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rows, err := bulk.ReadCSV(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		j, err := bulk.OpenJournal(filepath.Join(b.TempDir(), "results.jsonl"))
		if err != nil {
			b.Fatal(err)
		}
		sum, err := r.Run(context.Background(), rows, j)
		if err != nil || sum.Applied != n {
			b.Fatal(err, sum)
		}
		if err := j.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
