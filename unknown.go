package capillary

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"unicode/utf8"
)

// Unknown holds the fields of a JSON object that its Go type does not model, each as the JSON
// it came as, so that nothing the server (or a decoded request) said is lost. It is filled for
// every object within an UpdateCustomerRequest or a Customer decoded whole, and in a SideEffect
// (all that an UpdateCustomerResponse holds of them), and written back when one of these is
// encoded; another part, such as a Profile, decoded or encoded on its own carries only its
// modelled fields.
type Unknown map[string]json.RawMessage

// decodeKeepingUnknown decodes data into v, a pointer to a struct without an UnmarshalJSON
// method, keeping the numbers of untyped values as json.Number, and fills the Unknown of v and
// of every struct within it. The types a user decodes (UpdateCustomerRequest, Customer,
// UpdateCustomerResponse) call it; the types within them need no method of their own.
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
// within it the members of raw, v's JSON, that their type does not have.
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
		i := 0
		eachMember(raw, func(_, elem []byte) {
			if i < v.Len() {
				fillUnknown(v.Index(i), elem)
			}
			i++
		})
	case reflect.Struct:
		sf := structFieldsOf(v.Type())
		var unknown Unknown
		eachMember(raw, func(name, member []byte) {
			f, known := sf.field(name)
			switch {
			case !known && unknown == nil:
				unknown = Unknown{string(name): bytes.Clone(member)}
			case !known:
				unknown[string(name)] = bytes.Clone(member)
			case f.holdsUnknown:
				fillUnknown(v.FieldByIndex(f.index), member)
			}
		})
		for _, f := range sf.unknowns {
			if f.name == "" {
				v.FieldByIndex(f.index).Set(reflect.ValueOf(unknown))
			}
		}
	}
}

// eachMember calls fn with the name and value of each member of raw, a JSON object, or with
// each element of raw, a JSON list (and a nil name), as they are written. encoding/json has
// checked raw, so this only finds where each part ends, without allocating.
func eachMember(raw []byte, fn func(name, value []byte)) {
	var name []byte
	depth, start := 0, 0
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '"':
			for i++; raw[i] != '"'; i++ {
				if raw[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			if depth++; depth == 1 {
				start = i + 1
			}
		case ':':
			if depth == 1 {
				quoted := bytes.TrimSpace(raw[start:i])
				name, start = quoted[1:len(quoted)-1], i+1
				// An escaped name, or one with invalid UTF-8, is read as encoding/json reads it.
				if bytes.IndexByte(name, '\\') >= 0 || !utf8.Valid(name) {
					var s string
					_ = json.Unmarshal(quoted, &s)
					name = []byte(s)
				}
			}
		case ',', '}', ']':
			if depth == 1 {
				if value := bytes.TrimSpace(raw[start:i]); len(value) > 0 {
					fn(name, value)
				}
				start = i + 1
			}
			if raw[i] != ',' {
				depth--
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
