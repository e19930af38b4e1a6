package capillary

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// The walks over requests and answers visit a struct's fields by their JSON names, as
// encoding/json does, so that a new field is covered without being listed here.

// Unknown holds the fields of a JSON object that its Go type does not model, each as the JSON
// it came as. It is filled in every object of an UpdateCustomerRequest, a Customer or a
// SideEffect decoded whole, and written back when one of these is encoded; a part such as a
// Profile decoded or encoded on its own carries only its modelled fields.
type Unknown map[string]json.RawMessage

// jsonField is a struct field and its JSON name ("" for Unknown, whose json tag is "-"); an
// embedded struct's fields are listed as the struct's own.
type jsonField struct {
	index []int
	name  string
}

type structFields []jsonField

var (
	unknownType       = reflect.TypeFor[Unknown]()
	rawMessageType    = reflect.TypeFor[json.RawMessage]()
	structFieldsCache sync.Map // reflect.Type -> structFields
)

func structFieldsOf(t reflect.Type) structFields {
	if sf, ok := structFieldsCache.Load(t); ok {
		return sf.(structFields)
	}
	sf := structFields(jsonFields(t))
	structFieldsCache.Store(t, sf)
	return sf
}

// field returns the field encoding/json decodes member name into, in any case ("cardnumber").
func (sf structFields) field(name string) (jsonField, bool) {
	for _, f := range sf {
		if f.name != "" && strings.EqualFold(f.name, name) {
			return f, true
		}
	}
	return jsonField{}, false
}

// jsonFields lists the exported fields of a struct type with their JSON names, but for "-".
func jsonFields(t reflect.Type) []jsonField {
	var fields []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && f.Type.Kind() == reflect.Struct && name == "":
			for _, inner := range jsonFields(f.Type) {
				fields = append(fields, jsonField{index: append([]int{i}, inner.index...), name: inner.name})
			}
		case !f.IsExported():
		case f.Type == unknownType:
			fields = append(fields, jsonField{index: []int{i}})
		case name != "-":
			fields = append(fields, jsonField{index: []int{i}, name: cmp.Or(name, f.Name)})
		}
	}
	return fields
}

// decodeKeepingUnknown decodes data into v, a pointer to a struct without an UnmarshalJSON
// method, keeping untyped numbers as json.Number, and fills the Unknown of every struct in v.
func decodeKeepingUnknown(data []byte, v any) error {
	if err := decodeKeepingNumbers(data, v); err != nil {
		return err
	}
	fillUnknown(reflect.ValueOf(v), data)
	return nil
}

