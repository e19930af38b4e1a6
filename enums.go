package capillary

import (
	"slices"
	"strings"
)

// Source is the source (channel of the org) whose customer profile a call applies to.
type Source string

// The sources on which the vendor allows a customer update.
const (
	SourceFacebook  Source = "FACEBOOK"
	SourceWebEngage Source = "WEB_ENGAGE"
	SourceWeChat    Source = "WECHAT"
	SourceInstore   Source = "INSTORE"
	SourceMartjack  Source = "MARTJACK"
	SourceTmall     Source = "TMALL"
	SourceTaobao    Source = "TAOBAO"
	SourceJD        Source = "JD"
	SourceEcommerce Source = "ECOMMERCE"
	SourceWebsite   Source = "WEBSITE"
	SourceLine      Source = "LINE"
	SourceMobileApp Source = "MOBILE_APP"
)

// The sources that only Get and Lookup accept.
const (
	// SourceAll reads a customer across every source.
	SourceAll Source = "ALL"
	// SourceMappSDK reads the customer's profile on the vendor's mobile app SDK; the vendor's
	// lookup page lists it among the read sources.
	SourceMappSDK Source = "MAPP_SDK"
)

// sources is the one list of the sources an update accepts, in the vendor's order.
var sources = []Source{
	SourceFacebook, SourceWebEngage, SourceWeChat, SourceInstore, SourceMartjack, SourceTmall,
	SourceTaobao, SourceJD, SourceEcommerce, SourceWebsite, SourceLine, SourceMobileApp,
}

// getSources are the sources Get accepts, as the vendor lists them for GET v2/customers/{id}.
var getSources = []Source{SourceInstore, SourceMartjack, SourceWeChat, SourceLine, SourceAll}

// lookupSources are the sources Lookup accepts, as the vendor lists them for
// GET v2/customers/lookup/customerDetails.
var lookupSources = []Source{SourceInstore, SourceMartjack, SourceWeChat, SourceAll, SourceMappSDK}

// multiAccountSources can hold several accounts, so the vendor wants an accountId with them
// (WEB_ENGAGE is listed in the vendor's older pages).
var multiAccountSources = []Source{SourceWeChat, SourceFacebook, SourceMobileApp, SourceLine, SourceWebEngage}

// Sources lists every source the update accepts, in the vendor's order.
func Sources() []Source { return slices.Clone(sources) }

// GetSources lists the sources Get accepts: INSTORE, MARTJACK, WECHAT, LINE and ALL. ALL reads
// every source's profile, the way to read back a customer updated on another source.
func GetSources() []Source { return slices.Clone(getSources) }

// LookupSources lists the sources Lookup accepts: INSTORE, MARTJACK, WECHAT, ALL and MAPP_SDK.
func LookupSources() []Source { return slices.Clone(lookupSources) }

// UpsertSources lists the sources Upsert accepts: those of the add that Lookup takes too
// (INSTORE, MARTJACK, WECHAT), since an upsert looks its customer up first.
func UpsertSources() []Source { return slices.Clone(upsertSources) }

// Valid reports whether s is one of the sources the update accepts.
func (s Source) Valid() bool { return slices.Contains(sources, s) }

// MultiAccount reports whether the source can hold several accounts, so that the vendor wants
// an accountId with it.
func (s Source) MultiAccount() bool { return slices.Contains(multiAccountSources, s) }

// ChannelType is the kind of a communication channel.
type ChannelType string

// The communication channel types the vendor documents.
const (
	ChannelMobile     ChannelType = "mobile"
	ChannelEmail      ChannelType = "email"
	ChannelWeChat     ChannelType = "wechat"
	ChannelIOS        ChannelType = "ios"
	ChannelAndroid    ChannelType = "android"
	ChannelLine       ChannelType = "line"
	ChannelMobilePush ChannelType = "mobilePush"
)

// channelTypes is the one list of documented channel types.
var channelTypes = []ChannelType{ChannelMobile, ChannelEmail, ChannelWeChat, ChannelIOS, ChannelAndroid, ChannelLine, ChannelMobilePush}

// ChannelTypes lists every documented channel type.
func ChannelTypes() []ChannelType { return slices.Clone(channelTypes) }

// Valid reports whether t is a documented channel type.
func (t ChannelType) Valid() bool { return slices.Contains(channelTypes, t) }

// LoyaltyType is a customer's loyalty status.
type LoyaltyType string

// The loyalty statuses. An update can move a customer from non-loyalty to loyalty only.
const (
	LoyaltyTypeLoyalty    LoyaltyType = "loyalty"
	LoyaltyTypeNonLoyalty LoyaltyType = "non_loyalty"
)

