package capillary

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// referenceUnmarshalID is ID.UnmarshalJSON without its fast paths: encoding/json decides.
func referenceUnmarshalID(id *ID, data []byte) error {
	s := string(data)
	switch {
	case s == "null":
		return nil
	case strings.HasPrefix(s, `"`):
		return json.Unmarshal(data, (*string)(id))
	default:
		var n json.Number
		if err := json.Unmarshal(data, &n); err != nil {
			return fmt.Errorf("capillary: id %s is neither a string nor a number", data)
		}
		*id = ID(n)
		return nil
	}
}

// FuzzIDUnmarshalJSON checks that the fast paths of ID.UnmarshalJSON decode exactly what
// encoding/json does, and refuse what it refuses.
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
