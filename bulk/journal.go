package bulk

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/capillary-go/capillary"
)

// JournalFile writes a run's results as JSON lines: first a header line (journalHeader) that
// marks the file as results, then a line {"row":N,"status":"sending","userId":...,
// "fingerprint":"..."} before a row is first sent, and one Result line per row outcome. A row's outcome is its last
// outcome line. Every line carries the row's Fingerprint, which binds the file to its input
// (see History.Resume). It is the Journal of the capillary command, and the file ReadHistory
// reads to resume.
//
// A sending line is written before Sending returns, so that it is in the file before the row
// goes out. Outcome lines are written and synced by a writer of their own as they come, those
// that come together in one write and one sync, so that a worker does not wait for the disk;
// Close writes the last of them. A process killed before an outcome line reached the file
// leaves its row in flight, and a resumed run settles it by reading the customer back. A
// power cut can also lose the sending marks since the last sync: those rows are sent again.
type JournalFile struct {
	f    *os.File
	done chan struct{} // closed when the writer has written everything and stopped

	mu      sync.Mutex
	wake    sync.Cond // the writer waits for lines, or for Close
	room    sync.Cond // Finished waits while too much is queued
	pending []byte    // outcome lines not yet written
	spare   []byte    // the buffer of the last write, for the next lines
	closing bool
	err     error // the first write or sync error: every later call returns it
}

// maxPending bounds the outcome lines queued for the writer; beyond it Finished waits.
const maxPending = 1 << 20

// errJournalClosed is returned by a JournalFile used after Close.
var errJournalClosed = errors.New("bulk: the results file is closed")

// journalHeader is the first line of every results file.
const journalHeader = `{"capillary":"bulk results","version":2}`

// ErrNotResults is the error of OpenJournal and ReadHistory for a file that is not a results
// file (the input itself, say): it is left as it was.
var ErrNotResults = errors.New("bulk: not a results file")

// OpenJournal opens path for appending results, creating it (with its header line) if need
// be, and locks it (on Unix) against another run while it is open. A file that does not start
// with the header is refused with ErrNotResults, without a byte of it changed. A last line cut
// short (the process died while writing it) is removed, so that the next line starts clean.
func OpenJournal(path string) (*JournalFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("bulk: opening the results file: %w", err)
	}
	if err := lock(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("bulk: results file %s: %w", path, err)
	}
	if err := startJournal(f, path); err != nil {
		unlock(f)
		_ = f.Close()
		return nil, err
	}
	end, err := completeLength(f)
	if err == nil {
		err = f.Truncate(end)
	}
	if err == nil {
		_, err = f.Seek(end, io.SeekStart)
	}
	if err != nil {
		unlock(f)
		_ = f.Close()
		return nil, fmt.Errorf("bulk: preparing the results file %s: %w", path, err)
	}
	j := &JournalFile{f: f, done: make(chan struct{})}
	j.wake.L, j.room.L = &j.mu, &j.mu
	go j.write()
	return j, nil
}

// startJournal writes the header into an empty file, and checks that another one starts with it.
func startJournal(f *os.File, path string) error {
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("bulk: reading the results file %s: %w", path, err)
	}
	if info.Size() == 0 {
		if _, err := f.WriteString(journalHeader + "\n"); err != nil {
			return fmt.Errorf("bulk: writing the results file %s: %w", path, err)
		}
		return nil
	}
	first := make([]byte, len(journalHeader)+1)
	n, err := f.ReadAt(first, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("bulk: reading the results file %s: %w", path, err)
	}
	if string(first[:n]) != journalHeader+"\n" {
		return fmt.Errorf("%w: %s does not start with %s; it was left as it was", ErrNotResults, path, journalHeader)
	}
	return nil
}

