package capillary

import (
	"reflect"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-querystring/query"
)

// TestQueryCacheKeyCoversEveryParam fails when UpdateCustomerParams gains a field that
// paramsKey does not tell apart: two params differing only there would share a cached query.
func TestQueryCacheKeyCoversEveryParam(t *testing.T) {
	typ := reflect.TypeFor[UpdateCustomerParams]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		var variants []UpdateCustomerParams // zero first, then values of field i alone
		variants = append(variants, UpdateCustomerParams{})
		switch {
		case f.Type.Kind() == reflect.String:
			var p UpdateCustomerParams
			reflect.ValueOf(&p).Elem().Field(i).SetString("X")
			variants = append(variants, p)
		case f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Bool:
			for _, b := range []bool{false, true} {
				var p UpdateCustomerParams
				reflect.ValueOf(&p).Elem().Field(i).Set(reflect.ValueOf(Ptr(b)))
				variants = append(variants, p)
			}
		default:
			t.Fatalf("UpdateCustomerParams.%s is a %s: add it to paramsKey and to this test", f.Name, f.Type)
		}
		seen := map[paramsKey]int{}
		for j := range variants {
			k := keyOf(&variants[j])
			if prev, dup := seen[k]; dup {
				t.Errorf("UpdateCustomerParams.%s: variants %d and %d have the same cache key %+v", f.Name, prev, j, k)
			}
			seen[k] = j
		}
	}
}

// TestQueryCacheMatchesQuerystring: what the cache returns, first encoded and then cached, is
// what go-querystring encodes, also past the cache's bound and from concurrent callers.
func TestQueryCacheMatchesQuerystring(t *testing.T) {
	var params []*UpdateCustomerParams
	for _, src := range []Source{SourceInstore, SourceWeChat} {
		for _, account := range []string{"", "acc 1&x=y"} {
			for _, b := range []*bool{nil, Ptr(false), Ptr(true)} {
				params = append(params,
					&UpdateCustomerParams{Source: src, AccountID: account, UseAsync: b},
					&UpdateCustomerParams{Source: src, AccountID: account, MLPSingleEnroll: b},
					&UpdateCustomerParams{Source: src, AccountID: account, UseAsync: b, MLPSingleEnroll: Ptr(true)})
			}
		}
	}
	for i := range 2 * maxCachedQueries {
		params = append(params, &UpdateCustomerParams{Source: SourceWeChat, AccountID: "account-" + strconv.Itoa(i)})
	}
	var cache queryCache
	check := func(p *UpdateCustomerParams) {
		want, err := query.Values(p)
		if err != nil {
			t.Error(err)
			return
		}
		got, err := cache.encode(p)
		if err != nil || got != want.Encode() {
			t.Errorf("%+v: cached query %q (%v), go-querystring %q", *p, got, err, want.Encode())
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 2 {
				for _, p := range params {
					check(p)
				}
			}
		}()
	}
	wg.Wait()
	if n := len(*cache.m.Load()); n != maxCachedQueries {
		t.Errorf("cache holds %d queries, want the bound %d", n, maxCachedQueries)
	}
}
