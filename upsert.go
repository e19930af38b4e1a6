package capillary

import (
	"context"
	"errors"
	"fmt"
)

// ErrIdentifierConflict matches an Upsert refused because the body's identifiers name two
// different customers: it does not choose one of them.
var ErrIdentifierConflict = errors.New("capillary: identifiers name different customers")

// One upsert, top to bottom: look the customer up by each of the body's identifiers; update it
// by id when found; create it otherwise. A create refused because the customer exists (8006,
// 8028: created in between) updates that customer; a create whose answer was lost is settled
// by looking up again, so the customer is never created twice.

func (s *customersService) Upsert(ctx context.Context, body *CreateCustomerRequest, params *CreateCustomerParams, opts ...Option) (*UpsertCustomerResponse, error) {
	if problems := validateUpsert(body, params); len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	params = upsertParams(body, params)
	u := &upsert{s: s, body: body, params: params, opts: opts, res: &UpsertCustomerResponse{}}
	id, err := u.find(ctx)
	switch {
	case err != nil:
		return nil, err
	case id != "":
		return u.update(ctx, id, false)
	}
	return u.create(ctx)
}

// upsert is one Upsert's arguments and what it has sent so far.
type upsert struct {
	s      *customersService
	body   *CreateCustomerRequest
	params *CreateCustomerParams
	opts   []Option
	res    *UpsertCustomerResponse // Attempts counts every call's attempts
}

// find looks the customer up by each identifier Lookup takes, in the body's order, and
// returns its id, or "" when no identifier names a customer. Identifiers naming different
// customers are refused.
func (u *upsert) find(ctx context.Context) (ID, error) {
	var found ID
	var foundBy Identifier
	get := &GetCustomerParams{Source: u.params.Source, AccountID: u.params.AccountID}
	for _, id := range upsertLookupIDs(u.body) {
		c, err := u.s.Lookup(ctx, []Identifier{id}, get, u.opts...)
		switch {
		case err == nil:
			u.res.Attempts += c.Attempts
		case errors.Is(err, ErrCustomerNotFound):
			u.res.Attempts += errAttempts(err)
			continue
		default:
			return "", fmt.Errorf("capillary: upsert: looking up %s %s: %w", id.Type, id.Value, err)
		}
		if other := otherCustomer(c); other != "" {
			return "", fmt.Errorf("capillary: upsert: %s %s names customer %s and customer %s (a profile of the answer); refusing to choose: %w",
				id.Type, id.Value, c.ID, other, ErrIdentifierConflict)
		}
		if found != "" && c.ID != found {
			return "", fmt.Errorf("capillary: upsert: %s %s names customer %s and %s %s names customer %s on source %s; refusing to choose: %w",
				foundBy.Type, foundBy.Value, found, id.Type, id.Value, c.ID, u.params.Source, ErrIdentifierConflict)
		}
		found, foundBy = c.ID, id
	}
	return found, nil
}

// otherCustomer is the user id of a profile of c that is not c's, or "": a look-up answer whose
// profiles belong to two customers.
func otherCustomer(c *Customer) ID {
	for _, p := range c.Profiles {
		if p.UserID != "" && p.UserID != c.ID {
			return p.UserID
		}
	}
	return ""
}

// create adds the customer. A create refused because the customer exists updates it; one
// whose answer was lost is looked up: found, it was applied; not found, it is sent once more.
func (u *upsert) create(ctx context.Context) (*UpsertCustomerResponse, error) {
	for round := 1; ; round++ {
		res, err := u.s.Create(ctx, u.body, u.params, u.opts...)
		u.res.Attempts += errAttempts(err)
		switch {
		case err == nil:
			u.res.Attempts += res.Attempts
			u.res.Created, u.res.CustomerID = true, res.CreatedID
			u.res.Warnings, u.res.SideEffects = res.Warnings, res.SideEffects
			u.res.StatusCode, u.res.RequestID = res.StatusCode, res.RequestID
			return u.res, nil
		case errors.Is(err, ErrCustomerExists):
			// Created in between: Create never sends again after an attempt that may have been
			// applied, so this is not the echo of this call's own create.
			id, named := ExistingCustomerID(err)
			if !named { // 8028 names no id
				var findErr error
				switch id, findErr = u.find(ctx); {
				case findErr != nil:
					return nil, fmt.Errorf("%w (and looking the existing customer up failed: %w)", err, findErr)
				case id == "":
					return nil, fmt.Errorf("%w (and no identifier finds the existing customer)", err)
				}
			}
			return u.update(ctx, id, false)
		case !isUncertain(err):
			return nil, err
		}
		id, findErr := u.find(ctx)
		switch {
		case findErr != nil:
			return nil, fmt.Errorf("%w (and settling it by looking the customer up failed: %w)", err, findErr)
		case id != "":
			u.res.Created, u.res.CustomerID = true, id
			return u.res, nil
		case round == 2:
			return nil, fmt.Errorf("%w (looked up after each attempt: not applied)", notApplied(err))
		}
	}
}

// notApplied is err, the error of a create that a look-up found was not applied, with its
// Uncertain cleared.
func notApplied(err error) error {
	var (
		apiErr *APIError
		reqErr *RequestError
	)
	switch {
	case errors.As(err, &apiErr):
		settled := *apiErr
		settled.Uncertain = false
		return &settled
	case errors.As(err, &reqErr):
		settled := *reqErr
		settled.Uncertain = false
		return &settled
	}
	return err
}

// update updates customer id with the body's update fields (see CreateCustomerRequest.update).
func (u *upsert) update(ctx context.Context, id ID, created bool) (*UpsertCustomerResponse, error) {
	params := &UpdateCustomerParams{Source: u.params.Source, AccountID: u.params.AccountID, MLPSingleEnroll: u.params.MLPSingleEnroll}
	res, err := u.s.Update(ctx, string(id), u.body.update(), params, u.opts...)
	if err != nil {
		return nil, fmt.Errorf("capillary: upsert: updating customer %s: %w", id, err)
	}
	u.res.Attempts += res.Attempts
	u.res.Created, u.res.CustomerID = created, id
	u.res.Warnings, u.res.SideEffects = res.Warnings, res.SideEffects
	u.res.StatusCode, u.res.RequestID = res.StatusCode, res.RequestID
	return u.res, nil
}

// errAttempts is how many attempts a failed call made.
func errAttempts(err error) int {
	var (
		apiErr *APIError
		reqErr *RequestError
	)
	switch {
	case errors.As(err, &apiErr):
		return apiErr.Attempts
	case errors.As(err, &reqErr):
		return reqErr.Attempts
	}
	return 0
}
