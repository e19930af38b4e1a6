package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/bulk"
)

const updateHelp = `Usage: capillary customers update --input FILE --source SOURCE [flags]

Updates customers from a file, one update per row, at most --rate a second, minute or hour, with
--concurrency rows in flight. Each row's outcome (applied, refused, invalid, uncertain) goes to
the results file as one JSON line, written and synced as the row finishes; the file is also the
journal that --resume reads. The summary goes to stdout; errors, and progress on a terminal,
to stderr.

Input (--input FILE, or - for stdin with --format):
  .jsonl  one object per line: "userId" or "identifier" ({"type","value"}: mobile, email,
          externalId or cardnumber), optional "source" and "accountId", and "body", the
          vendor's update body:
            {"userId":"171891944","body":{"profiles":[{"firstName":"Tom"}]}}
            {"identifier":{"type":"mobile","value":"919999000001"},"body":{"loyaltyInfo":{"loyaltyType":"loyalty"}}}
  .csv    a header, then one row per customer. Columns:
            userId, externalId, cardnumber,       the address: the first of them present
            mobile or email
            firstName, lastName
            email, mobile                         communication channels, when not the address
            loyaltyType                           loyalty or non_loyalty
            fields.<name>, extendedFields.<name>  custom and extended fields
            source, accountId                     for rows on another source than --source
          An empty cell sets nothing; values are sent as text. A header that would make
          every row invalid (userId beside externalId, cardnumber beside another address
          column, nothing to update) is refused.
  A byte order mark is skipped; UTF-16 is refused: save the file as UTF-8. A row is invalid,
  and never sent, when its body has a field the vendor does not document (a misspelt
  "fistName") or a mobile that is not digits with the country code; --dry-run lists every
  such row with its number and field.

Results (--results, default: the input's name with .results.jsonl) are JSON lines, and the
journal that --resume reads. The first line is {"capillary":"bulk results","version":2}; a
file that does not start with it (the input, a results file of an earlier capillary) is refused
and left as it was. Before a row is first sent, a line marks it:
  {"row":N,"status":"sending","userId":"...","fingerprint":"..."}
with "identifier" ({"type","value"}) instead of "userId" for a row addressed by one. When the
row finishes, an outcome line gives "row" (a CSV row's position among the data rows, a JSONL
row's line number), "status" (applied, refused, invalid or uncertain), "userId" or
"identifier", "createdId", "httpStatus", "errors" and "warnings" (the vendor's codes and
messages), "sideEffects", "problems" (why a row is invalid), "error", "settlement" (how a lost
answer was settled by reading the customer back), "requestId", "attempts" and "fingerprint".
Outcome lines are written and synced as rows finish. A row sent again (--retry-failed) gets
more lines: a row's outcome is its last outcome line. A row marked "sending" with no outcome
after it was in flight when a run stopped: --resume reads the customer back before sending it
again. The fingerprint identifies the row's content and the source and account it is sent to:
--resume refuses a results file written for another input, for this one since changed (a row
inserted, removed or edited), or with another --source or --account-id.

The summary (stdout) counts the rows by outcome, the rows not applied by code, the vendor's
warnings by code with the rows that got them, and the customers that appear in more than one
row (each one's rows are sent in the order of the input, so the last row wins).

Examples:
  # Check a file offline: every bad row, with its row number and field.
  capillary customers update --input customers.csv --source INSTORE --dry-run

  # Update at most 1000 a minute, 8 at a time.
  export CAPILLARY_REGION=india CAPILLARY_TILL=my.till CAPILLARY_PASSWORD=...
  capillary customers update --input customers.csv --source INSTORE --rate 1000/min --concurrency 8

  # The run was interrupted (Ctrl-C, a crash): go on where it stopped.
  capillary customers update --input customers.csv --source INSTORE --rate 1000/min --resume

  # Send again only the rows that were not applied.
  capillary customers update --input customers.csv --source INSTORE --rate 1000/min --retry-failed

  # From stdin, on a source with several accounts.
  cat rows.jsonl | capillary customers update --input - --format jsonl --source WECHAT \
      --account-id wx-1 --results rows.results.jsonl

Exit status:
  0  every row was applied
  1  the run ended with rows not applied (refused, invalid, uncertain: see the results), or
     was interrupted (run the same command with --resume to go on); a dry run found bad rows
  2  nothing was sent, or the run stopped. Before sending: a mistake in the command line, the
     environment or the input's header; a results file that is locked by another run, is not
     a results file, or was written for another input. While sending: an answer every row
     would get (credentials the vendor refuses, a host that does not exist, a certificate that
     does not verify, https to an http server): fix it, then --resume sends the rest; another
     error that stopped the run. The reason is on stderr.
`

