// Command benchratio reads `go test -bench` output in which sub-benchmarks are named
// client=floor, client=sdk and client=resty, and prints per client the median time/op (and
// cpu-ns/op when reported), B/op and allocs/op, then the SDK's ratios to the floor and to resty
// with the targets of issue 17.
//
// Two ratios are given for each metric: the ratio of the medians, and the median of the ratios
// of each round (the i-th SDK result against the i-th floor result). run.sh runs the clients
// alternating, so that the two agree when drift hit every client alike.
//
// Usage:
//
//	go run ./internal/benchratio [-max-time 1.20] [-max-allocs 1.30] results.txt
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

// metrics are the units compared, in the order printed; cpu-ns/op, the process's CPU time per
// call, is printed when the results have it.
var metrics = []string{"ns/op", "cpu-ns/op", "B/op", "allocs/op"}

// benchLine matches "BenchmarkUpdate/client=sdk-2   25000   47403 ns/op ...": the benchmark
// without its client, the client, then the measurements. A benchmark that runs the clients
// together (BenchmarkUpdateInterleaved) has no client and reports the ratios itself, in the
// units sdk/floor and sdk/resty; its results are kept under the client "together".
var benchLine = regexp.MustCompile(`^(Benchmark\S*?)(?:/client=(\w+))?(-\d+)?\s+\d+\s+(.*)$`)

// results holds, per benchmark, per client, per unit, the values in the order read.
type results map[string]map[string]map[string][]float64

func main() {
	maxTime := flag.Float64("max-time", 1.20, "target: highest SDK/floor ratio of time/op")
	maxAllocs := flag.Float64("max-allocs", 1.30, "target: highest SDK/floor ratio of allocs/op")
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
		if client == "" {
			client = "together"
		}
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
		if together := byClient["together"]; together != nil {
			printTogether(w, bench, together, maxTime)
			continue
		}
		var units []string // the metrics these results have
		for _, unit := range metrics {
			if byClient["sdk"][unit] != nil || byClient["floor"][unit] != nil {
				units = append(units, unit)
			}
		}
		fmt.Fprintf(w, "%s: medians\n", bench)
		fmt.Fprintf(w, "  %-8s %5s", "client", "runs")
		for _, unit := range units {
			fmt.Fprintf(w, " %12s", unit)
		}
		fmt.Fprintln(w)
		for _, c := range []string{"floor", "sdk", "resty"} {
			if v := byClient[c]; v != nil {
				fmt.Fprintf(w, "  %-8s %5d", c, len(v["ns/op"]))
				for _, unit := range units {
					fmt.Fprintf(w, " %12s", format(unit, median(v[unit])))
				}
				fmt.Fprintln(w)
			}
		}
		sdk := byClient["sdk"]
		if sdk == nil || (byClient["floor"] == nil && byClient["resty"] == nil) {
			fmt.Fprintln(w)
			continue
		}
		fmt.Fprintf(w, "  ratios: of the medians (median of per-round ratios)\n")
		fmt.Fprintf(w, "  %-11s", "")
		for _, unit := range units {
			fmt.Fprintf(w, " %17s", unit)
		}
		fmt.Fprintln(w)
		for _, base := range []string{"floor", "resty"} {
			if byClient[base] == nil {
				continue
			}
			fmt.Fprintf(w, "  %-11s", "sdk/"+base)
			for _, unit := range units {
				fmt.Fprintf(w, " %7.3f (%7.3f)", median(sdk[unit])/median(byClient[base][unit]),
					median(pairRatios(sdk[unit], byClient[base][unit])))
			}
			fmt.Fprintln(w)
		}
		for _, unit := range units {
			target := map[string]float64{"ns/op": maxTime, "cpu-ns/op": maxTime, "allocs/op": maxAllocs}[unit]
			if floor := byClient["floor"]; floor != nil && target > 0 {
				r := median(sdk[unit]) / median(floor[unit])
				fmt.Fprintf(w, "  target %s within %.0f%% of the floor: %s (%+.1f%%)\n", unit, 100*(target-1), verdict(r <= target), 100*(r-1))
			}
		}
		for _, unit := range []string{"ns/op", "cpu-ns/op"} {
			if resty := byClient["resty"]; resty != nil && sdk[unit] != nil {
				r := median(sdk[unit]) / median(resty[unit])
				fmt.Fprintf(w, "  target %s below resty's: %s (%+.1f%%)\n", unit, verdict(r < 1), 100*(r-1))
			}
		}
		fmt.Fprintln(w)
	}
}

// printTogether prints the medians of the ratios a benchmark of the clients taking turns
// reported, with the time targets.
func printTogether(w io.Writer, bench string, v map[string][]float64, maxTime float64) {
	if v["sdk/floor"] == nil {
		return // not a benchmark of the clients together
	}
	fmt.Fprintf(w, "%s: medians of %d runs, each client's time per call\n", bench, len(v["sdk/floor"]))
	for _, c := range []string{"floor", "sdk", "resty"} {
		fmt.Fprintf(w, "  %-8s %12s\n", c, formatNs(median(v[c+"-ns/op"])))
	}
	f, r := median(v["sdk/floor"]), median(v["sdk/resty"])
	fmt.Fprintf(w, "  sdk/floor %.3f, sdk/resty %.3f (medians of each run's ratio)\n", f, r)
	fmt.Fprintf(w, "  target time within %.0f%% of the floor: %s (%+.1f%%)\n", 100*(maxTime-1), verdict(f <= maxTime), 100*(f-1))
	fmt.Fprintf(w, "  target time below resty's: %s (%+.1f%%)\n\n", verdict(r < 1), 100*(r-1))
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

// format prints a median: a time in µs or ns, a count or a size as an integer.
func format(unit string, v float64) string {
	if strings.HasSuffix(unit, "ns/op") {
		return formatNs(v)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// formatNs prints a time/op in µs or ns.
func formatNs(ns float64) string {
	if ns >= 1000 {
		return strconv.FormatFloat(ns/1000, 'f', 2, 64) + "µs"
	}
	return strconv.FormatFloat(ns, 'f', 1, 64) + "ns"
}
