package main

import (
	"testing"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/capillarytest"
	"github.com/capillary-go/capillary/examples/internal/exampleenv"
	"github.com/capillary-go/capillary/examples/internal/exampletest"
)

// TestRunsOffline runs the example against the embedded fake, as a fresh clone does.
func TestRunsOffline(t *testing.T) {
	t.Setenv("CAPILLARY_BASE_URL", "")
	t.Setenv("CAPILLARY_REGION", "")
	if err := exampleenv.Run(false, run); err != nil {
		t.Fatal(err)
	}
}

// When the connection drops before the fake applied the update, the read back finds it
// missing and the update is sent again: afterwards the customer has it.
func TestResendsWhenNotApplied(t *testing.T) {
	t.Setenv("CAPILLARY_BASE_URL", "")
	t.Setenv("CAPILLARY_REGION", "")
	err := exampleenv.Run(false, func(env *exampleenv.Env, c *capillary.Client) error {
		if err := runWith(env, c, capillarytest.DropConnection()); err != nil {
			return err
		}
		if got, _ := env.Fake.Customer(env.UserID); got.FirstName != "Becky" {
			t.Errorf("first name %q after the resend, want Becky", got.FirstName)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRunsTwiceAgainstOneServer runs it twice against one server, as against a standalone
// capillary-fake: it can be run again.
func TestRunsTwiceAgainstOneServer(t *testing.T) { exampletest.RunTwice(t, false, run) }
