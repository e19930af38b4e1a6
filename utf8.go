package capillary

import (
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
// walks structs by their json tags, so a new field is checked without being listed here. A
// first pass only looks (a valid request costs no allocation); paths are built when it finds
// something.
func checkUTF8(p *problems, v any) {
	if (utf8Walk{}).value(nil, reflect.ValueOf(v)) {
		return
	}
	utf8Walk{p}.value(nil, reflect.ValueOf(v))
}

// utf8Walk finds invalid UTF-8; with p nil it stops at the first and reports nothing.
type utf8Walk struct{ p *problems }

// bad records a problem at path and says whether to go on.
func (w utf8Walk) bad(at *pathSeg, problem string) bool {
	if w.p != nil {
		w.p.add(at.String(), "%s", problem)
	}
	return w.p != nil
}

// child is the path of a part of at, built only when problems are reported.
func (w utf8Walk) child(at *pathSeg, seg pathSeg) *pathSeg {
	if w.p == nil {
		return nil
	}
	s := new(pathSeg) // here, not &seg: seg would be moved to the heap on every call
	*s = seg
	s.parent = at
	return s
}

// value walks a request value; it returns false when it stopped at a problem.
func (w utf8Walk) value(at *pathSeg, v reflect.Value) bool {
	ok := true
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			return w.value(at, v.Elem())
		}
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			return w.bad(at, "is not valid UTF-8")
		}
	case reflect.Slice:
		for i := 0; i < v.Len() && ok; i++ {
			ok = w.value(w.child(at, pathSeg{index: i}), v.Index(i))
		}
	case reflect.Interface:
		if !v.IsNil() {
			return w.value(at, v.Elem())
		}
	case reflect.Map:
		switch m := v.Interface().(type) {
		case map[string]any:
			return walkMap(w, at, m, false)
		case Unknown:
			return walkMap(w, at, m, true)
		}
		return w.otherMap(at, v)
	case reflect.Struct:
		for _, f := range structFieldsOf(v.Type()).strings {
			if !ok {
				break
			}
			if f.name == "" { // Unknown: its keys are the object's own
				ok = w.value(at, v.FieldByIndex(f.index))
			} else {
				ok = w.value(w.child(at, pathSeg{name: f.name}), v.FieldByIndex(f.index))
			}
		}
	}
	return ok
}

// any walks a value of a map[string]any, as encoding/json would send it.
func (w utf8Walk) any(at *pathSeg, v any) bool {
	switch v := v.(type) {
	case string:
		if !utf8.ValidString(v) {
			return w.bad(at, "is not valid UTF-8")
		}
	case json.Number:
		return w.any(at, string(v))
	case json.RawMessage:
		if !utf8.Valid(v) {
			return w.bad(at, "is not valid UTF-8")
		}
	case []any:
		for i, e := range v {
			if !w.any(w.child(at, pathSeg{index: i}), e) {
				return false
			}
		}
	case map[string]any:
		return walkMap(w, at, v, false)
	case Unknown:
		return walkMap(w, at, v, true)
	case nil, bool, float64, int, int64:
	default: // a struct, slice or map of another type, put in a map by the caller
		return w.value(at, reflect.ValueOf(v))
	}
	return true
}

// mark is where the problems of a map start; sortSince sorts them by path, as map order is
// random.
func (w utf8Walk) mark() int {
	if w.p == nil {
		return 0
	}
	return len(*w.p)
}

func (w utf8Walk) sortSince(start int) {
	if w.p != nil {
		slices.SortFunc((*w.p)[start:], func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	}
}

// otherMap walks a map of another type than map[string]any, such as map[string]string.
func (w utf8Walk) otherMap(at *pathSeg, v reflect.Value) bool {
	start := w.mark()
	for iter := v.MapRange(); iter.Next(); {
		key := iter.Key()
		seg := w.child(at, pathSeg{key: fmt.Sprint(key.Interface()), isKey: true})
		if key.Kind() == reflect.String && !utf8.ValidString(key.String()) && !w.bad(seg, "key is not valid UTF-8") || !w.value(seg, iter.Value()) {
			return false
		}
	}
	w.sortSince(start)
	return true
}

// walkMap walks a map's keys and values, its problems sorted by path. The keys of Unknown are the fields of an object, named as fields.
func walkMap[V any](w utf8Walk, at *pathSeg, m map[string]V, fields bool) bool {
	start := w.mark()
	for k, v := range m {
		seg := w.child(at, pathSeg{key: k, isKey: !fields || !utf8.ValidString(k), name: k})
		if !utf8.ValidString(k) && !w.bad(seg, "key is not valid UTF-8") || !w.any(seg, v) {
			return false
		}
	}
	w.sortSince(start)
	return true
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
