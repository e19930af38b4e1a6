package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/bulk"
	"github.com/capillary-go/capillary/capillarytest"
)

// knownMobile is the mobile of the customer newUpsertHarness seeds.
const knownMobile = "919900000001"

// newUpsertHarness is a harness whose fake knows customer 101 by knownMobile.
func newUpsertHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.srv.AddCustomer(capillarytest.Customer{ID: "101", Profile: capillarytest.Profile{Source: "INSTORE", FirstName: "before",
		Identifiers: []capillarytest.Identifier{{Type: "mobile", Value: knownMobile}}}})
	return h
}

// The same file upserted twice: the first run updates the known customer and creates the
// others, each row's result saying which; the second creates nothing.
func TestUpsertFromCSVTwice(t *testing.T) {
	t.Parallel()
	h := newUpsertHarness(t)
	in := h.file("shop.csv", "mobile,firstName,extendedFields.city\n"+knownMobile+",Ann,Pune\n919900000002,Bob,Goa\n919900000003,Cy,\n")
	code, stdout, stderr := h.run(testCtx(t), "customers", "upsert", "--input", in, "--source", "INSTORE")
	require.Equal(t, exitOK, code, stderr)
	got := finals(t, results(t, filepath.Join(h.dir, "shop.results.jsonl")))
	require.Len(t, got, 3)
	for row, action := range map[int]string{1: bulk.ActionUpdated, 2: bulk.ActionCreated, 3: bulk.ActionCreated} {
		assert.Equal(t, bulk.Applied, got[row].Status, "row %d", row)
		assert.Equal(t, action, got[row].Action, "row %d", row)
		assert.NotEmpty(t, got[row].CreatedID)
	}
	assert.Equal(t, "101", got[1].CreatedID)
	assert.Regexp(t, `created\s+2\s+customers the vendor did not know`, stdout)
	assert.Regexp(t, `updated\s+1\s+customers found by their identifiers`, stdout)
	assert.Regexp(t, `upserts sent\s+3`, stdout)
	assert.Regexp(t, `uncertain\s+0\s+answer lost, and sending it again could not settle it`, stdout, "upsert rows are not read back")

	code, stdout, stderr = h.run(testCtx(t), "customers", "upsert", "--input", in, "--source", "INSTORE", "--results", filepath.Join(h.dir, "again.jsonl"))
	require.Equal(t, exitOK, code, stderr)
	for row, res := range finals(t, results(t, filepath.Join(h.dir, "again.jsonl"))) {
		assert.Equal(t, bulk.ActionUpdated, res.Action, "row %d", row)
	}
	assert.Regexp(t, `created\s+0`, stdout)
	assert.Regexp(t, `updated\s+3`, stdout)

	customers := h.srv.Customers()
	require.Len(t, customers, 3, "one customer per mobile")
	names := map[string]string{}
	for _, c := range customers {
		require.Len(t, c.Identifiers, 1)
		names[c.Identifiers[0].Value] = c.FirstName
	}
	assert.Equal(t, map[string]string{knownMobile: "Ann", "919900000002": "Bob", "919900000003": "Cy"}, names)
}

// A dry run checks each row as an upsert: a row by user id cannot create its customer.
func TestUpsertDryRun(t *testing.T) {
	t.Parallel()
	h := newUpsertHarness(t)
	h.stdin = `{"identifier":{"type":"mobile","value":"919900000002"},"body":{"profiles":[{"firstName":"Bob"}]}}
{"userId":"101","body":{"profiles":[{"firstName":"Ann"}]}}
`
	code, stdout, stderr := h.run(testCtx(t), "customers", "upsert", "--input", "-", "--format", "jsonl", "--source", "INSTORE", "--dry-run")
	assert.Equal(t, exitFailed, code, stderr)
	assert.Equal(t, "row 2: userId: an upsert finds or creates its customer by identifier (mobile, email or externalId), not by user id\n"+
		"2 rows checked: 1 valid, 1 invalid. Nothing was sent.\n", stdout)
	assert.Empty(t, h.srv.Requests())
}

// Rows in flight when an earlier run stopped are sent again, not read back: the upsert finds
// the customer the killed run created, and creates nothing.
func TestUpsertResumeSendsRowsInFlightAgain(t *testing.T) {
	t.Parallel()
	h := newUpsertHarness(t)
	csv := "mobile,firstName\n" + knownMobile + ",Ann\n919900000002,Bob\n"
	in := h.file("c.csv", csv)
	res := resultsFile(t, filepath.Join(h.dir, "c.results.jsonl"), csv, "1 sending", "2 sending")
	code, stdout, stderr := h.run(testCtx(t), "customers", "upsert", "--input", in, "--source", "INSTORE", "--resume")
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `in flight before\s+2\s+sent again: an upsert looks its customer up first`, stdout)
	got := finals(t, results(t, res))
	assert.Equal(t, bulk.ActionUpdated, got[1].Action)
	assert.Equal(t, bulk.ActionCreated, got[2].Action)
	assert.Len(t, h.srv.Customers(), 2)
}

// customers upsert has its own help, and the usage names it.
func TestUpsertHelp(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code, stdout, _ := h.run(testCtx(t), "customers", "upsert", "--help")
	assert.Equal(t, exitOK, code)
	assert.True(t, strings.HasPrefix(stdout, "Usage: capillary customers upsert --input FILE --source SOURCE [flags]"))
	assert.Contains(t, stdout, "8006 on the create")
	code, stdout, _ = h.run(testCtx(t), "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "capillary customers upsert --input FILE --source SOURCE [flags]")
	code, _, stderr := h.run(testCtx(t), "customers", "upsert", "--source", "INSTORE")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "customers upsert: --input is required")
}

// A --source the vendor's lookup does not take is a mistake in the command line, not a reason
// to refuse every row: nothing is read, sent or written.
func TestUpsertSourceTheLookupDoesNotTake(t *testing.T) {
	t.Parallel()
	h := newUpsertHarness(t)
	in := h.file("shop.csv", "mobile,firstName\n"+knownMobile+",Ann\n")
	code, stdout, stderr := h.run(testCtx(t), "customers", "upsert", "--input", in, "--source", "WEBSITE")
	assert.Equal(t, exitUsage, code, stdout)
	assert.Contains(t, stderr, `customers upsert: --source "WEBSITE": an upsert looks its customers up, and the vendor's lookup takes WECHAT, INSTORE, MARTJACK only`)
	assert.NoFileExists(t, filepath.Join(h.dir, "shop.results.jsonl"))
	assert.Empty(t, h.srv.Requests())
}