// completeLength returns the length of f up to the end of its last complete line.
func completeLength(f *os.File) (int64, error) {
	info, err := f.Stat()
	if err != nil || info.Size() == 0 {
		return 0, err
	}
	size := info.Size()
	buf := make([]byte, 64<<10)
	for end := size; end > 0; {
		start := max(end-int64(len(buf)), 0)
		chunk := buf[:end-start]
		if _, err := f.ReadAt(chunk, start); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

// Sending records that a row is about to be sent.
func (j *JournalFile) Sending(res *Result) error {
	if err := j.failed(); err != nil {
		return err
	}
	line, err := json.Marshal(sendingLine{Row: res.Row, Status: Sending, UserID: res.UserID, Identifier: res.Identifier, Fingerprint: res.Fingerprint})
	if err != nil {
		return fmt.Errorf("bulk: encoding the sending mark of row %d: %w", res.Row, err)
	}
	// One write(2) of the whole line: os.File serialises writes, so lines never interleave.
	if _, err := j.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("bulk: writing the results file: %w", err)
	}
	return nil
}

// sendingLine is the mark of a row about to be sent: a Result without an outcome.
type sendingLine struct {
	Row         int                   `json:"row"`
	Status      Status                `json:"status"`
	UserID      string                `json:"userId,omitempty"`
	Identifier  *capillary.Identifier `json:"identifier,omitempty"`
	Fingerprint string                `json:"fingerprint"`
}

func (j *JournalFile) failed() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closing {
		return errJournalClosed
	}
	return j.err
}

// Finished queues a row's outcome for the writer.
func (j *JournalFile) Finished(res *Result) error {
	line, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("bulk: encoding the result of row %d: %w", res.Row, err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for len(j.pending) >= maxPending && j.err == nil && !j.closing {
		j.room.Wait()
	}
	switch {
	case j.err != nil:
		return j.err
	case j.closing:
		return errJournalClosed
	}
	j.pending = append(append(j.pending, line...), '\n')
	j.wake.Signal()
	return nil
}

// write writes and syncs the queued lines until Close, each batch in one write and one sync.
func (j *JournalFile) write() {
	defer close(j.done)
	j.mu.Lock()
	defer j.mu.Unlock()
	for {
		for len(j.pending) == 0 && !j.closing {
			j.wake.Wait()
		}
		if len(j.pending) == 0 || j.err != nil {
			return // closing, and everything is written (or cannot be)
		}
		batch := j.pending
		j.pending = j.spare[:0]
		j.mu.Unlock()
		_, err := j.f.Write(batch)
		if err == nil {
			err = j.f.Sync()
		}
		j.mu.Lock()
		j.spare = batch
		if err != nil {
			j.err = fmt.Errorf("bulk: writing the results file: %w", err)
		}
		j.room.Broadcast()
	}
}

// Close writes and syncs the outcomes still queued, and closes the file. It returns the first
// error met writing the file.
func (j *JournalFile) Close() error {
	j.mu.Lock()
	j.closing = true
	j.wake.Signal()
	j.room.Broadcast()
	j.mu.Unlock()
	<-j.done
	unlock(j.f)
	err := j.f.Close()
	if j.err != nil {
		return j.err
	}
	return err
}

// History is what a results file says about each row: its last outcome, or that it was in
// flight (sent, no outcome after), and the fingerprint and customer of the row it was. It
// keeps 17 bytes per row.
type History struct {
	states       []byte   // by row number: index into historyStatuses
	fingerprints []uint64 // by row number
	customers    []uint64 // by row number: customerOf the row
	last         int      // the highest row number recorded
	lines        int      // the result lines read
	path         string   // the file, read again to say what a row was (recorded)
}

var historyStatuses = [...]Status{"", Sending, Applied, Refused, Invalid, Uncertain}

// maxRowJump bounds how far past the number of lines read so far a line's row number may be:
// every row taken is recorded in order, a few per worker at a time, so a larger row is a damaged
// line. Bounding by lines, not by the last row, keeps History's memory to what the file holds.
const maxRowJump = 1 << 20

// ReadHistory reads a results file; a file that does not exist is an empty history. A file
// that does not start with the header is ErrNotResults; a damaged line is an error naming it,
// but a last line cut short (the process died writing it) is ignored.
func ReadHistory(path string) (*History, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &History{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bulk: reading the results file: %w", err)
	}
	defer f.Close()
	h := &History{path: path}
	r := bufio.NewReaderSize(f, 64<<10)
	for n := 1; ; n++ {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			var long []byte
			long, err = readLong(r, line)
			line = long
		}
		switch {
		case err == io.EOF && n == 1 && len(line) == 0:
			return h, nil // empty: a run that stopped before writing anything
		case n == 1 && string(line) != journalHeader+"\n":
			return nil, fmt.Errorf("%w: %s does not start with %s", ErrNotResults, path, journalHeader)
		case err == io.EOF:
			return h, nil // a last line without its newline was cut short
		case err != nil:
			return nil, fmt.Errorf("bulk: reading the results file: %w", err)
		case n == 1:
			continue
		}
		if err := h.read(line); err != nil {
			return nil, fmt.Errorf("bulk: %s line %d: %w", path, n, err)
		}
	}
}

