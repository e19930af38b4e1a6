package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/capillary-go/capillary/capillarytest"
)

// config is the command line, checked.
type config struct {
	addr                  string
	seed                  string
	till, password        string
	oauthKey, oauthSecret string
	tokenTTL              time.Duration
	accounts              accountFlag
	quiet                 bool
	rateLimit             int
	latency               time.Duration
	faults                float64
	randomSeed            uint64
	dump                  string
}

// parseFlags reads the command line into a config.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("capillary-fake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8089", "loopback `host:port` to listen on (port 0 picks a free port)")
	fs.StringVar(&c.seed, "seed", "", "JSON `file` with an array of customers to load at start")
	fs.StringVar(&c.till, "till", capillarytest.DefaultTill, "till `id` accepted with Basic auth")
	fs.StringVar(&c.password, "password", capillarytest.DefaultPassword, "the till's `password` (clients send its MD5 hex digest)")
	fs.StringVar(&c.oauthKey, "oauth-key", capillarytest.DefaultOAuthKey, "OAuth client `key` accepted by /v3/oauth/token/generate")
	fs.StringVar(&c.oauthSecret, "oauth-secret", capillarytest.DefaultOAuthSecret, "the OAuth client's `secret`")
	fs.DurationVar(&c.tokenTTL, "token-ttl", capillarytest.DefaultTokenTTL, "lifetime of an OAuth token")
	fs.Var(&c.accounts, "account", "a source account, `SOURCE=ID` (repeat for more), e.g. WECHAT=wx-1")
	fs.BoolVar(&c.quiet, "quiet", false, "do not log requests")
	fs.IntVar(&c.rateLimit, "rate-limit", 0, "answer 429 beyond `N` requests a minute per API (0: no limit)")
	fs.DurationVar(&c.latency, "latency", 0, "add `D` to every answer, e.g. 20ms")
	fs.Float64Var(&c.faults, "faults", 0, "give a `fraction` (0 to 1) of update and add requests a random fault: 429, 521, or a\nconnection dropped after the write was applied")
	fs.Uint64Var(&c.randomSeed, "random-seed", 0, "`seed` of the -faults draw (0: a new draw each run)")
	fs.StringVar(&c.dump, "dump", "", "on shutdown, write every customer to `file` in the -seed format, with\nupdatesReceived and updatesApplied")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: capillary-fake [flags]\n\nServes a fake of Capillary's API (PUT and GET /v2/customers/{userId}, PUT /v2/customers/lookup,\n"+
			"GET /v2/customers/lookup/customerDetails, GET /v2/customers/lookup, POST /v2/customers,\nPOST /v3/oauth/token/generate)\n"+
			"on a loopback port, applying the vendor's rules (go doc github.com/capillary-go/capillary/capillarytest).\n"+
			"The credentials are printed at start: never use real ones.\n\n"+
			"Examples:\n  capillary-fake -seed seed.example.json\n  capillary-fake -addr 127.0.0.1:0 -account WECHAT=wx-1 -quiet\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil, err
		}
		return nil, usageError("%v", err)
	}
	switch {
	case fs.NArg() > 0:
		return nil, usageError("unexpected argument %q", fs.Arg(0))
	case c.till == "" || c.password == "":
		return nil, usageError("-till and -password must not be empty")
	case strings.ContainsRune(c.till, ':'):
		return nil, usageError("-till must not contain ':' (Basic auth cannot carry it)")
	case c.oauthKey == "" || c.oauthSecret == "":
		return nil, usageError("-oauth-key and -oauth-secret must not be empty")
	case c.tokenTTL < time.Second:
		return nil, usageError("-token-ttl must be at least 1s")
	case c.rateLimit < 0:
		return nil, usageError("-rate-limit must not be negative")
	case c.latency < 0:
		return nil, usageError("-latency must not be negative")
	case !(c.faults >= 0 && c.faults <= 1):
		return nil, usageError("-faults must be between 0 and 1")
	}
	if c.randomSeed == 0 {
		c.randomSeed = rand.Uint64()
	}
	return c, nil
}

// run is the command: it serves until ctx ends, then shuts down and returns nil.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	stdout, stderr = orDiscard(stdout), orDiscard(stderr)
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	customers, err := loadSeed(c.seed)
	if err != nil {
		return err
	}
	l, err := listenLoopback(c.addr)
	if err != nil {
		return err
	}
	opts := []capillarytest.Option{
		capillarytest.WithTill(c.till, c.password),
		capillarytest.WithOAuthClient(c.oauthKey, c.oauthSecret),
		capillarytest.WithTokenTTL(c.tokenTTL),
		capillarytest.WithCustomers(customers...),
		// A long-running server keeps only recent requests in memory.
		capillarytest.WithMaxRecordedRequests(1000),
	}
	for _, a := range c.accounts {
		opts = append(opts, capillarytest.WithSourceAccounts(a.source, a.id))
	}
	if c.rateLimit > 0 {
		opts = append(opts, capillarytest.WithRateLimit(c.rateLimit, time.Minute))
	}
	opts = append(opts, capillarytest.WithLatency(c.latency), capillarytest.WithRandomFaults(c.faults, c.randomSeed))
	if !c.quiet {
		opts = append(opts, capillarytest.WithLogger(slog.New(slog.NewTextHandler(stderr, nil))))
	}
	srv, err := capillarytest.New(opts...)
	if err != nil {
		_ = l.Close()
		return usageError("%v", err)
	}
	srv.Listener = l
	srv.Start()
	printBanner(stdout, srv.URL, c, customers)

	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	printPeak(stdout, srv.Peak())
	if c.dump != "" {
		if err := dump(c.dump, srv); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "customers written to %s\n", c.dump)
	}
	fmt.Fprintln(stdout, "capillary-fake stopped")
	return nil
}

