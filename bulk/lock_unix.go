//go:build unix

package bulk

import (
	"errors"
	"os"
	"syscall"
)

// errLocked says that another process holds the results file.
var errLocked = errors.New("another run is writing it (two runs on one results file would send rows twice)")

// lock takes an exclusive lock on f for as long as it is open, or fails at once.
func lock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return err
}

// unlock releases the lock before f is closed: a child process forked meanwhile (by another
// goroutine) shares f until it execs, and close alone would leave the lock held until then.
func unlock(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
