package capillarytest

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// This file is the fake's one table of the vendor's rules. A call runs the rows of its endpoint
// in table order: the request rows, then, with the stored customer in hand, the customer rows
// (only when the request rows found no error). A warning row lets the call go on and answers
// with its warning; an error row that finds something refuses the call, nothing is stored, and
// the answer lists every error found (a halting row ends the checks: later rows need what it
// found wrong). The package doc's rule list is this table (TestDocListsEveryRule). To add a
// rule, add a row where it is checked; to add an endpoint, add its bit and its route in
// routes.go, and the bit to the rows that apply to it.

// rule is one row of the table.
type rule struct {
	code     int
	message  string   // the vendor's text for code; {x} is replaced by what the rule is about
	source   string   // the keys of the vendor's pages that document the rule; "" when it is the fake's own
	warning  bool     // the call goes on and answers with the warning; else the call is refused
	on       endpoint // the endpoints the rule applies to
	customer bool     // checked with the stored customer in hand (c.cust); else before
	halts    bool     // a refusal stops the checks: the later rows need what this one found wrong
	status   int      // the HTTP status of a refusal; 0 is 400
	says     string   // the rule in a sentence, for the package doc
	check    func(c *call)
}

// rules is the table, in the order the rows are checked.
func rules() []rule {
	return []rule{
		{code: 401, message: "Authentication failed", source: "BASIC, OAUTH, ERR", on: v2, halts: true, status: 401,
			says:  "Authorization: Basic base64(till:md5hex(password)), the digest in lower-case hex, or X-CAP-API-OAUTH-TOKEN with a live token the server issued (Authorization is then not looked at); the refusal says what was wrong, never repeating a credential",
			check: checkAuth},
		{code: 400, message: invalidInput, source: "OAUTH (the code is the fake's)", on: v2, halts: true,
			says:  "X-CAP-API-ATTRIBUTION-ENTITY-TYPE, on an OAuth call, is one of " + attributionList,
			check: checkAttribution},
		{code: 415, message: "Unsupported media type", source: "ERR", on: writes, halts: true, status: 415,
			says: "the body is sent as Content-Type: application/json (a charset, if any, UTF-8)",
			check: func(c *call) {
				if !isJSON(c.r.Header.Get("Content-Type")) {
					c.refuse("send the body as Content-Type: application/json")
				}
			}},
		{code: 400, message: invalidInput, on: writes, halts: true,
			says: "the body is at most 1 MiB",
			check: func(c *call) {
				if c.tooLarge {
					c.refuse("the body is larger than %d bytes", c.s.cfg.maxBodyBytes)
				}
			}},
		{code: 400, message: invalidInput, source: "OAUTH (the code is the fake's)", on: postToken, halts: true,
			says:  `the body is {"key":"...","secret":"..."}, both strings`,
			check: func(c *call) { c.refuseAll(c.shape) }},
		{code: 320001, message: "Invalid client key and secret", source: "OAUTH (the HTTP status is the fake's)", on: postToken, status: 401,
			says:  "the key and secret are those of an OAuth client of the server (WithOAuthClient)",
			check: checkClient},
		{code: 8003, message: "Invalid source passed", source: "SC, UPD, UCS", on: updates,
			says:  "source, in the query and in each profiles[] entry that names one, is one of " + sourceList + ", so spelled; the query's is required",
			check: checkUpdateSources},
		{code: 8003, message: "Invalid source passed", source: "ADD, SC", on: postAdd,
			says:  "each profiles[] entry of an add names its source, one of the update's; the query's source, when given, is one too",
			check: checkAddSources},
		{code: 400, message: invalidInput, on: updates,
			says:  "use_async and mlp_single_enroll, when given, are true or false (any case)",
			check: func(c *call) { c.boolParams("use_async", "mlp_single_enroll") }},
		{code: 400, message: invalidInput, on: postAdd,
			says:  "mlp_single_enroll and rawSideEffects, when given, are true or false (any case)",
			check: func(c *call) { c.boolParams("mlp_single_enroll", "rawSideEffects") }},
		{code: 400, message: invalidInput, on: putByLookup,
			says: "the update by lookup takes no mlp_single_enroll (OLD and UL do not list it)",
			check: func(c *call) {
				if c.q.Has("mlp_single_enroll") {
					c.refuse("query parameter mlp_single_enroll is not documented for the update by lookup")
				}
			}},
		{code: 8045, message: "Account id is not passed", source: "SC, UPD, OLD", on: changes | getByID | getID,
			says: "a multi-account source (" + multiAccountList + ") comes with an accountId, in the query and in each profiles[] entry",
			check: func(c *call) {
				c.eachAccount(func(a *accountRef, at string) {
					if a.missing {
						c.refuse("%ssource %s has several accounts: pass accountId", at, a.Source)
					}
				})
			}},
		{code: 3217, message: "Org source addition failed, Invalid source account identifier passed", source: "SC, UPD", on: changes,
			says: "an accountId is one of its source's: those of WithSourceAccounts and of the seeded customers' profiles, so by default no source has any",
			check: func(c *call) {
				c.eachAccount(func(a *accountRef, at string) {
					if a.unknown {
						c.refuse("%saccountId %q is not an account of source %s", at, a.AccountID, a.Source)
					}
				})
			}},
		{code: 8016, message: "GET failed, No source passed", source: "SC", on: reads,
			says: "a read names its source",
			check: func(c *call) {
				if c.q.Get("source") == "" {
					c.refuse("the source query parameter is required")
				}
			}},
		{code: 8012, message: "Get, Invalid source passed", source: "SC, GV2, GD, GID", on: reads,
			says: "a read's source is one of the update's, ALL or MAPP_SDK",
			check: func(c *call) {
				if s := c.q.Get("source"); s != "" && !validReadSource(s) {
					c.refuse("source %q is not ALL or a source the API knows", s)
				}
			}},
		{code: 8015, message: customerNotFound, source: "GD", on: getDetails,
			says: "the lookup read has an accountId for every source but INSTORE",
			check: func(c *call) {
				if s := c.q.Get("source"); validReadSource(s) && s != "INSTORE" && c.q.Get("accountId") == "" {
					c.refuse("accountId is required on lookups for every source but INSTORE")
				}
			}},
		{code: 8092, message: "GET failed, No identifier type passed", source: "SC", on: lookupReads,
			says: "a lookup read has an identifierName",
			check: func(c *call) {
				if c.q.Get("identifierName") == "" {
					c.refuse("identifierName is required")
				}
			}},
		{code: 8093, message: "GET failed, No identifier value passed", source: "SC", on: lookupReads,
			says: "a lookup read has an identifierValue",
			check: func(c *call) {
				if c.q.Get("identifierValue") == "" {
					c.refuse("identifierValue is required")
				}
			}},
		{code: 8013, message: "Lookup, Invalid identifier passed", source: "SC, UCS, OLD, GD, GID", on: lookups,
			says: "identifierName is one the call takes (the update: " + strings.Join(lookupNames(putByLookup), ", ") +
				"; customerDetails: " + strings.Join(lookupNames(getDetails), ", ") + "; the id lookup: " + strings.Join(lookupNames(getID), ", ") +
				") with a non-empty identifierValue; several, comma-separated in the same order, only on reads with WithDualEligibility",
			check: checkLookupKeys},
		{code: 8015, message: customerNotFound, source: "GD, GID", on: lookupReads,
			says: "with WithDualEligibility, the identifiers of a lookup read include the org's primary one (WithPrimaryIdentifier), which decides",
			check: func(c *call) {
				if c.s.cfg.dualEligibility && len(c.keys) > 0 && c.key() == nil {
					c.refuse("with Dual Eligibility the org's primary identifier, %s, must be given", c.s.cfg.primaryIdentifier)
				}
			}},
		{code: 400, message: invalidInput, source: "UPD, OLD, ADD (the code is the fake's)", on: changes,
			says:  "the body is one JSON object of the documented fields (profiles[] of firstName, lastName, fields, identifiers, commChannels, source, accountId; fields; loyaltyInfo.loyaltyType; extendedFields; loyaltyProgramEnrollments[]; a channel's type, value, primary, verified, subscribed, lastViewedDate, meta, attributes), each of its JSON type; fields and extendedFields hold strings, numbers, booleans or null (null removes the field); an add also takes associatedWith, referralCode, statusLabel and activity (strings), createDate (a date-time), endPointsEnabled (strings), subscriptionInfo.subscriptions[] (channel, priority, type, accountId, sourceName) and, on an identifier, seriesId (an integer), seriesCode, statusLabel, extendedFields and customFields",
			check: func(c *call) { c.refuseAll(c.shape) }},
		{code: 8106, message: "Communication channel type not passed", source: "SC, UPD", on: changes,
			says: "each commChannels[] entry has a type",
			check: func(c *call) {
				c.eachChannel(func(ch *element) {
					if ch.raw["type"] == nil || ch.raw["type"] == "" {
						c.refuse("%s.type: is missing", ch.path)
					}
				})
			}},
		{code: 8010, message: "Invalid communication channel passed", source: "SC, UPD", on: changes,
			says:  "a channel's type is one of " + channelTypeList + " (exact case), its value is not empty, primary/verified/subscribed are \"true\"/\"false\" (any case) or JSON booleans, lastViewedDate is a string, and meta and attributes are objects",
			check: checkChannels},
		{code: 400, message: invalidInput, source: "OLD, UL (the code is the fake's)", on: changes,
			says:  "an identifiers[] entry has a documented type (" + identifierTypeList + ") and a value, a string or a JSON number (kept as its digits)",
			check: checkIdentifiers},
		{code: 400, message: invalidInput, source: "UPD (the code is the fake's)", on: changes,
			says: "loyaltyInfo.loyaltyType is loyalty or non_loyalty",
			check: func(c *call) {
				if info, ok := c.patch.top["loyaltyInfo"].(map[string]any); ok && info["loyaltyType"] == nil {
					c.refuse("loyaltyInfo.loyaltyType: is required")
				} else if lt, ok := c.patch.loyaltyType(); ok && lt != loyaltyTypeLoyalty && lt != loyaltyTypeNonLoyalty {
					c.refuse("loyaltyInfo.loyaltyType: %q is not %q or %q", lt, loyaltyTypeLoyalty, loyaltyTypeNonLoyalty)
				}
			}},
		{code: 400, message: invalidInput, source: "UPD, UL, ADD (the code and the bounds are the fake's)", on: changes,
			says:  "a loyaltyProgramEnrollments[] entry has a positive integer programId and a tierNumber >= 1, integers (1.0, \"1\" and 1e0 are not), loyaltyPoints >= 0, a JSON number (an Integer in UPD, a Number in ADD: 12.5 is taken), and tierExpiryDate and pointsExpiryDate as 2024-07-11T16:36:17+05:30 or 2022-02-11T11:06:17.000Z",
			check: checkEnrollments},
		{code: 91015, message: "Failed to update extended fields; or field {x} length too long", source: "SC, UPD", warning: true, on: changes,
			says: "with WithExtendedFields, an extended field the org does not declare, or a value not of its type (INTEGER, DOUBLE, STRING, DATETIME, STANDARD_ENUM; numbers may come as strings), is left out and the rest applied",
			check: func(c *call) {
				c.s.cfg.extendedFields.check(c, c.patch.extendedFields, "extendedFields")
			}},
		{code: 8055, message: "Invalid email id", source: "SC", warning: true, on: changes,
			says:  "an email identifier that is not an address (at most 255 characters, a local part of letters, digits and . _ % + -, a dotted domain of letters, digits and hyphens: the fake's reading) is left out and the rest applied",
			check: func(c *call) { c.dropInvalidIdentifiers("email", "an email address", validEmail) }},
		{code: 8056, message: "Invalid mobile", source: "SC", warning: true, on: changes,
			says:  "a mobile identifier that is not 8 to 15 digits (the fake's stand-in for the org's country settings) is left out and the rest applied",
			check: func(c *call) { c.dropInvalidIdentifiers("mobile", "a mobile number of 8 to 15 digits", validMobile) }},
		{code: 8057, message: "Invalid email id in comm channel", source: "SC", warning: true, on: changes,
			says:  "so is an email channel that is not an address",
			check: func(c *call) { c.dropInvalidChannels("email", "an email address", validEmail) }},
		{code: 8058, message: "Invalid mobile in comm channel", source: "SC", warning: true, on: changes,
			says:  "so is a mobile channel that is not a mobile number",
			check: func(c *call) { c.dropInvalidChannels("mobile", "a mobile number of 8 to 15 digits", validMobile) }},
		{code: 400, message: invalidInput, source: "GV2, GD (the code is the fake's)", on: getByID | getDetails,
			says: "embed takes the documented values, comma-separated or repeated (mlp also as MLP); includedOnlyCurrentProfile is true or false",
			check: func(c *call) {
				for _, e := range c.embeds() {
					if !slices.Contains(embedNames(), e) {
						c.refuse("embed %q is not one of %s", e, strings.Join(embedNames(), ", "))
					}
				}
				c.boolParams("includedOnlyCurrentProfile")
			}},

		{code: 8005, message: "No valid identifiers passed", source: "SC, ADD", on: postAdd,
			says: "an add's profiles carry at least one identifier that no row left out",
			check: func(c *call) {
				if len(c.addKeys()) == 0 {
					c.refuse("the profiles carry no valid identifier")
				}
			}},

		// With the customer in hand.
		{code: 8026, message: "Same customer was deleted for PII feature, could not add", source: "SC", on: postAdd, customer: true, halts: true,
			says: "no identifier of an add is held by a customer deleted after a PII request (Customer.Deleted)",
			check: func(c *call) {
				for _, h := range c.holders {
					if h.Deleted {
						c.refuse("customer %s", h.ID)
					}
				}
			}},
		{code: 8006, message: "Add failed, Customer already exists with id {x} for same source", source: "SC, ADD", on: postAdd, customer: true, halts: true,
			says:  "identifiers are unique within a source: no identifier of an add is held by a customer on the profile's source account; the message names that customer (the add cannot update it)",
			check: checkAddUnique},
		{code: 8050, message: "Same Customer found in other sources, Combining", source: "ADD, OLD", warning: true, on: postAdd, customer: true,
			says: "an identifier held by a customer on another source adds the profile to that customer, whose id createdId carries; without one, a new customer is registered (ids from 500000001), loyalty unless loyaltyInfo says non_loyalty",
			check: func(c *call) {
				if len(c.holders) > 0 {
					c.refuse("the profile was added to customer %s", c.cust.ID)
				}
			}},
		{code: 8015, message: customerNotFound, source: "UPD, UCS, GD, GID", on: customers, customer: true, halts: true,
			says: "the customer exists: the user id is one of a stored customer, or the identifier is held by one of its profiles (their identifiers, primary mobile and email channels, and wechat channels)",
			check: func(c *call) {
				if c.cust == nil {
					c.refuse("%s", c.notFound)
				}
			}},
		{code: 8109, message: "Customer is deleted after PII delete request", source: "BG (answering it to updates: the fake's)", on: customers, customer: true, halts: true,
			says: "the customer is not deleted (Customer.Deleted)",
			check: func(c *call) {
				if c.cust.Deleted {
					c.refuse("customer %s", c.cust.ID)
				}
			}},
		{code: 8069, message: "Merged customer found", source: "SC (a warning there; refusing is the fake's)", on: customers, customer: true, halts: true,
			says: "the customer is not merged into another (Customer.MergedInto)",
			check: func(c *call) {
				if c.cust.MergedInto != "" {
					c.refuse("customer %s was merged into customer %s", c.cust.ID, c.cust.MergedInto)
				}
			}},
		{code: 8065, message: "No customer found in the given source with the given identifier", source: "SC, OLD", on: reads, customer: true, halts: true,
			says: "the customer has a profile on the source (account) a read names, unless ALL; none is on MAPP_SDK",
			check: func(c *call) {
				if !slices.ContainsFunc(c.cust.profiles(), c.inSource) {
					c.refuse("customer %s has no profile on source %s account %q", c.cust.ID, c.q.Get("source"), c.q.Get("accountId"))
				}
			}},
		{code: 8075, message: "Primary identifier not matching with other identifiers", source: "SC (when: the fake's reading)", warning: true, on: lookupReads, customer: true,
			says: "an identifier given beside the primary one that is not the customer's is named in a warning",
			check: func(c *call) {
				for _, k := range c.keys {
					if !slices.Contains(keysOf(c.cust), k) {
						c.refuse("%s %s is not customer %s's", k.Type, k.Value, c.cust.ID)
					}
				}
			}},
		{code: 8018, message: "Update customer, Conversion from loyalty to non-loyalty not allowed", source: "SC, UPD", on: changes, customer: true,
			says: "a loyalty customer is not made non_loyalty (non_loyalty to loyalty is applied)",
			check: func(c *call) {
				if lt, _ := c.patch.loyaltyType(); lt == loyaltyTypeNonLoyalty && c.cust.loyaltyType() == loyaltyTypeLoyalty {
					c.refuse("customer %s is a loyalty customer", c.cust.ID)
				}
			}},
		{code: 8107, message: "Default customer status label not set", source: "SC, ADD (its sample answer)", warning: true, on: changes, customer: true,
			says: "a customer made loyalty is named in a warning (the fake's org has no default status label)",
			check: func(c *call) {
				if lt, _ := c.patch.loyaltyType(); lt == loyaltyTypeLoyalty && c.cust.loyaltyType() == loyaltyTypeNonLoyalty {
					c.refuse("customer %s became loyalty without a status label", c.cust.ID)
				}
			}},
		{code: 91005, message: "{x} is primary identifier and cannot be updated", source: "SC, UPD", warning: true, on: changes, customer: true,
			says:  "a change of the value of the org's primary identifier type (mobile, or WithPrimaryIdentifier) is left out and the rest applied: an identifiers[] entry with another value than the profile's of its type, a channel of that type marked primary with another value than the primary one, or unmarking the primary one (not on the INSTORE profile with WithDualEligibility); a profile's identifiers are its own, its primary mobile and email channels and its wechat channels",
			check: func(c *call) { c.dropIdentifierChanges(true) }},
		{code: 91006, message: "{x} update is not allowed", source: "SC, UPD", warning: true, on: changes, customer: true,
			says:  "so is a change of any other identifier; a new identifier type is added",
			check: func(c *call) { c.dropIdentifierChanges(false) }},
		{code: 10002, message: "Failed to update customer details", source: "UPD (the refusal), SC (the code: the fake's choice)", on: changes, customer: true,
			says:  "an enrolment is into a program the customer is not in yet and, with WithPrograms, one the org has",
			check: checkPrograms},

		// Answered only when a Fault adds them (AddWarnings): the fake never finds them itself.
		{code: 8050, message: "Same Customer found in other sources, Combining", source: "SC", warning: true, on: updates},
		{code: 8051, message: "Same Customer found in other sources, Merging with userId {x}", source: "SC", warning: true, on: updates},
		{code: 8053, message: "Update customer, Conflicting Customers found", source: "SC", warning: true, on: updates},
		{code: 8054, message: "Account id not passed", source: "SC", warning: true, on: updates},
		{code: 521, message: "Multiple actions running for the same customer, Please try after some time", source: "SC, ERR", on: changes, status: 521},
	}
}

