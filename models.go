package capillary

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// UpdateCustomerRequest is the body of PUT /v2/customers/{userId} and of the update by
// identifier. It mirrors the vendor's request schema field for field. Every field is optional:
// a nil pointer, map or slice is left out of the JSON, while a non-nil one is sent even when it
// holds a zero value, so an explicit 0, "" or false always reaches the server.
//
// A request decoded from JSON is re-sent as it came: numbers keep their digits (json.Number),
// and fields the SDK does not model are kept in Unknown and sent back.
type UpdateCustomerRequest struct {
	// Profiles holds the customer's profile on the source being updated.
	Profiles []Profile `json:"profiles,omitzero"`
	// LoyaltyInfo moves a non-loyalty customer to loyalty (the reverse is refused with 8018).
	LoyaltyInfo *LoyaltyInfo `json:"loyaltyInfo,omitzero"`
	// ExtendedFields are the org's extended fields as key/value pairs. Values keep their JSON
	// type: extended fields are typed (INTEGER, STRING, DOUBLE, DATETIME, STANDARD_ENUM).
	ExtendedFields map[string]any `json:"extendedFields,omitzero"`
	// Fields are custom fields given at the top level, as the vendor's body table lists them
	// beside profiles[].fields.
	Fields map[string]any `json:"fields,omitzero"`
	// LoyaltyProgramEnrollments enrols the customer into loyalty programs.
	LoyaltyProgramEnrollments []LoyaltyProgramEnrollment `json:"loyaltyProgramEnrollments,omitzero"`
	// Unknown holds the fields of a decoded request that the SDK does not model; they are sent.
	Unknown Unknown `json:"-"`
}

// UnmarshalJSON decodes a request keeping its numbers as json.Number (an INTEGER extended field
// beyond 2^53 keeps every digit, 1.0 stays 1.0) and its unknown fields in Unknown.
func (r *UpdateCustomerRequest) UnmarshalJSON(data []byte) error {
	type plain UpdateCustomerRequest // same fields, without the methods
	return decodeKeepingUnknown(data, (*plain)(r))
}

var replacementEscape = []byte(`\ufffd`)

// MarshalJSON writes the request with its unknown fields and those of the objects within it.
// It refuses invalid UTF-8 with a *ValidationError naming each string at its path. encoding/json
// writes invalid UTF-8 in a string as the escape \ufffd (a real U+FFFD goes out as itself) and
// copies raw JSON as it is, so only a body holding more escapes than its raw JSON, or invalid
// bytes, is walked. The escapes are counted before Unknown's fields are merged in, which
// re-encodes them as U+FFFD itself.
func (r UpdateCustomerRequest) MarshalJSON() ([]byte, error) {
	type plain UpdateCustomerRequest
	return encodeRequest((*plain)(&r), &r)
}

// encodeRequest is MarshalJSON for any request: v is the request as a type without methods, r
// the request itself, whose strings checkUTF8 walks.
func encodeRequest(v, r any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	out, err := withUnknown(b, v)
	if err == nil && (bytes.Contains(b, replacementEscape) || !utf8.Valid(out)) {
		var p problems
		rawEscapes := checkUTF8(&p, r)
		if len(p) == 0 && (bytes.Count(b, replacementEscape) > rawEscapes || !utf8.Valid(out)) {
			p.add("body", "contains invalid UTF-8 (from a value that encodes itself)")
		}
		if len(p) > 0 {
			return nil, &ValidationError{Problems: p}
		}
	}
	return out, err
}

// Profile is the customer's meta information on one source, as an update sends it and as a
// read answers it (within CustomerProfile). A name is nil when it is not sent or not set.
type Profile struct {
	// FirstName is at most 100 characters; the server would silently drop the rest, so the
	// SDK refuses longer names instead.
	FirstName *string `json:"firstName,omitzero"`
	// LastName is at most 100 characters.
	LastName *string `json:"lastName,omitzero"`
	// Fields are the org's custom fields (gender, city, ...) as key/value pairs of any JSON type.
	Fields map[string]any `json:"fields,omitzero"`
	// Identifiers are the customer's identifiers (type and value); a read's card number comes
	// with its SeriesID and StatusLabel. An update does not change them: the vendor's
	// changeIdentifier API does.
	Identifiers []Identifier `json:"identifiers,omitzero"`
	// CommChannels are the customer's communication channels.
	CommChannels []CommChannel `json:"commChannels,omitzero"`
	// Source is the source of this profile.
	Source Source `json:"source,omitzero"`
	// AccountID is the source account of this profile ("" for single-account sources).
	AccountID string `json:"accountId,omitzero"`
	// Unknown holds the fields of a decoded profile that the SDK does not model (a read's
	// allFields, ...); an update sends them back.
	Unknown Unknown `json:"-"`
}

