package capillarytest

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Customer is a customer as the fake stores it: what a test seeds with Server.AddCustomer and
// reads back with Server.Customer. The JSON form is the one of the capillary-fake seed file.
//
// The fake keeps one profile per customer (names, fields, channels) whatever the source it is
// updated on; an update on a source the customer has no profile on yet adds that source to
// LinkedSources, as the vendor adds a source profile (its error 3217 is "org source addition
// failed").
type Customer struct {
	// ID is the vendor's user id: a positive decimal integer, as the vendor answers it in
	// createdId as a JSON number.
	ID string `json:"id"`
	// Source is the source the customer was registered on; empty means INSTORE.
	Source string `json:"source,omitempty"`
	// AccountID is the account of Source; it is required for multi-account sources (WECHAT,
	// FACEBOOK, MOBILE_APP, LINE, WEB_ENGAGE). Seeding a customer on an account makes the
	// server accept that account for the source.
	AccountID string `json:"accountId,omitempty"`
	// LinkedSources are the customer's other source profiles: seeded, or added by updates.
	LinkedSources []SourceAccount `json:"linkedSources,omitempty"`

	// FirstName and LastName are the customer's names (the fake keeps at most 100 characters
	// of an updated name, as the vendor does).
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	// Fields are the custom fields (profiles[].fields). JSON numbers are stored as int64 when
	// integral and float64 otherwise.
	Fields map[string]any `json:"fields,omitempty"`
	// ExtendedFields are the extended fields, stored like Fields.
	ExtendedFields map[string]any `json:"extendedFields,omitempty"`
	// CommChannels are the customer's communication channels, identifiers included.
	CommChannels []CommChannel `json:"commChannels,omitempty"`

	// LoyaltyType is "loyalty" or "non_loyalty"; empty means non_loyalty.
	LoyaltyType string `json:"loyaltyType,omitempty"`
	// Enrollments are the loyalty programs the customer is enrolled in.
	Enrollments []Enrollment `json:"enrollments,omitempty"`
}

// SourceAccount names one source profile: a source and, for multi-account sources, its account.
type SourceAccount struct {
	// Source is the source, such as WECHAT.
	Source string `json:"source"`
	// AccountID is the source's account; empty for single-account sources.
	AccountID string `json:"accountId,omitempty"`
}

// CommChannel is one communication channel of a stored customer.
type CommChannel struct {
	// Type is mobile, email, wechat, ios, android, line or mobilePush.
	Type string `json:"type"`
	// Value is the channel's address.
	Value string `json:"value"`
	// Primary marks the customer's primary channel of this type.
	Primary bool `json:"primary,omitempty"`
	// Verified marks a channel the org verified.
	Verified bool `json:"verified,omitempty"`
	// Meta holds the channel's additional details.
	Meta map[string]any `json:"meta,omitempty"`
}

// Enrollment is the customer's membership of one loyalty program.
type Enrollment struct {
	// ProgramID is the loyalty program's id.
	ProgramID int64 `json:"programId"`
	// TierNumber is the customer's tier in the program, 1 for the lowest.
	TierNumber int `json:"tierNumber,omitempty"`
	// Points is the customer's points balance in the program.
	Points int64 `json:"points,omitempty"`
	// TierExpiryDate is when the tier expires; zero when not set.
	TierExpiryDate time.Time `json:"tierExpiryDate,omitzero"`
	// PointsExpiryDate is when the enrolment's points expire; zero when not set.
	PointsExpiryDate time.Time `json:"pointsExpiryDate,omitzero"`
}

