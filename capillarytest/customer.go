package capillarytest

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
)

// Customer is a customer as the fake stores it: what a test seeds with Server.AddCustomer and
// reads back with Server.Customer. The JSON form is the one of the capillary-fake seed file.
//
// The vendor keeps a profile per source (and account); so does the fake. The customer's own
// Profile is the one of the source it was registered on; OtherProfiles are its profiles on
// other sources. An update on a source the customer has no profile on yet adds one, as the
// vendor does (its error 3217 is "org source addition failed").
type Customer struct {
	// ID is the vendor's user id: a positive decimal integer, as the vendor answers it in
	// createdId as a JSON number.
	ID string `json:"id"`
	// Profile is the profile of the source the customer was registered on; an empty Source
	// means INSTORE. Seeding a customer on an account makes the server accept that account
	// for the source. Its fields stand at the top level of the seed file's customer.
	Profile
	// OtherProfiles are the customer's profiles on other sources: seeded, or added by updates.
	OtherProfiles []Profile `json:"otherProfiles,omitempty"`

	// ExtendedFields are the extended fields, stored like Fields.
	ExtendedFields map[string]any `json:"extendedFields,omitempty"`
	// LoyaltyType is "loyalty" or "non_loyalty"; empty means non_loyalty.
	LoyaltyType string `json:"loyaltyType,omitempty"`
	// Enrollments are the loyalty programs the customer is enrolled in.
	Enrollments []Enrollment `json:"enrollments,omitempty"`
	// Subscriptions are the customer's channel subscriptions, read back with
	// embed=subscriptions.
	Subscriptions []Subscription `json:"subscriptions,omitempty"`
	// Segments maps a segment name to the customer's partition in it, as reads show them.
	Segments map[string]string `json:"segments,omitempty"`

	// Cards are the customer's loyalty cards, read as cardDetails; each is also a cardnumber
	// identifier of the registration profile, read with the card's seriesId and statusLabel.
	Cards []Card `json:"cards,omitempty"`
	// FraudStatus is the customer's fraud status, read as fraudDetails with
	// includedFraudDetails=true; empty means NOT_FRAUD.
	FraudStatus string `json:"fraudStatus,omitempty"`
	// AlternateCurrencies are the customer's balances of alternate currencies, read as
	// alternateCurrencyDetails with embed=alternateCurrencies.
	AlternateCurrencies []AlternateCurrency `json:"alternateCurrencies,omitempty"`
	// Promotions are the points promotions gave the customer, read as promotionalPoints with
	// embed=promotionalPoints.
	Promotions []Promotion `json:"promotions,omitempty"`
	// GroupPrograms are the customer's group loyalty programs, read as
	// groupLoyaltyProgramDetails with includedUserGroup2LoyaltyDetails=true.
	GroupPrograms []GroupProgram `json:"groupPrograms,omitempty"`
	// UpgradeStrategies are the ways to the next tier, read as upgradeStrategies with
	// embed=mlp and gapToUpgrade.
	UpgradeStrategies []Strategy `json:"upgradeStrategies,omitempty"`
	// RenewStrategies are the ways to keep the tier past TierExpiryDate of the first
	// enrolment, read as gapToRenewSummary with embed=mlp and gapToRenew.
	RenewStrategies []Strategy `json:"renewStrategies,omitempty"`

	// MergedInto, when set, is the id of the customer this one was merged into: reads and
	// updates of it answer 8069.
	MergedInto string `json:"mergedInto,omitempty"`
	// Deleted marks a customer deleted after a PII delete request: reads and updates of it
	// answer 8109.
	Deleted bool `json:"deleted,omitempty"`
}

// Profile is a customer's profile on one source (and account): its names, custom fields,
// identifiers and channels.
type Profile struct {
	// Source is the profile's source, such as WECHAT.
	Source string `json:"source,omitempty"`
	// AccountID is the source's account; it is required for multi-account sources (WECHAT,
	// FACEBOOK, MOBILE_APP, LINE, WEB_ENGAGE) and empty for the others.
	AccountID string `json:"accountId,omitempty"`
	// FirstName and LastName are the names on this profile (the fake keeps at most 100
	// characters of an updated name, as the vendor does).
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	// Fields are the profile's custom fields (profiles[].fields). An update stores them as
	// text, as the vendor answers them ("2" for 2); reads answer seeded values as text too.
	Fields map[string]any `json:"fields,omitempty"`
	// Identifiers are the profile's identifiers (mobile, email, externalId, cardnumber, wechat,
	// ...). A primary mobile or email channel, and a wechat channel, also identify the customer.
	Identifiers []Identifier `json:"identifiers,omitempty"`
	// CommChannels are the profile's communication channels.
	CommChannels []CommChannel `json:"commChannels,omitempty"`
}

