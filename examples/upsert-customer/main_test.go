package main

import (
	"testing"

	"github.com/capillary-go/capillary/examples/internal/exampletest"
)

// TestRunsOffline runs the example against the embedded fake, as a fresh clone does.
func TestRunsOffline(t *testing.T) {
	t.Setenv("CAPILLARY_MOBILE", "")
	t.Setenv("CAPILLARY_EMAIL", "")
	exampletest.RunOffline(t, false, run)
}

// TestRunsTwiceAgainstOneServer runs it twice against one server: the second run finds the
// customer the first created, and creates nothing.
func TestRunsTwiceAgainstOneServer(t *testing.T) {
	t.Setenv("CAPILLARY_MOBILE", "")
	t.Setenv("CAPILLARY_EMAIL", "")
	exampletest.RunTwice(t, false, run)
}
