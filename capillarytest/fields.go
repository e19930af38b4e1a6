package capillarytest

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FieldType is the data type of an org's extended field, as the vendor names it.
type FieldType string

// The field types the vendor documents for extended fields.
const (
	FieldString       FieldType = "STRING"
	FieldInteger      FieldType = "INTEGER"
	FieldDouble       FieldType = "DOUBLE"
	FieldDatetime     FieldType = "DATETIME"
	FieldStandardEnum FieldType = "STANDARD_ENUM"
)

// Field declares one extended field of the org (see WithExtendedFields).
type Field struct {
	// Name is the field's key in the body, such as "gender" or "dob".
	Name string
	// Type is the field's data type; empty means FieldString.
	Type FieldType
	// Values lists the allowed values of a FieldStandardEnum (compared exactly).
	Values []string
}

// fieldSet is the org's declared extended fields; nil means none declared, so that every key
// is accepted.
type fieldSet map[string]Field

func (c *config) declareFields(fields []Field) {
	if c.extendedFields == nil {
		c.extendedFields = fieldSet{}
	}
	const option = "WithExtendedFields"
	for _, f := range fields {
		if f.Type == "" {
			f.Type = FieldString
		}
		switch {
		case strings.TrimSpace(f.Name) == "":
			c.problem("%s: a field has no name", option)
		case !slices.Contains([]FieldType{FieldString, FieldInteger, FieldDouble, FieldDatetime, FieldStandardEnum}, f.Type):
			c.problem("%s: field %s: type %q is not STRING, INTEGER, DOUBLE, DATETIME or STANDARD_ENUM", option, f.Name, f.Type)
		case f.Type == FieldStandardEnum && len(f.Values) == 0:
			c.problem("%s: field %s: a STANDARD_ENUM needs its Values", option, f.Name)
		default:
			c.extendedFields[f.Name] = f
		}
	}
}

// check reports, with the current row's code, each value of patch that the declared fields
// refuse: an undeclared key, or a value not of the field's type; it is left out of the patch.
// null, which removes a field, is always accepted for a declared one.
func (set fieldSet) check(c *call, patch map[string]any, path string) {
	if set == nil {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(patch)) {
		problem := "the org has no such field"
		if f, ok := set[k]; ok {
			if problem = ""; patch[k] != nil {
				problem = f.problem(patch[k])
			}
		}
		if problem != "" {
			delete(patch, k)
			c.refuseAbout(k, "%s.%s: %s", path, k, problem)
		}
	}
}

// problem says why v is not a value of the field, or "" when it is. Numbers may come as JSON
// numbers or as strings: the vendor's own samples send every field as a string.
func (f Field) problem(v any) string {
	text := fmt.Sprint(v)
	switch f.Type {
	case FieldInteger:
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			return fmt.Sprintf("%q is not an INTEGER", text)
		}
	case FieldDouble:
		if x, err := strconv.ParseFloat(text, 64); err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return fmt.Sprintf("%q is not a DOUBLE", text)
		}
	case FieldDatetime:
		if !isDatetime(v) {
			return fmt.Sprintf("%q is not a DATETIME (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM)", text)
		}
	case FieldStandardEnum:
		if !slices.Contains(f.Values, text) {
			return fmt.Sprintf("%q is not one of %s", text, strings.Join(f.Values, ", "))
		}
	}
	// A STRING takes any scalar: the vendor stores what it is sent as text.
	return ""
}

// isDatetime accepts a date or a date-time string in the forms the vendor's samples show.
func isDatetime(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	for _, layout := range []string{time.DateOnly, dateTimeLayout, time.RFC3339} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}
