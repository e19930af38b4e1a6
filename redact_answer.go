package capillary

import (
	"encoding/json"
	"reflect"
)

// redactedJSON replaces a raw JSON value that held a credential.
var redactedJSON = json.RawMessage(`"[redacted]"`)

// redactAnswer replaces, in place, every credential in the strings of a decoded answer (a
// pointer): a success's warnings and side effects may echo what was sent, and what the SDK
// returns must never hold a credential. A raw JSON value (Unknown) that holds one is replaced
// whole.
func redactAnswer(v reflect.Value, redact func(string) string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			redactAnswer(v.Elem(), redact)
		}
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		if s, ok := v.Interface().(string); ok && v.CanSet() {
			if r := redact(s); r != s {
				v.Set(reflect.ValueOf(r))
			}
			return
		}
		redactAnswer(v.Elem(), redact) // a map or a slice of decoded JSON: changed in place
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				redactAnswer(v.Field(i), redact)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if v.CanSet() && redact(string(v.Bytes())) != string(v.Bytes()) {
				v.SetBytes(redactedJSON)
			}
			return
		}
		for i := range v.Len() {
			redactAnswer(v.Index(i), redact)
		}
	case reflect.Map:
		for _, key := range v.MapKeys() {
			value := reflect.New(v.Type().Elem()).Elem()
			value.Set(v.MapIndex(key))
			redactAnswer(value, redact)
			v.SetMapIndex(key, value)
		}
	case reflect.String:
		if r := redact(v.String()); r != v.String() && v.CanSet() {
			v.SetString(r)
		}
	}
}
