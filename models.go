package capillary

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// UpdateCustomerRequest is the body of PUT /v2/customers/{userId}. It mirrors the vendor's
// request schema field for field. Every field is optional: a nil pointer, map or slice is left
// out of the JSON, while a non-nil one is sent even when it holds a zero value, so an explicit
// 0, "" or false always reaches the server.
type UpdateCustomerRequest struct {
	// Profiles holds the customer's profile on the source being updated.
	Profiles []Profile `json:"profiles,omitzero"`
	// LoyaltyInfo moves a non-loyalty customer to loyalty (the reverse is refused with 8018).
	LoyaltyInfo *LoyaltyInfo `json:"loyaltyInfo,omitzero"`
	// ExtendedFields are the org's extended fields as key/value pairs. Values keep their JSON
	// type: extended fields are typed (INTEGER, STRING, DOUBLE, DATETIME, STANDARD_ENUM).
	ExtendedFields map[string]any `json:"extendedFields,omitzero"`
	// LoyaltyProgramEnrollments enrols the customer into loyalty programs.
	LoyaltyProgramEnrollments []LoyaltyProgramEnrollment `json:"loyaltyProgramEnrollments,omitzero"`
}

// UnmarshalJSON decodes a request keeping the numbers of fields, extendedFields and meta as
// json.Number, so that a decoded request is re-sent exactly as written: an INTEGER extended
// field beyond 2^53 keeps every digit and 1.0 stays 1.0 (float64 would change both).
func (r *UpdateCustomerRequest) UnmarshalJSON(data []byte) error {
	type plain UpdateCustomerRequest // same fields, without this method
	return decodeKeepingNumbers(data, (*plain)(r))
}

// decodeKeepingNumbers is json.Unmarshal with the numbers of untyped values kept as
// json.Number.
func decodeKeepingNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// Profile is the customer's meta information on one source.
type Profile struct {
	// FirstName is at most 100 characters; the server would silently drop the rest, so the
	// SDK refuses longer names instead.
	FirstName *string `json:"firstName,omitzero"`
	// LastName is at most 100 characters.
	LastName *string `json:"lastName,omitzero"`
	// Fields are the org's custom fields (gender, city, ...) as key/value pairs of any JSON type.
	Fields map[string]any `json:"fields,omitzero"`
	// CommChannels are the customer's communication channels.
	CommChannels []CommChannel `json:"commChannels,omitzero"`
}

// UnmarshalJSON decodes a profile keeping the numbers of its custom fields as json.Number, as
// UpdateCustomerRequest does.
func (p *Profile) UnmarshalJSON(data []byte) error {
	type plain Profile // same fields, without this method
	return decodeKeepingNumbers(data, (*plain)(p))
}

// CommChannel is one communication channel of a customer.
//
// Primary and Verified are sent as the strings "true" and "false", as the vendor documents
// them; when decoding, JSON booleans are accepted too, as the vendor's own samples use them.
type CommChannel struct {
	// Type is the kind of channel (mobile, email, ...).
	Type ChannelType `json:"type"`
	// Value is the channel's address; mobile numbers carry the country code.
	Value string `json:"value"`
	// Primary marks the customer's primary identifier of this type.
	Primary *bool `json:"primary,omitzero,string"`
	// Verified marks a channel verified by the org, for example through an OTP.
	Verified *bool `json:"verified,omitzero,string"`
	// Meta holds additional details of the channel, of any JSON type.
	Meta map[string]any `json:"meta,omitzero"`
}

// UnmarshalJSON decodes a channel whose primary and verified flags are JSON strings
// ("true") or JSON booleans (true): the vendor documents the first and sends both. The numbers
// in Meta are kept as json.Number, as UpdateCustomerRequest does.
func (c *CommChannel) UnmarshalJSON(data []byte) error {
	type plain CommChannel // same fields, without this method
	aux := struct {
		*plain
		Primary  json.RawMessage `json:"primary"`
		Verified json.RawMessage `json:"verified"`
	}{plain: (*plain)(c)}
	if err := decodeKeepingNumbers(data, &aux); err != nil {
		return err
	}
	var err error
	if c.Primary, err = decodeLooseBool("primary", aux.Primary); err != nil {
		return err
	}
	c.Verified, err = decodeLooseBool("verified", aux.Verified)
	return err
}

