package capillary

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// eachMember finds the members and elements encoding/json finds, each value as it is written,
// whatever the strings, escapes, nesting and white space.
func TestEachMemberAgreesWithEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`{}`, ` { } `, `[]`, `null`, `[1,-2.5e3,true,null,"x"]`,
		`{"a":1,"b":-0.5e-7,"c":true,"d":null,"e":"s"}`,
		" {\n\t\"a\" :\r [ 1 , { \"b\" : [ ] } ] ,\"c\":{ } } ",
		`{"q":"a \"quoted\" }] ,: string","esc\"aped":"\\","\u0063ard":"\u00e9\ud83d\ude00"}`,
		`[{"a":[[],[{}]]},"]","}",[],{}]`,
	} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			got := map[string]json.RawMessage{}
			list := []json.RawMessage{}
			eachMember([]byte(in), func(name, value []byte) {
				if name == nil {
					list = append(list, value)
				} else {
					got[string(name)] = value
				}
			})
			if in[len(in)-1] == ']' {
				var want []json.RawMessage
				require.NoError(t, json.Unmarshal([]byte(in), &want))
				assert.Equal(t, want, list)
				return
			}
			var want map[string]json.RawMessage
			require.NoError(t, json.Unmarshal([]byte(in), &want))
			if want == nil {
				want = map[string]json.RawMessage{}
			}
			assert.Equal(t, want, got)
			assert.Empty(t, list)
		})
	}
}

// A type's UnmarshalJSON called directly with what encoding/json would not pass it is refused,
// and the walk never reads past what was decoded.
func TestUnmarshalJSONRefusesWhatFollowsTheValue(t *testing.T) {
	t.Parallel()
	// \f and a no-break space are white space to bytes.TrimSpace, not to JSON.
	for _, in := range []string{`{"a":1} "unterminated`, `{"profiles":[]} {"b":[`, `{"x":1}}`, `{"a":"b"`, `{"a":`, "{\"id\":1}\f", "{\"id\":1}\u00a0"} {
		assert.Error(t, new(UpdateCustomerRequest).UnmarshalJSON([]byte(in)), in)
		assert.Error(t, new(Customer).UnmarshalJSON([]byte(in)), in)
		assert.Error(t, new(UpdateCustomerResponse).UnmarshalJSON([]byte(in)), in)
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
