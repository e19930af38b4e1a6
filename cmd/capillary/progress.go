package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/capillary-go/capillary/bulk"
)

// progress is the run's Journal: it passes every record on to the results file, then counts
// it, and shows the count on stderr: a bar on a terminal, a plain line every N rows elsewhere.
type progress struct {
	bulk.Journal
	out   io.Writer
	every int
	start time.Time

	// On a terminal.
	bars *mpb.Progress
	bar  *mpb.Bar

	mu       sync.Mutex
	last     time.Time // when the bar last moved, for its moving averages
	done     int       // rows with an outcome, skipped ones included
	skipped  int
	applied  int
	failures map[string]int // rows not applied by Result.Code, for the progress line
}

func (a *app) newProgress(ctx context.Context, f *updateFlags, j bulk.Journal) *progress {
	p := &progress{Journal: j, out: a.stderr, every: f.progressEvery, start: time.Now(), failures: map[string]int{}}
	p.last = p.start
	if !a.terminal {
		return p
	}
	total := countRows(f)
	p.bars = mpb.NewWithContext(ctx, mpb.WithOutput(a.stderr), mpb.WithRefreshRate(200*time.Millisecond), mpb.WithAutoRefresh())
	count := decor.CountersNoUnit("%d / %d rows", decor.WCSyncSpaceR)
	if total <= 0 {
		count = decor.CurrentNoUnit("%d rows", decor.WCSyncSpaceR)
	}
	p.bar = p.bars.AddBar(total, mpb.BarWidth(30),
		mpb.PrependDecorators(count),
		mpb.AppendDecorators(
			decor.EwmaSpeed(nil, "%.1f rows/s", 30, decor.WCSyncSpace),
			decor.Name(" ETA "), decor.EwmaETA(decor.ET_STYLE_GO, 30),
			decor.Any(func(decor.Statistics) string { return p.failureText() }, decor.WCSyncSpace),
		),
	)
	return p
}

// countRows counts the input's rows for the bar's total: its lines, less the CSV header. A
// CSV value spanning lines makes it a little high, which the bar survives. Stdin is not
// counted (0).
func countRows(f *updateFlags) int64 {
	if f.input == "-" {
		return 0
	}
	file, err := os.Open(f.input)
	if err != nil {
		return 0
	}
	defer file.Close()
	var n int64
	buf := make([]byte, 256<<10)
	for {
		k, err := file.Read(buf)
		n += int64(strings.Count(string(buf[:k]), "\n"))
		if err != nil {
			break
		}
	}
	if f.format == "csv" && n > 0 {
		n--
	}
	return n
}

// Finished records the outcome, then counts it.
func (p *progress) Finished(res *bulk.Result) error {
	if err := p.Journal.Finished(res); err != nil {
		return err
	}
	p.count(res, false)
	return nil
}

// skip counts a row that an earlier run settled.
func (p *progress) skip() { p.count(nil, true) }

func (p *progress) count(res *bulk.Result, skipped bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	switch {
	case skipped:
		p.skipped++
	case res.Status == bulk.Applied:
		p.applied++
	default:
		p.failures[res.Code()]++
	}
	now := time.Now()
	if p.bar == nil {
		if p.every > 0 && p.done%p.every == 0 {
			fmt.Fprintf(p.out, "%s: %s\n", programName, p.lineLocked(now))
		}
		return
	}
	took := now.Sub(p.last)
	p.last = now
	// Unlocked first: the bar's renderer calls failureText, which takes the lock.
	p.mu.Unlock()
	p.bar.EwmaIncrement(took)
	p.mu.Lock()
}

// note writes a line on stderr between progress lines.
func (p *progress) note(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, "%s: %s\n", programName, line)
}

// lineLocked is the plain progress line.
func (p *progress) lineLocked(now time.Time) string {
	elapsed := now.Sub(p.start)
	sent := p.done - p.skipped
	line := fmt.Sprintf("%s done, %d applied", plural(p.done, "row"), p.applied)
	if p.skipped > 0 {
		line += fmt.Sprintf(", %d skipped (done before)", p.skipped)
	}
	if f := failureList(p.failures); f != "" {
		line += ", not applied: " + f
	}
	if secs := elapsed.Seconds(); secs > 0 {
		line += fmt.Sprintf(", %.1f rows/s", float64(sent)/secs)
	}
	return line + ", " + elapsed.Round(time.Second).String() + " elapsed"
}

func (p *progress) failureText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := failureList(p.failures); f != "" {
		return " not applied: " + f
	}
	return ""
}

// failureList lists failures by code, the most frequent first: "8015 ×3, 521 ×1".
func failureList(failures map[string]int) string {
	codes := make([]string, 0, len(failures))
	for c := range failures {
		codes = append(codes, c)
	}
	slices.SortFunc(codes, func(a, b string) int {
		if failures[a] != failures[b] {
			return failures[b] - failures[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%s ×%d", c, failures[c])
	}
	return strings.Join(parts, ", ")
}

// stop completes the bar and waits for its last frame, so that the summary follows it.
func (p *progress) stop() {
	if p.bar == nil {
		return
	}
	p.bar.SetTotal(-1, true)
	p.bars.Wait()
}
