package capillary

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A type's UnmarshalJSON called directly with what encoding/json would not pass it is refused,
// and the walk never reads past what was decoded.
func TestUnmarshalJSONRefusesWhatFollowsTheValue(t *testing.T) {
	t.Parallel()
	// \f and a no-break space are white space to bytes.TrimSpace, not to JSON.
	for _, in := range []string{`{"a":1} "unterminated`, `{"profiles":[]} {"b":[`, `{"x":1}}`, `{"a":"b"`, `{"a":`, "{\"id\":1}\f", "{\"id\":1}\u00a0"} {
		assert.Error(t, new(UpdateCustomerRequest).UnmarshalJSON([]byte(in)), in)
		assert.Error(t, new(Customer).UnmarshalJSON([]byte(in)), in)
	}
}

// A side effect is stored on its own (a bulk run's results file): encoded alone and decoded
// alone, it keeps the fields the SDK does not model.
func TestSideEffectAloneKeepsUnknownFields(t *testing.T) {
	t.Parallel()
	var resp UpdateCustomerResponse
	require.NoError(t, json.Unmarshal([]byte(`{"createdId":1,"sideEffects":[{"type":"badge","badgeId":"b-7","awardedPoints":25}]}`), &resp))
	require.Len(t, resp.SideEffects, 1)
	out, err := json.Marshal(resp.SideEffects)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"type":"badge","awardedPoints":25,"badgeId":"b-7"}]`, string(out))

	var stored []SideEffect
	require.NoError(t, json.Unmarshal(out, &stored))
	assert.Equal(t, resp.SideEffects[0], stored[0])
}

// FuzzReadAnswer decodes any body as a read's answer, the way the SDK does: it never panics,
// refuses what is not JSON, and keeps every top-level member the Customer does not model in
// Unknown, as it came.
func FuzzReadAnswer(f *testing.F) {
	for _, name := range []string{"vendor_get_by_id.json", "vendor_lookup_customer_details.json", "vendor_embed_points.json", "vendor_error_8015.json"} {
		sample, err := os.ReadFile("testdata/" + name)
		require.NoError(f, err)
		f.Add(sample)
	}
	for _, s := range []string{``, `null`, `[]`, `{"id":1}` + "\f", `{"ID":"7","Unknown":1,"x":[{"y":"\u00e9"}],"x":2}`, `{"profiles":{"firstName":"a","z":1}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var c Customer
		err := json.Unmarshal(body, &c)
		if !json.Valid(body) {
			require.Error(t, err, "invalid JSON accepted")
			return
		}
		var members map[string]json.RawMessage
		if err != nil || json.Unmarshal(body, &members) != nil {
			return // valid JSON of the wrong shape: an error is fine
		}
		fields := structFieldsOf(reflect.TypeFor[Customer]())
		for name := range members {
			if _, known := fields.field(name); known {
				continue
			}
			kept, ok := lastMember(t, body, name)
			require.True(t, ok)
			assert.JSONEq(t, string(kept), string(c.Unknown[name]), "member %q", name)
		}
	})
}

// lastMember is the value of the last member of a JSON object with exactly that name, as
// encoding/json would keep it.
func lastMember(t *testing.T, body []byte, name string) (json.RawMessage, bool) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var found json.RawMessage
	ok := false
	for dec.More() {
		key, err := dec.Token()
		require.NoError(t, err)
		var v json.RawMessage
		require.NoError(t, dec.Decode(&v))
		if key == name {
			found, ok = v, true
		}
	}
	return found, ok
}
