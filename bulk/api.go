package bulk

import (
	"context"
	"errors"
	"fmt"

	"github.com/capillary-go/capillary"
)

// API is what a Runner calls: SDK adapts the SDK's customers service; tests give their own.
// Its methods are called from several goroutines at once.
type API interface {
	// Update sends the row's update once, by user id or by identifier, without retrying: the
	// Runner retries, so that it sees every 429 and 521.
	Update(ctx context.Context, row *Row, params *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerResponse, error)
	// Read returns what the customer the row addresses holds now, in the shape of an update
	// body (names, fields and channels of the source's profile, loyalty type, extended fields,
	// enrolments), to compare with the row after an answer was lost. It may retry.
	Read(ctx context.Context, row *Row, params *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerRequest, error)
	// Validate checks the row's update offline, as Update would, and sends nothing.
	Validate(row *Row, params *capillary.UpdateCustomerParams) []Problem
}

// ErrCannotRead is returned by API.Read when the API has no way to read a customer: rows
// whose answer is lost stay uncertain.
var ErrCannotRead = errors.New("bulk: reading customers back is not available")

// noRetries turns the SDK's retries off for one update: the Runner does its own.
var noRetries = capillary.WithRetries(0, 0, 0)

// SDK adapts the SDK's customers service (a Client's Customers) to API.
func SDK(customers capillary.CustomersAPI) API { return sdk{customers} }

type sdk struct{ customers capillary.CustomersAPI }

func (s sdk) Update(ctx context.Context, row *Row, params *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerResponse, error) {
	return s.update(ctx, row, params, noRetries)
}

func (s sdk) update(ctx context.Context, row *Row, params *capillary.UpdateCustomerParams, opts ...capillary.Option) (*capillary.UpdateCustomerResponse, error) {
	if row.byIdentifier() {
		return nil, fmt.Errorf("bulk: row %d: updates by identifier need Customers.UpdateByIdentifier: %w", row.Number, capillary.ErrInvalidRequest)
	}
	return s.customers.Update(ctx, row.UserID, row.Body, params, opts...)
}

func (s sdk) Read(ctx context.Context, row *Row, params *capillary.UpdateCustomerParams) (*capillary.UpdateCustomerRequest, error) {
	return nil, ErrCannotRead
}

// Validate calls Update with a context that is already over: the SDK checks the arguments
// first and reports every problem in a *capillary.ValidationError, and a call whose context
// is over sends nothing.
func (s sdk) Validate(row *Row, params *capillary.UpdateCustomerParams) []Problem {
	_, err := s.update(over, row, params)
	return problemsOf(err)
}

// over is a context that is already over, for Validate.
var over = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// problemsOf turns the SDK's validation error into problems; other errors are none.
func problemsOf(err error) []Problem {
	var ve *capillary.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	out := make([]Problem, len(ve.Problems))
	for i, p := range ve.Problems {
		out[i] = Problem{Field: p.Field, Problem: p.Problem}
	}
	return out
}
