package capillary

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
)

// Unknown holds the fields of a JSON object that its Go type does not model, each as the JSON
// it came as, so that nothing the server (or a decoded request) said is lost.
type Unknown map[string]json.RawMessage

// decodeObject decodes data into v (a pointer to a struct without this type's UnmarshalJSON),
// keeping the numbers of untyped values as json.Number, and puts the object's fields that v's
// type does not have into *unknown. encoding/json matches names case-insensitively, and so does
// this: "cardnumber" is the field "cardNumber".
func decodeObject(data []byte, v any, unknown *Unknown) error {
	// Most objects have no field the type does not know: one strict pass finds that out, and
	// only the others are read a second time for their unknown fields.
	strict := json.NewDecoder(bytes.NewReader(data))
	strict.UseNumber()
	strict.DisallowUnknownFields()
	if strict.Decode(v) == nil {
		*unknown = nil
		return nil
	}
	if err := decodeKeepingNumbers(data, v); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil || all == nil {
		return err // null: nothing more
	}
	known := structFieldsOf(reflect.TypeOf(v).Elem()).names
	for name := range all {
		if slices.ContainsFunc(known, func(k string) bool { return strings.EqualFold(k, name) }) {
			delete(all, name)
		}
	}
	*unknown = nil
	if len(all) > 0 {
		*unknown = all
	}
	return nil
}

// decodeKeepingNumbers is json.Unmarshal with the numbers of untyped values kept as
// json.Number.
func decodeKeepingNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
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

// withUnknown adds to b, the JSON of v, the Unknown fields of v and of every struct within it.
// Without any, that is b; with some, the JSON is rebuilt as a tree with them added.
func withUnknown(b []byte, v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	if !hasUnknown(rv) {
		return b, nil
	}
	var tree any
	if err := decodeKeepingNumbers(b, &tree); err != nil {
		return nil, err
	}
	addUnknown(tree, rv)
	return json.Marshal(tree)
}

// hasUnknown reports whether v or a struct within it has a non-empty Unknown.
func hasUnknown(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && hasUnknown(v.Elem())
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Struct {
			for i := range v.Len() {
				if hasUnknown(v.Index(i)) {
					return true
				}
			}
		}
	case reflect.Struct:
		for _, f := range structFieldsOf(v.Type()).unknowns {
			fv := v.FieldByIndex(f.index)
			if fv.Type() == unknownType && fv.Len() > 0 || fv.Type() != unknownType && hasUnknown(fv) {
				return true
			}
		}
	}
	return false
}

// addUnknown adds the Unknown fields of v to node, v's JSON decoded as a tree.
func addUnknown(node any, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			addUnknown(node, v.Elem())
		}
	case reflect.Slice:
		if list, ok := node.([]any); ok && v.Type().Elem().Kind() == reflect.Struct {
			for i := range min(len(list), v.Len()) {
				addUnknown(list[i], v.Index(i))
			}
		}
	case reflect.Struct:
		obj, ok := node.(map[string]any)
		if !ok {
			return
		}
		for _, f := range structFieldsOf(v.Type()).unknowns {
			fv := v.FieldByIndex(f.index)
			if fv.Type() != unknownType {
				addUnknown(obj[f.name], fv)
				continue
			}
			for name, raw := range fv.Interface().(Unknown) {
				if _, known := obj[name]; !known {
					obj[name] = raw
				}
			}
		}
	}
}
