package capillarytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The update body is decoded into generic JSON values and its shape checked here: one object,
// the documented fields only, each of its JSON kind. The values (a channel's type, an
// identifier's value, an enrolment's dates) are left as sent for the rule rows to check, and
// apply converts them once the rows have passed. Generic values are what let the fake tell a
// missing field from a null one and refuse 1.0 where the vendor wants an integer.

// updatePatch is an update body, as far as its shape allowed reading it.
type updatePatch struct {
	top            map[string]any
	profiles       []*profilePatch
	fields         map[string]any // top-level fields: custom fields of the query's profile
	extendedFields map[string]any
	enrollments    []*element
}

// element is one object of an array of the body, with its path for messages.
type element struct {
	path    string
	raw     map[string]any
	dropped bool // left out by a warning row
}

type profilePatch struct {
	element
	account     accountRef // the source account it updates
	fields      map[string]any
	identifiers []*element
	channels    []*element
}

// loyaltyType is loyaltyInfo.loyaltyType, and whether it was given.
func (p *updatePatch) loyaltyType() (string, bool) {
	info, _ := p.top["loyaltyInfo"].(map[string]any)
	lt, ok := info["loyaltyType"].(string)
	return lt, ok
}

// bodyChecker collects the problems of one body's shape.
type bodyChecker struct{ problems []string }

func (b *bodyChecker) fail(path, format string, args ...any) {
	detail := fmt.Sprintf(format, args...)
	if path != "" {
		detail = path + ": " + detail
	}
	b.problems = append(b.problems, detail)
}

// decodeUpdate reads an update body; it returns what it could read and every shape problem.
func decodeUpdate(body []byte) (*updatePatch, []string) {
	b := &bodyChecker{}
	p := &updatePatch{}
	top, ok := b.document(body)
	if !ok {
		return p, b.problems
	}
	p.top = top
	b.unknown(top, "", "profiles", "fields", "loyaltyInfo", "extendedFields", "loyaltyProgramEnrollments")
	p.fields = b.scalars(top["fields"], "fields")
	for _, e := range b.objects(top["profiles"], "profiles") {
		b.unknown(e.raw, e.path, "firstName", "lastName", "fields", "identifiers", "commChannels", "source", "accountId")
		for _, name := range []string{"firstName", "lastName", "source", "accountId"} {
			b.str(e.raw[name], e.path+"."+name)
		}
		pp := &profilePatch{element: *e, fields: b.scalars(e.raw["fields"], e.path+".fields")}
		pp.identifiers = b.objects(e.raw["identifiers"], e.path+".identifiers")
		for _, id := range pp.identifiers {
			b.unknown(id.raw, id.path, "type", "value")
		}
		pp.channels = b.objects(e.raw["commChannels"], e.path+".commChannels")
		for _, ch := range pp.channels {
			b.unknown(ch.raw, ch.path, "type", "value", "primary", "verified", "subscribed", "lastViewedDate", "meta", "attributes")
		}
		p.profiles = append(p.profiles, pp)
	}
	if info, ok := top["loyaltyInfo"].(map[string]any); ok {
		b.unknown(info, "loyaltyInfo", "loyaltyType")
		b.str(info["loyaltyType"], "loyaltyInfo.loyaltyType")
	} else if top["loyaltyInfo"] != nil {
		b.fail("loyaltyInfo", "must be an object, not %s", kind(top["loyaltyInfo"]))
	}
	p.extendedFields = b.scalars(top["extendedFields"], "extendedFields")
	p.enrollments = b.objects(top["loyaltyProgramEnrollments"], "loyaltyProgramEnrollments")
	for _, e := range p.enrollments {
		b.unknown(e.raw, e.path, "programId", "tierNumber", "loyaltyPoints", "tierExpiryDate", "pointsExpiryDate")
	}
	return p, b.problems
}

// document parses the body as exactly one JSON object.
func (b *bodyChecker) document(body []byte) (map[string]any, bool) {
	if len(bytes.TrimSpace(body)) == 0 {
		b.fail("", "the body is empty; send a JSON object")
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		b.fail("", "the body is not valid JSON: %v", err)
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		b.fail("", "the body has more after its JSON value")
		return nil, false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		b.fail("", "the body must be a JSON object, not %s", kind(v))
	}
	return obj, ok
}

// unknown refuses the fields of obj that are not listed, in name order.
func (b *bodyChecker) unknown(obj map[string]any, path string, known ...string) {
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !slices.Contains(known, k) {
			b.fail(strings.TrimPrefix(path+"."+k, "."), "unknown field (the update takes %s)", strings.Join(known, ", "))
		}
	}
}

// objects reads an array of objects; null or absent reads as none.
func (b *bodyChecker) objects(v any, path string) []*element {
	arr, ok := v.([]any)
	if !ok {
		if v != nil {
			b.fail(path, "must be an array, not %s", kind(v))
		}
		return nil
	}
	var out []*element
	for i, e := range arr {
		at := fmt.Sprintf("%s[%d]", path, i)
		if obj, ok := e.(map[string]any); ok {
			out = append(out, &element{path: at, raw: obj})
		} else {
			b.fail(at, "must be an object, not %s", kind(e))
		}
	}
	return out
}

// str checks that v is a string, or null or absent.
func (b *bodyChecker) str(v any, path string) {
	if _, ok := v.(string); !ok && v != nil {
		b.fail(path, "must be a string, not %s", kind(v))
	}
}

// scalars reads an object of custom or extended fields: keys not blank, values strings,
// numbers, booleans or null (the vendor's field types are all scalars).
func (b *bodyChecker) scalars(v any, path string) map[string]any {
	obj, ok := v.(map[string]any)
	if !ok {
		if v != nil {
			b.fail(path, "must be an object, not %s", kind(v))
		}
		return nil
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		switch val := obj[k].(type) {
		case map[string]any, []any:
			b.fail(path+"."+k, "must be a string, number or boolean, not %s", kind(val))
		}
		if strings.TrimSpace(k) == "" {
			b.fail(path, "has a blank key")
		}
	}
	return obj
}

// storedValue deep-copies a JSON-like value as the fake stores it: a JSON number as int64 when
// it is an integer that fits, as float64 otherwise.
func storedValue(v any) any {
	switch v := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(v.String(), 10, 64); err == nil {
			return n
		}
		if f, err := v.Float64(); err == nil {
			return f
		}
		return v // out of float64's range: keep the digits rather than store ±Inf
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = storedValue(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = storedValue(e)
		}
		return out
	}
	return v
}

// kind names a JSON value's type, for messages.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}
