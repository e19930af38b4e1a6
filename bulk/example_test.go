package bulk_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/bulk"
	"github.com/capillary-go/capillary/capillarytest"
)

// Update customers from CSV rows at most 600 a minute, four at a time, with each outcome in a
// results file that a later run could resume from.
func Example() {
	srv := capillarytest.NewServer(capillarytest.WithCustomers(
		capillarytest.Customer{ID: "101"}, capillarytest.Customer{ID: "102"}))
	defer srv.Close()
	c, err := capillary.NewClient(capillary.WithBaseURL(srv.URL),
		capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword))
	if err != nil {
		panic(err)
	}

	rows, err := bulk.ReadCSV(strings.NewReader("userId,firstName,loyaltyType\n101,Ann,loyalty\n102,Bob,gold\n"))
	if err != nil {
		panic(err)
	}
	dir, _ := os.MkdirTemp("", "bulk")
	defer os.RemoveAll(dir)
	journal, err := bulk.OpenJournal(filepath.Join(dir, "results.jsonl"))
	if err != nil {
		panic(err)
	}
	defer journal.Close()

	r, err := bulk.New(bulk.SDK(c),
		bulk.WithSource(capillary.SourceInstore, ""),
		bulk.WithRate(600, time.Minute),
		bulk.WithConcurrency(4))
	if err != nil {
		panic(err)
	}
	sum, err := r.Run(context.Background(), rows, journal)
	if err != nil {
		panic(err)
	}
	fmt.Printf("applied %d, invalid %d, sent %d\n", sum.Applied, sum.Invalid, sum.Sent)
	ann, _ := srv.Customer("101")
	fmt.Println(ann.FirstName, ann.LoyaltyType)
	// Output:
	// applied 1, invalid 1, sent 1
	// Ann loyalty
}