// updateFlags is the command line of customers update and customers upsert.
type updateFlags struct {
	upsert                 bool // customers upsert: each row finds or creates its customer
	input, format, results string
	source, accountID      string
	rate                   string
	concurrency            int
	resume, retryFailed    bool
	dryRun                 bool
	progressEvery          int
}

func (a *app) update(ctx context.Context, args []string) (int, error) {
	return a.bulkRun(ctx, args, updateFlags{})
}

func (a *app) upsert(ctx context.Context, args []string) (int, error) {
	return a.bulkRun(ctx, args, updateFlags{upsert: true})
}

// bulkRun runs customers update, or customers upsert: the same flags, input and results, and
// each row an upsert instead of an update.
func (a *app) bulkRun(ctx context.Context, args []string, f updateFlags) (int, error) {
	name, help := "customers update", updateHelp
	if f.upsert {
		name, help = "customers upsert", upsertHelp
	}
	fs := a.flagSet(name)
	fs.StringVar(&f.input, "input", "", "the `FILE` of rows (.csv or .jsonl), or - for stdin")
	fs.StringVar(&f.format, "format", "", "csv or jsonl: the input's format, when its name does not say (stdin)")
	fs.StringVar(&f.source, "source", "", "the `SOURCE` whose profiles are updated (INSTORE, WECHAT, ...), for rows that name none")
	fs.StringVar(&f.accountID, "account-id", "", "the source's account `ID`, for sources with several accounts")
	fs.StringVar(&f.rate, "rate", "", "at most `N/s`, N/min or N/h calls (default: no limit until the first 429)")
	fs.IntVar(&f.concurrency, "concurrency", bulk.DefaultConcurrency, "rows in flight at once: at least the rate times the time an answer takes (50/s × 0.2 s: 10)")
	fs.StringVar(&f.results, "results", "", "the results `FILE` (default: beside the input, .results.jsonl)")
	fs.BoolVar(&f.resume, "resume", false, "go on with an earlier run: skip the rows with an outcome, settle those in flight")
	fs.BoolVar(&f.retryFailed, "retry-failed", false, "like --resume, and send again the rows that were refused, invalid or uncertain")
	fs.BoolVar(&f.dryRun, "dry-run", false, "check every row offline and send nothing")
	fs.IntVar(&f.progressEvery, "progress-every", 0, "when stderr is not a terminal, print a progress line every `N` rows (default: none; a terminal shows a bar)")
	if err := a.parse(fs, help, args); err != nil {
		return 0, err
	}
	opts, err := f.check(fs)
	if err != nil {
		return 0, err
	}
	if !f.dryRun && sameFile(f.input, f.results) {
		// Refused by name: an empty input would otherwise take the results header as a row.
		return 0, usagef("%s: --results %s is the input: name another file for the results", name, f.results)
	}
	rows, closeInput, err := a.openInput(&f, name)
	if err != nil {
		return 0, err
	}
	defer closeInput()
	if f.dryRun {
		return a.dryRun(rows, f.api(nil), opts)
	}
	c, err := a.client()
	if err != nil {
		return 0, err
	}
	runner, err := bulk.New(f.api(c), opts...)
	if err != nil {
		return 0, usagef("%w", err)
	}
	return a.send(ctx, &f, runner, rows)
}

// api is what the run sends through: c's update or upsert, or, with no client (a dry run),
// the offline check of either.
func (f *updateFlags) api(c *capillary.Client) bulk.API {
	switch {
	case f.upsert && c == nil:
		return bulk.OfflineUpsert
	case f.upsert:
		return bulk.SDKUpsert(c)
	case c == nil:
		return bulk.Offline
	}
	return bulk.SDK(c)
}

