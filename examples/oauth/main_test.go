package main

import (
	"testing"

	"github.com/capillary-go/capillary/examples/internal/exampletest"
)

// TestRunsOffline runs the example against the embedded fake, as a fresh clone does.
func TestRunsOffline(t *testing.T) { exampletest.RunOffline(t, true, run) }

// TestRunsTwiceAgainstOneServer runs it twice against one server, as against a standalone
// capillary-fake: it can be run again.
func TestRunsTwiceAgainstOneServer(t *testing.T) { exampletest.RunTwice(t, true, run) }
