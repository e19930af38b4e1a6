package capillary

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Unknown holds the fields of a JSON object that its Go type does not model, each as the JSON
// it came as, so that nothing the server (or a decoded request) said is lost.
type Unknown map[string]json.RawMessage

// decodeObject decodes data into v (a pointer to a struct without this type's UnmarshalJSON),
// keeping the numbers of untyped values as json.Number, and puts the object's fields that v's
// type does not have into *unknown. encoding/json matches names case-insensitively, and so does
// this: "cardnumber" is the field "cardNumber".
func decodeObject(data []byte, v any, unknown *Unknown) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil || all == nil {
		return err // null: nothing more
	}
	known := knownNames(reflect.TypeOf(v).Elem())
	for name := range all {
		if !slices.ContainsFunc(known, func(k string) bool { return strings.EqualFold(k, name) }) {
			continue
		}
		delete(all, name)
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

var knownNamesCache sync.Map // reflect.Type -> []string

// knownNames lists the JSON names of a struct type's fields, those of embedded structs included.
func knownNames(t reflect.Type) []string {
	if names, ok := knownNamesCache.Load(t); ok {
		return names.([]string)
	}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			names = append(names, knownNames(ft)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	knownNamesCache.Store(t, names)
	return names
}

// withUnknown adds the unknown fields to the JSON object obj; names the object already has are
// left as they are. The result has the known fields first, then the unknown ones sorted.
func withUnknown(obj []byte, unknown Unknown) ([]byte, error) {
	if len(unknown) == 0 {
		return obj, nil
	}
	var have map[string]json.RawMessage
	if err := json.Unmarshal(obj, &have); err != nil {
		return nil, err
	}
	trimmed := bytes.TrimRight(obj, " \n")
	out := append([]byte(nil), trimmed[:len(trimmed)-1]...) // without its closing brace
	for _, name := range slices.Sorted(maps.Keys(unknown)) {
		if _, dup := have[name]; dup {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		key, err := json.Marshal(name)
		if err != nil {
			return nil, err
		}
		out = append(append(append(out, key...), ':'), unknown[name]...)
	}
	return append(out, '}'), nil
}

// marshalObject writes v, a pointer to a struct without this type's MarshalJSON, as JSON with
// the unknown fields added.
func marshalObject(v any, unknown Unknown) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(unknown) == 0 {
		return b, err
	}
	return withUnknown(b, unknown)
}