// CommChannel is one communication channel of a customer, in a request or in a read answer.
//
// Primary, Verified and Subscribed are sent as the strings "true" and "false", as the vendor
// documents them; when decoding, JSON booleans are accepted too, as the vendor's answers use them.
// The lookup update's OpenAPI types primary and verified boolean while the update tables and
// samples send strings: the SDK keeps sending the strings that every update page shows working.
type CommChannel struct {
	// Type is the kind of channel (mobile, email, ...).
	Type ChannelType `json:"type"`
	// Value is the channel's address; mobile numbers carry the country code.
	Value string `json:"value"`
	// Primary marks the customer's primary identifier of this type.
	Primary *bool `json:"primary,omitzero,string"`
	// Verified marks a channel verified by the org, for example through an OTP.
	Verified *bool `json:"verified,omitzero,string"`
	// Subscribed marks a channel the customer is subscribed on.
	Subscribed *bool `json:"subscribed,omitzero,string"`
	// LastViewedDate is when a mobilePush channel was last viewed, as the vendor writes it
	// (such as "2019-10-25"): a bare date, which DateTime would send with a time and offset.
	LastViewedDate string `json:"lastViewedDate,omitzero"`
	// Meta holds additional details of the channel, of any JSON type.
	Meta map[string]any `json:"meta,omitzero"`
	// Attributes holds the channel's attributes, of any JSON type.
	Attributes map[string]any `json:"attributes,omitzero"`
	// Unknown holds the fields of a decoded channel that the SDK does not model; they are sent.
	Unknown Unknown `json:"-"`
}

// UnmarshalJSON decodes a channel whose flags are JSON strings ("true") or JSON booleans: the
// vendor documents the first and answers with the second. The flags are read as Bool.
func (c *CommChannel) UnmarshalJSON(data []byte) error {
	type plain CommChannel
	aux := struct {
		*plain
		Primary    *Bool `json:"primary"`
		Verified   *Bool `json:"verified"`
		Subscribed *Bool `json:"subscribed"`
	}{plain: (*plain)(c)}
	if err := decodeKeepingNumbers(data, &aux); err != nil {
		return err
	}
	c.Primary, c.Verified, c.Subscribed = (*bool)(aux.Primary), (*bool)(aux.Verified), (*bool)(aux.Subscribed)
	return nil
}

// LoyaltyInfo carries the customer's loyalty status.
type LoyaltyInfo struct {
	// LoyaltyType is LoyaltyTypeLoyalty or LoyaltyTypeNonLoyalty.
	LoyaltyType LoyaltyType `json:"loyaltyType"`
	// Unknown holds the fields of a decoded object that the SDK does not model; they are sent.
	Unknown Unknown `json:"-"`
}

// LoyaltyProgramEnrollment enrols the customer into one loyalty program. The server refuses an
// enrolment into a program the customer is already in.
type LoyaltyProgramEnrollment struct {
	// ProgramID is the loyalty program's id; it is required. It is the type of the answers'
	// program ids (LoyaltyProgramDetails.ProgramID), so a read compares with a request.
	ProgramID Int `json:"programId"`
	// TierNumber is the tier's sequence number, 1 for the lowest.
	TierNumber *int `json:"tierNumber,omitzero"`
	// LoyaltyPoints are the points to credit, a decimal (the vendor's add table types it a
	// Number): json.Number("12.5") is sent as 12.5, digit for digit, and json.Number("0") as an
	// explicit 0.
	LoyaltyPoints *json.Number `json:"loyaltyPoints,omitzero"`
	// TierExpiryDate is when the tier expires.
	TierExpiryDate *DateTime `json:"tierExpiryDate,omitzero"`
	// PointsExpiryDate is when the credited points expire.
	PointsExpiryDate *DateTime `json:"pointsExpiryDate,omitzero"`
	// Unknown holds the fields of a decoded enrolment that the SDK does not model; they are sent.
	Unknown Unknown `json:"-"`
}

