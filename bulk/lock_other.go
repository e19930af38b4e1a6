//go:build !unix

package bulk

import "os"

// lock does nothing where flock(2) is not available.
func lock(*os.File) error { return nil }

// unlock does nothing where lock does nothing.
func unlock(*os.File) {}
