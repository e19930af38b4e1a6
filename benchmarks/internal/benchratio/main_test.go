package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkUpdate/client=floor-2   	   28554	     40000 ns/op	     39000 cpu-ns/op	   11000 B/op	     100 allocs/op
BenchmarkUpdate/client=sdk-2     	   25694	     42000 ns/op	     42000 cpu-ns/op	   11000 B/op	     120 allocs/op
BenchmarkUpdate/client=resty-2   	   23449	     50000 ns/op	     50000 cpu-ns/op	   15000 B/op	     170 allocs/op
PASS
BenchmarkUpdate/client=sdk-2     	   25694	     41000 ns/op	     42000 cpu-ns/op	   11000 B/op	     120 allocs/op
BenchmarkUpdate/client=floor-2   	   28554	     40000 ns/op	     39000 cpu-ns/op	   11000 B/op	     100 allocs/op
BenchmarkUpdate/client=resty-2   	   23449	     50000 ns/op	     50000 cpu-ns/op	   15000 B/op	     170 allocs/op
BenchmarkUpdate/client=floor-2   	   28554	     38000 ns/op	     39000 cpu-ns/op	   11000 B/op	     100 allocs/op
BenchmarkUpdate/client=sdk-2     	   25694	     44000 ns/op	     42000 cpu-ns/op	   11000 B/op	     120 allocs/op
BenchmarkUpdateParallel/client=sdk 	   25694	     30000 ns/op	   11000 B/op	     120 allocs/op
`

func TestReadAndPrint(t *testing.T) {
	res := results{}
	if err := res.read(strings.NewReader(sample)); err != nil {
		t.Fatal(err)
	}
	if got := res["BenchmarkUpdate-2"]["sdk"]["ns/op"]; len(got) != 3 || got[1] != 41000 {
		t.Fatalf("sdk ns/op read as %v", got)
	}
	if _, ok := res["BenchmarkUpdateParallel"]["sdk"]; !ok {
		t.Fatalf("benchmark without a -N suffix not read: %v", res)
	}
	var out strings.Builder
	res.print(&out, 1.05, 1.10)
	for _, want := range []string{
		"floor        3      40.00µs      39.00µs        11000          100", // median of 40, 40, 38
		"sdk          3      42.00µs      42.00µs        11000          120", // median of 42, 41, 44
		"sdk/floor     1.050 (  1.050)   1.077 (  1.077)   1.000 (  1.000)   1.200 (  1.200)",
		"target ns/op within 5% of the floor: met (+5.0%)",
		"target cpu-ns/op within 5% of the floor: MISSED (+7.7%)",
		"target allocs/op within 10% of the floor: MISSED (+20.0%)",
		"target ns/op below resty's: met (-16.0%)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestTogether(t *testing.T) {
	res := results{}
	const runs = `BenchmarkUpdateInterleaved/transport=loopback-2  100  40000 ns/op  38000 floor-ns/op  50000 resty-ns/op  40000 sdk-ns/op  1.05 sdk/floor  0.80 sdk/resty
BenchmarkUpdateInterleaved/transport=loopback-2  100  40000 ns/op  38000 floor-ns/op  50000 resty-ns/op  41000 sdk-ns/op  1.08 sdk/floor  0.82 sdk/resty
BenchmarkUpdateInterleaved/transport=loopback-2  100  40000 ns/op  38000 floor-ns/op  50000 resty-ns/op  39000 sdk-ns/op  1.03 sdk/floor  0.78 sdk/resty
`
	if err := res.read(strings.NewReader(runs)); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	res.print(&out, 1.05, 1.10)
	for _, want := range []string{
		"BenchmarkUpdateInterleaved/transport=loopback-2: medians of 3 runs",
		"sdk/floor 1.050, sdk/resty 0.800",
		"target time within 5% of the floor: met (+5.0%)",
		"target time below resty's: met (-20.0%)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
