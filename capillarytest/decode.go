package capillarytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The update body is decoded into generic JSON values first and then walked by hand, rather
// than unmarshalled into structs: that is what lets the fake tell a missing field from a null
// one, refuse a number where the vendor wants an integer ("1.5", "1e3"), accept both forms
// of primary/verified, refuse unknown fields, and answer each problem with the vendor's own code
// and the exact path of the offending value. Every problem of a body is reported at once.

// updatePatch is a valid update body.
type updatePatch struct {
	profiles       []profilePatch
	fields         map[string]any // top-level fields: custom fields of the query's profile
	loyaltyType    string         // "" when not given
	extendedFields map[string]any // nil when not given
	enrollments    []enrollmentPatch
}

type profilePatch struct {
	path                string
	source, accountID   string  // "" when not given: the query's
	firstName, lastName *string // truncated to maxNameRunes
	fields              map[string]any
	identifiers         []identifierPatch
	channels            []channelPatch
}

type identifierPatch struct {
	path       string
	typ, value string
}

type channelPatch struct {
	path                          string
	typ, value                    string
	primary, verified, subscribed *bool
	lastViewedDate                *string
	meta, attributes              map[string]any
}

type enrollmentPatch struct {
	path                     string
	programID                int64
	tierNumber, points       *int64
	tierExpiry, pointsExpiry *time.Time
}

// bodyChecker collects the problems of one body.
type bodyChecker struct {
	ignoreUnknown bool
	errs          []message
}

func (b *bodyChecker) fail(code int, path, format string, args ...any) {
	detail := fmt.Sprintf(format, args...)
	if path != "" {
		detail = path + ": " + detail
	}
	b.errs = append(b.errs, newMessage(code, detail))
}

// decodeUpdate decodes and checks an update body; it returns the patch or every problem.
func decodeUpdate(body []byte, ignoreUnknown bool) (*updatePatch, []message) {
	b := &bodyChecker{ignoreUnknown: ignoreUnknown}
	top, ok := b.document(body)
	if !ok {
		return nil, b.errs
	}
	p := &updatePatch{}
	b.unknown(top, "", "profiles", "fields", "loyaltyInfo", "extendedFields", "loyaltyProgramEnrollments")
	p.fields = b.scalars(top["fields"], "fields")
	for i, v := range b.array(top["profiles"], "profiles") {
		path := fmt.Sprintf("profiles[%d]", i)
		if obj, ok := b.element(v, path, CodeInvalidInput); ok {
			p.profiles = append(p.profiles, b.profile(obj, path))
		}
	}
	if obj, ok := b.object(top["loyaltyInfo"], "loyaltyInfo", CodeInvalidInput); ok && obj != nil {
		b.unknown(obj, "loyaltyInfo", "loyaltyType")
		switch lt, ok := b.str(obj["loyaltyType"], "loyaltyInfo.loyaltyType", CodeInvalidInput); {
		case !ok:
		case obj["loyaltyType"] == nil:
			b.fail(CodeInvalidInput, "loyaltyInfo.loyaltyType", "is required")
		case lt != loyaltyTypeLoyalty && lt != loyaltyTypeNonLoyalty:
			b.fail(CodeInvalidInput, "loyaltyInfo.loyaltyType", "%q is not %q or %q", lt, loyaltyTypeLoyalty, loyaltyTypeNonLoyalty)
		default:
			p.loyaltyType = lt
		}
	}
	p.extendedFields = b.scalars(top["extendedFields"], "extendedFields")
	for i, v := range b.array(top["loyaltyProgramEnrollments"], "loyaltyProgramEnrollments") {
		path := fmt.Sprintf("loyaltyProgramEnrollments[%d]", i)
		if obj, ok := b.element(v, path, CodeInvalidInput); ok {
			p.enrollments = append(p.enrollments, b.enrollment(obj, path))
		}
	}
	if len(b.errs) > 0 {
		return nil, b.errs
	}
	return p, nil
}

// document parses the body as exactly one JSON object.
func (b *bodyChecker) document(body []byte) (map[string]any, bool) {
	if len(bytes.TrimSpace(body)) == 0 {
		b.fail(CodeInvalidInput, "", "the body is empty; send a JSON object")
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		b.fail(CodeInvalidInput, "", "the body is not valid JSON: %v", err)
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		b.fail(CodeInvalidInput, "", "the body has more after its JSON value")
		return nil, false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		b.fail(CodeInvalidInput, "", "the body must be a JSON object, not %s", kind(v))
		return nil, false
	}
	return obj, true
}

