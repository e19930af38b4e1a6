// Command benchratio reads `go test -bench` output in which sub-benchmarks are named
// client=floor, client=sdk and client=resty, and prints per client the median time/op, B/op and
// allocs/op, then the SDK's ratios to the floor and to resty with the targets of issue 8.
//
// Two ratios are given for each metric: the ratio of the medians, and the median of the ratios
// of each round (the i-th SDK result against the i-th floor result). run.sh runs the clients
// alternating, so that the two agree when drift hit every client alike.
//
// Usage:
//
//	go run ./internal/benchratio [-max-time 1.05] [-max-allocs 1.10] results.txt
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// metrics are the units compared, in the order printed.
var metrics = []string{"ns/op", "B/op", "allocs/op"}

// benchLine matches "BenchmarkUpdate/client=sdk-2   25000   47403 ns/op ...": the benchmark
// without its client, the client, then the measurements.
var benchLine = regexp.MustCompile(`^(Benchmark\S*?)/client=(\w+)(-\d+)?\s+\d+\s+(.*)$`)

// results holds, per benchmark, per client, per unit, the values in the order read.
type results map[string]map[string]map[string][]float64

func main() {
	maxTime := flag.Float64("max-time", 1.05, "target: highest SDK/floor ratio of time/op")
	maxAllocs := flag.Float64("max-allocs", 1.10, "target: highest SDK/floor ratio of allocs/op")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: benchratio [flags] results.txt ...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	res := results{}
	for _, name := range flag.Args() {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchratio:", err)
			os.Exit(1)
		}
		err = res.read(f)
		f.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchratio:", name+":", err)
			os.Exit(1)
		}
	}
	if len(res) == 0 {
		fmt.Fprintln(os.Stderr, "benchratio: no client=... benchmark results found")
		os.Exit(1)
	}
	res.print(os.Stdout, *maxTime, *maxAllocs)
}

func (res results) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		bench, client, fields := m[1]+m[3], m[2], strings.Fields(m[4])
		if res[bench] == nil {
			res[bench] = map[string]map[string][]float64{}
		}
		if res[bench][client] == nil {
			res[bench][client] = map[string][]float64{}
		}
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return fmt.Errorf("%q: %w", sc.Text(), err)
			}
			res[bench][client][fields[i+1]] = append(res[bench][client][fields[i+1]], v)
		}
	}
	return sc.Err()
}

func (res results) print(w io.Writer, maxTime, maxAllocs float64) {
	benches := make([]string, 0, len(res))
	for b := range res {
		benches = append(benches, b)
	}
	slices.Sort(benches)
	for _, bench := range benches {
		byClient := res[bench]
		fmt.Fprintf(w, "%s: medians\n", bench)
		fmt.Fprintf(w, "  %-8s %5s %12s %10s %10s\n", "client", "runs", "time/op", "B/op", "allocs/op")
		for _, c := range []string{"floor", "sdk", "resty"} {
			if v := byClient[c]; v != nil {
				fmt.Fprintf(w, "  %-8s %5d %12s %10.0f %10.0f\n", c, len(v["ns/op"]),
					formatNs(median(v["ns/op"])), median(v["B/op"]), median(v["allocs/op"]))
			}
		}
		sdk := byClient["sdk"]
		if sdk == nil {
			fmt.Fprintln(w)
			continue
		}
		fmt.Fprintf(w, "  ratios: of the medians (median of per-round ratios)\n")
		fmt.Fprintf(w, "  %-11s %17s %17s %17s\n", "", "time/op", "B/op", "allocs/op")
		for _, base := range []string{"floor", "resty"} {
			if byClient[base] == nil {
				continue
			}
			fmt.Fprintf(w, "  %-11s", "sdk/"+base)
			for _, unit := range metrics {
				fmt.Fprintf(w, " %7.3f (%7.3f)", median(sdk[unit])/median(byClient[base][unit]),
					median(pairRatios(sdk[unit], byClient[base][unit])))
			}
			fmt.Fprintln(w)
		}
		if floor := byClient["floor"]; floor != nil {
			t := median(sdk["ns/op"]) / median(floor["ns/op"])
			a := median(sdk["allocs/op"]) / median(floor["allocs/op"])
			fmt.Fprintf(w, "  target time/op within %.0f%% of the floor: %s (%+.1f%%)\n", 100*(maxTime-1), verdict(t <= maxTime), 100*(t-1))
			fmt.Fprintf(w, "  target allocs/op within %.0f%% of the floor: %s (%+.1f%%)\n", 100*(maxAllocs-1), verdict(a <= maxAllocs), 100*(a-1))
		}
		if resty := byClient["resty"]; resty != nil {
			t := median(sdk["ns/op"]) / median(resty["ns/op"])
			fmt.Fprintf(w, "  target faster than resty: %s (%+.1f%%)\n", verdict(t < 1), 100*(t-1))
		}
		fmt.Fprintln(w)
	}
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// pairRatios divides the i-th value of a by the i-th of b, for the rounds both have.
func pairRatios(a, b []float64) []float64 {
	n := min(len(a), len(b))
	r := make([]float64, n)
	for i := range n {
		r[i] = a[i] / b[i]
	}
	return r
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// formatNs prints a time/op in µs or ns.
func formatNs(ns float64) string {
	if ns >= 1000 {
		return strconv.FormatFloat(ns/1000, 'f', 2, 64) + "µs"
	}
	return strconv.FormatFloat(ns, 'f', 1, 64) + "ns"
}
