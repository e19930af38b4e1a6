package capillary

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceUnmarshalID is ID.UnmarshalJSON with encoding/json deciding every form: a number
// through json.Number instead of being taken as its text.
func referenceUnmarshalID(id *ID, data []byte) error {
	data = bytes.TrimSpace(data)
	s := string(data)
	switch {
	case s == "null":
		return nil
	case strings.HasPrefix(s, `"`):
		return json.Unmarshal(data, (*string)(id))
	default:
		var n json.Number
		if err := json.Unmarshal(data, &n); err != nil {
			return fmt.Errorf("capillary: id %.40s is neither a string nor a number", data)
		}
		*id = ID(n)
		return nil
	}
}

// FuzzIDUnmarshalJSON checks that ID.UnmarshalJSON, which keeps a number as its text, decodes
// exactly what encoding/json does, and refuses what it refuses.
func FuzzIDUnmarshalJSON(f *testing.F) {
	for _, seed := range []string{
		`162116213`, `"555594290"`, `123456789012345678901234567890`, `-0`, `-12.5e+10`, `1E-2`, `0.0`,
		`01`, `-01`, `1.`, `.5`, `-`, `+1`, `1e`, `1e+`, ` 1`, `1 `, `0x10`, `NaN`, `1_000`,
		`""`, `"é"`, `"a\"b"`, `"\u00e9"`, "\"\xff\"", "\"tab\there\"", `"1"x`, `"`, `"a"b"`, `"a\`,
		``, `null`, ` null`, `true`, `{}`, `[]`, `[1]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, want := ID("previous"), ID("previous")
		gotErr, wantErr := got.UnmarshalJSON(data), referenceUnmarshalID(&want, data)
		if got != want || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Errorf("UnmarshalJSON(%q) = %q, %v; encoding/json gives %q, %v", data, got, gotErr, want, wantErr)
		}
	})
}

// An id that is neither a string nor a number is refused with a short quote of it.
func TestIDErrorQuotesLittle(t *testing.T) {
	t.Parallel()
	for _, data := range []string{`[` + strings.Repeat(`"x",`, 1000) + `1]`, `{"a":` + strings.Repeat("1", 1000) + `}`, ` true `} {
		var id ID
		err := id.UnmarshalJSON([]byte(data))
		require.Error(t, err)
		assert.LessOrEqual(t, len(err.Error()), 100, err.Error())
		assert.Empty(t, id)
	}
}
