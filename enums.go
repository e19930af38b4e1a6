package capillary

// Source is the source (channel of the org) whose customer profile an update applies to.
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

// Sources lists every source the update accepts, in the vendor's order.
func Sources() []Source {
	return []Source{
		SourceFacebook, SourceWebEngage, SourceWeChat, SourceInstore, SourceMartjack, SourceTmall,
		SourceTaobao, SourceJD, SourceEcommerce, SourceWebsite, SourceLine, SourceMobileApp,
	}
}

// Valid reports whether s is one of the sources the update accepts.
func (s Source) Valid() bool {
	switch s {
	case SourceFacebook, SourceWebEngage, SourceWeChat, SourceInstore, SourceMartjack, SourceTmall,
		SourceTaobao, SourceJD, SourceEcommerce, SourceWebsite, SourceLine, SourceMobileApp:
		return true
	}
	return false
}

// MultiAccount reports whether the source can hold several accounts, so that the vendor wants
// an accountId with it (WEB_ENGAGE is listed in the vendor's older pages).
func (s Source) MultiAccount() bool {
	switch s {
	case SourceWeChat, SourceFacebook, SourceMobileApp, SourceLine, SourceWebEngage:
		return true
	}
	return false
}

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

// Valid reports whether t is a documented channel type.
func (t ChannelType) Valid() bool {
	switch t {
	case ChannelMobile, ChannelEmail, ChannelWeChat, ChannelIOS, ChannelAndroid, ChannelLine, ChannelMobilePush:
		return true
	}
	return false
}

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
