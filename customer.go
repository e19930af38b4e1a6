package capillary

// Customer is a customer as the vendor's GET v2/customers/{id} and lookup/customerDetails
// answer: the customer object at the top level, with the embeds that were asked for. Every
// object keeps what the SDK does not model in its Unknown, so nothing the server said is lost.
type Customer struct {
	// ID is the customer's user id.
	ID ID `json:"id"`
	// Profiles holds one profile per source (all of them with source ALL).
	Profiles []CustomerProfile `json:"profiles"`
	// LoyaltyInfo is the customer's loyalty status.
	LoyaltyInfo *CustomerLoyaltyInfo `json:"loyaltyInfo"`
	// Segments maps a segment's name to the customer's partition in it (embed=segments).
	Segments map[string]any `json:"segments"`
	// AssociatedWith is the code of the till the customer is associated with.
	AssociatedWith string `json:"associatedWith"`
	// ExtendedFields are the org's extended fields, of any JSON type.
	ExtendedFields map[string]any `json:"extendedFields"`
	// PointsSummary is the points balance and tier (embed=points).
	PointsSummary *PointsSummary `json:"pointsSummary"`
	// LoyaltyProgramDetails holds the customer's standing in each loyalty program (embed=mlp).
	LoyaltyProgramDetails []LoyaltyProgramDetails `json:"loyaltyProgramDetails"`
	// SubscriptionInfo lists the customer's channel subscriptions (embed=subscriptions).
	SubscriptionInfo *SubscriptionInfo `json:"subscriptionInfo"`
	// GroupLoyaltyProgramDetails holds the customer's standing in each group program
	// (IncludedUserGroup2LoyaltyDetails).
	GroupLoyaltyProgramDetails []GroupLoyaltyProgramDetails `json:"groupLoyaltyProgramDetails"`
	// UG2Pagination pages the customer's user groups (Get's UG2PaginationDetails); the vendor
	// documents it as an object without listing its fields.
	UG2Pagination map[string]any `json:"ug2Pagination"`
	// UpgradeStrategies says what the customer lacks to reach the next tier (GapToUpgrade).
	// The vendor's tables put it at the top level; LoyaltyProgramDetails reads it per program too.
	UpgradeStrategies []UpgradeStrategy `json:"upgradeStrategies"`
	// GapToRenewSummary says what the customer lacks to keep the current tier (GapToRenew), at
	// the top level as the vendor's tables put it; LoyaltyProgramDetails reads it per program too.
	GapToRenewSummary []GapToRenewSummary `json:"gapToRenewSummary"`
	// PromotionalPoints lists the points the customer got from promotions (embed=promotionalPoints).
	PromotionalPoints *PromotionalPoints `json:"promotionalPoints"`
	// AlternateCurrencyDetails holds the customer's balance of each alternate currency
	// (embed=alternateCurrencies, Lookup only).
	AlternateCurrencyDetails []AlternateCurrencyDetails `json:"alternateCurrencyDetails"`
	// FraudDetails is the customer's fraud status (IncludedFraudDetails).
	FraudDetails *FraudDetails `json:"fraudDetails"`
	// CardDetails lists the customer's loyalty cards.
	CardDetails []CardDetails `json:"cardDetails"`
	// Warnings lists what the server flagged, such as 8069 for a merged customer.
	Warnings List[Message] `json:"warnings"`
	// Unknown holds the other fields of the answer (the parts of embeds the vendor does not
	// document, ...), as they came.
	Unknown Unknown `json:"-"`

	// StatusCode is the HTTP status of the response.
	StatusCode int `json:"-"`
	// RequestID is the vendor's X-Cap-Requestid, the id their support asks for.
	RequestID string `json:"-"`
	// Attempts is how many times the request was sent, retries included.
	Attempts int `json:"-"`
}

// UnmarshalJSON decodes a customer keeping the fields the SDK does not model.
func (c *Customer) UnmarshalJSON(data []byte) error {
	type plain Customer
	return decodeKeepingUnknown(data, (*plain)(c))
}

