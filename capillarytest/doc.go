// Package capillarytest is an in-process fake of Capillary's API for tests: a real HTTP server
// on loopback, like net/http/httptest, that holds customers in memory, applies
// PUT /v2/customers/{userId} the way the vendor documents it, checks credentials the vendor's
// way, records what it received, and fails on demand.
//
// A request the vendor would refuse is refused with the vendor's code, so a test against the
// fake catches the caller's own mistakes, not only the SDK's.
//
//	srv := capillarytest.NewServer()
//	defer srv.Close()
//	srv.AddCustomer(capillarytest.Customer{ID: "171891944", Source: "INSTORE", FirstName: "Tom"})
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
// listing every problem found in a body at once; messages start with the vendor's text and go
// on with the exact field and value at fault. A successful update answers 200 with
// {"createdId":171891944,"warnings":[...],"sideEffects":[...]}, createdId a JSON number as in
// the vendor's samples.
//
// # Endpoints
//
//   - PUT /v2/customers/{userId}?source=...&accountId=...&use_async=...&mlp_single_enroll=...
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
// The vendor does not document which HTTP status comes with its codes; the fake answers 400
// with every code below, and the SDK decides by the code.
//
//   - Content-Type must be application/json (a charset, if any, UTF-8): else 415, code 415.
//   - source is required and must be one of FACEBOOK, WEB_ENGAGE, WECHAT, INSTORE, MARTJACK,
//     TMALL, TAOBAO, JD, ECOMMERCE, WEBSITE, LINE, MOBILE_APP, exactly so spelled: else 8003.
//   - use_async and mlp_single_enroll, when given, must be true or false: else code 400.
//   - accountId: a multi-account source (WECHAT, FACEBOOK, MOBILE_APP, LINE, WEB_ENGAGE)
//     without one is refused with 8045 (the vendor documents either this error or a warning
//     8054; the fake picks the error, which catches the omission). An accountId the source does
//     not have is refused with 3217; a source's accounts are those of WithSourceAccounts and of
//     the seeded customers, so by default no source has any.
//   - The body must be one JSON object with only the documented fields (profiles, loyaltyInfo,
//     extendedFields, loyaltyProgramEnrollments and theirs): else code 400 naming the field;
//     WithUnknownFieldsIgnored lets unknown fields through. Bodies above 1 MiB: code 400.
//   - profiles[].firstName/lastName: strings; beyond 100 characters the rest is dropped
//     without a warning, as the vendor does. fields and extendedFields: objects of strings,
//     numbers, booleans or null (null removes the field); else code 400.
//   - commChannels[]: an object without type (or with an empty one) is refused with 8106; a
//     type other than mobile, email, wechat, ios, android, line, mobilePush (exact case), a
//     missing value, primary/verified other than "true"/"false" (any case) or JSON booleans,
//     or a meta that is not an object, with 8010.
//   - loyaltyInfo.loyaltyType: required within loyaltyInfo, loyalty or non_loyalty: else code
//     400.
//   - loyaltyProgramEnrollments[]: programId a positive integer, tierNumber an integer >= 1,
//     loyaltyPoints an integer >= 0 (1.0, "1" and 1e0 are not integers), tierExpiryDate and
//     pointsExpiryDate exactly YYYY-MM-DDTHH:MM:SS+HH:MM (no Z, no fractions): else code 400.
//   - An unknown user id (or one that is not a positive decimal integer): 8015.
//   - A loyalty customer sent loyaltyType non_loyalty: 8018. non_loyalty to loyalty is
//     applied, with the warning 8107 (default status label not set) unless
//     WithDefaultStatusLabel is given.
//   - Identifiers cannot be changed: a mobile or email channel marked primary with another
//     value than the customer's primary one, or unmarking the primary one, is refused with
//     91005 when its type is the org's primary identifier (mobile, or WithPrimaryIdentifier)
//     and with 91006 for the other identifier. Other channels are added or updated; a new
//     channel is primary when marked so or when it is the first of its type.
//   - An email channel that is not an address is dropped with the warning 8055; a mobile
//     channel that is not 8 to 15 digits (optional +) with the warning 8056; the rest of the
//     update is applied.
//   - Enrolling into a program the customer is already in, or (with WithPrograms) into one the
//     org does not have, is refused with 10002 ("failed to update customer details"; the
//     vendor documents the refusal but no code for it). An enrolment stores the tier (1 unless
//     given), the points and the expiry dates; points above zero come back as a side effect
//     {"entityType":"USER","rawAwardedPoints":75,"awardedPoints":75,"type":"points"}, unless
//     use_async=true (the points are still applied, the side effects list is empty).
//   - An update on a source account the customer has no profile on adds that source profile
//     (Customer.LinkedSources), as the vendor does.
//
// An update is all or nothing: when any rule refuses it, nothing is stored. Updates of one
// customer are serialised; different customers are updated in parallel.
//
// # What the fake does not model
//
// Rate limits (inject 429 instead), the vendor's 521 on concurrent actions (inject it), 201
// partial success, org-specific custom and extended field definitions and their types (every
// key is accepted), the effect of mlp_single_enroll (only its syntax is checked), program tiers
// beyond tierNumber >= 1, Dual Eligibility, the audit log of the user-context headers (they
// are recorded with the request), and side effects other than points.
//
// # Faults
//
// InjectFaults queues Faults that the next matching requests take, one each: a status with
// Retry-After and a body (RateLimited, Unavailable, CustomerBusy, BadGatewayHTML), latency
// (Delay), a dropped connection before or after the update is applied (DropConnection,
// DropAfterHandling), a body cut short after its headers (TruncatedBody) and a complete body
// that is not valid JSON (MalformedBody). Fault.Path confines a fault to some requests, such
// as "/v2/" to spare the OAuth token endpoint.
//
// # Recording
//
// Requests returns every request in arrival order with method, path, query, headers, body,
// the status answered, the request id, how it authenticated and the fault it took. The
// Authorization value, the OAuth token header, cookies and the secret of a token generation
// body are replaced by [redacted]; nothing the server logs (WithLogger) carries a credential,
// a query or a body either.
package capillarytest
