package bulk_test

import (
	"bytes"
	"fmt"
	"testing"

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
		for row, err := range rows {
			if err != nil || len(r.Validate(&row)) > 0 {
				b.Fatal("invalid row", err)
			}
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