// UpdateCustomerResponse is the answer to a successful update.
type UpdateCustomerResponse struct {
	// CreatedID is the id of the updated customer. The vendor sends it as a number or as a
	// string; both decode.
	CreatedID ID `json:"createdId"`
	// Warnings lists what the server accepted but flagged (code 8107 and others).
	Warnings List[Message] `json:"warnings"`
	// SideEffects lists what the update caused: points, alternate currency, coupons, referral
	// rewards, tier changes. It is empty when the call ran with use_async=true.
	SideEffects List[SideEffect] `json:"sideEffects"`

	// StatusCode is the HTTP status of the response (200, or 201 when parts failed).
	StatusCode int `json:"-"`
	// RequestID is the vendor's X-Cap-Requestid, the id their support asks for.
	RequestID string `json:"-"`
	// Attempts is how many times the request was sent, retries included.
	Attempts int `json:"-"`
}

// UnmarshalJSON decodes a side effect keeping the fields the SDK does not model, within an
// answer or on its own, as a bulk run's results file stores it.
func (s *SideEffect) UnmarshalJSON(data []byte) error {
	type plain SideEffect
	return decodeKeepingUnknown(data, (*plain)(s))
}

// MarshalJSON writes the side effect's non-zero fields and the fields the SDK does not model.
func (s SideEffect) MarshalJSON() ([]byte, error) {
	type plain SideEffect
	return marshalWithUnknown((*plain)(&s))
}

// Message is one warning or error entry of the vendor's envelope: {status, code, message}.
type Message struct {
	// Code is the vendor's numeric code, such as 8015 or 8107.
	Code Int `json:"code"`
	// Message is the vendor's text for the code.
	Message string `json:"message"`
	// Status is the vendor's status flag; it is false on errors and warnings.
	Status Bool `json:"status"`
}

// String formats the message as "code message".
func (m Message) String() string {
	return strconv.FormatInt(int64(m.Code), 10) + " " + m.Message
}

// Side-effect kinds the vendor documents in SideEffect.Type.
const (
	SideEffectPoints            = "points"
	SideEffectAlternateCurrency = "alternate_currency"
	SideEffectCoupon            = "coupon"
	SideEffectSlab              = "slab" // a tier change
)

// SideEffect is one result of the update. The vendor sends several kinds in one list,
// told apart by Type; the fields of the other kinds are zero, and what the SDK does not model
// (a field the vendor adds, a kind it does not know) is kept in Unknown.
type SideEffect struct {
	// Type is the kind: SideEffectPoints, SideEffectAlternateCurrency, SideEffectCoupon,
	// SideEffectSlab, or another the vendor adds later (see Unknown).
	Type string `json:"type"`
	// EntityType is the entity affected: USER, USERGROUP2 or GROUP2.
	EntityType string `json:"entityType,omitzero"`

	// AwardedPoints are the points awarded after adjustments (points kind).
	AwardedPoints Number `json:"awardedPoints,omitzero"`
	// RawAwardedPoints are the points before adjustments (points kind).
	RawAwardedPoints Number `json:"rawAwardedPoints,omitzero"`
	// CustomerID is the customer credited, on referral points.
	CustomerID ID `json:"customerId,omitzero"`
	// IsReferrer tells, on referral points, whether CustomerID is the referrer.
	IsReferrer Bool `json:"isReferrer,omitzero"`

	// AwardedValue is the alternate currency awarded after adjustments.
	AwardedValue Number `json:"awardedValue,omitzero"`
	// RawAwardedValue is the alternate currency before adjustments.
	RawAwardedValue Number `json:"rawAwardedValue,omitzero"`
	// AlternateCurrencyIdentifier identifies the alternate currency.
	AlternateCurrencyIdentifier string `json:"alternateCurrencyIdentifier,omitzero"`
	// AlternateCurrencyName is the alternate currency's name.
	AlternateCurrencyName string `json:"alternateCurrencyName,omitzero"`

	// ID is the issued coupon's id (coupon kind).
	ID ID `json:"id,omitzero"`
	// CouponType is the coupon's type.
	CouponType string `json:"couponType,omitzero"`
	// CouponCode is the code the customer redeems.
	CouponCode string `json:"couponCode,omitzero"`
	// TrimmedCouponCode is the code as the vendor trims it.
	TrimmedCouponCode string `json:"trimmedCouponCode,omitzero"`
	// ValidTill is when the coupon expires, as the vendor writes it.
	ValidTill string `json:"validTill,omitzero"`
	// Description describes the coupon.
	Description string `json:"description,omitzero"`
	// DiscountCode is the coupon's discount code.
	DiscountCode string `json:"discountCode,omitzero"`

	// PreviousSlabName is the tier's name before the change (slab kind).
	PreviousSlabName string `json:"previousSlabName,omitzero"`
	// PreviousSlabNumber is the tier's sequence number before the change, 1 for the lowest.
	PreviousSlabNumber Int `json:"previousSlabNumber,omitzero"`
	// UpgradedSlabName is the tier's name after the change (lower on a downgrade).
	UpgradedSlabName string `json:"upgradedSlabName,omitzero"`
	// UpgradedSlabNumber is the tier's sequence number after the change.
	UpgradedSlabNumber Int `json:"upgradedSlabNumber,omitzero"`
	// SlabExpiryDate is when the new tier expires, as the vendor writes it ("30th Nov, 2025").
	SlabExpiryDate string `json:"slabExpiryDate,omitzero"`

	// Unknown holds the fields the SDK does not model (the fields of a kind it does not know),
	// as they came, so that nothing the server said is lost.
	Unknown Unknown `json:"-"`
}