func (b *bodyChecker) profile(obj map[string]any, path string) profilePatch {
	b.unknown(obj, path, "firstName", "lastName", "fields", "identifiers", "commChannels", "source", "accountId")
	p := profilePatch{path: path}
	switch source, ok := b.str(obj["source"], path+".source", CodeInvalidSource); {
	case !ok:
	case source != "" && !validSource(source):
		b.fail(CodeInvalidSource, path+".source", "%q is not a source the update accepts", source)
	default:
		p.source = source
	}
	p.accountID, _ = b.str(obj["accountId"], path+".accountId", CodeInvalidInput)
	p.firstName = b.name(obj["firstName"], path+".firstName")
	p.lastName = b.name(obj["lastName"], path+".lastName")
	p.fields = b.scalars(obj["fields"], path+".fields")
	for i, v := range b.array(obj["identifiers"], path+".identifiers") {
		at := fmt.Sprintf("%s.identifiers[%d]", path, i)
		if id, ok := b.element(v, at, CodeInvalidInput); ok {
			if ip, ok := b.identifier(id, at); ok {
				p.identifiers = append(p.identifiers, ip)
			}
		}
	}
	for i, v := range b.array(obj["commChannels"], path+".commChannels") {
		at := fmt.Sprintf("%s.commChannels[%d]", path, i)
		if ch, ok := b.element(v, at, CodeInvalidCommChannel); ok {
			if c, ok := b.channel(ch, at); ok {
				p.channels = append(p.channels, c)
			}
		}
	}
	return p
}

// name reads a first or last name; the vendor keeps the first 100 characters and drops the
// rest without a word, so the fake does the same.
func (b *bodyChecker) name(v any, path string) *string {
	s, ok := b.str(v, path, CodeInvalidInput)
	if !ok || v == nil {
		return nil
	}
	if utf8.RuneCountInString(s) > maxNameRunes {
		s = string([]rune(s)[:maxNameRunes])
	}
	return &s
}

func (b *bodyChecker) channel(obj map[string]any, path string) (channelPatch, bool) {
	before := len(b.errs)
	c := channelPatch{path: path}
	switch t, ok := b.str(obj["type"], path+".type", CodeInvalidCommChannel); {
	case !ok:
	case t == "":
		b.fail(CodeChannelTypeMissing, path+".type", "is missing")
	case !validChannelType(t):
		b.fail(CodeInvalidCommChannel, path+".type", "%q is not one of %s", t, channelTypeList)
	default:
		c.typ = t
	}
	switch v, ok := b.str(obj["value"], path+".value", CodeInvalidCommChannel); {
	case !ok:
	case strings.TrimSpace(v) == "":
		b.fail(CodeInvalidCommChannel, path+".value", "is missing")
	default:
		c.value = v
	}
	c.primary = b.looseBool(obj["primary"], path+".primary")
	c.verified = b.looseBool(obj["verified"], path+".verified")
	c.subscribed = b.looseBool(obj["subscribed"], path+".subscribed")
	if obj["lastViewedDate"] != nil {
		if d, ok := b.str(obj["lastViewedDate"], path+".lastViewedDate", CodeInvalidCommChannel); ok {
			c.lastViewedDate = &d
		}
	}
	if meta, ok := b.object(obj["meta"], path+".meta", CodeInvalidCommChannel); ok && meta != nil {
		c.meta = cloneMap(meta)
	}
	if attrs, ok := b.object(obj["attributes"], path+".attributes", CodeInvalidCommChannel); ok && attrs != nil {
		c.attributes = cloneMap(attrs)
	}
	b.unknown(obj, path, "type", "value", "primary", "verified", "subscribed", "lastViewedDate", "meta", "attributes")
	return c, len(b.errs) == before
}

// identifier reads one {"type","value"} of identifiers[]; the value may be a JSON number, as
// a mobile is in one of the vendor's samples, and is kept as its digits.
func (b *bodyChecker) identifier(obj map[string]any, path string) (identifierPatch, bool) {
	before := len(b.errs)
	b.unknown(obj, path, "type", "value")
	id := identifierPatch{path: path}
	switch t, ok := b.str(obj["type"], path+".type", CodeInvalidInput); {
	case !ok:
	case !validIdentifierType(t):
		b.fail(CodeInvalidInput, path+".type", "%q is not one of %s", t, identifierTypeList)
	default:
		id.typ = t
	}
	switch v := obj["value"].(type) {
	case json.Number:
		id.value = v.String()
	case string:
		if strings.TrimSpace(v) == "" {
			b.fail(CodeInvalidInput, path+".value", "is empty")
		}
		id.value = v
	case nil:
		b.fail(CodeInvalidInput, path+".value", "is required")
	default:
		b.fail(CodeInvalidInput, path+".value", "must be a string or a number, not %s", kind(v))
	}
	return id, len(b.errs) == before
}

// looseBool reads primary or verified: the vendor documents the strings "true" and "false"
// and its own samples send JSON booleans, so both are accepted (strings in any case).
func (b *bodyChecker) looseBool(v any, path string) *bool {
	switch v := v.(type) {
	case nil:
		return nil
	case bool:
		return &v
	case string:
		switch strings.ToLower(v) {
		case "true":
			t := true
			return &t
		case "false":
			f := false
			return &f
		}
		b.fail(CodeInvalidCommChannel, path, "%q is not \"true\" or \"false\"", v)
	default:
		b.fail(CodeInvalidCommChannel, path, "must be \"true\", \"false\" or a boolean, not %s", kind(v))
	}
	return nil
}

