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
	// CardDetails lists the customer's loyalty cards.
	CardDetails []CardDetails `json:"cardDetails"`
	// Warnings lists what the server flagged, such as 8069 for a merged customer.
	Warnings List[Message] `json:"warnings"`
	// Unknown holds the other fields of the answer (groupLoyaltyProgramDetails, fraudDetails,
	// upgradeStrategies, the other embeds, ...), as they came.
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
	ProgramID ID `json:"programId"`
	// ProgramTitle is the program's name.
	ProgramTitle string `json:"programTitle"`
	// ProgramDescription describes the program.
	ProgramDescription string `json:"programDescription"`
	// ProgramPointsToCurrencyRatio converts the program's points into currency.
	ProgramPointsToCurrencyRatio Number `json:"programPointsToCurrencyRatio"`
	// DelayedPoints are points not yet available.
	DelayedPoints Number `json:"delayedPoints"`
	// TotalAvailablePoints are the points available, delayed ones included when due.
	TotalAvailablePoints Number `json:"totalAvailablePoints"`
	// Unknown holds the other fields (linkedPartnerPrograms, delayed totals, ...), as they came.
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
	// Unknown holds the other fields (orgId, maxActiveCards, ...), as they came.
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
	// Unknown holds the other fields, as they came.
	Unknown Unknown `json:"-"`
}