// decodeLooseBool reads true, false, "true", "false" (any case) or null.
func decodeLooseBool(field string, raw json.RawMessage) (*bool, error) {
	s := string(bytes.TrimSpace(raw))
	if s == "" || s == "null" {
		return nil, nil
	}
	if unquoted, err := strconv.Unquote(s); err == nil {
		s = unquoted
	}
	b, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(s)))
	if err != nil {
		return nil, fmt.Errorf("capillary: %s: %s is not a boolean", field, raw)
	}
	return &b, nil
}

// LoyaltyInfo carries the customer's loyalty status.
type LoyaltyInfo struct {
	// LoyaltyType is LoyaltyTypeLoyalty or LoyaltyTypeNonLoyalty.
	LoyaltyType LoyaltyType `json:"loyaltyType"`
}

// LoyaltyProgramEnrollment enrols the customer into one loyalty program. The server refuses an
// enrolment into a program the customer is already in.
type LoyaltyProgramEnrollment struct {
	// ProgramID is the loyalty program's id; it is required.
	ProgramID int64 `json:"programId"`
	// TierNumber is the tier's sequence number, 1 for the lowest.
	TierNumber *int `json:"tierNumber,omitzero"`
	// LoyaltyPoints are the points to credit; an explicit 0 is sent as 0.
	LoyaltyPoints *int64 `json:"loyaltyPoints,omitzero"`
	// TierExpiryDate is when the tier expires.
	TierExpiryDate *DateTime `json:"tierExpiryDate,omitzero"`
	// PointsExpiryDate is when the credited points expire.
	PointsExpiryDate *DateTime `json:"pointsExpiryDate,omitzero"`
}

// DateTimeLayout is the vendor's date-time format, YYYY-MM-DDTHH:MM:SS+HH:MM.
const DateTimeLayout = "2006-01-02T15:04:05-07:00"

// DateTime is a point in time in the vendor's format (DateTimeLayout), always written with a
// numeric offset: 2024-07-11T16:36:17+05:30, never Z and never with fractions.
type DateTime struct {
	time.Time
}

// NewDateTime returns t as a *DateTime, ready for a request field.
func NewDateTime(t time.Time) *DateTime {
	return &DateTime{Time: t}
}

// dateTimeLayouts are the forms accepted when reading: the documented one first, then RFC 3339
// (Z, fractions) and an offset without a colon, which the vendor's prose also allows.
var dateTimeLayouts = [...]string{DateTimeLayout, time.RFC3339Nano, "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05.999999999-0700"}

// MarshalJSON writes the time in DateTimeLayout, seconds precision.
func (d DateTime) MarshalJSON() ([]byte, error) {
	if y := d.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("capillary: DateTime year %d is outside 0000-9999", y)
	}
	b := make([]byte, 0, len(DateTimeLayout)+2)
	b = append(b, '"')
	b = d.AppendFormat(b, DateTimeLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON reads any of the forms the vendor documents.
func (d *DateTime) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	s, err := strconv.Unquote(string(data))
	if err != nil {
		return fmt.Errorf("capillary: date-time %s is not a JSON string", data)
	}
	for _, layout := range dateTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			d.Time = t
			return nil
		}
	}
	return fmt.Errorf("capillary: date-time %q is not in the form %s", s, DateTimeLayout)
}

// String formats the time in DateTimeLayout.
func (d DateTime) String() string {
	return d.Format(DateTimeLayout)
}