func (b *bodyChecker) enrollment(obj map[string]any, path string) enrollmentPatch {
	b.unknown(obj, path, "programId", "tierNumber", "loyaltyPoints", "tierExpiryDate", "pointsExpiryDate")
	e := enrollmentPatch{path: path}
	if obj["programId"] == nil {
		b.fail(CodeInvalidInput, path+".programId", "is required")
	} else if id, ok := b.integer(obj["programId"], path+".programId"); ok {
		if id <= 0 {
			b.fail(CodeInvalidInput, path+".programId", "must be a positive program id, not %d", id)
		}
		e.programID = id
	}
	if n, ok := b.integer(obj["tierNumber"], path+".tierNumber"); ok && obj["tierNumber"] != nil {
		switch {
		case n < 1:
			b.fail(CodeInvalidInput, path+".tierNumber", "must be at least 1, not %d", n)
		case n > math.MaxInt32:
			b.fail(CodeInvalidInput, path+".tierNumber", "%d is not a tier sequence number", n)
		}
		e.tierNumber = &n
	}
	if n, ok := b.integer(obj["loyaltyPoints"], path+".loyaltyPoints"); ok && obj["loyaltyPoints"] != nil {
		if n < 0 {
			b.fail(CodeInvalidInput, path+".loyaltyPoints", "must not be negative, not %d", n)
		}
		e.points = &n
	}
	e.tierExpiry = b.date(obj["tierExpiryDate"], path+".tierExpiryDate")
	e.pointsExpiry = b.date(obj["pointsExpiryDate"], path+".pointsExpiryDate")
	return e
}

// date reads a date-time in exactly the vendor's documented form, 2024-07-11T16:36:17+05:30:
// no Z, no fractions, no offset without its colon.
func (b *bodyChecker) date(v any, path string) *time.Time {
	s, ok := b.str(v, path, CodeInvalidInput)
	if !ok || v == nil {
		return nil
	}
	// time.Parse would accept fractional seconds that the layout does not show; the length
	// check refuses them (and anything else longer or shorter than the layout).
	t, err := time.Parse(DateTimeLayout, s)
	if err != nil || len(s) != len(DateTimeLayout) {
		b.fail(CodeInvalidInput, path, "%q is not in the form YYYY-MM-DDTHH:MM:SS+HH:MM (e.g. 2024-07-11T16:36:17+05:30)", s)
		return nil
	}
	return &t
}

// unknown refuses the fields of obj that are not listed, in name order.
func (b *bodyChecker) unknown(obj map[string]any, path string, known ...string) {
	if b.ignoreUnknown {
		return
	}
	var extra []string
	for k := range obj {
		if !slices.Contains(known, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		at := k
		if path != "" {
			at = path + "." + k
		}
		b.fail(CodeInvalidInput, at, "unknown field (the update takes %s)", strings.Join(known, ", "))
	}
}

// object reads an object; null reads as a nil map and ok.
func (b *bodyChecker) object(v any, path string, code int) (map[string]any, bool) {
	switch v := v.(type) {
	case nil:
		return nil, true
	case map[string]any:
		return v, true
	}
	b.fail(code, path, "must be an object, not %s", kind(v))
	return nil, false
}

// element reads an array element, which must be an object (null is refused).
func (b *bodyChecker) element(v any, path string, code int) (map[string]any, bool) {
	if v == nil {
		b.fail(code, path, "must be an object, not null")
		return nil, false
	}
	return b.object(v, path, code)
}

// array reads an array; null or absent reads as none.
func (b *bodyChecker) array(v any, path string) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	}
	b.fail(CodeInvalidInput, path, "must be an array, not %s", kind(v))
	return nil
}

// str reads a string; null or absent reads as "" and ok.
func (b *bodyChecker) str(v any, path string, code int) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	}
	b.fail(code, path, "must be a string, not %s", kind(v))
	return "", false
}

// integer reads a JSON integer: 1 is one, "1", 1.0 and 1e0 are not; null or absent is 0, ok.
func (b *bodyChecker) integer(v any, path string) (int64, bool) {
	switch v := v.(type) {
	case nil:
		return 0, true
	case json.Number:
		n, err := strconv.ParseInt(v.String(), 10, 64)
		if err == nil {
			return n, true
		}
		b.fail(CodeInvalidInput, path, "must be an integer, not %s", v)
		return 0, false
	}
	b.fail(CodeInvalidInput, path, "must be an integer, not %s", kind(v))
	return 0, false
}

// scalars reads an object of custom or extended fields: keys not blank, values strings,
// numbers, booleans or null (the vendor's field types are all scalars).
func (b *bodyChecker) scalars(v any, path string) map[string]any {
	obj, ok := b.object(v, path, CodeInvalidInput)
	if !ok || obj == nil {
		return nil
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make(map[string]any, len(obj))
	for _, k := range keys {
		switch val := obj[k].(type) {
		case map[string]any, []any:
			b.fail(CodeInvalidInput, path+"."+k, "must be a string, number or boolean, not %s", kind(val))
			continue
		}
		if strings.TrimSpace(k) == "" {
			b.fail(CodeInvalidInput, path, "has a blank key")
			continue
		}
		out[k] = storedValue(obj[k])
	}
	return out
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