// MarshalJSON writes the customer with the fields of every object that the SDK does not model,
// so that a stored customer keeps everything the server said.
func (c Customer) MarshalJSON() ([]byte, error) {
	type plain Customer
	return marshalWithUnknown((*plain)(&c))
}

// CustomerProfile is the customer's profile on one source, as the server answers it: the
// Profile an update sends, and what only the server writes.
type CustomerProfile struct {
	Profile
	// UserID is the customer's user id.
	UserID ID `json:"userId"`
	// Attribution says who created and last modified the profile, and when.
	Attribution *Attribution `json:"attribution"`
	// AutoUpdateTime is when the profile last changed.
	AutoUpdateTime *DateTime `json:"autoUpdateTime"`
	// IdentifiersAll lists the customer's identifiers on every source.
	IdentifiersAll []Identifier `json:"identifiersAll"`
	// ConflictingProfileList lists the profiles that conflict with this one; the vendor
	// samples it empty and documents no other shape for its elements.
	ConflictingProfileList []CustomerProfile `json:"conflictingProfileList"`
}

// Attribution says who created and modified a record, and when.
type Attribution struct {
	// CreateDate is when the record was created.
	CreateDate *DateTime `json:"createDate"`
	// CreatedBy is who created it.
	CreatedBy *Actor `json:"createdBy"`
	// ModifiedDate is when it was last modified.
	ModifiedDate *DateTime `json:"modifiedDate"`
	// ModifiedBy is who last modified it.
	ModifiedBy *Actor `json:"modifiedBy"`
	// CreatedFromSource is the source it was created from (loyalty attribution).
	CreatedFromSource string `json:"createdFromSource"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// Actor is a till, store or user that made a change; the vendor may send it empty ({}).
type Actor struct {
	// ID is the actor's id.
	ID ID `json:"id"`
	// Code is the actor's code, such as a till code.
	Code string `json:"code"`
	// Name is the actor's name.
	Name string `json:"name"`
	// Description describes the actor.
	Description string `json:"description"`
	// Type is the actor's kind, such as TILL.
	Type string `json:"type"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// CustomerLoyaltyInfo is the customer's loyalty status, as the server answers it.
type CustomerLoyaltyInfo struct {
	// LoyaltyType is LoyaltyTypeLoyalty or LoyaltyTypeNonLoyalty.
	LoyaltyType LoyaltyType `json:"loyaltyType"`
	// AttributionV2 says who enrolled the customer and when.
	AttributionV2 *Attribution `json:"attributionV2"`
	// LifetimePurchases is the customer's purchases to date.
	LifetimePurchases Number `json:"lifetimePurchases"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// PointsBalance is a points balance and tier standing, as both the points summary and each
// program's details carry it.
type PointsBalance struct {
	// LoyaltyPoints are the points available.
	LoyaltyPoints Number `json:"loyaltyPoints"`
	// LifetimePoints are the points earned to date.
	LifetimePoints Number `json:"lifetimePoints"`
	// Redeemed are the points redeemed to date.
	Redeemed Number `json:"redeemed"`
	// Expired are the points expired to date.
	Expired Number `json:"expired"`
	// Returned are the points returned to date.
	Returned Number `json:"returned"`
	// Adjusted are the points adjusted to date.
	Adjusted Number `json:"adjusted"`
	// CumulativePurchases is the purchase amount to date.
	CumulativePurchases Number `json:"cumulativePurchases"`
	// LoyaltyID is the customer's loyalty id.
	LoyaltyID ID `json:"loyaltyId"`
	// CurrentSlab is the name of the customer's tier.
	CurrentSlab string `json:"currentSlab"`
	// SlabSNo is the tier's sequence number, 1 for the lowest.
	SlabSNo Int `json:"slabSNo"`
	// SlabExpiryDate is when the tier expires.
	SlabExpiryDate *DateTime `json:"slabExpiryDate"`
	// NextSlab is the next tier's name ("" at the top).
	NextSlab string `json:"nextSlab"`
	// NextSlabSerialNumber is the next tier's sequence number (-1 at the top).
	NextSlabSerialNumber Int `json:"nextSlabSerialNumber"`
	// NextSlabDescription describes the next tier.
	NextSlabDescription string `json:"nextSlabDescription"`
}

// PointsSummary is the customer's points and tier (embed=points).
type PointsSummary struct {
	PointsBalance
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// LoyaltyProgramDetails is the customer's standing in one loyalty program (embed=mlp).
type LoyaltyProgramDetails struct {
	PointsBalance
	// ProgramID is the program's id.
	ProgramID Int `json:"programId"`
	// ProgramTitle is the program's name.
	ProgramTitle string `json:"programTitle"`
	// ProgramDescription describes the program.
	ProgramDescription string `json:"programDescription"`
	// ProgramPointsToCurrencyRatio converts the program's points into currency.
	ProgramPointsToCurrencyRatio Number `json:"programPointsToCurrencyRatio"`
	// DelayedPoints are points not yet available.
	DelayedPoints Number `json:"delayedPoints"`
	// DelayedReturnedPoints are delayed points returned.
	DelayedReturnedPoints Number `json:"delayedReturnedPoints"`
	// DelayedExpiredPoints are delayed points expired.
	DelayedExpiredPoints Number `json:"delayedExpiredPoints"`
	// TotalAvailablePoints are the points available, delayed ones included when due.
	TotalAvailablePoints Number `json:"totalAvailablePoints"`
	// TotalReturnedPoints are the points returned, delayed ones included.
	TotalReturnedPoints Number `json:"totalReturnedPoints"`
	// LinkedPartnerPrograms lists the partner programs the customer is linked to through this
	// program.
	LinkedPartnerPrograms []LinkedPartnerProgram `json:"linkedPartnerPrograms"`
	// UpgradeStrategies is the gap to the next tier of this program, where an answer gives it
	// per program rather than at the top level (Customer.UpgradeStrategies).
	UpgradeStrategies []UpgradeStrategy `json:"upgradeStrategies"`
	// GapToRenewSummary is the gap to keep this program's tier, where an answer gives it per
	// program rather than at the top level (Customer.GapToRenewSummary).
	GapToRenewSummary []GapToRenewSummary `json:"gapToRenewSummary"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// LinkedPartnerProgram is a partner program the customer is linked to. Its fields are those of
// the vendor's sample of the customer's loyalty details, as the lookup's table does not list them.
type LinkedPartnerProgram struct {
	// PartnerProgramID is the partner program's id.
	PartnerProgramID Int `json:"partnerProgramId"`
	// PartnerProgramName is the partner program's name.
	PartnerProgramName string `json:"partnerProgramName"`
	// PartnerProgramDescription describes the partner program.
	PartnerProgramDescription string `json:"partnerProgramDescription"`
	// PartnerProgramType is EXTERNAL or SUPPLEMENTARY.
	PartnerProgramType string `json:"partnerProgramType"`
	// PartnerMembershipID is the customer's membership id in the partner program.
	PartnerMembershipID string `json:"partnerMembershipId"`
	// TierBased is set for a partner program with tiers.
	TierBased Bool `json:"tierBased"`
	// PartnerTierNumber is the customer's partner tier's sequence number.
	PartnerTierNumber Int `json:"partnerTierNumber"`
	// PartnerTierName is the customer's partner tier's name.
	PartnerTierName string `json:"partnerTierName"`
	// PartnerTierExpiryDate is when the partner tier expires.
	PartnerTierExpiryDate *DateTime `json:"partnerTierExpiryDate"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// UpgradeStrategy is one way to reach the next tier, and how far the customer is from it.
type UpgradeStrategy struct {
	// UpgradeBasedOn is what the upgrade counts: CUMULATIVE_PURCHASES, TRACKER_VALUE_BASED,
	// CURRENT_POINTS, ...
	UpgradeBasedOn string `json:"upgrade_based_on"`
	// UpgradeThreshold is the value that upgrades the customer.
	UpgradeThreshold Number `json:"upgradeThreshold"`
	// CustomerUpgradeEntityValues is where the customer stands.
	CustomerUpgradeEntityValues *CustomerUpgradeEntityValues `json:"customerUpgradeEntityValues"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// CustomerUpgradeEntityValues is where the customer stands against an upgrade threshold.
type CustomerUpgradeEntityValues struct {
	// CurrentValue is the customer's value.
	CurrentValue Number `json:"currentValue"`
	// GapToUpgrade is what the customer lacks to be upgraded.
	GapToUpgrade Number `json:"gapToUpgrade"`
	// ValueValidUpto is the date until which the value counts (the vendor writes YYYY-MM-DD).
	ValueValidUpto *DateTime `json:"valueValidUpto"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// GapToRenewSummary is what the customer lacks to keep the current tier past its expiry; the
// vendor sends none for the base tier.
type GapToRenewSummary struct {
	// TierExpiryDate is when the tier expires (the vendor writes YYYY-MM-DD).
	TierExpiryDate *DateTime `json:"tierExpiryDate"`
	// RenewConfirmed is set when the tier is already renewed.
	RenewConfirmed Bool `json:"renewConfirmed"`
	// RenewStrategies are the ways to renew the tier.
	RenewStrategies []RenewStrategy `json:"renewStrategies"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// RenewStrategy is one way to renew the tier, and how far the customer is from it.
type RenewStrategy struct {
	// RenewBasedOn is what the renewal counts: VISITS, PURCHASE, POINTS or TRACKER.
	RenewBasedOn string `json:"renewBasedOn"`
	// TrackerEntityIdentifiers name the trackers a TRACKER renewal counts.
	TrackerEntityIdentifiers []TrackerEntityIdentifier `json:"trackerEntityIdentifiers"`
	// RenewThreshold is the value that renews the tier.
	RenewThreshold Number `json:"renewThreshold"`
	// CustomerRenewEntityValue is the customer's value.
	CustomerRenewEntityValue Number `json:"customerRenewEntityValue"`
	// CustomerGapToRenewValue is what the customer lacks to renew the tier.
	CustomerGapToRenewValue Number `json:"customerGapToRenewValue"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// TrackerEntityIdentifier names a tracker that a renewal counts.
type TrackerEntityIdentifier struct {
	// TrackerName is the tracker's name.
	TrackerName string `json:"trackerName"`
	// TrackerType is the tracker's type.
	TrackerType string `json:"trackerType"`
	// TrackerMode is the tracker's mode.
	TrackerMode string `json:"trackerMode"`
	// TrackerCaseName is the name of the tracker's case.
	TrackerCaseName string `json:"trackerCaseName"`
	// TrackerCasePeriodType is the unit of the case's period.
	TrackerCasePeriodType string `json:"trackerCasePeriodType"`
	// TrackerCasePeriodValue is the case's period, in TrackerCasePeriodType units.
	TrackerCasePeriodValue Int `json:"trackerCasePeriodValue"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// GroupLoyaltyProgramDetails is the customer's standing in one group loyalty program.
type GroupLoyaltyProgramDetails struct {
	// GroupProgramID is the group program's id.
	GroupProgramID Int `json:"groupProgramId"`
	// Title is the group program's name.
	Title string `json:"title"`
	// Description describes the group program.
	Description string `json:"description"`
	// ProgramsList lists the loyalty programs in the group.
	ProgramsList []GroupProgram `json:"programsList"`
	// LifetimePoints are the points earned to date in the group.
	LifetimePoints Number `json:"lifetimePoints"`
	// LoyaltyPoints are the points available in the group.
	LoyaltyPoints Number `json:"loyaltyPoints"`
	// PromisedPoints are points promised but not yet awarded.
	PromisedPoints Number `json:"promisedPoints"`
	// PointsToCurrencyRatio converts the group's points into currency.
	PointsToCurrencyRatio Number `json:"pointsToCurrencyRatio"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// GroupProgram is a loyalty program within a group program.
type GroupProgram struct {
	// ID is the loyalty program's id.
	ID Int `json:"id"`
	// Name is the program's name.
	Name string `json:"name"`
	// Description describes the program.
	Description string `json:"description"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// PromotionalPoints lists the points the customer got from promotions, by kind of promotion
// (embed=promotionalPoints).
type PromotionalPoints struct {
	// CustomerPromotionType lists points from customer-level promotions.
	CustomerPromotionType []PromotionPoints `json:"customerPromotionType"`
	// TransactionPromotionType lists points from transaction-level promotions.
	TransactionPromotionType []PromotionPoints `json:"transactionPromotionType"`
	// LineitemPromotionType lists points from line-item promotions.
	LineitemPromotionType []PromotionPoints `json:"lineitemPromotionType"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// PromotionPoints are points one promotion gave the customer.
type PromotionPoints struct {
	// Points are the points given.
	Points Number `json:"points"`
	// IssuedAt is the store (code and name) where they were given.
	IssuedAt *Actor `json:"issuedAt"`
	// IssuedOn is when they were given.
	IssuedOn *DateTime `json:"issuedOn"`
	// ExpiryDate is when they expire.
	ExpiryDate *DateTime `json:"expiryDate"`
	// PromotionSource is what gave them.
	PromotionSource *PromotionSource `json:"promotionSource"`
	// ProgramID is the loyalty program's id.
	ProgramID Int `json:"programId"`
	// PromotionName is the promotion's name.
	PromotionName string `json:"promotionName"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// PromotionSource is what gave promotional points.
type PromotionSource struct {
	// PromotionSourceID is the source's id (-1 for goodwill).
	PromotionSourceID Int `json:"promotionSourceId"`
	// PromotionSourceType is the source's kind, such as GOODWILL.
	PromotionSourceType string `json:"promotionSourceType"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// AlternateCurrencyDetails is the customer's balance of the alternate currencies of one
// program (embed=alternateCurrencies).
type AlternateCurrencyDetails struct {
	// ProgramID is the loyalty program's id.
	ProgramID Int `json:"programId"`
	// ProgramName is the program's name.
	ProgramName string `json:"programName"`
	// AlternateCurrencyData is the balance.
	AlternateCurrencyData *AlternateCurrencyData `json:"alternateCurrencyData"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// AlternateCurrencyData is a balance of an alternate currency. The vendor types the delayed
// amounts as integers and the others as floats; all are read as Number.
type AlternateCurrencyData struct {
	// Name is the currency's name.
	Name string `json:"name"`
	// Earned is the amount earned and available.
	Earned Number `json:"earned"`
	// LifetimeEarned is the amount earned to date.
	LifetimeEarned Number `json:"lifetimeEarned"`
	// Redeemed is the amount redeemed.
	Redeemed Number `json:"redeemed"`
	// Expired is the amount expired.
	Expired Number `json:"expired"`
	// Returned is the amount returned.
	Returned Number `json:"returned"`
	// DelayedEarned is the amount earned but not yet available.
	DelayedEarned Number `json:"delayedEarned"`
	// DelayedLifetimeEarned is the delayed amount earned to date.
	DelayedLifetimeEarned Number `json:"delayedLifetimeEarned"`
	// DelayedReturned is the delayed amount returned.
	DelayedReturned Number `json:"delayedReturned"`
	// DelayedExpired is the delayed amount expired.
	DelayedExpired Number `json:"delayedExpired"`
	// TotalAvailable is the amount available, delayed amounts included when due.
	TotalAvailable Number `json:"totalAvailable"`
	// TotalRedeemed is the amount redeemed, delayed amounts included.
	TotalRedeemed Number `json:"totalRedeemed"`
	// TotalReturned is the amount returned, delayed amounts included.
	TotalReturned Number `json:"totalReturned"`
	// TotalExpired is the amount expired, delayed amounts included.
	TotalExpired Number `json:"totalExpired"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// FraudDetails is the customer's fraud status (IncludedFraudDetails).
type FraudDetails struct {
	// Status is the fraud status, such as NOT_FRAUD.
	Status string `json:"status"`
	// ModifiedOn is when the status was set.
	ModifiedOn *DateTime `json:"modifiedOn"`
	// MarkedBy is who set the status; the vendor may send it empty ({}).
	MarkedBy *Actor `json:"markedBy"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// SubscriptionInfo lists the customer's subscriptions (embed=subscriptions).
type SubscriptionInfo struct {
	// Subscriptions holds one entry per channel and priority.
	Subscriptions []Subscription `json:"subscriptions"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// Subscription is the customer's choice on one channel and priority.
type Subscription struct {
	// Channel is EMAIL, SMS, ANDROID or IOS.
	Channel string `json:"channel"`
	// Priority is TRANS (transactional) or BULK (promotional).
	Priority string `json:"priority"`
	// Type is OPTIN or OPTOUT.
	Type string `json:"type"`
	// AccountID is the source account of the subscription, in an add's subscriptionInfo.
	AccountID string `json:"accountId,omitzero"`
	// SourceName is the source of the subscription, in an add's subscriptionInfo.
	SourceName string `json:"sourceName,omitzero"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// CardDetails is one of the customer's loyalty cards.
type CardDetails struct {
	// CardNumber is the card's number; "cardNumber" and "cardnumber" both decode.
	CardNumber string `json:"cardNumber"`
	// CardExternalID is the card's external id.
	CardExternalID string `json:"cardExternalId"`
	// CardID is the card's id.
	CardID ID `json:"cardId"`
	// Type is DIGITAL or PHYSICAL.
	Type string `json:"type"`
	// SeriesID is the card series' id.
	SeriesID ID `json:"seriesId"`
	// SeriesCode is the card series' code.
	SeriesCode string `json:"seriesCode"`
	// SeriesName is the card series' name.
	SeriesName string `json:"seriesName"`
	// IssuedDate is when the card was issued.
	IssuedDate *DateTime `json:"issuedDate"`
	// CreatedDate is when the card was created.
	CreatedDate *DateTime `json:"createdDate"`
	// ExpiryDate is when the card expires.
	ExpiryDate *DateTime `json:"expiryDate"`
	// ExpiryDays is the card's validity in days (0: no expiry).
	ExpiryDays Int `json:"expiryDays"`
	// CustomerID is the card holder's user id.
	CustomerID ID `json:"customerId"`
	// StatusInfo is the card's status.
	StatusInfo *CardStatus `json:"statusInfo"`
	// TransactionNotAllowed is set when the card cannot be used in transactions.
	TransactionNotAllowed Bool `json:"transactionNotAllowed"`
	// ExtendedFields are the card's extended fields, of any JSON type.
	ExtendedFields map[string]any `json:"extendedFields"`
	// CustomFields are the card's custom fields, of any JSON type.
	CustomFields map[string]any `json:"customFields"`
	// ActiveAndDigital is set for an active digital card.
	ActiveAndDigital Bool `json:"activeAndDigital"`
	// MaxActiveCards is how many active cards the series allows a customer.
	MaxActiveCards Int `json:"maxActiveCards"`
	// ID is the card's id, as CardID.
	ID ID `json:"id"`
	// OrgID is the org's id.
	OrgID ID `json:"orgId"`
	// EntityID is the id of the entity that issued the card.
	EntityID ID `json:"entityId"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}

// CardStatus is a card's status.
type CardStatus struct {
	// Status is the card's status, such as ACTIVE.
	Status string `json:"status"`
	// Label is the status' label.
	Label string `json:"label"`
	// IsActive is set for an active card.
	IsActive Bool `json:"isActive"`
	// Reason is why the status was set.
	Reason string `json:"reason"`
	// CreatedOn is when the status was set.
	CreatedOn *DateTime `json:"createdOn"`
	// CreatedBy is the id of who set the status.
	CreatedBy ID `json:"createdBy"`
	// AutoUpdateTime is when the status last changed.
	AutoUpdateTime *DateTime `json:"autoUpdateTime"`
	// Actions lists what the status allows; the vendor samples it empty and does not document
	// its elements, which keep their JSON types.
	Actions []any `json:"actions"`
	// ID is the status record's id.
	ID ID `json:"id"`
	// EntityID is the card's id.
	EntityID ID `json:"entityId"`
	// LabelID is the id of the status' label.
	LabelID ID `json:"labelId"`
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}
