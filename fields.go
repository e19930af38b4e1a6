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
	strings  []jsonField // those that may hold a string, checked for UTF-8
	unknowns []jsonField // those that may hold an Unknown
}

var unknownType = reflect.TypeFor[Unknown]()

var structFieldsCache sync.Map // reflect.Type -> *structFields

// fieldsOf returns the fields of a struct type.
func structFieldsOf(t reflect.Type) *structFields {
	if sf, ok := structFieldsCache.Load(t); ok {
		return sf.(*structFields)
	}
	sf := &structFields{all: jsonFields(t)}
	for _, f := range sf.all {
		ft := t.FieldByIndex(f.index).Type
		if mayHold(ft, isStringLike, map[reflect.Type]bool{}) {
			sf.strings = append(sf.strings, f)
		}
		if mayHold(ft, func(t reflect.Type) bool { return t == unknownType }, map[reflect.Type]bool{}) {
			sf.unknowns = append(sf.unknowns, f)
		}
	}
	structFieldsCache.Store(t, sf)
	return sf
}

// isStringLike is true for what may hold a string at run time.
func isStringLike(t reflect.Type) bool {
	return t.Kind() == reflect.String || t.Kind() == reflect.Interface || t == unknownType
}

// mayHold reports whether a value of type t may contain a value of a type that is true for
// target: itself, or through pointers, slices, maps and struct fields.
func mayHold(t reflect.Type, target func(reflect.Type) bool, visiting map[reflect.Type]bool) bool {
	if target(t) {
		return true
	}
	if visiting[t] {
		return false
	}
	visiting[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return mayHold(t.Elem(), target, visiting)
	case reflect.Map:
		return mayHold(t.Key(), target, visiting) || mayHold(t.Elem(), target, visiting)
	case reflect.Struct:
		for _, f := range jsonFields(t) {
			if mayHold(t.FieldByIndex(f.index).Type, target, visiting) {
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
