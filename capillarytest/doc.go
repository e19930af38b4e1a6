// Package capillarytest is an in-process fake of Capillary's API for tests: a real HTTP server
// on loopback, like net/http/httptest, that holds customers in memory, updates them (by user
// id or by identifier) and reads them back the way the vendor documents it, checks credentials
// the vendor's way, records what it received, and fails on demand.
//
// A request the vendor would refuse is refused with the vendor's code, so a test against the
// fake catches the caller's own mistakes, not only the SDK's.
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
// # Answers
//
// Every answer, faults and errors included, carries an X-Cap-Requestid header. Errors use the
// vendor's envelope, {"warnings":[],"errors":[{"status":false,"code":8015,"message":"..."}]},
// listing every problem found in a body at once; each message starts with the vendor's text
// for its code, then ": " and the exact field and value at fault. A successful update answers
// 200 with {"createdId":171891944,"warnings":[...],"sideEffects":[...]}, createdId a JSON
// number as in the vendor's samples (a string with WithCreatedIDAsString, as its response
// table types it). A read answers 200 with the customer object itself plus "warnings", as the
// vendor's read samples do. A request whose body cannot be read (a malformed chunk) answers
// 400: the fake never answers 2xx to what it did not apply.
//
// # Endpoints
//
//   - POST /v2/customers?source=&accountId=&mlp_single_enroll=&rawSideEffects= (add customer;
//     its rules, in order, are the table addRules in add.go: identifiers unique within a
//     source, 8006 naming the existing id; no valid identifier, 8005; an identifier known on
//     another source adds the profile to that customer, warning 8050; new ids from 500000001)
//   - PUT /v2/customers/{userId}?source=&accountId=&use_async=&mlp_single_enroll=
//   - PUT /v2/customers/lookup?source=&accountId=&identifierName=&identifierValue=&use_async=
//   - GET /v2/customers/{userId}?source=&accountId=&embed=&includedOnlyCurrentProfile=
//   - GET /v2/customers/lookup/customerDetails?source=&accountId=&identifierName=&identifierValue=&embed=
//   - POST /v3/oauth/token/generate with {"key":"...","secret":"..."}, answering
//     {"data":{"accessToken":"...","ttlSeconds":300},"errors":null}.
//
// Any other path answers 404 (code 404); another method on these paths answers 405 (code 405)
// with an Allow header.
//
// # Authentication (HTTP 401, code 401)
//
// A v2 call needs either X-CAP-API-OAUTH-TOKEN with a token the server issued that has not
// expired by the server's clock (WithClock, ManualClock; the Authorization header is then not
// looked at), or Authorization: Basic base64(till ":" md5hex(password)), the digest in
// lower-case hex. The refusal says what was wrong (plain-text password, upper-case digest,
// expired token, Basic switched off with WithoutBasicAuth) without repeating any credential.
// On OAuth calls, X-CAP-API-ATTRIBUTION-ENTITY-TYPE, when sent, must be one of the vendor's
// values (TILL, STORE_CODE, STORE_NAME, STORE_EXTERNAL_ID, STORE_EXTERNAL_ID_1,
// STORE_EXTERNAL_ID_2), else 400 (code 400). A wrong OAuth key or secret answers 401 (code 401)
// with {"data":null,"errors":[...],"warnings":[]}; TokenGenerations counts the tokens issued
// and RevokeTokens invalidates them. The defaults are DefaultTill/DefaultPassword and
// DefaultOAuthKey/DefaultOAuthSecret; WithTill and WithOAuthClient replace them.
//
// # Rules of the update, in the order they are checked
//
// Each rule says where it comes from: [vendor: page] is documented by the vendor on that page
// (update = its page for this call, codes = its customer status codes, old = its earlier v2
// documentation; the facts sheets in the repository quote them), [fake] is the fake's own
// inference where the vendor says nothing. The vendor pairs no HTTP status with its codes: the
// fake answers 400 with every code below [fake]; WithCodeStatus chooses another status for a
// code (the vendor documents 201, 403 and 500 among others).
//
//   - Content-Type must be application/json (a charset, if any, UTF-8): else 415, code 415
//     [vendor: errors, 415 unsupported media type].
//   - source is required and must be one of FACEBOOK, WEB_ENGAGE, WECHAT, INSTORE, MARTJACK,
//     TMALL, TAOBAO, JD, ECOMMERCE, WEBSITE, LINE, MOBILE_APP, exactly so spelled: else 8003
//     [vendor: update, codes].
//   - use_async and mlp_single_enroll, when given, must be true or false (any case): else
//     code 400 [fake]. The update by lookup refuses mlp_single_enroll with code 400: it is not
//     documented there [vendor: old, by its absence].
//   - accountId: a multi-account source (WECHAT, FACEBOOK, MOBILE_APP, LINE, WEB_ENGAGE)
//     without one is refused with 8045 [vendor: codes; it also documents a warning 8054, which
//     WithAccountIDWarning gives instead, the update going to the source's first account in
//     name order: fake]. An accountId the source does not have is refused with 3217 [vendor:
//     update]; a source's accounts are those of WithSourceAccounts and of the seeded
//     customers' profiles, so by default no source has any [fake].
//   - The body must be one JSON object with only the documented fields: profiles (firstName,
//     lastName, fields, identifiers, commChannels, source, accountId), fields, loyaltyInfo
//     (loyaltyType), extendedFields, loyaltyProgramEnrollments; a channel's type, value,
//     primary, verified, subscribed, lastViewedDate, meta, attributes [vendor: update, old];
//     else code 400 naming the field [fake]. WithUnknownFieldsIgnored lets unknown fields
//     through. Bodies above 1 MiB: code 400 [fake].
//   - profiles[].firstName/lastName: strings; beyond 100 characters the rest is dropped without
//     a warning [vendor]. fields, the top-level fields (custom fields of the query's profile)
//     and extendedFields: objects of strings, numbers, booleans or null (null removes the
//     field); else code 400 [fake].
//   - Declared fields: with WithExtendedFields, an extended field the org does not declare, or
//     a value not of its type (INTEGER, DOUBLE, STRING, DATETIME, STANDARD_ENUM; numbers may
//     come as strings), is refused with 91015 [vendor: update "only extended fields that are
//     enabled for your org with the respective datatypes", codes 91015]; with
//     WithCustomFields, the same for custom fields with code 400 [fake: no code documented].
//     Without them every key is accepted [fake].
//   - profiles[].source/accountId name the profile the entry updates (the query's when absent;
//     the accountId defaults to the query's for the same source) and are checked like the
//     query's: 8003, 8045, 3217 [vendor: old sample; the checks are the fake's].
//   - profiles[].identifiers[]: type one of mobile, email, externalId, cardnumber, cardExternalId,
//     wechat, unionId, martjackId, fbId, tmall_uname, cuid, ali_uname, jd_uname, vip_uname, line
//     [vendor: old, UL, changeIdentifier], value a string or a JSON number (kept as its digits,
//     as in the vendor's sample): else code 400 [fake].
//   - commChannels[]: an object without type (or with an empty one) is refused with 8106; a
//     type other than mobile, email, wechat, ios, android, line, mobilePush (exact case), a
//     missing value, primary/verified/subscribed other than "true"/"false" (any case) or JSON
//     booleans, or a meta or attributes that is not an object, with 8010 [vendor: update,
//     codes; both boolean forms: its samples].
//   - loyaltyInfo.loyaltyType: required within loyaltyInfo, loyalty or non_loyalty: else code
//     400 [vendor: update lists the values; the code is the fake's].
//   - loyaltyProgramEnrollments[]: programId a positive integer, tierNumber an integer >= 1,
//     loyaltyPoints an integer >= 0 (1.0, "1" and 1e0 are not integers), tierExpiryDate and
//     pointsExpiryDate exactly YYYY-MM-DDTHH:MM:SS+HH:MM (no Z, no fractions): else code 400
//     [vendor: update gives the types and the form; the bounds are the fake's].
//   - The update by lookup: identifierName mobile, email or externalId and a non-empty
//     identifierValue, one of each: else 8013 [vendor: old, UCS]. The customer is the one any
//     of whose profiles holds the identifier [fake]; none: 8015 [vendor: UCS].
//   - An unknown user id (or one that is not a positive decimal integer): 8015 [vendor:
//     update]. A customer marked merged (Customer.MergedInto) or deleted (Customer.Deleted):
//     8069 or 8109 [vendor: old, bulk get; answering them to updates is the fake's].
//   - A loyalty customer sent loyaltyType non_loyalty: 8018 [vendor: update, codes].
//     non_loyalty to loyalty is applied, with the warning 8107 (default status label not set)
//     unless WithDefaultStatusLabel is given [vendor: its sample answer].
//   - Each body profile updates the customer's profile on its source account, which is added
//     when the customer has none there (the vendor keeps a profile per source; 3217 is "org
//     source addition failed") [vendor: old samples, update].
//   - Identifiers cannot be changed [vendor: update]. A profile's identifiers are its own plus
//     its primary mobile and email channels [fake]. An identifier the profile has is left
//     alone, a new type is added [vendor: old "identifiers ... that you want to add"], and a
//     different value for a type the profile has is refused: 91005 when the type is the org's
//     primary identifier (mobile, or WithPrimaryIdentifier: email or externalId), 91006
//     otherwise [vendor: codes]. A mobile or email channel marked primary with another value
//     than the profile's primary one, or unmarking the primary one, is refused the same way,
//     except on the INSTORE profile with WithDualEligibility [vendor: update]. Other channels
//     are added or updated; a new channel is primary when marked so or when it is the first of
//     its type [fake].
//   - Mobile values must be 8 to 15 digits, nothing else (the vendor wants the country code,
//     digits only; the length is the fake's stand-in for the org's country settings); email
//     values at most 255 characters, a local part of letters, digits and . _ % + -, and a
//     dotted domain of letters, digits and hyphens [vendor: a character set and 255 at most;
//     the exact set is the fake's]. A bad channel value is dropped with the warning 8057
//     (email) or 8058 (mobile), a bad identifier with 8055 (email) or 8056 (mobile); the rest
//     of the update is applied [vendor: codes].
//   - Enrolling into a program the customer is already in, or (with WithPrograms) into one the
//     org does not have, is refused with 10002 ("failed to update customer details") [vendor:
//     update documents the refusal but no code; the code is the fake's choice]. An enrolment
//     stores the tier (1 unless given), the points and the expiry dates. Points above zero come
//     back as a side effect {"entityType":"USER","rawAwardedPoints":75,"awardedPoints":75,
//     "type":"points"} [vendor: samples], and a tier above 1 as {"entityType":"USER",
//     "type":"slab","previousSlabName":"Tier 1","previousSlabNumber":1,"upgradedSlabName":"Tier 2",
//     "upgradedSlabNumber":2,"slabExpiryDate":...} [vendor: the field names of its slab sample,
//     which the SDK reads; fake: tiers are named "Tier N"]; with use_async=true they are
//     applied and the side effects list is empty [vendor: update].
//   - Warnings the fake never produces by itself (8050 and 8051, customers merged; 8075 when
//     an update's identifiers do not match) come from a Fault's Warnings (AddWarnings).
//
// An update is all or nothing: when any rule refuses it, nothing is stored. Updates of one
// customer are serialised; different customers are updated in parallel. UpdateCounts tells how
// many updates reached a customer and how many were applied.
//
// # Rules of the reads
//
//   - source is required: one of the update's sources, ALL or MAPP_SDK; else 8012 [vendor:
//     old, GV2; MAPP_SDK: GD's lookup]. No customer has a profile on MAPP_SDK (seeds and
//     updates take the update's sources), so a read on it answers 8065 [fake].
//   - GET by id: a multi-account source needs accountId, else 8045 [vendor: old]. The lookup
//     needs accountId for every source but INSTORE, else 8015 [vendor: GD].
//   - The lookup's identifierName is mobile, email, externalId, cardnumber, cardExternalId or
//     wechat, with a non-empty identifierValue; else 8013 [vendor: GD, old]. Several names and
//     values, comma-separated in the same order, only with WithDualEligibility (else 8013
//     [fake]); the org's primary identifier then decides, 8015 when it is missing, and an
//     identifier given beside it that is not the customer's adds the warning 8075 [vendor: GD
//     for the first two; 8075 there is the fake's reading of "primary identifier not
//     matching"].
//   - Unknown customer or identifier: 8015; merged: 8069; deleted: 8109; no profile on the
//     source (account) named, unless ALL: 8065 [vendor: old, GD, bulk get].
//   - embed takes the documented values (comma-separated or repeated); another is refused
//     with code 400 [fake]. points, mlp and subscriptions answer pointsSummary,
//     loyaltyProgramDetails and subscriptionInfo from the stored enrolments and subscriptions,
//     so that an update's effect can be read back; the other embeds add nothing.
//     includedOnlyCurrentProfile=true keeps only the profile of the source named [vendor: GV2].
//   - The answer has the vendor's read shape: id, profiles (names, attribution, fields,
//     identifiers, commChannels, source, userId, accountId, conflictingProfileList,
//     autoUpdateTime, identifiersAll), loyaltyInfo, segments, associatedWith, extendedFields,
//     the embeds, cardDetails and warnings [vendor: old samples, GD]. Dates are the server's
//     start and the customer's last applied update, by the server's clock; createdBy and
//     modifiedBy are the till "capillarytest" [fake].
//
// # What the fake does not model
//
// The vendor's 521 on concurrent actions (inject it, or use WithRandomFaults), 201
// partial success (WithCodeStatus can answer 201 to a refusal), the effect of
// mlp_single_enroll (only its syntax is checked), merging customers that share an identifier,
// program tiers beyond tierNumber >= 1 and their names, the audit log of the user-context
// headers (they are recorded with the request), side effects other than points and slab, the
// read embeds other than points, mlp and subscriptions, and GET /v2/customers/lookup.
//
// # Traffic
//
// WithRateLimit answers 429 (code 429, Retry-After in whole seconds: both the fake's choice,
// as the vendor documents neither) beyond n requests per span to one API, by the server's
// clock; WithLatency holds every answer; WithRandomFaults gives a seeded fraction of update
// requests a 429, a 521 or a connection dropped after the update was applied. Peak is the
// most requests seen in any one-minute window, over all requests and per API.
//
// # Faults
//
// InjectFaults queues Faults that the next matching requests take, one each: a status with
// Retry-After and a body (RateLimited, Unavailable, CustomerBusy, BadGatewayHTML), latency
// (Delay), an answer held until the test releases it (Hold), warnings added to a successful
// update (AddWarnings), a dropped connection before or after the update is applied
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
package capillarytest
