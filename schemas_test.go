package capillary

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The vendor's field lists (shared/spec/schemas/*.txt, one line per documented field with its
// type and source) are the checklist of "structs mirror the vendor's schemas". This test counts,
// per endpoint, how many documented fields the SDK types, and keeps the README's table in step:
//
//	go test -run TestSchemaCoverage -v .             # the table, and each field not typed
//	go test -run TestSchemaCoverage . -args -update  # rewrite the README's table

var updateCoverage = flag.Bool("update", false, "rewrite the README's schema coverage table")

// A documented field is typed when the SDK has a Go field for it: a query parameter is a field
// of the call's query struct (by its url tag), a body or answer field is reached from the root
// type through struct fields (by their json tags) and slices, and is not raw JSON or `any`.
// What sits in a map (org-defined keys such as fields.gender) or in Unknown is not typed. Path
// parameters are the call's arguments; a header is typed when an option sets it.
type coverageEndpoint struct {
	file     string            // in shared/spec/schemas
	endpoint string            // as the README names it
	query    reflect.Type      // the query struct
	body     reflect.Type      // the request body, if any
	answer   reflect.Type      // the answer
	args     map[string]string // path parameters and headers, with what carries them
}

var coverageEndpoints = []coverageEndpoint{
	{
		file: "put_customers_userId.txt", endpoint: "PUT /v2/customers/{userId}",
		query: reflect.TypeFor[UpdateCustomerParams](), body: reflect.TypeFor[UpdateCustomerRequest](),
		answer: reflect.TypeFor[UpdateCustomerResponse](),
		args:   map[string]string{"path:userId": "Update's userID", "header:USER-CONTEXT-*": "WithUserContext"},
	},
	{
		file: "put_customers_lookup.txt", endpoint: "PUT /v2/customers/lookup",
		query: reflect.TypeFor[byIdentifierQuery](), body: reflect.TypeFor[UpdateCustomerRequest](),
		answer: reflect.TypeFor[UpdateCustomerResponse](),
	},
	{
		file: "get_customers_userId.txt", endpoint: "GET /v2/customers/{userId}",
		query: reflect.TypeFor[GetCustomerParams](), answer: reflect.TypeFor[Customer](),
		args: map[string]string{"path:customerId": "Get's userID"},
	},
	{
		file: "get_customers_lookup_customerDetails.txt", endpoint: "GET /v2/customers/lookup/customerDetails",
		query: reflect.TypeFor[lookupQuery](), answer: reflect.TypeFor[Customer](),
	},
	{
		file: "post_customers.txt", endpoint: "POST /v2/customers",
		query: reflect.TypeFor[CreateCustomerParams](), body: reflect.TypeFor[CreateCustomerRequest](),
		answer: reflect.TypeFor[CreateCustomerResponse](),
		args: map[string]string{"header:USER-CONTEXT-ENTITY-TYPE|ID|SOURCE|SOURCE-ID": "WithUserContext", "header:X-CAP-API-OAUTH-TOKEN": "WithOAuth",
			"header:WAIT_FOR_DOWNSTREAM": "WithHeader", "header:X-CAP-DIRECT-REPLAY": "WithHeader", "header:SKIP-DOWNSTREAM": "WithHeader"},
	},
}

// coverage is the count for one endpoint, with the documented fields not typed.
type coverage struct {
	endpoint          string
	typed, documented int
	untyped           []string
}

// specDir finds the vendor's spec beside the repository (CI clones it as ../shared), looking
// up from the package directory, since a git worktree may sit a level deeper.
func specDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	require.NoError(t, err)
	for ; ; dir = filepath.Dir(dir) {
		spec := filepath.Join(dir, "shared", "spec")
		if _, err := os.Stat(filepath.Join(spec, "schemas")); err == nil {
			return spec
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("the vendor's spec (shared/spec/schemas) is not beside the repository or above it: clone it as ../shared")
		}
	}
}

func measureCoverage(t *testing.T, dir string, e coverageEndpoint) coverage {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "schemas", e.file))
	require.NoError(t, err)
	defer f.Close()
	c := coverage{endpoint: e.endpoint}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		field, _, _ := strings.Cut(line, "\t")
		location, path, ok := strings.Cut(field, ":")
		require.True(t, ok, "%s: %q has no location", e.file, line)
		var typed bool
		switch location {
		case "query":
			typed = hasQueryParam(e.query, path)
		case "body":
			typed = e.body != nil && reaches(e.body, path)
		case "response":
			typed = reaches(e.answer, path)
		default: // path, header
			_, typed = e.args[field]
		}
		c.documented++
		if typed {
			c.typed++
		} else {
			c.untyped = append(c.untyped, field)
		}
	}
	require.NoError(t, sc.Err())
	return c
}

