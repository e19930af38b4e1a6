//go:build unix

package benchmarks

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used so far, user and system, over all its threads
// (the in-process server's and the garbage collector's included).
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
