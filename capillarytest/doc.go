// Package capillarytest is an in-process fake of Capillary's API for tests: a real HTTP server
// on loopback, like net/http/httptest, that holds customers in memory, adds them, updates them
// (by user id or by identifier) and reads them back the way the vendor documents it, checks credentials
// the vendor's way, records what it received, and fails on demand.
//
// A request the vendor would refuse is refused with the vendor's code, and what the vendor
// only warns about is applied with the vendor's warning, so a test against the fake catches the
// caller's own mistakes, not only the SDK's.
//
//	srv := capillarytest.NewServer()
//	defer srv.Close()
//	srv.AddCustomer(capillarytest.Customer{ID: "171891944",
//		Profile: capillarytest.Profile{Source: "INSTORE", FirstName: "Tom"}})
//
//	client, err := capillary.NewClient(
//		capillary.WithBaseURL(srv.URL),
//		capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword),
//	)
//	// ... client.Customers.Update(ctx, "171891944", body, &capillary.UpdateCustomerParams{Source: "INSTORE"})
//	got, _ := srv.Customer("171891944") // the stored state after the update
//	reqs := srv.Requests()              // what was sent, credentials masked
//
// NewServer and NewUnstartedServer panic on a wrong option, as a test cannot go on then; New
// returns the error instead, for programs. The same server runs as a standalone binary,
// cmd/capillary-fake, for other languages and curl.
//
// # Endpoints
//
//   - POST /v2/customers?source=&accountId=&mlp_single_enroll=&rawSideEffects=, the add
//     customer, answering as the update does with the new customer's id (or, for the 8050
//     combine, the existing customer's)
//   - PUT /v2/customers/{userId}?source=&accountId=&use_async=&mlp_single_enroll=
//   - PUT /v2/customers/lookup?source=&accountId=&identifierName=&identifierValue=&use_async=
//   - GET /v2/customers/{userId}?source=&accountId=&embed=&includedOnlyCurrentProfile=&includedFraudDetails=&includedUserGroup2LoyaltyDetails=
//   - GET /v2/customers/lookup/customerDetails?source=&accountId=&identifierName=&identifierValue=&embed=&includedFraudDetails=&includedUserGroup2LoyaltyDetails=
//   - GET /v2/customers/lookup?source=&accountId=&identifierName=&identifierValue=, answering
//     {"entity":171891944,"warnings":[]}
//   - POST /v3/oauth/token/generate with {"key":"...","secret":"..."}, answering
//     {"data":{"accessToken":"...","ttlSeconds":300},"errors":null}
//
// Any other path answers 404 (code 404); another method on these paths answers 405 (code 405)
// with an Allow header.
//
// # Answers
//
// Every answer, faults and errors included, carries an X-Cap-Requestid header. A refusal uses
// the vendor's envelope, {"warnings":[],"errors":[{"status":false,"code":8015,"message":"..."}]}
// ({"data":null,"errors":[...]} on the token endpoint), listing every problem found; each
// message is the vendor's text for its code, then ": " and the exact field and value at
// fault. A successful update answers 200 with {"createdId":171891944,"warnings":[...],
// "sideEffects":[...]}, createdId a JSON number as in the vendor's samples. A read answers 200
// with the customer object itself plus "warnings", lists and objects as [] and {}, never null,
// custom fields as text ("tierup_airasia": "2"), as the vendor's samples do. The parts a
// customer is seeded with come back in the vendor's shapes when a read asks for them: its cards
// (always, as cardDetails, and as card numbers with their seriesId and statusLabel), fraud
// details (includedFraudDetails=true, NOT_FRAUD unless seeded), promotional points and
// alternate currencies (embed=promotionalPoints, embed=alternateCurrencies), group programs
// (includedUserGroup2LoyaltyDetails=true) and, with embed=mlp, the gaps to upgrade and renew
// (gapToUpgrade, gapToRenew: the seeded strategies, whatever the days ahead) and each
// program's linked partner programs; the ids within them are the fake's. The refusals
// answer HTTP 400 unless the rule says otherwise; the vendor pairs no status with its codes.
// A request whose body cannot be read (a malformed chunk) answers 400: the fake never answers
// 2xx to what it did not apply.
//
// A first or last name beyond 100 characters is cut there without a warning, as the vendor
// documents. A warning is partial success: the update applies everything but what the warning
// names, and answers 200. A test makes the fake's own warnings happen with the request that
// causes them (a changed identifier, an invalid email, an extended field that WithExtendedFields
// does not declare), and any other warning the vendor documents with the AddWarnings fault; it
// then reads the customer back (Server.Customer, or a GET through the SDK) to check that the
// rest went through.
//
// # Rules, in the order they are checked
//
// The list below is the table in rules.go (TestDocListsEveryRule fails when they disagree):
// the code, the vendor's message, error or warning, where the vendor documents the rule (own:
// the fake's guess where the vendor says nothing), the endpoints (the updates are the two PUTs,
// the reads the three GETs, the lookup reads the two GETs by identifier; other paths are under
// /v2/customers), and the rule. A call runs its endpoint's rules in this order, those that need the stored customer
// last; an error refuses the whole call (nothing is stored), a warning lets it go on. Before
// any rule come the routing (404, 405), WithRateLimit's 429 and a body that cannot be read
// (400), which are HTTP's and the fake's, not the vendor's.
//
// The sources are the keys of the vendor's pages in the repository's spec sheets:
// UPD the update's page (reference/update-customer-details), SC its customer status codes,
// ERR errors-and-warnings, BASIC and OAUTH its authentication pages, ADD v2-add-customer,
// OLD its earlier v2 documentation (2022), UL and UCS the lookup update pages, GV2, GD and GID
// the reads by id, by lookup and of the id by lookup, BG the bulk read.
//
//   - 401 "Authentication failed", error, HTTP 401 [BASIC, OAUTH, ERR; every customer call and the
//     add]: Authorization: Basic base64(till:md5hex(password)), the digest in lower-case hex, or
//     X-CAP-API-OAUTH-TOKEN with a live token the server issued (Authorization is then not looked
//     at); the refusal says what was wrong, never repeating a credential.
//   - 400 "Input is invalid. Please check request parameters or input xml/json", error [OAUTH (the
//     code is the fake's); every customer call and the add]: X-CAP-API-ATTRIBUTION-ENTITY-TYPE, on
//     an OAuth call, is one of TILL, STORE_CODE, STORE_NAME, STORE_EXTERNAL_ID,
//     STORE_EXTERNAL_ID_1, STORE_EXTERNAL_ID_2.
//   - 415 "Unsupported media type", error, HTTP 415 [ERR; PUT /lookup, PUT /{userId}, POST
//     /v3/oauth/token/generate, POST ]: the body is sent as Content-Type: application/json (a
//     charset, if any, UTF-8).
//   - 400 (the same message), error [own; PUT /lookup, PUT /{userId}, POST
//     /v3/oauth/token/generate, POST ]: the body is at most 1 MiB.
//   - 400 (the same message), error [OAUTH (the code is the fake's); POST
//     /v3/oauth/token/generate]: the body is {"key":"...","secret":"..."}, both strings.
//   - 320001 "Invalid client key and secret", error, HTTP 401 [OAUTH (the HTTP status is the
//     fake's); POST /v3/oauth/token/generate]: the key and secret are those of an OAuth client of
//     the server (WithOAuthClient).
//   - 8003 "Invalid source passed", error [SC, UPD, UCS; the updates]: source, in the query and in
//     each profiles[] entry that names one, is one of FACEBOOK, WEB_ENGAGE, WECHAT, INSTORE,
//     MARTJACK, TMALL, TAOBAO, JD, ECOMMERCE, WEBSITE, LINE, MOBILE_APP, so spelled; the query's is
//     required.
//   - 8003 (the same message), error [ADD, SC; the add]: each profiles[] entry of an add names its
//     source, one of the update's; the query's source, when given, is one too.
//   - 400 (the same message), error [own; the updates]: use_async and mlp_single_enroll, when
//     given, are true or false (any case).
//   - 400 (the same message), error [own; the add]: mlp_single_enroll and rawSideEffects, when
//     given, are true or false (any case).
//   - 400 (the same message), error [own; PUT /lookup]: the update by lookup takes no
//     mlp_single_enroll (OLD and UL do not list it).
//   - 8045 "Account id is not passed", error [SC, UPD, OLD; PUT /lookup, GET /lookup, PUT
//     /{userId}, GET /{userId}, POST ]: a multi-account source (WECHAT, FACEBOOK, MOBILE_APP, LINE,
//     WEB_ENGAGE) comes with an accountId, in the query and in each profiles[] entry.
//   - 3217 "Org source addition failed, Invalid source account identifier passed", error [SC, UPD;
//     the updates and the add]: an accountId is one of its source's: those of WithSourceAccounts
//     and of the seeded customers' profiles, so by default no source has any.
//   - 8016 "GET failed, No source passed", error [SC; the reads]: a read names its source.
//   - 8012 "Get, Invalid source passed", error [SC, GV2, GD, GID; the reads]: a read's source is
//     one of the update's, ALL or MAPP_SDK.
//   - 8015 "Customer not found for the given identifiers", error [GD; GET /lookup/customerDetails]:
//     the lookup read has an accountId for every source but INSTORE.
//   - 8092 "GET failed, No identifier type passed", error [SC; the lookup reads]: a lookup read has
//     an identifierName.
//   - 8093 "GET failed, No identifier value passed", error [SC; the lookup reads]: a lookup read
//     has an identifierValue.
//   - 8013 "Lookup, Invalid identifier passed", error [SC, UCS, OLD, GD, GID; PUT /lookup, GET
//     /lookup/customerDetails, GET /lookup]: identifierName is one the call takes (the update:
//     mobile, email, externalId, cardnumber; customerDetails: mobile, email, externalId,
//     cardnumber, cardExternalId, wechat; the id lookup: mobile, email, externalId, cardnumber,
//     cardExternalId, wechat, martjackId, fbId) with a non-empty identifierValue; several,
//     comma-separated in the same order, only on reads with WithDualEligibility.
//   - 8015 (the same message), error [GD, GID; the lookup reads]: with WithDualEligibility, the
//     identifiers of a lookup read include the org's primary one (WithPrimaryIdentifier), which
//     decides.
//   - 400 (the same message), error [UPD, OLD, ADD (the code is the fake's); the updates and the
//     add]: the body is one JSON object of the documented fields (profiles[] of firstName,
//     lastName, fields, identifiers, commChannels, source, accountId; fields;
//     loyaltyInfo.loyaltyType; extendedFields; loyaltyProgramEnrollments[]; a channel's type,
//     value, primary, verified, subscribed, lastViewedDate, meta, attributes), each of its JSON
//     type; fields and extendedFields hold strings, numbers, booleans or null (null removes the
//     field); an add also takes associatedWith, referralCode, statusLabel and activity (strings),
//     createDate (a date-time), endPointsEnabled (strings), subscriptionInfo.subscriptions[]
//     (channel, priority, type, accountId, sourceName) and, on an identifier, seriesId (an
//     integer), seriesCode, statusLabel, extendedFields and customFields.
//   - 8106 "Communication channel type not passed", error [SC, UPD; the updates and the add]: each
//     commChannels[] entry has a type.
//   - 8010 "Invalid communication channel passed", error [SC, UPD; the updates and the add]: a
//     channel's type is one of mobile, email, wechat, ios, android, line, mobilePush (exact case),
//     its value is not empty, primary/verified/subscribed are "true"/"false" (any case) or JSON
//     booleans, lastViewedDate is a string, and meta and attributes are objects.
//   - 400 (the same message), error [OLD, UL (the code is the fake's); the updates and the add]: an
//     identifiers[] entry has a documented type (mobile, email, externalId, cardnumber,
//     cardExternalId, wechat, unionId, martjackId, fbId, tmall_uname, cuid, ali_uname, jd_uname,
//     vip_uname, line) and a value, a string or a JSON number (kept as its digits).
//   - 400 (the same message), error [UPD (the code is the fake's); the updates and the add]:
//     loyaltyInfo.loyaltyType is loyalty or non_loyalty.
//   - 400 (the same message), error [UPD, UL, ADD (the code and the bounds are the fake's); the
//     updates and the add]: a loyaltyProgramEnrollments[] entry has a positive integer programId
//     and a tierNumber >= 1, integers (1.0, "1" and 1e0 are not), loyaltyPoints >= 0, a JSON number
//     (an Integer in UPD, a Number in ADD: 12.5 is taken), and tierExpiryDate and pointsExpiryDate
//     as 2024-07-11T16:36:17+05:30 or 2022-02-11T11:06:17.000Z.
//   - 91015 "Failed to update extended fields; or field {x} length too long", warning [SC, UPD; the
//     updates and the add]: with WithExtendedFields, an extended field the org does not declare, or
//     a value not of its type (INTEGER, DOUBLE, STRING, DATETIME, STANDARD_ENUM; numbers may come
//     as strings), is left out and the rest applied.
//   - 8055 "Invalid email id", warning [SC; the updates and the add]: an email identifier that is
//     not an address (at most 255 characters, a local part of letters, digits and . _ % + -, a
//     dotted domain of letters, digits and hyphens: the fake's reading) is left out and the rest
//     applied.
//   - 8056 "Invalid mobile", warning [SC; the updates and the add]: a mobile identifier that is not
//     8 to 15 digits (the fake's stand-in for the org's country settings) is left out and the rest
//     applied.
//   - 8057 "Invalid email id in comm channel", warning [SC; the updates and the add]: so is an
//     email channel that is not an address.
//   - 8058 "Invalid mobile in comm channel", warning [SC; the updates and the add]: so is a mobile
//     channel that is not a mobile number.
//   - 400 (the same message), error [GV2, GD (the code is the fake's); GET /lookup/customerDetails,
//     GET /{userId}]: embed takes the documented values, comma-separated or repeated (mlp also as
//     MLP); includedOnlyCurrentProfile is true or false.
//   - 8005 "No valid identifiers passed", error [SC, ADD; the add]: an add's profiles carry at
//     least one identifier that no row left out.
//   - 8026 "Same customer was deleted for PII feature, could not add", error [SC; the add]: no
//     identifier of an add is held by a customer deleted after a PII request (Customer.Deleted).
//   - 8006 "Add failed, Customer already exists with id {x} for same source", error [SC, ADD; the
//     add]: identifiers are unique within a source: no identifier of an add is held by a customer
//     on the profile's source account; the message names that customer (the add cannot update it).
//   - 8050 "Same Customer found in other sources, Combining", warning [ADD, OLD; the add]: an
//     identifier held by a customer on another source adds the profile to that customer, whose id
//     createdId carries; without one, a new customer is registered (ids from 500000001), loyalty
//     unless loyaltyInfo says non_loyalty.
//   - 8015 (the same message), error [UPD, UCS, GD, GID; every customer call]: the customer exists:
//     the user id is one of a stored customer, or the identifier is held by one of its profiles
//     (their identifiers, primary mobile and email channels, and wechat channels).
//   - 8109 "Customer is deleted after PII delete request", error [BG (answering it to updates: the
//     fake's); every customer call]: the customer is not deleted (Customer.Deleted).
//   - 8069 "Merged customer found", error [SC (a warning there; refusing is the fake's); every
//     customer call]: the customer is not merged into another (Customer.MergedInto).
//   - 8065 "No customer found in the given source with the given identifier", error [SC, OLD; the
//     reads]: the customer has a profile on the source (account) a read names, unless ALL; none is
//     on MAPP_SDK.
//   - 8075 "Primary identifier not matching with other identifiers", warning [SC (when: the fake's
//     reading); the lookup reads]: an identifier given beside the primary one that is not the
//     customer's is named in a warning.
//   - 8018 "Update customer, Conversion from loyalty to non-loyalty not allowed", error [SC, UPD;
//     the updates and the add]: a loyalty customer is not made non_loyalty (non_loyalty to loyalty
//     is applied).
//   - 8107 "Default customer status label not set", warning [SC, ADD (its sample answer); the
//     updates and the add]: a customer made loyalty is named in a warning (the fake's org has no
//     default status label).
//   - 91005 "{x} is primary identifier and cannot be updated", warning [SC, UPD; the updates and
//     the add]: a change of the value of the org's primary identifier type (mobile, or
//     WithPrimaryIdentifier) is left out and the rest applied: an identifiers[] entry with another
//     value than the profile's of its type, a channel of that type marked primary with another
//     value than the primary one, or unmarking the primary one (not on the INSTORE profile with
//     WithDualEligibility); a profile's identifiers are its own, its primary mobile and email
//     channels and its wechat channels.
//   - 91006 "{x} update is not allowed", warning [SC, UPD; the updates and the add]: so is a change
//     of any other identifier; a new identifier type is added.
//   - 10002 "Failed to update customer details", error [UPD (the refusal), SC (the code: the fake's
//     choice); the updates and the add]: an enrolment is into a program the customer is not in yet
//     and, with WithPrograms, one the org has.
//   - 8050 (the same message), warning [SC; the updates]: only from a Fault (AddWarnings): the fake
//     never finds it itself.
//   - 8051 "Same Customer found in other sources, Merging with userId {x}", warning [SC; the
//     updates]: only from a Fault (AddWarnings): the fake never finds it itself.
//   - 8053 "Update customer, Conflicting Customers found", warning [SC; the updates]: only from a
//     Fault (AddWarnings): the fake never finds it itself.
//   - 8054 "Account id not passed", warning [SC; the updates]: only from a Fault (AddWarnings): the
//     fake never finds it itself.
//   - 521 "Multiple actions running for the same customer, Please try after some time", error, HTTP
//     521 [SC, ERR; the updates and the add]: only from a Fault (CustomerBusy, WithRandomFaults):
//     the fake never finds it itself.
//
// # Adding a rule or an endpoint
//
// A rule is a row of the table in rules.go: its code, the vendor's message, the source keys
// (empty for the fake's own), whether it warns, the endpoints it applies to, whether it needs
// the stored customer, and its check, which reports with c.refuse; put it where it is checked.
// An endpoint is a bit of the endpoint set and a row of routes() in routes.go, with the answer
// it gives once the rules have passed; then add its bit to the rows that apply to it. Run
// CAPILLARYTEST_WRITE_DOC=1 go test -run TestDocListsEveryRule to write the list above again.
//
// # Traffic
//
// WithRateLimit answers 429 (code 429, Retry-After in whole seconds: both the fake's choice,
// as the vendor documents neither) beyond n requests per span to one API, by the server's
// clock (the add and the updates are APIs of their own, limited apart, as the vendor limits
// them); WithLatency holds every answer; WithRandomFaults gives a seeded fraction of update and
// add requests a 429, a 521 or a connection dropped after the write was applied. Peak is the
// most requests seen in any one-minute window, over all requests and per API.
//
// # Faults
//
// InjectFaults queues Faults that the next matching requests take, one each: a status with
// Retry-After and a body (RateLimited, Unavailable, CustomerBusy, BadGatewayHTML), latency
// (Delay), an answer held until the test releases it (Hold), warnings added to a successful
// answer (AddWarnings), a dropped connection before or after the update is applied
// (DropConnection, DropAfterHandling), a body cut short after its headers (TruncatedBody)
// and a complete body that is not valid JSON (MalformedBody). Fault.Path confines a fault to
// some requests, such as "/v2/" to spare the OAuth token endpoint.
//
// # Recording
//
// Requests returns every request in arrival order with method, path, query, headers, body,
// the status answered, the request id, how it authenticated and the fault it took. The
// Authorization value, the OAuth token header, cookies and the secret of a token generation
// body (on any path ending in /v3/oauth/token/generate) are replaced by [redacted]; nothing
// the server logs (WithLogger) carries a credential, a query or a body either.
//
// # What the fake does not model
//
// The vendor's 521 on concurrent actions (updates of one customer wait for each other; inject
// 521, or use WithRandomFaults), the effect of mlp_single_enroll (only its syntax is checked),
// merging customers that share an identifier, program tiers beyond tierNumber >= 1 and their
// names, the audit log of the user-context headers (they are recorded with the request), side
// effects other than points and slab, the read embeds other than points, mlp, subscriptions,
// promotionalPoints and alternateCurrencies, the days ahead of gapToUpgrade and gapToRenew,
// and the user-group paging (ug2Pagination, whose fields the vendor does not document).
package capillarytest