// decodeKeepingNumbers is json.Unmarshal with the numbers of untyped values kept as json.Number.
func decodeKeepingNumbers(data []byte, v any) error {
	if !json.Valid(data) {
		return json.Unmarshal(data, v) // its syntax error, with nothing decoded
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// fillUnknown puts into the Unknown of v and of every struct within it the members of raw, v's
// valid JSON, that their type does not have.
func fillUnknown(v reflect.Value, raw []byte) {
	switch v.Kind() {
	case reflect.Pointer: // a nil one's Elem is the zero Value, which no case matches
		fillUnknown(v.Elem(), raw)
	case reflect.Slice:
		if v.Len() == 1 && bytes.TrimSpace(raw)[0] == '{' { // a List given as a lone object
			fillUnknown(v.Index(0), raw)
			return
		}
		var elems []json.RawMessage
		_ = json.Unmarshal(raw, &elems)
		for i := range min(len(elems), v.Len()) {
			fillUnknown(v.Index(i), elems[i])
		}
	case reflect.Struct:
		var members map[string]json.RawMessage
		_ = json.Unmarshal(raw, &members)
		sf := structFieldsOf(v.Type())
		var unknown Unknown
		for name, member := range members {
			f, known := sf.field(name)
			switch {
			case !known && unknown == nil:
				unknown = Unknown{name: member}
			case !known:
				unknown[name] = member
			default:
				fillUnknown(v.FieldByIndex(f.index), member)
			}
		}
		for _, f := range sf {
			if f.name == "" {
				v.FieldByIndex(f.index).Set(reflect.ValueOf(unknown))
			}
		}
	}
}

// marshalWithUnknown writes v, a pointer to a struct without a MarshalJSON method, as JSON
// with the Unknown fields of v and of every struct within it.
func marshalWithUnknown(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return withUnknown(b, v)
}

// withUnknown adds to b, the JSON of v, the Unknown fields of v and of every struct within it,
// rebuilding the JSON as a tree only when there are any.
func withUnknown(b []byte, v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	if !addUnknown(nil, rv) {
		return b, nil
	}
	var tree any
	if err := decodeKeepingNumbers(b, &tree); err != nil {
		return nil, err
	}
	addUnknown(tree, rv)
	return json.Marshal(tree)
}

// addUnknown adds the Unknown fields of v to node, v's JSON decoded as a tree, and reports
// whether v has any (node nil: only reports).
func addUnknown(node any, v reflect.Value) (found bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return addUnknown(node, v.Elem()) // nil: the zero Value, which no case matches
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Struct {
			return false
		}
		list, _ := node.([]any)
		for i := range v.Len() {
			var elem any
			if i < len(list) {
				elem = list[i]
			}
			found = addUnknown(elem, v.Index(i)) || found
		}
	case reflect.Struct:
		obj, _ := node.(map[string]any)
		for _, f := range structFieldsOf(v.Type()) {
			switch fv := v.FieldByIndex(f.index); {
			case f.name != "":
				found = addUnknown(obj[f.name], fv) || found
			default:
				for name, raw := range fv.Interface().(Unknown) {
					if _, known := obj[name]; !known && obj != nil {
						obj[name] = raw
					}
					found = true
				}
			}
		}
	}
	return found
}

// checkUTF8 reports every string of v, map keys included, that is not valid UTF-8, at its JSON
// path (encoding/json would send U+FFFD instead), and a value that contains itself. It runs only
// for a refused or suspicious body. It returns how many \ufffd escapes the body's raw JSON
// carries as written, which no invalid string explains.
func checkUTF8(p *problems, v any) (rawEscapes int) {
	// A map, pointer or slice met again on the path being walked is a cycle.
	type visit struct {
		typ reflect.Type
		ptr uintptr
		len int
	}
	onPath := map[visit]bool{}
	// walk checks v at path at. inBody is false under Unknown, whose raw JSON is added after encoding.
	var walk func(at string, v reflect.Value, inBody bool)
	walk = func(at string, v reflect.Value, inBody bool) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice:
			if v.IsNil() {
				return
			}
			seen := visit{typ: v.Type(), ptr: v.Pointer()}
			if v.Kind() == reflect.Slice {
				seen.len = v.Len()
			}
			if onPath[seen] {
				p.add(at, "contains itself (a cycle), which JSON cannot encode")
				return
			}
			onPath[seen] = true
			defer delete(onPath, seen)
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface: // a nil interface's Elem is the zero Value: nothing to walk
			walk(at, v.Elem(), inBody)
		case reflect.String:
			if !utf8.ValidString(v.String()) {
				p.add(at, "is not valid UTF-8")
			}
		case reflect.Slice, reflect.Array:
			if v.Type() == rawMessageType { // sent as it is
				if !utf8.Valid(v.Bytes()) {
					p.add(at, "is not valid UTF-8")
				} else if inBody {
					rawEscapes += bytes.Count(v.Bytes(), replacementEscape)
				}
				return
			}
			if v.Type().Elem().Kind() == reflect.Uint8 {
				return // []byte is sent in base64, [N]byte as numbers: no text to lose
			}
			for i := range v.Len() {
				walk(at+"["+strconv.Itoa(i)+"]", v.Index(i), inBody)
			}
		case reflect.Map:
			start := len(*p)
			for _, k := range v.MapKeys() {
				key := fmt.Sprint(k.Interface())
				valid := utf8.ValidString(key)
				seg := at + "[" + strconv.Quote(key) + "]"
				if v.Type() == unknownType && valid { // Unknown's keys are the object's own fields
					seg = fieldPath(at, key)
				}
				if !valid {
					p.add(seg, "key is not valid UTF-8")
				}
				walk(seg, v.MapIndex(k), inBody)
			}
			// Map order is random: the problems found in a map are listed by path.
			slices.SortFunc((*p)[start:], func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
		case reflect.Struct:
			for _, f := range structFieldsOf(v.Type()) {
				if f.name == "" { // Unknown: its keys are the object's own
					walk(at, v.FieldByIndex(f.index), false)
				} else {
					walk(fieldPath(at, f.name), v.FieldByIndex(f.index), inBody)
				}
			}
		}
	}
	walk("", reflect.ValueOf(v), true)
	return rawEscapes
}

// fieldPath is the path of field name within the object at path at: profiles[0].fields.
func fieldPath(at, name string) string {
	if at == "" {
		return name
	}
	return at + "." + name
}