// sourceAccount names one source profile: a source and, for multi-account sources, its account.
type sourceAccount struct {
	Source    string
	AccountID string // empty for single-account sources
}

// Identifier is one identifier of a profile, in the vendor's {"type","value"} form.
type Identifier struct {
	// Type is mobile, email, externalId, cardnumber, wechat, and the other documented types.
	Type string `json:"type"`
	// Value is the identifier's value (a mobile number sent as a JSON number is kept as its
	// digits).
	Value string `json:"value"`
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
	// Subscribed is the channel's subscription flag, when an update set it.
	Subscribed *bool `json:"subscribed,omitempty"`
	// LastViewedDate is the last time a mobilePush channel was viewed, as sent.
	LastViewedDate string `json:"lastViewedDate,omitempty"`
	// Meta holds the channel's additional details.
	Meta map[string]any `json:"meta,omitempty"`
	// Attributes holds the channel's attributes.
	Attributes map[string]any `json:"attributes,omitempty"`
}

// Subscription is one subscription of the customer, in the vendor's subscriptionInfo form.
type Subscription struct {
	// Channel is EMAIL, SMS, ANDROID or IOS.
	Channel string `json:"channel"`
	// Priority is TRANS or BULK.
	Priority string `json:"priority"`
	// Type is OPTIN or OPTOUT.
	Type string `json:"type"`
}

// Enrollment is the customer's membership of one loyalty program.
type Enrollment struct {
	// ProgramID is the loyalty program's id.
	ProgramID int64 `json:"programId"`
	// TierNumber is the customer's tier in the program, 1 for the lowest.
	TierNumber int `json:"tierNumber,omitempty"`
	// Points is the customer's points balance in the program, a decimal as the vendor's add
	// table types loyaltyPoints.
	Points float64 `json:"points,omitempty"`
	// TierExpiryDate is when the tier expires; zero when not set.
	TierExpiryDate time.Time `json:"tierExpiryDate,omitzero"`
	// PointsExpiryDate is when the enrolment's points expire; zero when not set.
	PointsExpiryDate time.Time `json:"pointsExpiryDate,omitzero"`
	// PartnerPrograms are the partner programs the customer is linked to through this
	// program, read as its linkedPartnerPrograms.
	PartnerPrograms []PartnerProgram `json:"partnerPrograms,omitempty"`
}

// PartnerProgram is a partner program the customer is linked to.
type PartnerProgram struct {
	// ID and Name name the partner program.
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Type is EXTERNAL (when empty) or SUPPLEMENTARY.
	Type string `json:"type,omitempty"`
	// MembershipID is the customer's membership id in the partner program.
	MembershipID string `json:"membershipId,omitempty"`
	// TierNumber and TierName are the customer's partner tier; a program without tiers has
	// TierNumber 0.
	TierNumber int    `json:"tierNumber,omitempty"`
	TierName   string `json:"tierName,omitempty"`
	// TierExpiryDate is when the partner tier expires; zero when not set.
	TierExpiryDate time.Time `json:"tierExpiryDate,omitzero"`
}

// Card is one of the customer's loyalty cards.
type Card struct {
	// Number is the card number; it is required.
	Number string `json:"number"`
	// ExternalID is the card's external id.
	ExternalID string `json:"externalId,omitempty"`
	// SeriesID, SeriesCode and SeriesName name the card series.
	SeriesID   int64  `json:"seriesId,omitempty"`
	SeriesCode string `json:"seriesCode,omitempty"`
	SeriesName string `json:"seriesName,omitempty"`
	// Type is DIGITAL (when empty) or PHYSICAL.
	Type string `json:"type,omitempty"`
	// Status is the card's status label, ACTIVE when empty; only ACTIVE is an active card.
	Status string `json:"status,omitempty"`
}

// AlternateCurrency is the customer's balance of one alternate currency in one program.
type AlternateCurrency struct {
	// ProgramID and ProgramName name the loyalty program.
	ProgramID   int64  `json:"programId"`
	ProgramName string `json:"programName,omitempty"`
	// Name is the currency's name.
	Name string `json:"name"`
	// Earned is the amount available; LifetimeEarned what was earned to date; Redeemed,
	// Expired and Returned what left the balance. Nothing is delayed in the fake.
	Earned         float64 `json:"earned,omitempty"`
	LifetimeEarned float64 `json:"lifetimeEarned,omitempty"`
	Redeemed       float64 `json:"redeemed,omitempty"`
	Expired        float64 `json:"expired,omitempty"`
	Returned       float64 `json:"returned,omitempty"`
}

