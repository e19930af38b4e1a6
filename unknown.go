package capillary

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
)

// Unknown holds the fields of a JSON object that its Go type does not model, each as the JSON
// it came as. It is filled in every object of an UpdateCustomerRequest, a Customer or a
// SideEffect decoded whole, and written back when one of these is encoded; a part such as a
// Profile decoded or encoded on its own carries only its modelled fields.
type Unknown map[string]json.RawMessage

// decodeKeepingUnknown decodes data into v, a pointer to a struct without an UnmarshalJSON
// method, keeping untyped numbers as json.Number, and fills the Unknown of every struct in v.
func decodeKeepingUnknown(data []byte, v any) error {
	decode := json.Unmarshal // cheaper than a Decoder, and the same where no number is untyped
	if structFieldsOf(reflect.TypeOf(v).Elem()).untyped {
		decode = decodeKeepingNumbers
	}
	if err := decode(data, v); err != nil {
		return err
	}
	fillUnknown(reflect.ValueOf(v), data)
	return nil
}

// fillUnknown is the mirror of addUnknown: it puts into the Unknown of v and of every struct
// within it the members of raw, v's JSON, that their type does not have. encoding/json has
// checked raw already.
func fillUnknown(v reflect.Value, raw []byte) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			fillUnknown(v.Elem(), raw)
		}
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
			case f.holdsUnknown:
				fillUnknown(v.FieldByIndex(f.index), member)
			}
		}
		for _, f := range sf.unknowns {
			if f.name == "" {
				v.FieldByIndex(f.index).Set(reflect.ValueOf(unknown))
			}
		}
	}
}

// decodeKeepingNumbers is json.Unmarshal with the numbers of untyped values kept as
// json.Number. Like json.Unmarshal, it refuses anything but JSON white space after the value,
// which fillUnknown could not read, and calls a missing or cut-off value what it is rather
// than io.EOF, which would read as a dropped connection.
func decodeKeepingNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("unexpected end of JSON input")
	} else if err != nil {
		return err
	}
	if rest := bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return fmt.Errorf("invalid character %q after top-level value", rest[0])
	}
	return nil
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