// Messages that several rows share.
const (
	invalidInput     = "Input is invalid. Please check request parameters or input xml/json"
	customerNotFound = "Customer not found for the given identifiers"
)

// vendorText is the vendor's message for a code: the first row's with it, else the HTTP status
// text, for the fake's own codes (404, 405, 429) and any code a Fault gives.
func vendorText(table []rule, code int) string {
	if i := slices.IndexFunc(table, func(r rule) bool { return r.code == code }); i >= 0 {
		return table[i].message
	}
	if text := http.StatusText(code); text != "" {
		return text
	}
	return "Error"
}

// refuse reports what the current row found: an error, or a warning for a warning row. The
// message is the vendor's text, then ": " and the detail.
func (c *call) refuse(format string, args ...any) { c.refuseAbout("", format, args...) }

// refuseAbout is refuse for a message that names what it is about ({x}).
func (c *call) refuseAbout(x, format string, args ...any) {
	text := strings.ReplaceAll(c.rule.message, "{x}", x)
	if detail := fmt.Sprintf(format, args...); detail != "" {
		text += ": " + detail
	}
	m := message{Code: c.rule.code, Message: text}
	if c.rule.warning {
		c.warnings = append(c.warnings, m)
		return
	}
	if len(c.errs) == 0 {
		c.status = cmp.Or(c.rule.status, http.StatusBadRequest)
	}
	c.errs = append(c.errs, m)
}

// refuseAll refuses with each detail.
func (c *call) refuseAll(details []string) {
	for _, d := range details {
		c.refuse("%s", d)
	}
}

// check runs the rows of the call's endpoint, those of the customer stage or those before it.
func (s *Server) check(c *call, customerStage bool) {
	for i := range s.rules {
		r := &s.rules[i]
		if r.on&c.endpoint == 0 || r.customer != customerStage || r.check == nil {
			continue
		}
		c.rule = r
		before := len(c.errs)
		r.check(c)
		if r.halts && len(c.errs) > before {
			return
		}
	}
}
