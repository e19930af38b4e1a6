package main

import "testing"

// TestRunsOffline runs the example against the embedded fake, as a fresh clone does.
func TestRunsOffline(t *testing.T) {
	t.Setenv("CAPILLARY_BASE_URL", "")
	t.Setenv("CAPILLARY_REGION", "")
	if err := run(); err != nil {
		t.Fatal(err)
	}
}