// UpdateCustomerResponse is the answer to a successful update.
type UpdateCustomerResponse struct {
	// CreatedID is the id of the updated customer. The vendor sends it as a number or as a
	// string; both decode.
	CreatedID ID `json:"createdId"`
	// Warnings lists what the server accepted but flagged (code 8107 and others).
	Warnings []Message `json:"warnings"`
	// SideEffects lists what the update caused: points, alternate currency, coupons, referral
	// rewards. It is empty when the call ran with use_async=true.
	SideEffects []SideEffect `json:"sideEffects"`

	// StatusCode is the HTTP status of the response (200, or 201 when parts failed).
	StatusCode int `json:"-"`
	// RequestID is the vendor's X-Cap-Requestid, the id their support asks for.
	RequestID string `json:"-"`
	// Attempts is how many times the request was sent, retries included.
	Attempts int `json:"-"`
}

// Message is one warning or error entry of the vendor's envelope: {status, code, message}.
type Message struct {
	// Code is the vendor's numeric code, such as 8015 or 8107.
	Code int `json:"code"`
	// Message is the vendor's text for the code.
	Message string `json:"message"`
	// Status is the vendor's status flag; it is false on errors and warnings.
	Status bool `json:"status"`
}

// String formats the message as "code message".
func (m Message) String() string {
	return strconv.Itoa(m.Code) + " " + m.Message
}

// Side-effect kinds the vendor documents in SideEffect.Type.
const (
	SideEffectPoints            = "points"
	SideEffectAlternateCurrency = "alternate_currency"
	SideEffectCoupon            = "coupon"
)

// SideEffect is one result of the update. The vendor sends several kinds in one list,
// told apart by Type; the fields of the other kinds are zero.
type SideEffect struct {
	// Type is the kind: SideEffectPoints, SideEffectAlternateCurrency, SideEffectCoupon, or
	// another the vendor adds later.
	Type string `json:"type"`
	// EntityType is the entity affected: USER, USERGROUP2 or GROUP2.
	EntityType string `json:"entityType,omitzero"`

	// AwardedPoints are the points awarded after adjustments (points kind).
	AwardedPoints float64 `json:"awardedPoints,omitzero"`
	// RawAwardedPoints are the points before adjustments (points kind).
	RawAwardedPoints float64 `json:"rawAwardedPoints,omitzero"`
	// CustomerID is the customer credited, on referral points.
	CustomerID ID `json:"customerId,omitzero"`
	// IsReferrer tells, on referral points, whether CustomerID is the referrer.
	IsReferrer bool `json:"isReferrer,omitzero"`

	// AwardedValue is the alternate currency awarded after adjustments.
	AwardedValue float64 `json:"awardedValue,omitzero"`
	// RawAwardedValue is the alternate currency before adjustments.
	RawAwardedValue float64 `json:"rawAwardedValue,omitzero"`
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
}

// ID is an identifier that the vendor sends sometimes as a JSON number and sometimes as a
// string (createdId is documented as a String and sampled as a number). It decodes from either,
// keeping every digit, and encodes as a string.
type ID string

// UnmarshalJSON accepts a JSON string, a JSON number or null. The forms the vendor sends, a
// number or a string without escapes, are taken as their bytes: decoding them again through
// encoding/json would cost allocations on every answer. Anything else goes through
// encoding/json, which has the last word on what is valid.
func (id *ID) UnmarshalJSON(data []byte) error {
	if n := len(data); n > 0 && json.Valid(data) {
		switch first, last := data[0], data[n-1]; {
		case (first == '-' || isDigit(first)) && isDigit(last): // a number, no space around it
			*id = ID(data)
			return nil
		case first == '"' && last == '"' && bytes.IndexByte(data, '\\') < 0 && utf8.Valid(data):
			*id = ID(data[1 : n-1])
			return nil
		}
	}
	switch {
	case string(data) == "null":
		return nil
	case len(data) > 0 && data[0] == '"':
		return json.Unmarshal(data, (*string)(id))
	}
	var n json.Number
	if err := json.Unmarshal(data, &n); err != nil {
		return fmt.Errorf("capillary: id %s is neither a string nor a number", data)
	}
	*id = ID(n)
	return nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// String returns the id as text.
func (id ID) String() string { return string(id) }

// Ptr returns a pointer to v, for the optional fields of requests and params:
// capillary.Ptr(int64(0)) sends an explicit zero.
func Ptr[T any](v T) *T { return &v }
