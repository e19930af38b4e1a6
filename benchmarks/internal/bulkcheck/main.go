// Command bulkcheck makes the inputs of the bulk measurements (benchmarks/bulk) and checks
// what a run left behind.
//
// Usage:
//
//	bulkcheck gen -rows N -csv FILE [-seed FILE]
//	bulkcheck verify -csv FILE -results FILE -dump FILE
//
// gen writes a CSV input of N rows (userId, firstName, lastName, fields.city, each value
// naming its row) and, with -seed, the capillary-fake seed of its N customers, all named
// "old". verify reads the input, the capillary command's results file and the fake's dump, and
// checks the crash-safety promises of issue 10: every row has exactly one final outcome; every
// customer holds its row's values; no customer got more than one update except the rows whose
// answer was lost (their result says how it was settled). It exits 1 when one is broken.
package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// firstID is the user id of row 1; row n is firstID+n-1.
const firstID = 1_000_000

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bulkcheck gen|verify [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "verify":
		err = verify(os.Args[2:], os.Stdout)
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bulkcheck:", err)
		os.Exit(1)
	}
}

func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	rows := fs.Int("rows", 1000, "rows to write")
	csvPath := fs.String("csv", "", "the CSV input to write")
	seedPath := fs.String("seed", "", "the capillary-fake seed to write (optional)")
	_ = fs.Parse(args)
	if *csvPath == "" || *rows < 1 {
		return errors.New("gen: -csv and -rows >= 1 are required")
	}
	f, err := os.Create(*csvPath)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "userId,firstName,lastName,fields.city")
	for n := 1; n <= *rows; n++ {
		fmt.Fprintf(w, "%d,First%d,Last%d,City%d\n", firstID+n-1, n, n, n%977)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if *seedPath == "" {
		return nil
	}
	s, err := os.Create(*seedPath)
	if err != nil {
		return err
	}
	sw := bufio.NewWriterSize(s, 1<<20)
	sw.WriteString("[\n")
	for n := 1; n <= *rows; n++ {
		sep := ","
		if n == *rows {
			sep = ""
		}
		fmt.Fprintf(sw, "{\"id\":\"%d\",\"firstName\":\"old\"}%s\n", firstID+n-1, sep)
	}
	sw.WriteString("]\n")
	if err := sw.Flush(); err != nil {
		return err
	}
	return s.Close()
}

// result is what verify reads of a results line.
type result struct {
	Row        int    `json:"row"`
	Status     string `json:"status"`
	Settlement string `json:"settlement"`
	Attempts   int    `json:"attempts"`
}

// customer is what verify reads of a dumped customer.
type customer struct {
	ID        string         `json:"id"`
	FirstName string         `json:"firstName"`
	LastName  string         `json:"lastName"`
	Fields    map[string]any `json:"fields"`
	Received  int            `json:"updatesReceived"`
	Applied   int            `json:"updatesApplied"`
}

func verify(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ExitOnError)
	csvPath := fs.String("csv", "", "the CSV input")
	resultsPath := fs.String("results", "", "the results file")
	dumpPath := fs.String("dump", "", "the fake's dump")
	_ = fs.Parse(args)

	want, err := readInput(*csvPath)
	if err != nil {
		return err
	}
	finals, statuses, sendingLines, err := readResults(*resultsPath)
	if err != nil {
		return err
	}
	customers, err := readDump(*dumpPath)
	if err != nil {
		return err
	}

	var broken []string
	fail := func(format string, args ...any) {
		if len(broken) < 20 {
			broken = append(broken, fmt.Sprintf(format, args...))
		}
	}
	lostRows, twice, twiceLost := 0, 0, 0
	for n, row := range want {
		rs := finals[n+1]
		if len(rs) != 1 {
			fail("row %d has %d final outcomes", n+1, len(rs))
			continue
		}
		r := rs[0]
		lost := r.Settlement != ""
		if lost {
			lostRows++
		}
		c, ok := customers[row[0]]
		if !ok {
			fail("row %d: customer %s is not in the dump", n+1, row[0])
			continue
		}
		if r.Status == "applied" && (c.FirstName != row[1] || c.LastName != row[2] || fmt.Sprint(c.Fields["city"]) != row[3]) {
			fail("row %d: customer %s holds %q %q %v, not the row's values", n+1, c.ID, c.FirstName, c.LastName, c.Fields)
		}
		if c.Applied > 1 {
			twice++
			if lost {
				twiceLost++
			} else {
				fail("row %d: customer %s was updated %d times although no answer was lost", n+1, c.ID, c.Applied)
			}
		}
		if r.Status == "applied" && c.Applied == 0 {
			fail("row %d: applied, but customer %s got no update", n+1, c.ID)
		}
	}
	for row := range finals {
		if row < 1 || row > len(want) {
			fail("results name row %d, which the input does not have", row)
		}
	}
	fmt.Fprintf(out, "rows %d; outcomes %s; in-flight marks %d\n", len(want), statusList(statuses), sendingLines)
	fmt.Fprintf(out, "rows whose answer was lost or that were in flight at a kill, settled by reading back: %d\n", lostRows)
	fmt.Fprintf(out, "customers updated more than once: %d (all of them rows whose answer was lost: %d)\n", twice, twiceLost)
	if len(broken) > 0 {
		for _, b := range broken {
			fmt.Fprintln(out, "BROKEN:", b)
		}
		return errors.New("verify: the promises do not hold")
	}
	fmt.Fprintln(out, "OK: every row has exactly one final outcome, every applied customer holds its row's values, no customer was updated twice unless an answer was lost")
	return nil
}

func readInput(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(bufio.NewReader(f)).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) < 1 {
		return nil, errors.New("the input has no header")
	}
	return rows[1:], nil
}

func readResults(path string) (finals map[int][]result, statuses map[string]int, sending int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, 0, err
	}
	defer f.Close()
	finals, statuses = map[int][]result{}, map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for line := 1; sc.Scan(); line++ {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, nil, 0, fmt.Errorf("results line %d: %w", line, err)
		}
		if r.Row == 0 && r.Status == "" {
			continue // the header line that marks the file as results
		}
		if r.Status == "sending" {
			sending++
			continue
		}
		finals[r.Row] = append(finals[r.Row], r)
		statuses[r.Status]++
	}
	return finals, statuses, sending, sc.Err()
}

func readDump(path string) (map[string]customer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var list []customer
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("dump: %w", err)
	}
	out := make(map[string]customer, len(list))
	for _, c := range list {
		out[c.ID] = c
	}
	return out, nil
}

func statusList(m map[string]int) string {
	var parts []string
	for _, s := range []string{"applied", "refused", "invalid", "uncertain"} {
		parts = append(parts, s+" "+strconv.Itoa(m[s]))
	}
	return strings.Join(parts, ", ")
}
