package bulk

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// A results file, however damaged, reads as a history or as an error: never a panic, and
// never an allocation for rows that are not there.
func FuzzReadHistory(f *testing.F) {
	f.Add([]byte(journalHeader + "\n" + `{"row":1,"status":"sending","userId":"1","fingerprint":"a1"}` + "\n" +
		`{"row":1,"status":"applied","userId":"1","attempts":1,"fingerprint":"a1"}` + "\n"))
	f.Add([]byte(journalHeader + "\n" + `{"row":3,"status":"refused","identifier":{"type":"mobile","value":"91"},"fingerprint":"ffffffffffffffff"}` + "\n" + `{"row":`))
	f.Add([]byte(journalHeader + "\n" + `{"row":99999999999,"status":"applied","fingerprint":"1"}` + "\n"))
	f.Add([]byte("userId,firstName\n1,Ann\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content []byte) {
		path := filepath.Join(dir, "results.jsonl")
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		h, err := ReadHistory(path)
		if err != nil {
			return
		}
		if lines := bytes.Count(content, []byte("\n")); h.Last() > lines+maxRowJump {
			t.Fatalf("row %d recorded in %d lines", h.Last(), lines)
		}
		for row := 0; row <= h.Last()+1; row++ {
			_ = h.Status(row)
		}
	})
}
