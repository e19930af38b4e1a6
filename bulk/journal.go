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
	"sync"
)

// JournalFile writes a run's results as JSON lines, one per row outcome, with a line
// {"row":N,"status":"sending"} before a row is first sent. It is the Journal of the capillary
// command, and the file ReadHistory reads to resume.
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

// OpenJournal opens path for appending results, creating it if need be, and locks it (on Unix)
// against another run while it is open. A last line cut short (the process died while writing
// it) is removed first, so that the next line starts clean.
func OpenJournal(path string) (*JournalFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("bulk: opening the results file: %w", err)
	}
	if err := lock(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("bulk: results file %s: %w", path, err)
	}
	end, err := completeLength(f)
	if err == nil {
		err = f.Truncate(end)
	}
	if err == nil {
		_, err = f.Seek(end, io.SeekStart)
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("bulk: preparing the results file %s: %w", path, err)
	}
	j := &JournalFile{f: f, done: make(chan struct{})}
	j.wake.L, j.room.L = &j.mu, &j.mu
	go j.write()
	return j, nil
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

// Sending records that row is about to be sent.
func (j *JournalFile) Sending(row int) error {
	if err := j.failed(); err != nil {
		return err
	}
	line := make([]byte, 0, 40)
	line = append(line, `{"row":`...)
	line = strconv.AppendInt(line, int64(row), 10)
	line = append(line, `,"status":"sending"}`+"\n"...)
	// One write(2) of the whole line: os.File serialises writes, so lines never interleave.
	if _, err := j.f.Write(line); err != nil {
		return fmt.Errorf("bulk: writing the results file: %w", err)
	}
	return nil
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
	err := j.f.Close()
	if j.err != nil {
		return j.err
	}
	return err
}

// History is what a results file says about each row: its last outcome, or that it was in
// flight (sent, no outcome after). It keeps one byte per row.
type History struct {
	states []byte // by row number: index into historyStatuses
}

var historyStatuses = [...]Status{"", Sending, Applied, Refused, Invalid, Uncertain}

// ReadHistory reads a results file; a file that does not exist is an empty history. A last
// line cut short is ignored; any other line that is not a result is an error.
func ReadHistory(path string) (*History, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &History{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bulk: reading the results file: %w", err)
	}
	defer f.Close()
	h := &History{}
	r := bufio.NewReaderSize(f, 64<<10)
	for n := 1; ; n++ {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			var long []byte
			long, err = readLong(r, line)
			line = long
		}
		if err == io.EOF {
			return h, nil // a last line without its newline was cut short
		}
		if err != nil {
			return nil, fmt.Errorf("bulk: reading the results file: %w", err)
		}
		var entry struct {
			Row    int    `json:"row"`
			Status Status `json:"status"`
		}
		if err := json.Unmarshal(line, &entry); err != nil || entry.Row < 1 || (!entry.Status.Final() && entry.Status != Sending) {
			return nil, fmt.Errorf("bulk: %s line %d is not a result line", path, n)
		}
		h.set(entry.Row, entry.Status)
	}
}

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

func (h *History) set(row int, s Status) {
	if row >= len(h.states) {
		h.states = append(h.states, make([]byte, row+1-len(h.states))...)
	}
	for i, known := range historyStatuses {
		if known == s {
			h.states[row] = byte(i)
		}
	}
}

// Status returns the row's last status: a final one, Sending when it was in flight, or "" when
// the file does not mention it.
func (h *History) Status(row int) Status {
	if row < 1 || row >= len(h.states) {
		return ""
	}
	return historyStatuses[h.states[row]]
}