// Ptr returns a pointer to v, for the optional fields of requests and params:
// capillary.Ptr(false) sends an explicit false.
func Ptr[T any](v T) *T { return &v }

// Deref returns *p, or the zero value when p is nil, for reading the optional fields of an
// answer: capillary.Deref(profile.FirstName).
func Deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// Add customer

// CreateCustomerRequest is the body of POST /v2/customers, the vendor's add customer, and of
// Upsert. It mirrors the vendor's add body field for field, with the update's rules: a nil
// pointer, map or slice is left out, and a non-nil one is sent even when it holds a zero value,
// so the vendor's own samples' "referralCode": "" and "fields": {} reach the server.
//
// Each profile needs its identifiers and its source. Every identifier type the vendor
// documents is accepted (mobile, email, externalId, cardnumber, cuid, unionId, line, ...), a
// card with its SeriesID and StatusLabel (its seriesCode and extendedFields ride in the
// identifier's Unknown). The headers the add documents (WAIT_FOR_DOWNSTREAM,
// X-CAP-DIRECT-REPLAY, SKIP-DOWNSTREAM) go with WithHeader. A request decoded from the
// vendor's JSON is sent whole: numbers keep their digits, and the fields the SDK does not
// model are kept in each object's Unknown and sent back.
type CreateCustomerRequest struct {
	// Profiles holds the customer's profile on each source it is registered on: names,
	// identifiers (required), channels, custom fields, source (required) and account.
	Profiles []Profile `json:"profiles,omitzero"`
	// LoyaltyInfo registers the customer as loyalty or non-loyalty.
	LoyaltyInfo *LoyaltyInfo `json:"loyaltyInfo,omitzero"`
	// AssociatedWith is the code of the till the customer is associated with; the vendor needs
	// its USE_CRM_REGISTRATION_INFO_FROM_BASE_STORE configuration for it.
	AssociatedWith *string `json:"associatedWith,omitzero"`
	// ExtendedFields are the org's extended fields as key/value pairs of any JSON type.
	ExtendedFields map[string]any `json:"extendedFields,omitzero"`
	// LoyaltyProgramEnrollments enrols the new customer into loyalty programs.
	LoyaltyProgramEnrollments []LoyaltyProgramEnrollment `json:"loyaltyProgramEnrollments,omitzero"`
	// ReferralCode is the referrer's code for a referral campaign; Ptr("") sends it empty.
	ReferralCode *string `json:"referralCode,omitzero"`
	// StatusLabel is the org's label for the customer's status, such as "active-1".
	StatusLabel *string `json:"statusLabel,omitzero"`
	// SubscriptionInfo lists the customer's channel subscriptions.
	SubscriptionInfo *SubscriptionInfo `json:"subscriptionInfo,omitzero"`
	// CreateDate is the customer's registration date, when not now (the vendor's earlier add
	// page documents it).
	CreateDate *DateTime `json:"createDate,omitzero"`
	// EndPointsEnabled lists the downstream systems to notify: REFERRAL_ENDPOINT,
	// DVS_ENDPOINT, TIMELINE_ENDPOINT, POINTSENGINE_ENDPOINT (the earlier add page).
	EndPointsEnabled []string `json:"endPointsEnabled,omitzero"`
	// Activity is the registration's activity (the earlier add page).
	Activity string `json:"activity,omitzero"`
	// Unknown holds the fields of a decoded request that the SDK does not model; they are sent.
	Unknown Unknown `json:"-"`
}