// Promotion is the points one promotion gave the customer.
type Promotion struct {
	// Kind is customer (when empty), transaction or lineitem: the list the vendor reads it in.
	Kind string `json:"kind,omitempty"`
	// ProgramID is the loyalty program's id.
	ProgramID int64 `json:"programId"`
	// Name is the promotion's name.
	Name string `json:"name,omitempty"`
	// Points are the points given.
	Points float64 `json:"points"`
	// IssuedOn and ExpiryDate are when the points were given and when they expire.
	IssuedOn   time.Time `json:"issuedOn,omitzero"`
	ExpiryDate time.Time `json:"expiryDate,omitzero"`
	// SourceType is what gave the points, GOODWILL when empty (promotionSourceId -1, as in the
	// vendor's sample).
	SourceType string `json:"sourceType,omitempty"`
}

// Strategy is one way to reach or keep a tier: what it counts, the value that does it, and
// the customer's value; the gap is the difference.
type Strategy struct {
	// BasedOn is what is counted: CUMULATIVE_PURCHASES, CURRENT_POINTS, VISITS, POINTS, ...
	BasedOn string `json:"basedOn"`
	// Threshold is the value that upgrades or renews; Value is the customer's.
	Threshold float64 `json:"threshold"`
	Value     float64 `json:"value,omitempty"`
	// ValidUpto is the date until which Value counts (upgrades only); zero when not set.
	ValidUpto time.Time `json:"validUpto,omitzero"`
}

// GroupProgram is the customer's standing in one group loyalty program.
type GroupProgram struct {
	// ID is the group program's id.
	ID int64 `json:"id"`
	// Title and Description describe it.
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// ProgramIDs are the loyalty programs in the group.
	ProgramIDs []int64 `json:"programIds,omitempty"`
	// Points are the points available in the group, also its lifetime points in the fake.
	Points float64 `json:"points,omitempty"`
}

// promotionKinds are the lists a promotion is read in, by Promotion.Kind.
var promotionKinds = []string{"customer", "transaction", "lineitem"}

