package capillary

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// checkUTF8 reports every string of v, map keys included, that is not valid UTF-8, at its JSON
// path: encoding/json would send U+FFFD instead, and two distinct keys could become one. It
// walks structs by their json tags, so a new field is checked without being listed here. It
// runs only when a call is refused anyway or when the encoded body shows invalid UTF-8 (see
// UpdateCustomerRequest.encode), so a valid call does not pay for it.
func checkUTF8(p *problems, v any) { walkUTF8(p, nil, reflect.ValueOf(v)) }

func walkUTF8(p *problems, at *pathSeg, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkUTF8(p, at, v.Elem())
		}
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			p.add(at.String(), "is not valid UTF-8")
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 { // json.RawMessage
			if !utf8.Valid(v.Bytes()) {
				p.add(at.String(), "is not valid UTF-8")
			}
			return
		}
		for i := range v.Len() {
			walkUTF8(p, &pathSeg{parent: at, index: i}, v.Index(i))
		}
	case reflect.Map:
		start := len(*p)
		for _, k := range v.MapKeys() {
			key := fmt.Sprint(k.Interface())
			valid := utf8.ValidString(key)
			// The keys of Unknown are the object's own fields, and are named as fields.
			seg := &pathSeg{parent: at, name: key, key: key, isKey: v.Type() != unknownType || !valid}
			if !valid {
				p.add(seg.String(), "key is not valid UTF-8")
			}
			walkUTF8(p, seg, v.MapIndex(k))
		}
		// Map order is random: the problems found in a map are listed by path.
		slices.SortFunc((*p)[start:], func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	case reflect.Struct:
		for _, f := range structFieldsOf(v.Type()).all {
			seg := at // Unknown (no name): its keys are the object's own
			if f.name != "" {
				seg = &pathSeg{parent: at, name: f.name}
			}
			walkUTF8(p, seg, v.FieldByIndex(f.index))
		}
	}
}

// pathSeg is one step of a JSON path, rendered only when a problem is found.
type pathSeg struct {
	parent *pathSeg
	name   string // a field, unless isKey
	key    string // a map key, when isKey
	isKey  bool
	index  int // a list index, when name is "" and !isKey
}

// String renders the path: profiles[0].fields["city"].
func (s *pathSeg) String() string {
	if s == nil {
		return ""
	}
	prefix := s.parent.String()
	switch {
	case s.isKey:
		return prefix + "[" + strconv.Quote(s.key) + "]"
	case s.name != "":
		if prefix == "" {
			return s.name
		}
		return prefix + "." + s.name
	}
	return prefix + "[" + strconv.Itoa(s.index) + "]"
}
