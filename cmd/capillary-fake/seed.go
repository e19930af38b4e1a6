package main

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/capillary-go/capillary/capillarytest"
)

// loadSeed reads a JSON array of customers; an empty path loads none. Unknown fields are
// refused, so that a typo in a seed file is reported rather than silently ignored.
func loadSeed(path string) ([]capillarytest.Customer, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var entries []seedEntry
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("seed %s: not a JSON array of customers: %w", path, err)
	}
	customers := make([]capillarytest.Customer, len(entries))
	for i, e := range entries {
		customers[i] = e.Customer
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("seed %s: more after the JSON array", path)
	}
	seen := map[string]bool{}
	for i, c := range customers {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("seed %s: customer %d: %w", path, i, err)
		}
		if seen[c.ID] {
			return nil, fmt.Errorf("seed %s: customer %d: id %s is listed twice", path, i, c.ID)
		}
		seen[c.ID] = true
	}
	return customers, nil
}

// seedEntry is one customer of a seed or dump file: a dump adds the update counts, which a
// seed ignores, so that a dump can seed the next run.
type seedEntry struct {
	capillarytest.Customer
	capillarytest.UpdateCounts
}

// dump writes every customer with its update counts, in the seed format.
func dump(path string, srv *capillarytest.Server) error {
	customers := srv.Customers()
	entries := make([]seedEntry, len(customers))
	for i, c := range customers {
		counts, _ := srv.UpdateCounts(c.ID)
		entries[i] = seedEntry{Customer: c, UpdateCounts: counts}
	}
	data, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	return nil
}

// sourceAccount is one -account flag.
type sourceAccount struct{ source, id string }

// accountFlag collects repeated -account SOURCE=ID flags.
type accountFlag []sourceAccount

func (a *accountFlag) String() string {
	if a == nil {
		return ""
	}
	parts := make([]string, len(*a))
	for i, sa := range *a {
		parts[i] = sa.source + "=" + sa.id
	}
	return strings.Join(parts, ", ")
}

func (a *accountFlag) Set(v string) error {
	source, id, ok := strings.Cut(v, "=")
	if !ok || source == "" || id == "" {
		return fmt.Errorf("%q is not SOURCE=ID", v)
	}
	// The source itself is checked by capillarytest.WithSourceAccounts.
	*a = append(*a, sourceAccount{source: source, id: id})
	return nil
}

// basicHeader is the Authorization value a client sends for till and password.
func basicHeader(till, password string) string {
	sum := md5.Sum([]byte(password))
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(till+":"+hex.EncodeToString(sum[:])))
}
