package capillary

// IdentifierType names a kind of customer identifier, as the vendor spells it in
// identifierName and in a profile's identifiers.
type IdentifierType string

// The identifier types the vendor documents across its customer APIs. Lookups take mobile,
// email, externalId, cardnumber, cardExternalId and wechat (and a few more on some calls);
// the update by identifier takes mobile, email and externalId.
const (
	IdentifierMobile         IdentifierType = "mobile"
	IdentifierEmail          IdentifierType = "email"
	IdentifierExternalID     IdentifierType = "externalId"
	IdentifierCardNumber     IdentifierType = "cardnumber"
	IdentifierCardExternalID IdentifierType = "cardExternalId"
	IdentifierWechat         IdentifierType = "wechat"
	IdentifierUnionID        IdentifierType = "unionId"
	IdentifierCUID           IdentifierType = "cuid"
	IdentifierMartjackID     IdentifierType = "martjackId"
	IdentifierFacebookID     IdentifierType = "fbId"
	IdentifierLine           IdentifierType = "line"
	IdentifierTmallUname     IdentifierType = "tmall_uname"
	IdentifierAliUname       IdentifierType = "ali_uname"
	IdentifierJDUname        IdentifierType = "jd_uname"
	IdentifierVIPUname       IdentifierType = "vip_uname"
)

// Identifier is one identifier of a customer: its type and its value, such as
// {"type": "mobile", "value": "919999000001"}.
type Identifier struct {
	// Type is the kind of identifier.
	Type IdentifierType `json:"type"`
	// Value is the identifier itself; mobiles carry the country code, digits only.
	Value string `json:"value"`
}
