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
	index []int
	name  string
}

// structFields are a struct type's JSON fields, and those a walk has to visit.
type structFields struct {
	all      []jsonField
	unknowns []jsonField // those that may hold an Unknown, which encoding visits on every call
	// names are the JSON names decoding knows, those of an embedded *struct included (the
	// UnmarshalJSON methods embed their type's plain twin).
	names []string
}

var unknownType = reflect.TypeFor[Unknown]()

var structFieldsCache sync.Map // reflect.Type -> *structFields

// structFieldsOf returns the fields of a struct type.
func structFieldsOf(t reflect.Type) *structFields {
	if sf, ok := structFieldsCache.Load(t); ok {
		return sf.(*structFields)
	}
	sf := &structFields{all: jsonFields(t)}
	for _, f := range sf.all {
		if mayHoldUnknown(t.FieldByIndex(f.index).Type, map[reflect.Type]bool{}) {
			sf.unknowns = append(sf.unknowns, f)
		}
		if f.name != "" {
			sf.names = append(sf.names, f.name)
		}
	}
	for i := range t.NumField() {
		if f := t.Field(i); f.Anonymous && f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct {
			sf.names = append(sf.names, structFieldsOf(f.Type.Elem()).names...)
		}
	}
	structFieldsCache.Store(t, sf)
	return sf
}

// mayHoldUnknown reports whether a value of type t may contain an Unknown: itself, or through
// pointers, slices, maps and struct fields.
func mayHoldUnknown(t reflect.Type, visiting map[reflect.Type]bool) bool {
	if t == unknownType {
		return true
	}
	if visiting[t] {
		return false
	}
	visiting[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return mayHoldUnknown(t.Elem(), visiting)
	case reflect.Map:
		return mayHoldUnknown(t.Elem(), visiting)
	case reflect.Struct:
		for _, f := range jsonFields(t) {
			if mayHoldUnknown(t.FieldByIndex(f.index).Type, visiting) {
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