// hasQueryParam reports whether the query struct t, or a struct embedded in it, has a field
// whose url tag names the parameter, as go-querystring encodes it.
func hasQueryParam(t reflect.Type, name string) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("url"), ",")
		switch {
		case f.Anonymous && tag == "":
			if hasQueryParam(f.Type, name) {
				return true
			}
		case tag == name:
			return true
		}
	}
	return false
}

// reaches reports whether the dotted path (a[].b.c) leads from t through typed struct fields to
// a typed value. Names match as encoding/json matches them, whatever their case.
func reaches(t reflect.Type, path string) bool {
	for _, step := range strings.Split(path, ".") {
		name, isList := strings.CutSuffix(step, "[]")
		t = deref(t)
		if t.Kind() != reflect.Struct {
			return false // a map or any: what is inside is not typed
		}
		f, ok := structFieldsOf(t).field(name)
		if !ok {
			return false
		}
		t = t.FieldByIndex(f.index).Type
		if isList {
			if t = deref(t); t.Kind() != reflect.Slice {
				return false
			}
			t = t.Elem()
		}
	}
	t = deref(t)
	for t.Kind() == reflect.Slice && t != rawMessageType {
		t = deref(t.Elem())
	}
	return t.Kind() != reflect.Interface && t != rawMessageType
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// coverageTable is the README's table.
func coverageTable(cs []coverage) string {
	var b strings.Builder
	b.WriteString("| endpoint | typed / documented |\n| --- | --- |\n")
	for _, c := range cs {
		fmt.Fprintf(&b, "| %s | %d/%d (%.0f%%) |\n", c.endpoint, c.typed, c.documented, 100*float64(c.typed)/float64(c.documented))
	}
	return b.String()
}

const (
	coverageStart = "<!-- schema coverage: go test -run TestSchemaCoverage . -args -update -->\n"
	coverageEnd   = "<!-- end of schema coverage -->\n"
)

func TestSchemaCoverage(t *testing.T) {
	t.Parallel()
	dir := specDir(t)
	var cs []coverage
	for _, e := range coverageEndpoints {
		c := measureCoverage(t, dir, e)
		t.Logf("%s: %d/%d typed; not typed: %s", c.endpoint, c.typed, c.documented, strings.Join(c.untyped, " "))
		if strings.HasPrefix(c.endpoint, "GET ") {
			assert.GreaterOrEqual(t, float64(c.typed)/float64(c.documented), 0.95, "%s: the reads type at least 95%% of what the vendor documents", c.endpoint)
		}
		cs = append(cs, c)
	}
	table := coverageTable(cs)
	t.Logf("\n%s", table)

	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	before, rest, found := strings.Cut(string(readme), coverageStart)
	require.True(t, found, "README.md has no schema coverage table (%q)", coverageStart)
	_, after, found := strings.Cut(rest, coverageEnd)
	require.True(t, found, "README.md's schema coverage table has no end (%q)", coverageEnd)
	if *updateCoverage {
		require.NoError(t, os.WriteFile("README.md", []byte(before+coverageStart+table+coverageEnd+after), 0o644))
		return
	}
	require.Equal(t, table, rest[:len(rest)-len(after)-len(coverageEnd)],
		"README.md's schema coverage table is out of date: go test -run TestSchemaCoverage . -args -update")
}

// The count's rules: struct fields by their JSON or url names, lists, maps and raw JSON.
func TestSchemaCoverageRules(t *testing.T) {
	t.Parallel()
	customer := reflect.TypeFor[Customer]()
	for path, want := range map[string]bool{
		"profiles[].identifiers[].seriesId":               true,
		"profiles[].nickname":                             false,
		"profiles[].fields":                               true,  // a map of the org's keys
		"profiles[].fields.gender":                        false, // a key within it
		"cardDetails[].statusInfo.actions":                false, // elements of no documented shape
		"loyaltyProgramDetails[].linkedPartnerPrograms[]": true,
		"id[]": false,
	} {
		assert.Equal(t, want, reaches(customer, path), path)
	}
	assert.True(t, hasQueryParam(reflect.TypeFor[lookupQuery](), "ug2Offset"), "through the embedded params")
	assert.True(t, hasQueryParam(reflect.TypeFor[lookupQuery](), "identifierName"))
	assert.False(t, hasQueryParam(reflect.TypeFor[GetCustomerParams](), "language"))
}
