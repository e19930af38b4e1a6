package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/capillary-go/capillary"
)

const getHelp = `Usage: capillary customers get USERID [--source SOURCE] [--account-id ID] [--embed points,mlp,...]

Prints the customer as the vendor answers GET /v2/customers/{id}, as JSON on stdout: what an
operator checks after a bulk update (the results file gives each row's userId).

Examples:
  capillary customers get 171891944
  capillary customers get 171891944 --source ALL --embed points,mlp

Exit status: 0 when the customer was read, 1 when not (not found, refused), 2 for a mistake in
the command line or the environment, or an answer every call would get (credentials the vendor
refuses, a host that does not exist, a certificate that does not verify, https to an http server).
`

const lookupHelp = `Usage: capillary customers lookup --mobile M | --email E | --external-id X | --cardnumber C [--source SOURCE] [--account-id ID] [--embed ...]

Prints the customer that an identifier names, as the vendor answers
GET /v2/customers/lookup/customerDetails, as JSON on stdout. The vendor needs --account-id for
every source but INSTORE.

Examples:
  capillary customers lookup --mobile 919999000001
  capillary customers lookup --cardnumber TTM001110000000002ZS --embed mlp
  capillary customers lookup --email tom@example.com --source WECHAT --account-id wx-1 --embed points

Exit status: 0 when the customer was read, 1 when not (not found, refused), 2 for a mistake in
the command line or the environment, or an answer every call would get (credentials the vendor
refuses, a host that does not exist, a certificate that does not verify, https to an http server).
`

// readFlags are the flags get and lookup share.
type readFlags struct {
	source, accountID, embed string
}

func (r *readFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&r.source, "source", string(capillary.SourceInstore), "the `SOURCE` whose profile is read, or ALL")
	fs.StringVar(&r.accountID, "account-id", "", "the source's account `ID`")
	fs.StringVar(&r.embed, "embed", "", "`parts` to add, comma-separated: points, mlp, subscriptions, ...")
}

func (r *readFlags) params() *capillary.GetCustomerParams {
	p := &capillary.GetCustomerParams{Source: sourceNamed(r.source), AccountID: r.accountID}
	for _, e := range strings.Split(r.embed, ",") {
		if e = strings.TrimSpace(e); e != "" {
			p.Embed = append(p.Embed, capillary.Embed(e))
		}
	}
	return p
}

// get prints a customer by user id.
func (a *app) get(ctx context.Context, args []string) (int, error) {
	var r readFlags
	fs := a.flagSet("customers get")
	r.register(fs)
	// The user id may come before the flags: "get 171891944 --source ALL".
	var userID string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		userID, args = args[0], args[1:]
	}
	if err := a.parse(fs, getHelp, args); err != nil {
		return 0, err
	}
	if userID == "" && fs.NArg() > 0 {
		userID = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return 0, usagef("customers get: unexpected argument %q", fs.Arg(0))
	}
	if userID == "" {
		return 0, usagef("customers get: give the customer's user id")
	}
	return a.read(func(c capillary.CustomersAPI) (*capillary.Customer, error) { return c.Get(ctx, userID, r.params()) })
}

// lookup prints a customer by identifier.
func (a *app) lookup(ctx context.Context, args []string) (int, error) {
	var r readFlags
	var mobile, email, externalID, cardNumber string
	fs := a.flagSet("customers lookup")
	fs.StringVar(&mobile, "mobile", "", "the customer's mobile `number`, with the country code")
	fs.StringVar(&email, "email", "", "the customer's email `address`")
	fs.StringVar(&externalID, "external-id", "", "the customer's external `id`")
	fs.StringVar(&cardNumber, "cardnumber", "", "the `number` of one of the customer's cards")
	r.register(fs)
	if err := a.parse(fs, lookupHelp, args); err != nil {
		return 0, err
	}
	if fs.NArg() > 0 {
		return 0, usagef("customers lookup: unexpected argument %q", fs.Arg(0))
	}
	var ids []capillary.Identifier
	for _, id := range []capillary.Identifier{
		{Type: capillary.IdentifierMobile, Value: mobile},
		{Type: capillary.IdentifierEmail, Value: email},
		{Type: capillary.IdentifierExternalID, Value: externalID},
		{Type: capillary.IdentifierCardNumber, Value: cardNumber},
	} {
		if id.Value != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return 0, usagef("customers lookup: give --mobile, --email, --external-id or --cardnumber")
	}
	return a.read(func(c capillary.CustomersAPI) (*capillary.Customer, error) { return c.Lookup(ctx, ids, r.params()) })
}

// read reads a customer with the client and prints it as indented JSON, or the error: a
// refusal of the arguments is a usage error.
func (a *app) read(read func(capillary.CustomersAPI) (*capillary.Customer, error)) (int, error) {
	c, err := a.client()
	if err != nil {
		return 0, err
	}
	cust, err := read(c.Customers)
	if errors.Is(err, capillary.ErrInvalidRequest) {
		return 0, usagef("%w", err)
	}
	if err != nil {
		return 0, a.everyCallFails(err)
	}
	out, err := json.MarshalIndent(cust, "", "  ")
	if err != nil {
		return 0, fmt.Errorf("encoding the customer: %w", err)
	}
	fmt.Fprintf(a.stdout, "%s\n", out)
	return exitOK, nil
}