// Valid reports whether t is a documented loyalty type.
func (t LoyaltyType) Valid() bool {
	return t == LoyaltyTypeLoyalty || t == LoyaltyTypeNonLoyalty
}

// listOf joins an enum's list for an error message: "mobile, email, ...".
func listOf[T ~string](list []T) string {
	names := make([]string, len(list))
	for i, v := range list {
		names[i] = string(v)
	}
	return strings.Join(names, ", ")
}

// Embed names a part of the customer that Get and Lookup add to their answer.
type Embed string

// The embeds the vendor documents for GET v2/customers/{id} and lookup/customerDetails; some
// are documented for one of them only. The answers of points, subscriptions, mlp,
// promotionalPoints, segments and alternateCurrencies are typed (Customer); the vendor documents
// no shape for what the others add, which is kept in Customer.Unknown.
const (
	EmbedPoints              Embed = "points"
	EmbedSubscriptions       Embed = "subscriptions"
	EmbedMLP                 Embed = "mlp"
	EmbedUserGroup           Embed = "userGroup"
	EmbedGapDetails          Embed = "gapDetails"
	EmbedPromotionalPoints   Embed = "promotionalPoints"
	EmbedExpirySchedules     Embed = "expirySchedules"
	EmbedExpiredPoints       Embed = "expiredPoints"
	EmbedCustomerImage       Embed = "customerImage"
	EmbedReturnedPoints      Embed = "returnedPoints"
	EmbedAssociatedImages    Embed = "associatedImages"
	EmbedSegments            Embed = "segments"
	EmbedCardLoyaltyDetails  Embed = "cardLoyaltyDetails"
	EmbedFleetParentDetails  Embed = "fleetParentDetails"
	EmbedIgnoreCardDetails   Embed = "ignoreCardDetails"
	EmbedCustomerStatus      Embed = "customerStatus"
	EmbedAlternateCurrencies Embed = "alternateCurrencies"
)

// embeds is the one list of documented embeds.
var embeds = []Embed{
	EmbedPoints, EmbedSubscriptions, EmbedMLP, EmbedUserGroup, EmbedGapDetails, EmbedPromotionalPoints,
	EmbedExpirySchedules, EmbedExpiredPoints, EmbedCustomerImage, EmbedReturnedPoints, EmbedAssociatedImages,
	EmbedSegments, EmbedCardLoyaltyDetails, EmbedFleetParentDetails, EmbedIgnoreCardDetails, EmbedCustomerStatus,
	EmbedAlternateCurrencies,
}

// getEmbeds are the embeds the vendor documents for Get.
var getEmbeds = []Embed{
	EmbedPoints, EmbedSubscriptions, EmbedMLP, EmbedUserGroup, EmbedGapDetails, EmbedPromotionalPoints,
	EmbedExpirySchedules, EmbedExpiredPoints, EmbedCustomerImage, EmbedReturnedPoints, EmbedAssociatedImages,
	EmbedSegments,
}

// lookupEmbeds are the embeds the vendor documents for Lookup; it calls gapDetails deprecated
// there (GapToUpgrade and GapToRenew replace it), which is not refused.
var lookupEmbeds = []Embed{
	EmbedPoints, EmbedSubscriptions, EmbedMLP, EmbedPromotionalPoints, EmbedExpirySchedules, EmbedExpiredPoints,
	EmbedSegments, EmbedUserGroup, EmbedCustomerImage, EmbedCardLoyaltyDetails, EmbedFleetParentDetails,
	EmbedIgnoreCardDetails, EmbedCustomerStatus, EmbedAlternateCurrencies, EmbedGapDetails,
}

// getOnlyParams are the query parameters of GetCustomerParams that only Get documents, by
// their url names; Lookup refuses them.
var getOnlyParams = []string{"includedOnlyCurrentProfile", "ug2JoinedStartDate", "ug2JoinedEndDate",
	"ug2Offset", "ug2Limit", "ug2SortBy", "ug2SortOrder", "ug2PaginationDetails"}

// Embeds lists every documented embed; Get and Lookup each take those documented for them.
func Embeds() []Embed { return slices.Clone(embeds) }

// SortOrder orders a list in an answer.
type SortOrder string

// The sort orders the vendor documents for ug2SortOrder.
const (
	SortAscending  SortOrder = "ASC"
	SortDescending SortOrder = "DESC"
)

// Valid reports whether o is a documented sort order.
func (o SortOrder) Valid() bool { return o == SortAscending || o == SortDescending }
