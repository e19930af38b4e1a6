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
	t.Setenv("CAPILLARY_MOBILE", "")
	if err := exampleenv.Run(false, run); err != nil {
		t.Fatal(err)
	}
}

// TestRunsTwiceAgainstOneServer runs it twice against one server that has the customer, as a
// standalone capillary-fake would: it can be run again.
func TestRunsTwiceAgainstOneServer(t *testing.T) {
	t.Setenv("CAPILLARY_MOBILE", defaultMobile)
	exampletest.RunTwice(t, false, run, capillarytest.Customer{
		ID: "342963216",
		Profile: capillarytest.Profile{
			Source:       string(capillary.SourceInstore),
			CommChannels: []capillarytest.CommChannel{{Type: string(capillary.ChannelMobile), Value: defaultMobile, Primary: true}},
		},
	})
}