// check validates the flags and returns the Runner's options.
func (f *updateFlags) check(fs *flag.FlagSet) ([]bulk.Option, error) {
	name := fs.Name()
	switch {
	case fs.NArg() > 0:
		return nil, usagef("%s: unexpected argument %q", name, fs.Arg(0))
	case f.input == "":
		return nil, usagef("%s: --input is required", name)
	case f.source == "":
		return nil, usagef("%s: --source is required (%s)", name, sourceNames())
	case !sourceNamed(f.source).Valid():
		return nil, usagef("%s: --source %q is not one of %s", name, f.source, sourceNames())
	case f.upsert && !slices.Contains(capillary.UpsertSources(), sourceNamed(f.source)):
		return nil, usagef("%s: --source %q: an upsert looks its customers up, and the vendor's lookup takes %s only", name, f.source, joinSources(capillary.UpsertSources()))
	case f.format != "" && f.format != "csv" && f.format != "jsonl":
		return nil, usagef("%s: --format %q is not csv or jsonl", name, f.format)
	case f.input == "-" && f.format == "":
		return nil, usagef("%s: --format csv or --format jsonl is needed with --input -", name)
	case f.input == "-" && f.results == "" && !f.dryRun:
		return nil, usagef("%s: --results is needed with --input -", name)
	case f.concurrency < 1:
		return nil, usagef("%s: --concurrency %d is below 1", name, f.concurrency)
	case f.progressEvery < 0:
		return nil, usagef("%s: --progress-every %d is below 0", name, f.progressEvery)
	case f.dryRun && (f.resume || f.retryFailed):
		return nil, usagef("%s: --dry-run sends nothing and cannot be combined with --resume or --retry-failed", name)
	}
	opts := []bulk.Option{
		bulk.WithConcurrency(f.concurrency),
		bulk.WithSource(sourceNamed(f.source), f.accountID),
	}
	if f.rate != "" {
		n, per, err := parseRate(f.rate)
		if err != nil {
			return nil, usagef("%s: --rate %q: %v", name, f.rate, err)
		}
		opts = append(opts, bulk.WithRate(n, per))
	}
	if f.format == "" {
		switch ext := strings.ToLower(filepath.Ext(f.input)); ext {
		case ".csv":
			f.format = "csv"
		case ".jsonl", ".ndjson":
			f.format = "jsonl"
		default:
			return nil, usagef("%s: cannot tell the format of %q from its extension: use --format csv or --format jsonl", name, f.input)
		}
	}
	if f.results == "" {
		f.results = strings.TrimSuffix(f.input, filepath.Ext(f.input)) + ".results.jsonl"
	}
	return opts, nil
}

// sameFile reports whether the paths a and b name one existing file.
func sameFile(a, b string) bool {
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}

// sourceNamed is the source that name spells in any case ("instore" is INSTORE), as region
// names are read; a name that is no source is returned as it is, for the SDK to refuse.
func sourceNamed(name string) capillary.Source {
	for _, s := range append(capillary.Sources(), capillary.SourceAll, capillary.SourceMappSDK) {
		if strings.EqualFold(name, string(s)) {
			return s
		}
	}
	return capillary.Source(name)
}

func sourceNames() string { return joinSources(capillary.Sources()) }

func joinSources(sources []capillary.Source) string {
	var names []string
	for _, s := range sources {
		names = append(names, string(s))
	}
	return strings.Join(names, ", ")
}

// parseRate reads N/s, N/min or N/h.
func parseRate(s string) (n float64, per time.Duration, err error) {
	num, unit, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, errors.New("write it as N/s, N/min or N/h")
	}
	n, err = strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || !(n > 0) || n > 1e9 {
		return 0, 0, fmt.Errorf("%q is not a positive number", num)
	}
	per = map[string]time.Duration{"s": time.Second, "min": time.Minute, "h": time.Hour}[strings.TrimSpace(unit)]
	if per == 0 {
		return 0, 0, fmt.Errorf("unit %q is not s, min or h", unit)
	}
	return n, per, nil
}

// openInput opens the input and reads its header; a bad header is a usage error.
func (a *app) openInput(f *updateFlags, name string) (iter.Seq2[bulk.Row, error], func(), error) {
	var r io.Reader = a.stdin
	closeInput := func() {}
	if f.input != "-" {
		file, err := os.Open(f.input)
		if err != nil {
			return nil, nil, usagef("%s: --input: %w", name, err)
		}
		r, closeInput = file, func() { _ = file.Close() }
	}
	if f.format == "jsonl" {
		return bulk.ReadJSONL(r), closeInput, nil
	}
	rows, err := bulk.ReadCSV(r)
	if err != nil {
		closeInput()
		return nil, nil, usagef("%s: --input %s: %s", name, f.input, plain(err))
	}
	return rows, closeInput, nil
}
