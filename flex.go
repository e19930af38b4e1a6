package capillary

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The vendor's answers vary in shape: a number may come as a string, a flag as "true", a date
// with Z, an offset or no time at all, a list as a lone object. These types take every form, so
// that each struct has one schema and no second decoder lists its fields again.

// ID is an identifier that the vendor sends sometimes as a JSON number and sometimes as a
// string (createdId is documented as a String and sampled as a number). It decodes from either,
// keeping every digit, and encodes as a string.
type ID string

// UnmarshalJSON accepts a JSON string, a JSON number (kept as its text, every digit) or null.
func (id *ID) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case string(data) == "null":
		return nil
	case len(data) > 0 && data[0] == '"':
		return json.Unmarshal(data, (*string)(id))
	case len(data) > 0 && (data[0] == '-' || isDigit(data[0])) && json.Valid(data):
		*id = ID(data)
		return nil
	}
	return fmt.Errorf("capillary: id %.40s is neither a string nor a number", data)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// String returns the id as text.
func (id ID) String() string { return string(id) }

// Bool is a flag the vendor sends as a JSON boolean or as the string "true" or "false".
type Bool bool

// UnmarshalJSON accepts true, false, "true", "false" (any case) and null (false).
func (b *Bool) UnmarshalJSON(data []byte) error {
	return parseScalar(data, b, "a boolean", func(s []byte) (Bool, error) {
		v, err := strconv.ParseBool(strings.ToLower(string(s)))
		return Bool(v), err
	})
}

// Number is a decimal the vendor sends as a JSON number (230, 24000.0) or as a string ("0.000").
type Number float64

// UnmarshalJSON accepts a JSON number, a string holding one, or null (0).
func (n *Number) UnmarshalJSON(data []byte) error {
	return parseScalar(data, n, "a number", func(s []byte) (Number, error) {
		f, err := strconv.ParseFloat(string(s), 64)
		return Number(f), err
	})
}

// Int is a whole number the vendor sends as a JSON number (8015, 230.0) or as a string ("8015").
type Int int64

// UnmarshalJSON accepts a whole JSON number, a string holding one, or null (0).
func (n *Int) UnmarshalJSON(data []byte) error {
	return parseScalar(data, n, "a whole number", func(s []byte) (Int, error) {
		if v, err := strconv.ParseInt(string(s), 10, 64); err == nil {
			return Int(v), nil
		}
		f, err := strconv.ParseFloat(string(s), 64)
		if err == nil && (f != math.Trunc(f) || math.Abs(f) > 1<<63-1024) {
			err = strconv.ErrRange
		}
		return Int(f), err
	})
}

// parseScalar sets *v to what parse reads in data, a JSON scalar or a string holding one, and
// leaves it alone for null.
func parseScalar[T any](data []byte, v *T, what string, parse func([]byte) (T, error)) error {
	s, err := scalarText(data)
	if err != nil || len(s) == 0 {
		return err
	}
	x, err := parse(s)
	if err != nil {
		return fmt.Errorf("capillary: %s is not %s", data, what)
	}
	*v = x
	return nil
}

// scalarText is the text of a JSON number, boolean or string, trimmed; empty for null.
func scalarText(data []byte) ([]byte, error) {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, err
		}
		return bytes.TrimSpace([]byte(s)), nil
	case string(data) == "null":
		return nil, nil
	case len(data) == 0 || data[0] == '{' || data[0] == '[':
		return nil, fmt.Errorf("capillary: %.40s is not a single value", data)
	}
	return data, nil
}

// List is a JSON list that the vendor's tables call an "Object": a lone object counts as a list
// of one, an empty object or null as an empty list.
type List[T any] []T

// UnmarshalJSON accepts a list, a lone object, or null. encoding/json has checked that data is
// one valid JSON value.
func (l *List[T]) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case string(data) == "null" || data[0] == '{' && isEmpty(data):
		*l = nil
	case data[0] == '[' && isEmpty(data):
		*l = List[T]{} // "warnings": [], the common case, without a second decode
	case data[0] == '[':
		return json.Unmarshal(data, (*[]T)(l))
	case data[0] == '{':
		*l = make(List[T], 1)
		return json.Unmarshal(data, &(*l)[0])
	default:
		return fmt.Errorf("capillary: %.40s is neither a list nor an object", data)
	}
	return nil
}

// isEmpty reports whether a JSON object or list has nothing between its brackets.
func isEmpty(data []byte) bool {
	return len(bytes.TrimSpace(data[1:len(data)-1])) == 0
}

// DateTimeLayout is the vendor's date-time format, YYYY-MM-DDTHH:MM:SS+HH:MM.
const DateTimeLayout = "2006-01-02T15:04:05-07:00"

// DateTime is a point in time in the vendor's format (DateTimeLayout), always written with a
// numeric offset: 2024-07-11T16:36:17+05:30, never Z and never with fractions.
type DateTime struct {
	time.Time
}

// NewDateTime returns t as a *DateTime, ready for a request field.
func NewDateTime(t time.Time) *DateTime {
	return &DateTime{Time: t}
}

// dateTimeLayouts are the forms accepted when reading: the documented one first, then RFC 3339
// (Z, fractions), an offset without a colon, and a bare date (midnight UTC), all of which the
// vendor's answers use.
var dateTimeLayouts = [...]string{DateTimeLayout, time.RFC3339Nano, "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05.999999999-0700", time.DateOnly}

// MarshalJSON writes the time in DateTimeLayout, seconds precision.
func (d DateTime) MarshalJSON() ([]byte, error) {
	if y := d.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("capillary: DateTime year %d is outside 0000-9999", y)
	}
	b := make([]byte, 0, len(DateTimeLayout)+2)
	b = append(b, '"')
	b = d.AppendFormat(b, DateTimeLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON reads any of the forms the vendor uses; null and "" (no date) leave it zero.
func (d *DateTime) UnmarshalJSON(data []byte) error {
	if string(data) == "null" || string(data) == `""` {
		return nil
	}
	s, err := strconv.Unquote(string(data))
	if err != nil {
		return fmt.Errorf("capillary: date-time %s is not a JSON string", data)
	}
	for _, layout := range dateTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			d.Time = t
			return nil
		}
	}
	return fmt.Errorf("capillary: date-time %q is not in the form %s", s, DateTimeLayout)
}

// String formats the time in DateTimeLayout.
func (d DateTime) String() string {
	return d.Format(DateTimeLayout)
}

// EncodeValues sets the query parameter key to the time in DateTimeLayout, as the query of a
// call carries a date (go-querystring's Encoder).
func (d DateTime) EncodeValues(key string, v *url.Values) error {
	v.Set(key, d.String())
	return nil
}
