package capillarytest

import (
	"slices"
	"strings"
)

// This file holds what the fake knows about the vendor's org model: its sources, which of them
// have several accounts, its channel, identifier and loyalty types. It deliberately does not
// import the SDK's enums: the fake is a second, independent reading of the vendor's
// documentation, so a mistake in the SDK's tables shows up as a failing test instead of being
// copied here. (It also keeps the SDK's own internal tests free to import capillarytest
// without a cycle.) Each list is written once, as a constant, and serves checks and messages.

const (
	// sourceList is the sources the update accepts, spelled as the vendor does: the fake does
	// not fold case, so "instore" is refused like any unknown source.
	sourceList = "FACEBOOK, WEB_ENGAGE, WECHAT, INSTORE, MARTJACK, TMALL, TAOBAO, JD, ECOMMERCE, WEBSITE, LINE, MOBILE_APP"
	// multiAccountList is the sources that can hold several accounts, so that a call on one
	// names it with accountId (WEB_ENGAGE is listed in the vendor's older pages).
	multiAccountList = "WECHAT, FACEBOOK, MOBILE_APP, LINE, WEB_ENGAGE"
	// channelTypeList is the communication channel types, compared exactly (mobilePush).
	channelTypeList = "mobile, email, wechat, ios, android, line, mobilePush"
	// identifierTypeList is the identifier types a profile can hold: those the vendor documents
	// for identifiers[] in the update body, with cardExternalId and unionId from its lookup and
	// changeIdentifier pages.
	identifierTypeList = "mobile, email, externalId, cardnumber, cardExternalId, wechat, unionId, martjackId, fbId, tmall_uname, cuid, ali_uname, jd_uname, vip_uname, line"
	// attributionList is the values of X-CAP-API-ATTRIBUTION-ENTITY-TYPE on OAuth calls.
	attributionList = "TILL, STORE_CODE, STORE_NAME, STORE_EXTERNAL_ID, STORE_EXTERNAL_ID_1, STORE_EXTERNAL_ID_2"
)

// listed reports whether s is one of a list's values.
func listed(list, s string) bool {
	for v := range strings.SplitSeq(list, ", ") {
		if v == s {
			return true
		}
	}
	return false
}

func validSource(s string) bool { return listed(sourceList, s) }

// validReadSource reports whether s is a source the reads accept: those of the update, ALL
// (every source) and MAPP_SDK, which the lookup's page lists among its examples.
func validReadSource(s string) bool { return validSource(s) || s == "ALL" || s == "MAPP_SDK" }

func multiAccountSource(s string) bool { return listed(multiAccountList, s) }

func validChannelType(t string) bool { return listed(channelTypeList, t) }

func validIdentifierType(t string) bool { return listed(identifierTypeList, t) }

// validPrimaryKey reports whether t can be the org's primary identifier (its registration
// primary key): mobile, email or externalId.
func validPrimaryKey(t string) bool { return listed("mobile, email, externalId", t) }

// identifierChannel reports whether channels of type t are customer identifiers, which the
// update cannot change (the vendor's identifiers among the channel types are mobile and email).
func identifierChannel(t string) bool { return t == "mobile" || t == "email" }

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

// The loyalty types.
const (
	loyaltyTypeLoyalty    = "loyalty"
	loyaltyTypeNonLoyalty = "non_loyalty"
)

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
