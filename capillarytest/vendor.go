package capillarytest

import "slices"

// This file holds what the fake knows about the vendor's org model: its sources, which of them
// have several accounts, its channel types and loyalty types. It deliberately does not import
// the SDK's enums: the fake is a second, independent reading of the vendor's documentation,
// so a mistake in the SDK's tables shows up as a failing test instead of being copied here.
// (It also keeps the SDK's own internal tests free to import capillarytest without a cycle.)

// The tables below are switch statements rather than package-level slices so that the package
// holds no mutable global state.

// validSource reports whether s is a source the update accepts. The vendor spells sources in
// upper case and the fake does not fold case, so "instore" is refused like any unknown source.
func validSource(s string) bool {
	switch s {
	case "FACEBOOK", "WEB_ENGAGE", "WECHAT", "INSTORE", "MARTJACK", "TMALL",
		"TAOBAO", "JD", "ECOMMERCE", "WEBSITE", "LINE", "MOBILE_APP":
		return true
	}
	return false
}

// validReadSource reports whether s is a source the reads accept: those of the update, ALL
// (every source) and MAPP_SDK, which the lookup's page lists among its examples.
func validReadSource(s string) bool { return validSource(s) || s == "ALL" || s == "MAPP_SDK" }

// multiAccountSource reports whether a source can hold several accounts, so that an update on
// it must name one with accountId (WEB_ENGAGE is listed in the vendor's older pages).
func multiAccountSource(s string) bool {
	switch s {
	case "WECHAT", "FACEBOOK", "MOBILE_APP", "LINE", "WEB_ENGAGE":
		return true
	}
	return false
}

// channelTypeList names the documented channel types, for messages.
const channelTypeList = "mobile, email, wechat, ios, android, line, mobilePush"

// validChannelType reports whether t is a documented communication channel type. The vendor's
// spelling is mixed case (mobilePush) and the fake compares exactly.
func validChannelType(t string) bool {
	switch t {
	case "mobile", "email", "wechat", "ios", "android", "line", "mobilePush":
		return true
	}
	return false
}

// identifiersOf lists a profile's identifiers: its own, its primary mobile and email channels
// of a type it has no identifier of, and its wechat channels (a wechat id is both).
func identifiersOf(p *Profile) []Identifier {
	ids := slices.Clone(p.Identifiers)
	for _, ch := range p.CommChannels {
		id := Identifier{Type: ch.Type, Value: ch.Value}
		held := slices.ContainsFunc(ids, func(have Identifier) bool { return have.Type == ch.Type })
		if (identifierChannel(ch.Type) && ch.Primary && !held) || (ch.Type == "wechat" && !slices.Contains(ids, id)) {
			ids = append(ids, id)
		}
	}
	return ids
}

// identifierChannel reports whether channels of type t are customer identifiers, which the
// update cannot change (the vendor's identifiers among the channel types are mobile and email).
func identifierChannel(t string) bool { return t == "mobile" || t == "email" }

// identifierTypeList names the identifier types a profile can hold: those the vendor documents
// for identifiers[] in the update body, with cardExternalId and unionId from its lookup and
// changeIdentifier pages.
const identifierTypeList = "mobile, email, externalId, cardnumber, cardExternalId, wechat, unionId, martjackId, fbId, tmall_uname, cuid, ali_uname, jd_uname, vip_uname, line"

// validIdentifierType reports whether t is one of identifierTypeList.
func validIdentifierType(t string) bool {
	switch t {
	case "mobile", "email", "externalId", "cardnumber", "cardExternalId", "wechat", "unionId", "martjackId",
		"fbId", "tmall_uname", "cuid", "ali_uname", "jd_uname", "vip_uname", "line":
		return true
	}
	return false
}

// validPrimaryKey reports whether t can be the org's primary identifier (its registration
// primary key): mobile, email or externalId.
func validPrimaryKey(t string) bool { return t == "mobile" || t == "email" || t == "externalId" }

// The loyalty types.
const (
	loyaltyTypeLoyalty    = "loyalty"
	loyaltyTypeNonLoyalty = "non_loyalty"
)

// validAttributionEntityType reports whether t is a value the vendor documents for
// X-CAP-API-ATTRIBUTION-ENTITY-TYPE on OAuth calls.
func validAttributionEntityType(t string) bool {
	switch t {
	case "TILL", "STORE_CODE", "STORE_NAME", "STORE_EXTERNAL_ID", "STORE_EXTERNAL_ID_1", "STORE_EXTERNAL_ID_2":
		return true
	}
	return false
}

// Header names the fake reads and writes, spelled as the vendor documents them.
const (
	headerRequestID             = "X-Cap-Requestid"
	headerOAuthToken            = "X-CAP-API-OAUTH-TOKEN"
	headerAttributionEntityType = "X-CAP-API-ATTRIBUTION-ENTITY-TYPE"
)

// maxNameRunes is how much of a first or last name the vendor keeps; it drops the rest
// without a warning, and so does the fake.
const maxNameRunes = 100

// dateTimeLayout is the vendor's date-time form, YYYY-MM-DDTHH:MM:SS+HH:MM.
const dateTimeLayout = "2006-01-02T15:04:05-07:00"
