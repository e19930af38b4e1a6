package capillary

import (
	"encoding/json"
	"slices"
	"strings"
)

// IdentifierType names a kind of customer identifier, as the vendor spells it in
// identifierName and in a profile's identifiers.
type IdentifierType string

// The identifier types the vendor documents across its customer APIs. Lookups take mobile,
// email, externalId, cardnumber, cardExternalId and wechat (and a few more on some calls);
// the update by identifier takes mobile, email, externalId and cardnumber.
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

// identifierTypes is the one list of documented identifier types.
var identifierTypes = []IdentifierType{
	IdentifierMobile, IdentifierEmail, IdentifierExternalID, IdentifierCardNumber,
	IdentifierCardExternalID, IdentifierWechat, IdentifierUnionID, IdentifierCUID,
	IdentifierMartjackID, IdentifierFacebookID, IdentifierLine, IdentifierTmallUname,
	IdentifierAliUname, IdentifierJDUname, IdentifierVIPUname,
}

// updateIdentifierTypes are the types the update by identifier takes as identifierName, as
// the vendor's OpenAPI for it lists them (its older pages omit cardnumber).
var updateIdentifierTypes = []IdentifierType{IdentifierMobile, IdentifierEmail, IdentifierExternalID, IdentifierCardNumber}

// lookupIdentifierTypes are the types Lookup takes as identifierName.
var lookupIdentifierTypes = []IdentifierType{
	IdentifierMobile, IdentifierEmail, IdentifierExternalID, IdentifierCardNumber, IdentifierCardExternalID, IdentifierWechat,
}

// IdentifierTypes lists every documented identifier type.
func IdentifierTypes() []IdentifierType { return slices.Clone(identifierTypes) }

// Valid reports whether t is a documented identifier type.
func (t IdentifierType) Valid() bool { return slices.Contains(identifierTypes, t) }

// UnmarshalJSON reads a type, spelling a documented one as its constant does: the vendor writes
// both "cardNumber" and "cardnumber".
func (t *IdentifierType) UnmarshalJSON(data []byte) error {
	s, err := scalarText(data)
	if err != nil {
		return err
	}
	*t = IdentifierType(s)
	for _, known := range identifierTypes {
		if strings.EqualFold(string(s), string(known)) {
			*t = known
		}
	}
	return nil
}

// Identifier is one identifier of a customer: its type and its value, such as
// {"type": "mobile", "value": "919999000001"}.
type Identifier struct {
	// Type is the kind of identifier.
	Type IdentifierType `json:"type"`
	// Value is the identifier itself; mobiles carry the country code, digits only. A value the
	// vendor sends as a JSON number (919111111111) is kept digit for digit.
	Value string `json:"value"`
	// SeriesID is a card's series id, which a read gives with a card number; a number on the
	// wire, as the vendor documents it.
	SeriesID Int `json:"seriesId,omitzero"`
	// StatusLabel is a card's status, such as ACTIVE, which a read gives with a card number.
	StatusLabel string `json:"statusLabel,omitzero"`
	// Unknown holds what else the vendor sends with an identifier, as it came; it is sent back
	// when the identifier is.
	Unknown Unknown `json:"-"`
}

// UnmarshalJSON decodes an identifier whose value is a JSON string or a JSON number.
func (id *Identifier) UnmarshalJSON(data []byte) error {
	type plain Identifier
	aux := struct {
		*plain
		Value ID `json:"value"`
	}{plain: (*plain)(id)}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	id.Value = string(aux.Value)
	return nil
}
