package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// files writes an input of two rows, the given results and dump, and returns verify's flags.
func files(t *testing.T, results, dump string) []string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := gen([]string{"-rows", "2", "-csv", in}); err != nil {
		t.Fatal(err)
	}
	res, dmp := filepath.Join(dir, "results.jsonl"), filepath.Join(dir, "dump.json")
	for path, content := range map[string]string{res: results, dmp: dump} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"-csv", in, "-results", res, "-dump", dmp}
}

const (
	row1 = `{"id":"1000000","firstName":"First1","lastName":"Last1","fields":{"city":"City1"},"updatesReceived":1,"updatesApplied":1}`
	row2 = `{"id":"1000001","firstName":"First2","lastName":"Last2","fields":{"city":"City2"},"updatesReceived":2,"updatesApplied":2}`
)

func TestVerify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, results, dump string
		ok                  bool
		says                string
	}{
		{"every promise held",
			`{"row":1,"status":"sending"}` + "\n" + `{"row":1,"status":"applied"}` + "\n" +
				`{"row":2,"status":"applied","settlement":"the answer was lost"}` + "\n",
			"[" + row1 + "," + row2 + "]", true, "OK:"},
		{"a row without outcome", `{"row":1,"status":"applied"}` + "\n", "[" + row1 + "," + row2 + "]", false, "row 2 has 0 final outcomes"},
		{"a row with two outcomes",
			`{"row":1,"status":"applied"}` + "\n" + `{"row":1,"status":"applied"}` + "\n" + `{"row":2,"status":"applied","settlement":"x"}` + "\n",
			"[" + row1 + "," + row2 + "]", false, "row 1 has 2 final outcomes"},
		{"updated twice without a lost answer",
			`{"row":1,"status":"applied"}` + "\n" + `{"row":2,"status":"applied"}` + "\n",
			"[" + row1 + "," + row2 + "]", false, "updated 2 times although no answer was lost"},
		{"a customer without its values",
			`{"row":1,"status":"applied"}` + "\n" + `{"row":2,"status":"applied","settlement":"x"}` + "\n",
			`[{"id":"1000000","firstName":"old","updatesApplied":1},` + row2 + "]", false, "not the row's values"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		err := verify(files(t, tt.results, tt.dump), &out)
		if (err == nil) != tt.ok {
			t.Errorf("%s: verify returned %v\n%s", tt.name, err, out.String())
		}
		if !bytes.Contains(out.Bytes(), []byte(tt.says)) {
			t.Errorf("%s: output does not say %q:\n%s", tt.name, tt.says, out.String())
		}
	}
}