// Validate reports what is wrong with c as seed data: an id that is not a positive integer, an
// unknown source or loyalty type, a multi-account source without account, a channel of an
// unknown type or without value, an enrolment without a positive program id or with a tier
// below 1 or negative points, two enrolments in one program.
func (c Customer) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if _, err := numericID(c.ID); err != nil {
		bad("id: %v", err)
	}
	source := c.source()
	switch {
	case !validSource(source):
		bad("source %q is not one the vendor's update accepts", source)
	case multiAccountSource(source) && c.AccountID == "":
		bad("source %s has several accounts: accountId is required", source)
	}
	for i, sa := range c.LinkedSources {
		switch {
		case !validSource(sa.Source):
			bad("linkedSources[%d]: source %q is not one the vendor's update accepts", i, sa.Source)
		case multiAccountSource(sa.Source) && sa.AccountID == "":
			bad("linkedSources[%d]: source %s has several accounts: accountId is required", i, sa.Source)
		}
	}
	if lt := c.loyaltyType(); lt != loyaltyTypeLoyalty && lt != loyaltyTypeNonLoyalty {
		bad("loyaltyType %q is not %q or %q", lt, loyaltyTypeLoyalty, loyaltyTypeNonLoyalty)
	}
	for i, ch := range c.CommChannels {
		if !validChannelType(ch.Type) {
			bad("commChannels[%d]: type %q is not one of %s", i, ch.Type, channelTypeList)
		}
		if ch.Value == "" {
			bad("commChannels[%d]: value is empty", i)
		}
	}
	seen := map[int64]bool{}
	for i, e := range c.Enrollments {
		switch {
		case e.ProgramID <= 0:
			bad("enrollments[%d]: programId %d is not positive", i, e.ProgramID)
		case seen[e.ProgramID]:
			bad("enrollments[%d]: program %d is listed twice", i, e.ProgramID)
		}
		seen[e.ProgramID] = true
		if e.TierNumber < 0 {
			bad("enrollments[%d]: tierNumber %d is negative", i, e.TierNumber)
		}
		if e.Points < 0 {
			bad("enrollments[%d]: points %d is negative", i, e.Points)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("capillarytest: customer %q: %w", c.ID, errors.Join(errs...))
	}
	return nil
}

// source is the registration source, INSTORE when not set.
func (c *Customer) source() string {
	if c.Source == "" {
		return "INSTORE"
	}
	return c.Source
}

// loyaltyType is the loyalty type, non_loyalty when not set.
func (c *Customer) loyaltyType() string {
	if c.LoyaltyType == "" {
		return loyaltyTypeNonLoyalty
	}
	return c.LoyaltyType
}

// normalized fills the defaults in, so that what a test reads back states them.
func (c Customer) normalized() Customer {
	c.Source = c.source()
	c.LoyaltyType = c.loyaltyType()
	for i := range c.Enrollments {
		if c.Enrollments[i].TierNumber == 0 {
			c.Enrollments[i].TierNumber = 1
		}
	}
	return c
}

// hasSource reports whether the customer has a profile on the source account.
func (c *Customer) hasSource(sa SourceAccount) bool {
	if sa == (SourceAccount{Source: c.source(), AccountID: c.AccountID}) {
		return true
	}
	for _, linked := range c.LinkedSources {
		if linked == sa {
			return true
		}
	}
	return false
}

// enrollment returns the customer's enrolment in a program, or nil.
func (c *Customer) enrollment(programID int64) *Enrollment {
	for i := range c.Enrollments {
		if c.Enrollments[i].ProgramID == programID {
			return &c.Enrollments[i]
		}
	}
	return nil
}

// numericID parses a user id: a positive decimal integer without sign or leading zeros,
// which is what the vendor's ids are and what createdId can carry as a JSON number.
func numericID(id string) (int64, error) {
	if id == "" {
		return 0, errors.New("is empty")
	}
	if id[0] < '1' || id[0] > '9' {
		return 0, fmt.Errorf("%q is not a positive decimal integer", id)
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a positive decimal integer that fits 64 bits", id)
	}
	return n, nil
}

// clone returns a deep copy of c, so that a caller holding it cannot change the stored
// customer and the server cannot change what a caller holds.
func (c Customer) clone() Customer {
	c.LinkedSources = append([]SourceAccount(nil), c.LinkedSources...)
	c.Fields = cloneMap(c.Fields)
	c.ExtendedFields = cloneMap(c.ExtendedFields)
	if c.CommChannels != nil {
		channels := make([]CommChannel, len(c.CommChannels))
		for i, ch := range c.CommChannels {
			ch.Meta = cloneMap(ch.Meta)
			channels[i] = ch
		}
		c.CommChannels = channels
	}
	c.Enrollments = append([]Enrollment(nil), c.Enrollments...)
	return c
}

// cloneMap deep-copies a map of JSON-like values.
func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

// cloneValue deep-copies maps and slices; other values are copied as they are.
func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneMap(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneValue(e)
		}
		return out
	}
	return v
}