// read records one line of a results file.
func (h *History) read(line []byte) error {
	h.lines++
	var entry sendingLine // its row, status, customer and fingerprint: what every line has
	if err := json.Unmarshal(line, &entry); err != nil {
		return &damagedLine{err: err}
	}
	fp, err := strconv.ParseUint(entry.Fingerprint, 16, 64)
	switch {
	case entry.Row < 1:
		return errors.New("not a result line: no row number")
	case entry.Row > h.lines+maxRowJump:
		return fmt.Errorf("row %d is out of sequence: the lines before reach row %d", entry.Row, h.last)
	case !entry.Status.Final() && entry.Status != Sending:
		return fmt.Errorf("status %q is not one of sending, applied, refused, invalid, uncertain", entry.Status)
	case err != nil:
		return fmt.Errorf("fingerprint %q is not a row's fingerprint", entry.Fingerprint)
	}
	row := Row{UserID: entry.UserID}
	if entry.Identifier != nil {
		row.Identifier = *entry.Identifier
	}
	h.set(entry.Row, entry.Status, fp, customerOf(&row))
	return nil
}

// damagedLine is a line that is not JSON of a result line, said in a reader's words rather than
// Go's types; errors.As still finds encoding/json's error.
type damagedLine struct{ err error }

func (e *damagedLine) Error() string {
	why := jsonProblem(e.err, "an object")
	if strings.HasPrefix(why, "is ") {
		why = "it " + why
	}
	return "not a result line: " + why
}

func (e *damagedLine) Unwrap() error { return e.err }

// readLong reads the rest of a line longer than the reader's buffer.
func readLong(r *bufio.Reader, start []byte) ([]byte, error) {
	line := append([]byte(nil), start...)
	for {
		more, err := r.ReadSlice('\n')
		line = append(line, more...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return line, err
		}
	}
}

func (h *History) set(row int, s Status, fingerprint, customer uint64) {
	if row >= len(h.states) {
		grow := row + 1 - len(h.states)
		h.states = append(h.states, make([]byte, grow)...)
		h.fingerprints = append(h.fingerprints, make([]uint64, grow)...)
		h.customers = append(h.customers, make([]uint64, grow)...)
	}
	for i, known := range historyStatuses {
		if known == s {
			h.states[row] = byte(i)
		}
	}
	h.fingerprints[row], h.customers[row] = fingerprint, customer
	h.last = max(h.last, row)
}

// recorded returns the customer the results file's last line of row names, or "" when it cannot
// tell: what a refused resume shows of the row that was.
func (h *History) recorded(row int) string {
	f, err := os.Open(h.path)
	if err != nil {
		return ""
	}
	defer f.Close()
	who := ""
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var line sendingLine
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Row == row {
			who = customerText(line.UserID, line.Identifier)
		}
	}
	return who
}

// Last returns the highest row number the file records; 0 when it records none.
func (h *History) Last() int { return h.last }

// Status returns the row's last status: a final one, Sending when it was in flight, or "" when
// the file does not mention it.
func (h *History) Status(row int) Status {
	if row < 1 || row >= len(h.states) {
		return ""
	}
	return historyStatuses[h.states[row]]
}