// UnmarshalJSON decodes a request keeping its numbers as json.Number and its unknown fields in
// Unknown, as UpdateCustomerRequest does.
func (r *CreateCustomerRequest) UnmarshalJSON(data []byte) error {
	type plain CreateCustomerRequest
	return decodeKeepingUnknown(data, (*plain)(r))
}

// MarshalJSON writes the request with its unknown fields and those of the objects within it,
// refusing invalid UTF-8 as UpdateCustomerRequest.MarshalJSON does.
func (r CreateCustomerRequest) MarshalJSON() ([]byte, error) {
	type plain CreateCustomerRequest
	return encodeRequest((*plain)(&r), &r)
}

// update is the request as Upsert sends it to an existing customer: what the update takes.
// The fields that only registration reads (associatedWith, referralCode, statusLabel,
// subscriptionInfo) are left out: the vendor's update does not document them.
func (r *CreateCustomerRequest) update() *UpdateCustomerRequest {
	return &UpdateCustomerRequest{Profiles: r.Profiles, LoyaltyInfo: r.LoyaltyInfo, ExtendedFields: r.ExtendedFields,
		LoyaltyProgramEnrollments: r.LoyaltyProgramEnrollments, Unknown: r.Unknown}
}

// CreateCustomerParams are the query parameters of Create and Upsert.
type CreateCustomerParams struct {
	// Source is the source the customer is registered on, sent only when set: the vendor wants
	// it in each profile, and documents the query's as optional. Upsert looks the customer up
	// and updates it on this source, or on the first profile's when it is empty.
	Source Source `url:"source,omitempty"`
	// AccountID is the source account, needed for sources with several accounts (WECHAT,
	// FACEBOOK, MOBILE_APP, LINE, WEB_ENGAGE). It is sent only when not empty.
	AccountID string `url:"accountId,omitempty"`
	// MLPSingleEnroll, when true, enrols the customer in all of the org's loyalty programs.
	MLPSingleEnroll *bool `url:"mlp_single_enroll,omitempty"`
	// RawSideEffects, when true, asks for the side effects before rounding.
	RawSideEffects *bool `url:"rawSideEffects,omitempty"`
}

// CreateCustomerResponse is the answer to a successful create, the update's envelope:
// CreatedID is the new customer's id, or the existing customer's when the identifiers were
// known on another source and the vendor added a profile to it (warning 8050).
type CreateCustomerResponse UpdateCustomerResponse

// UpsertCustomerResponse is the answer to a successful Upsert.
type UpsertCustomerResponse struct {
	// Created is true when this call created the customer (or added a profile to one known
	// on another source, warning 8050), false when it updated an existing one.
	Created bool `json:"created"`
	// CustomerID is the id of the customer created or updated.
	CustomerID ID `json:"customerId"`
	// Warnings are those of the create or the update.
	Warnings List[Message] `json:"warnings,omitzero"`
	// SideEffects are those of the create or the update.
	SideEffects List[SideEffect] `json:"sideEffects,omitzero"`

	// StatusCode is the HTTP status of the create's or the update's response.
	StatusCode int `json:"-"`
	// RequestID is the X-Cap-Requestid of the create's or the update's response.
	RequestID string `json:"-"`
	// Attempts is how many requests the upsert sent in all: look-ups, create and update,
	// retries included.
	Attempts int `json:"-"`
}
