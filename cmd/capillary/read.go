package main

import "context"

// get prints a customer by user id. It needs the SDK's Customers.Get (issue 9).
func (a *app) get(context.Context, []string) (int, error) {
	return 0, usagef("customers get is not available yet")
}

// lookup prints a customer by identifier. It needs the SDK's Customers.Lookup (issue 9).
func (a *app) lookup(context.Context, []string) (int, error) {
	return 0, usagef("customers lookup is not available yet")
}
