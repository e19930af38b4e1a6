package capillary

import (
	"slices"
	"strconv"
	"strings"
)

// validateCreate checks every argument of a create and returns every problem found. The
// vendor requires each profile's source; the query's (params.Source) is optional, as its add
// page documents, but a create with neither is refused naming both.
func validateCreate(body *CreateCustomerRequest, params *CreateCustomerParams) []FieldError {
	var p problems
	switch {
	case params != nil && params.Source != "":
		checkSource(&p, params.Source, params.AccountID, sources, "the add")
	case body == nil || len(body.Profiles) == 0 || slices.ContainsFunc(body.Profiles, func(prof Profile) bool { return prof.Source == "" }):
		p.add("params.source", "is required, or each profile's source: none is given")
	case params != nil && params.AccountID != "":
		p.add("params.accountId", "is given without params.source")
	}
	checkCreateBody(&p, body)
	return p
}

// validateUpsert checks the arguments of an upsert: those of the create, and what its look-up
// needs (an identifier and a source Lookup takes, and an account id on every source but
// INSTORE).
func validateUpsert(body *CreateCustomerRequest, params *CreateCustomerParams) []FieldError {
	p := problems(validateCreate(body, params))
	params = upsertParams(body, params)
	hasIdentifiers := body != nil && slices.ContainsFunc(body.Profiles, func(prof Profile) bool { return len(prof.Identifiers) > 0 })
	if hasIdentifiers && len(upsertLookupIDs(body)) == 0 {
		p.add("profiles", "hold no identifier Upsert can look up (%s, without a comma)", listOf(lookupIdentifierTypes))
	}
	if params != nil && params.Source != "" && body != nil {
		checkOneSource(&p, body, params)
	}
	switch {
	case params == nil || !params.Source.Valid():
	case !slices.Contains(upsertSources, params.Source):
		p.add("params.source", "%s: an upsert looks the customer up on its source, and the vendor's lookup takes %s only; use Create there", params.Source, listOf(upsertSources))
	case params.AccountID == "" && params.Source != SourceInstore:
		p.add("params.accountId", "is required for an upsert on source %s: its look-up needs it (every source but INSTORE)", params.Source)
	}
	return p
}

// checkOneSource refuses an upsert profile on another source or account than the upsert's: it
// would be created there, but looked up and updated on the upsert's (the vendor warns that
// wrong source info can corrupt data).
func checkOneSource(p *problems, body *CreateCustomerRequest, params *CreateCustomerParams) {
	const why = "an upsert looks the customer up, creates and updates it on one source and account"
	for i, prof := range body.Profiles {
		switch {
		case prof.Source != "" && prof.Source != params.Source:
			p.add(profilePath(i, "source"), "%s is not the upsert's source %s: %s", prof.Source, params.Source, why)
		case prof.AccountID != "" && params.AccountID != "" && prof.AccountID != params.AccountID:
			p.add(profilePath(i, "accountId"), "%q is not the upsert's account %q: %s", prof.AccountID, params.AccountID, why)
		}
	}
}

// upsertParams are the params an upsert goes by: params, or, when they name no source, the
// first profile's source and account.
func upsertParams(body *CreateCustomerRequest, params *CreateCustomerParams) *CreateCustomerParams {
	if params != nil && params.Source != "" || body == nil || len(body.Profiles) == 0 {
		return params
	}
	p := &CreateCustomerParams{}
	if params != nil {
		*p = *params
	}
	p.Source, p.AccountID = body.Profiles[0].Source, body.Profiles[0].AccountID
	return p
}

// upsertSources are the sources an upsert takes: those of the add that Lookup takes too.
var upsertSources = slices.DeleteFunc(slices.Clone(sources), func(s Source) bool { return !slices.Contains(lookupSources, s) })

// checkCreateBody checks an add body: at least one profile, each with identifiers and a source,
// and each field as the update checks it.
func checkCreateBody(p *problems, body *CreateCustomerRequest) {
	if body == nil {
		p.add("body", "is required")
		return
	}
	if len(body.Profiles) == 0 {
		p.add("profiles", "must hold the customer's profile, with its identifiers and source")
	}
	for i, prof := range body.Profiles {
		if len(prof.Identifiers) == 0 {
			p.add(profilePath(i, "identifiers"), "must hold at least one identifier (mobile, email, externalId, ...)")
		}
		for j, id := range prof.Identifiers {
			checkAddIdentifier(p, profilePath(i, "identifiers["+strconv.Itoa(j)+"]"), id)
		}
		switch {
		case prof.Source == "":
			p.add(profilePath(i, "source"), "is required: the source the customer is registered on, such as INSTORE")
		case !prof.Source.Valid():
			p.add(profilePath(i, "source"), "%q is not a source the add accepts (%s)", string(prof.Source), listOf(sources))
		}
	}
	checkBodyFields(p, body.update())
	if len(*p) > 0 {
		checkUTF8(p, body) // refused anyway: list invalid UTF-8 too; otherwise encode finds it
	}
}

// checkAddIdentifier checks one identifier of an add body: any type the vendor documents.
func checkAddIdentifier(p *problems, path string, id Identifier) {
	switch {
	case id.Type == "":
		p.add(path+".type", "is required")
	case !id.Type.Valid():
		p.add(path+".type", "%q is not an identifier type the vendor documents (%s)", string(id.Type), listOf(identifierTypes))
	}
	if strings.TrimSpace(id.Value) == "" {
		p.add(path+".value", "must not be empty")
	}
}

// upsertLookupIDs are the identifiers Upsert looks up: those of every profile that Lookup
// takes, in the body's order, each once. A value with a comma cannot go into the look-up's
// comma-separated query and is left out.
func upsertLookupIDs(body *CreateCustomerRequest) []Identifier {
	var ids []Identifier
	for _, prof := range body.Profiles {
		for _, id := range prof.Identifiers {
			usable := slices.Contains(lookupIdentifierTypes, id.Type) && strings.TrimSpace(id.Value) != "" && !strings.Contains(id.Value, ",")
			if usable && !slices.ContainsFunc(ids, func(have Identifier) bool { return have.Type == id.Type && have.Value == id.Value }) {
				ids = append(ids, Identifier{Type: id.Type, Value: id.Value})
			}
		}
	}
	return ids
}
