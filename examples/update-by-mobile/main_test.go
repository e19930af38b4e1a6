package main

import (
	"testing"

	"github.com/capillary-go/capillary/examples/internal/exampleenv"
)

// TestRunsOffline runs the example against the embedded fake, as a fresh clone does.
func TestRunsOffline(t *testing.T) {
	t.Setenv("CAPILLARY_BASE_URL", "")
	t.Setenv("CAPILLARY_REGION", "")
	t.Setenv("CAPILLARY_MOBILE", "")
	if err := exampleenv.Run(false, run); err != nil {
		t.Fatal(err)
	}
}
