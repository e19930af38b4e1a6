package capillary

import (
	"encoding/json"
	"os"
	"testing"
)

// The decoding of the vendor's samples on their own: a read's answer, with the fields the SDK
// does not model kept, and a stored request decoded to be re-sent.

func benchmarkDecode[T any](b *testing.B, file string) {
	raw, err := os.ReadFile("testdata/" + file)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeReadAnswer(b *testing.B) {
	benchmarkDecode[Customer](b, "vendor_lookup_customer_details.json")
}

func BenchmarkDecodeRequest(b *testing.B) {
	benchmarkDecode[UpdateCustomerRequest](b, "vendor_lookup_update_request.json")
}
