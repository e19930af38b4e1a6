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
	w.walk("", reflect.ValueOf(v), true)
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
func (w *utf8Walk) walk(at string, v reflect.Value, inBody bool) {
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
			w.p.add(at, "contains itself (a cycle), which JSON cannot encode")
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
			w.p.add(at, "is not valid UTF-8")
		}
	case reflect.Slice, reflect.Array:
		if v.Type() == rawMessageType { // sent as it is
			if !utf8.Valid(v.Bytes()) {
				w.p.add(at, "is not valid UTF-8")
			} else if inBody {
				w.rawEscapes += bytes.Count(v.Bytes(), replacementEscape)
			}
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // []byte is sent in base64, [N]byte as numbers: no text to lose
		}
		for i := range v.Len() {
			w.walk(at+"["+strconv.Itoa(i)+"]", v.Index(i), inBody)
		}
	case reflect.Map:
		start := len(*w.p)
		for _, k := range v.MapKeys() {
			key := fmt.Sprint(k.Interface())
			valid := utf8.ValidString(key)
			// The keys of Unknown are the object's own fields, and are named as fields.
			seg := at + "[" + strconv.Quote(key) + "]"
			if v.Type() == unknownType && valid {
				seg = fieldPath(at, key)
			}
			if !valid {
				w.p.add(seg, "key is not valid UTF-8")
			}
			w.walk(seg, v.MapIndex(k), inBody)
		}
		// Map order is random: the problems found in a map are listed by path.
		slices.SortFunc((*w.p)[start:], func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	case reflect.Struct:
		for _, f := range structFieldsOf(v.Type()).all {
			seg, in := at, inBody // Unknown (no name): its keys are the object's own
			if f.name != "" {
				seg = fieldPath(at, f.name)
			} else {
				in = false
			}
			w.walk(seg, v.FieldByIndex(f.index), in)
		}
	}
}

// fieldPath is the path of field name within the object at path at: profiles[0].fields.
func fieldPath(at, name string) string {
	if at == "" {
		return name
	}
	return at + "." + name
}
