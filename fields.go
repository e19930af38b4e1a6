package capillary

import (
	"reflect"
	"strings"
	"sync"
)

// The reflection walks over requests and answers (utf8.go, unknown.go) visit a struct's fields
// by their JSON names, as encoding/json does, so that a new field is covered without being
// listed. What they need to know of each struct type is computed once.

// jsonField is a struct field and its JSON name ("" for Unknown, whose json tag is "-"). The
// fields of an embedded struct are listed as the struct's own, as encoding/json sees them.
type jsonField struct {
	index        []int
	name         string
	holdsUnknown bool // the field is an Unknown, or may contain one
}

// structFields are a struct type's JSON fields, and those the walks over Unknown visit.
type structFields struct {
	all      []jsonField
	unknowns []jsonField // those that may hold an Unknown
	untyped  bool        // a field may hold an interface value (map[string]any)
}

var unknownType = reflect.TypeFor[Unknown]()

func isUnknown(t reflect.Type) bool   { return t == unknownType }
func isInterface(t reflect.Type) bool { return t.Kind() == reflect.Interface }

var structFieldsCache sync.Map // reflect.Type -> *structFields

// structFieldsOf returns the fields of a struct type.
func structFieldsOf(t reflect.Type) *structFields {
	if sf, ok := structFieldsCache.Load(t); ok {
		return sf.(*structFields)
	}
	sf := &structFields{all: jsonFields(t), untyped: mayHold(t, isInterface, map[reflect.Type]bool{})}
	for i, f := range sf.all {
		if mayHold(t.FieldByIndex(f.index).Type, isUnknown, map[reflect.Type]bool{}) {
			sf.all[i].holdsUnknown = true
			sf.unknowns = append(sf.unknowns, sf.all[i])
		}
	}
	structFieldsCache.Store(t, sf)
	return sf
}

// field returns the field that encoding/json decodes the member name into, whose name may
// differ in case ("cardnumber" is "cardNumber").
func (sf *structFields) field(name string) (jsonField, bool) {
	for _, f := range sf.all {
		if f.name != "" && strings.EqualFold(f.name, name) {
			return f, true
		}
	}
	return jsonField{}, false
}

// mayHold reports whether a value of type t may contain a value of a type that is picks out:
// itself, or through pointers, slices, maps and struct fields.
func mayHold(t reflect.Type, is func(reflect.Type) bool, visiting map[reflect.Type]bool) bool {
	if is(t) {
		return true
	}
	if visiting[t] {
		return false
	}
	visiting[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return mayHold(t.Elem(), is, visiting)
	case reflect.Struct:
		for _, f := range jsonFields(t) {
			if mayHold(t.FieldByIndex(f.index).Type, is, visiting) {
				return true
			}
		}
	}
	return false
}

// jsonFields lists the exported fields of a struct type with their JSON names, skipping the
// other fields tagged "-".
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
			if name == "" {
				name = f.Name
			}
			fields = append(fields, jsonField{index: []int{i}, name: name})
		}
	}
	return fields
}
