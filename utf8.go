package capillary

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// checkUTF8 reports every string of v, map keys included, that is not valid UTF-8, at its JSON
// path: encoding/json would send U+FFFD instead, and two distinct keys could become one. It
// walks structs by their json tags, so a new field is checked without being listed here, and
// reports a value that contains itself, which JSON cannot encode. It runs only when a call is
// refused anyway or when the encoded body shows invalid UTF-8 (see UpdateCustomerRequest.encode),
// so a valid call does not pay for it. It returns how many \ufffd escapes the raw JSON sent
// within the body's encoding carries as written, which no invalid string explains.
func checkUTF8(p *problems, v any) (rawEscapes int) {
	w := utf8Walk{p: p, onPath: map[visit]bool{}}
	w.walk(nil, reflect.ValueOf(v), true)
	return w.rawEscapes
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// visit is a map, pointer or slice on the path being walked: meeting it again is a cycle.
type visit struct {
	typ reflect.Type
	ptr uintptr
	len int
}

type utf8Walk struct {
	p          *problems
	onPath     map[visit]bool
	rawEscapes int
}

// walk checks v at path at. inBody is false under an Unknown field, whose raw JSON is added to
// the body after its encoding (see marshalWithUnknown).
func (w *utf8Walk) walk(at *pathSeg, v reflect.Value, inBody bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice:
		if v.IsNil() {
			return
		}
		seen := visit{typ: v.Type(), ptr: v.Pointer()}
		if v.Kind() == reflect.Slice {
			seen.len = v.Len()
		}
		if w.onPath[seen] {
			w.p.add(at.String(), "contains itself (a cycle), which JSON cannot encode")
			return
		}
		w.onPath[seen] = true
		defer delete(w.onPath, seen)
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			w.walk(at, v.Elem(), inBody)
		}
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			w.p.add(at.String(), "is not valid UTF-8")
		}
	case reflect.Slice, reflect.Array:
		if v.Type() == rawMessageType { // sent as it is
			if !utf8.Valid(v.Bytes()) {
				w.p.add(at.String(), "is not valid UTF-8")
			} else if inBody {
				w.rawEscapes += bytes.Count(v.Bytes(), replacementEscape)
			}
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // []byte is sent in base64, [N]byte as numbers: no text to lose
		}
		for i := range v.Len() {
			w.walk(&pathSeg{parent: at, index: i}, v.Index(i), inBody)
		}
	case reflect.Map:
		start := len(*w.p)
		for _, k := range v.MapKeys() {
			key := fmt.Sprint(k.Interface())
			valid := utf8.ValidString(key)
			// The keys of Unknown are the object's own fields, and are named as fields.
			seg := &pathSeg{parent: at, name: key, key: key, isKey: v.Type() != unknownType || !valid}
			if !valid {
				w.p.add(seg.String(), "key is not valid UTF-8")
			}
			w.walk(seg, v.MapIndex(k), inBody)
		}
		// Map order is random: the problems found in a map are listed by path.
		slices.SortFunc((*w.p)[start:], func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	case reflect.Struct:
		for _, f := range structFieldsOf(v.Type()).all {
			seg, in := at, inBody // Unknown (no name): its keys are the object's own
			if f.name != "" {
				seg = &pathSeg{parent: at, name: f.name}
			} else {
				in = false
			}
			w.walk(seg, v.FieldByIndex(f.index), in)
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