// printPeak tells the most requests seen in any one-minute window, in all and per API.
func printPeak(w io.Writer, p capillarytest.Peak) {
	apis := slices.Sorted(maps.Keys(p.ByAPI))
	parts := make([]string, len(apis))
	for i, api := range apis {
		parts[i] = fmt.Sprintf("%s %d", api, p.ByAPI[api])
	}
	fmt.Fprintf(w, "peak requests in one minute: %d", p.All)
	if len(parts) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
}

// listenLoopback listens on addr after checking that its host is a loopback address or
// localhost; an empty host, which would mean every interface, is refused.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, usageError("-addr %q: %v", addr, err)
	}
	ip := net.ParseIP(host)
	if !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
		return nil, usageError("-addr %q is not a loopback address: use 127.0.0.1, [::1] or localhost", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	if tcp, ok := l.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		_ = l.Close()
		return nil, fmt.Errorf("-addr %q resolved to %s, which is not loopback", addr, l.Addr())
	}
	return l, nil
}

// printBanner tells a person how to reach the server. The credentials it prints are the fake's
// own test credentials, which the person needs to make a call.
func printBanner(w io.Writer, url string, c *config, customers []capillarytest.Customer) {
	basic := basicHeader(c.till, c.password)
	fmt.Fprintf(w, "capillary-fake listening on %s\n", url)
	fmt.Fprintf(w, "  PUT  %s/v2/customers/{userId}?source=INSTORE\n", url)
	fmt.Fprintf(w, "  GET  %s/v2/customers/{userId}?source=INSTORE&embed=points\n", url)
	fmt.Fprintf(w, "  PUT  %s/v2/customers/lookup?source=INSTORE&identifierName=mobile&identifierValue=...\n", url)
	fmt.Fprintf(w, "  GET  %s/v2/customers/lookup/customerDetails?source=INSTORE&identifierName=mobile&identifierValue=...\n", url)
	fmt.Fprintf(w, "  GET  %s/v2/customers/lookup?source=INSTORE&identifierName=mobile&identifierValue=...\n", url)
	fmt.Fprintf(w, "  POST %s/v2/customers?source=INSTORE\n", url)
	fmt.Fprintf(w, "  POST %s/v3/oauth/token/generate\n", url)
	fmt.Fprintf(w, "Basic auth: till %q, password %q\n  Authorization: %s\n", c.till, c.password, basic)
	fmt.Fprintf(w, "OAuth: key %q, secret %q, tokens live %s\n", c.oauthKey, c.oauthSecret, c.tokenTTL)
	if len(c.accounts) > 0 {
		fmt.Fprintf(w, "Source accounts: %s\n", c.accounts.String())
	}
	if c.rateLimit > 0 || c.latency > 0 || c.faults > 0 {
		fmt.Fprintf(w, "Rate limit %d/min per API (0: none), latency %s, faults %v of updates and adds (seed %d)\n",
			c.rateLimit, c.latency, c.faults, c.randomSeed)
	}
	ids := make([]string, len(customers))
	for i, cust := range customers {
		ids[i] = cust.ID
	}
	fmt.Fprintln(w, seededLine(ids))
	example := "171891944"
	if len(ids) > 0 {
		example = ids[0]
	}
	fmt.Fprintf(w, "Try:\n  curl -X PUT '%s/v2/customers/%s?source=INSTORE' -H 'Content-Type: application/json' \\\n"+
		"    -H 'Authorization: %s' -d '{\"profiles\":[{\"firstName\":\"Tom\"}]}'\n", url, example, basic)
	fmt.Fprintln(w, "Stop with Ctrl-C.")
}

// bannerIDs is how many seeded ids the banner lists: a seed of thousands is summed up.
const bannerIDs = 10

// seededLine lists the seeded ids in numeric order, the first few and the last of a long list.
func seededLine(ids []string) string {
	if len(ids) == 0 {
		return "Customers: none seeded (-seed loads some)"
	}
	// User ids are decimal integers: shorter ones first, then in text order, is numeric order.
	slices.SortFunc(ids, func(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b)) })
	if len(ids) <= bannerIDs {
		return fmt.Sprintf("Customers: %d seeded: %s", len(ids), strings.Join(ids, ", "))
	}
	return fmt.Sprintf("Customers: %d seeded: %s, ... %s (%d more in the seed file)",
		len(ids), strings.Join(ids[:bannerIDs-1], ", "), ids[len(ids)-1], len(ids)-bannerIDs)
}
