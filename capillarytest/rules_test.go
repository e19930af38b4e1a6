package capillarytest

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docRules renders the rule table as the package doc's list.
func docRules() string {
	var b strings.Builder
	said := map[string]bool{}
	for _, r := range rules() {
		message := fmt.Sprintf("%q", r.message)
		if said[message] {
			message = "(the same message)"
		}
		said[message] = true
		kind := "error"
		if r.warning {
			kind = "warning"
		}
		if r.status != 0 {
			kind += fmt.Sprintf(", HTTP %d", r.status)
		}
		source := r.source
		if source == "" {
			source = "own"
		}
		says := r.says
		if r.check == nil {
			says = "only from a Fault (AddWarnings): the fake never finds it itself"
			if !r.warning {
				says = "only from a Fault (CustomerBusy, WithRandomFaults): the fake never finds it itself"
			}
		}
		endpoints := map[endpoint]string{customers: "every customer call", updates: "the updates", reads: "the reads",
			lookupReads: "the lookup reads"}[r.on]
		if endpoints == "" {
			endpoints = strings.ReplaceAll(r.on.String(), "/v2/customers", "")
		}
		item := fmt.Sprintf("%d %s, %s [%s; %s]: %s.", r.code, message, kind, source, endpoints, says)
		b.WriteString(wrap(item, "//   - ", "//     "))
	}
	return b.String()
}

// wrap breaks text into comment lines of at most 100 characters.
func wrap(text, first, rest string) string {
	var b strings.Builder
	line := first
	for _, word := range strings.Fields(text) {
		if len(line)+1+len(word) > 100 && line != first && line != rest {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = rest
		}
		if line != first && line != rest {
			line += " "
		}
		line += word
	}
	b.WriteString(line + "\n")
	return b.String()
}

// TestDocListsEveryRule holds the package doc's rule list to the table: the same rows, in the
// same order. CAPILLARYTEST_WRITE_DOC=1 writes the list into doc.go.
func TestDocListsEveryRule(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	list := regexp.MustCompile(`(?s)(BG the bulk read\.\n//\n)(.*?)(//\n// # Adding a rule)`)
	require.True(t, list.Match(doc), "doc.go has no rule list")
	want := docRules()
	if os.Getenv("CAPILLARYTEST_WRITE_DOC") == "1" {
		doc = list.ReplaceAll(doc, []byte("${1}"+strings.ReplaceAll(want, "$", "$$")+"${3}"))
		require.NoError(t, os.WriteFile("doc.go", doc, 0o644))
	}
	got := string(list.FindSubmatch(doc)[2])
	assert.Equal(t, want, got, "the package doc's rule list is not the table: run CAPILLARYTEST_WRITE_DOC=1 go test -run TestDocListsEveryRule")
}

// TestEveryRuleIsSourced holds each row to the table's conventions: a message, endpoints, a
// source made of the keys the package doc defines (or none, for the fake's own rules), and a
// check unless it is a warning only a Fault gives.
func TestEveryRuleIsSourced(t *testing.T) {
	t.Parallel()
	keys := regexp.MustCompile(`^(UPD|SC|ERR|BASIC|OAUTH|ADD|OLD|UL|UCS|GV2|GD|GID|BG)$`)
	customerRows := false
	for i, r := range rules() {
		name := fmt.Sprintf("row %d (%d)", i, r.code)
		assert.NotEmpty(t, r.message, name)
		assert.NotZero(t, r.on, name)
		assert.Equal(t, r.check == nil, r.says == "", "%s: a rule with a check says what it checks", name)
		for _, key := range strings.Split(r.source, ",") {
			key, _, _ = strings.Cut(strings.TrimSpace(key), " ")
			if key != "" {
				assert.Regexp(t, keys, key, name)
			}
		}
		// The vendor pairs its generic 400 with none of these checks: a page may document the
		// check, but the code is the fake's choice, and the row says so.
		if r.code == 400 && r.source != "" {
			assert.Regexp(t, `\(the code .*the fake's\)$`, r.source, name)
		}
		// Only errors-and-warnings pairs HTTP statuses with meanings; any other is the fake's.
		if r.status != 0 && !strings.Contains(r.source, "ERR") {
			assert.Contains(t, r.source, "(the HTTP status is the fake's)", name)
		}
		if r.check == nil {
			assert.True(t, r.warning || r.code == 521, "%s: only warnings (and 521) come from Faults alone", name)
			continue
		}
		// The customer rows run after the request rows: the table's order is the order checked.
		assert.False(t, customerRows && !r.customer, "%s: a request row after a customer row", name)
		customerRows = customerRows || r.customer
	}
}