// Validate reports what is wrong with c as seed data: an id that is not a positive integer, an
// unknown source or loyalty type, a multi-account source without account, two profiles on one
// source account, a channel of an unknown type or without value, an identifier without type or
// value, an enrolment without a positive program id or with a tier below 1 or negative points,
// two enrolments in one program.
func (c Customer) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if _, err := numericID(c.ID); err != nil {
		bad("id: %v", err)
	}
	seenProfiles := map[sourceAccount]bool{}
	for i, p := range c.profiles() {
		at := "" // the registration profile's fields are the customer's own
		if i > 0 {
			at = fmt.Sprintf("otherProfiles[%d]: ", i-1)
		}
		switch {
		case !validSource(p.Source):
			bad("%ssource %q is not one the vendor's update accepts", at, p.Source)
		case multiAccountSource(p.Source) && p.AccountID == "":
			bad("%ssource %s has several accounts: accountId is required", at, p.Source)
		case seenProfiles[p.account()]:
			bad("%sa second profile on source %s account %q", at, p.Source, p.AccountID)
		}
		seenProfiles[p.account()] = true
		for j, ch := range p.CommChannels {
			if !validChannelType(ch.Type) {
				bad("%scommChannels[%d]: type %q is not one of %s", at, j, ch.Type, channelTypeList)
			}
			if ch.Value == "" {
				bad("%scommChannels[%d]: value is empty", at, j)
			}
		}
		for j, id := range p.Identifiers {
			if !validIdentifierType(id.Type) || id.Value == "" {
				bad("%sidentifiers[%d]: %q=%q is not an identifier (types: %s)", at, j, id.Type, id.Value, identifierTypeList)
			}
		}
	}
	if lt := c.loyaltyType(); lt != loyaltyTypeLoyalty && lt != loyaltyTypeNonLoyalty {
		bad("loyaltyType %q is not %q or %q", lt, loyaltyTypeLoyalty, loyaltyTypeNonLoyalty)
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
			bad("enrollments[%d]: points %g is negative", i, e.Points)
		}
	}
	for i, card := range c.Cards {
		if card.Number == "" {
			bad("cards[%d]: number is empty", i)
		}
		if card.Type != "" && card.Type != "DIGITAL" && card.Type != "PHYSICAL" {
			bad("cards[%d]: type %q is not DIGITAL or PHYSICAL", i, card.Type)
		}
	}
	for i, p := range c.Promotions {
		if p.Kind != "" && !slices.Contains(promotionKinds, p.Kind) {
			bad("promotions[%d]: kind %q is not one of %v", i, p.Kind, promotionKinds)
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
	for i := range c.Cards {
		card := &c.Cards[i]
		card.Type, card.Status = cmp.Or(card.Type, "DIGITAL"), cmp.Or(card.Status, "ACTIVE")
		id := Identifier{Type: "cardnumber", Value: card.Number}
		if !slices.Contains(c.Identifiers, id) {
			c.Identifiers = append(c.Identifiers, id) // a card identifies its customer in lookups
		}
	}
	for i := range c.Promotions {
		p := &c.Promotions[i]
		p.Kind, p.SourceType = cmp.Or(p.Kind, "customer"), cmp.Or(p.SourceType, "GOODWILL")
	}
	return c
}

// account names the profile's source account.
func (p *Profile) account() sourceAccount {
	return sourceAccount{Source: p.Source, AccountID: p.AccountID}
}

// profiles returns every profile of the customer, the registration one first. They are
// copies: write a changed one back with setProfile.
func (c *Customer) profiles() []Profile {
	own := c.Profile
	own.Source = c.source()
	return append([]Profile{own}, c.OtherProfiles...)
}

// profile returns the customer's profile on a source account, or a new empty one.
func (c *Customer) profile(sa sourceAccount) Profile {
	for _, p := range c.profiles() {
		if p.account() == sa {
			return p
		}
	}
	return Profile{Source: sa.Source, AccountID: sa.AccountID}
}

// setProfile stores p as the customer's profile on its source account, adding it when the
// customer has none there yet.
func (c *Customer) setProfile(p Profile) {
	if p.account() == (sourceAccount{Source: c.source(), AccountID: c.AccountID}) {
		c.Profile = p
		return
	}
	for i := range c.OtherProfiles {
		if c.OtherProfiles[i].account() == p.account() {
			c.OtherProfiles[i] = p
			return
		}
	}
	c.OtherProfiles = append(c.OtherProfiles, p)
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
	c.Profile = c.Profile.clone()
	if c.OtherProfiles != nil {
		profiles := make([]Profile, len(c.OtherProfiles))
		for i, p := range c.OtherProfiles {
			profiles[i] = p.clone()
		}
		c.OtherProfiles = profiles
	}
	c.ExtendedFields = cloneMap(c.ExtendedFields)
	c.Enrollments = slices.Clone(c.Enrollments)
	for i := range c.Enrollments {
		c.Enrollments[i].PartnerPrograms = slices.Clone(c.Enrollments[i].PartnerPrograms)
	}
	c.Subscriptions = slices.Clone(c.Subscriptions)
	c.Segments = maps.Clone(c.Segments)
	c.Cards = slices.Clone(c.Cards)
	c.AlternateCurrencies = slices.Clone(c.AlternateCurrencies)
	c.Promotions = slices.Clone(c.Promotions)
	c.UpgradeStrategies = slices.Clone(c.UpgradeStrategies)
	c.RenewStrategies = slices.Clone(c.RenewStrategies)
	if c.GroupPrograms != nil {
		groups := make([]GroupProgram, len(c.GroupPrograms))
		for i, g := range c.GroupPrograms {
			g.ProgramIDs = slices.Clone(g.ProgramIDs)
			groups[i] = g
		}
		c.GroupPrograms = groups
	}
	return c
}

// clone returns a deep copy of p.
func (p Profile) clone() Profile {
	p.Fields = cloneMap(p.Fields)
	p.Identifiers = slices.Clone(p.Identifiers)
	p.CommChannels = cloneChannels(p.CommChannels)
	return p
}

func cloneChannels(chs []CommChannel) []CommChannel {
	if chs == nil {
		return nil
	}
	out := make([]CommChannel, len(chs))
	for i, ch := range chs {
		ch.Meta = cloneMap(ch.Meta)
		ch.Attributes = cloneMap(ch.Attributes)
		if ch.Subscribed != nil {
			b := *ch.Subscribed
			ch.Subscribed = &b
		}
		out[i] = ch
	}
	return out
}

// cloneMap deep-copies a map of JSON-like values; nil stays nil.
func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return storedValue(m).(map[string]any)
}
