package capillarytest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The GET answers, in the vendor's shape and field order: the customer object at the top
// level with its warnings, no envelope around it (facts sheet 2, §2).
type (
	// customerAnswer's parts stand in the order of OLD's lookup sample and GD's table.
	customerAnswer struct {
		ID                         json.Number       `json:"id"`
		Profiles                   []profileAnswer   `json:"profiles"`
		LoyaltyInfo                loyaltyInfoAnswer `json:"loyaltyInfo"`
		FraudDetails               *fraudAnswer      `json:"fraudDetails,omitempty"`
		Segments                   map[string]string `json:"segments"`
		AssociatedWith             string            `json:"associatedWith"`
		ExtendedFields             map[string]any    `json:"extendedFields"`
		PointsSummary              *pointsSummary    `json:"pointsSummary,omitempty"`
		LoyaltyProgramDetails      []programDetails  `json:"loyaltyProgramDetails,omitempty"`
		SubscriptionInfo           *subscriptionInfo `json:"subscriptionInfo,omitempty"`
		PromotionalPoints          *promotionsAnswer `json:"promotionalPoints,omitempty"`
		GroupLoyaltyProgramDetails []groupAnswer     `json:"groupLoyaltyProgramDetails,omitempty"`
		CardDetails                []cardAnswer      `json:"cardDetails"`
		AlternateCurrencyDetails   []currencyAnswer  `json:"alternateCurrencyDetails,omitempty"`
		Warnings                   []message         `json:"warnings"`
		UpgradeStrategies          []upgradeAnswer   `json:"upgradeStrategies,omitempty"`
		GapToRenewSummary          []renewAnswer     `json:"gapToRenewSummary,omitempty"`
	}
	cardAnswer struct {
		CardID                int64          `json:"cardId"`
		IssuedDate            string         `json:"issuedDate"`
		CreatedDate           string         `json:"createdDate"`
		ExpiryDays            int            `json:"expiryDays"`
		SeriesName            string         `json:"seriesName"`
		CustomerID            json.Number    `json:"customerId"`
		MaxActiveCards        int            `json:"maxActiveCards"`
		CardExternalID        string         `json:"cardExternalId"`
		ExtendedFields        map[string]any `json:"extendedFields"`
		CustomFields          map[string]any `json:"customFields"`
		Type                  string         `json:"type"`
		CardNumber            string         `json:"cardNumber"`
		SeriesID              int64          `json:"seriesId"`
		SeriesCode            string         `json:"seriesCode"`
		OrgID                 int64          `json:"orgId"`
		EntityID              json.Number    `json:"entityId"`
		StatusInfo            cardStatus     `json:"statusInfo"`
		ID                    int64          `json:"id"`
		TransactionNotAllowed bool           `json:"transactionNotAllowed"`
		ActiveAndDigital      bool           `json:"activeAndDigital"`
	}
	cardStatus struct {
		Reason         string      `json:"reason"`
		CreatedBy      json.Number `json:"createdBy"`
		Actions        []any       `json:"actions"`
		AutoUpdateTime string      `json:"autoUpdateTime"`
		CreatedOn      string      `json:"createdOn"`
		EntityID       int64       `json:"entityId"`
		ID             int64       `json:"id"`
		IsActive       bool        `json:"isActive"`
		LabelID        int64       `json:"labelId"`
		Label          string      `json:"label"`
		Status         string      `json:"status"`
	}
	fraudAnswer struct {
		MarkedBy   struct{} `json:"markedBy"`
		ModifiedOn string   `json:"modifiedOn"`
		Status     string   `json:"status"`
	}
	currencyAnswer struct {
		ProgramID             int64        `json:"programId"`
		ProgramName           string       `json:"programName"`
		AlternateCurrencyData currencyData `json:"alternateCurrencyData"`
	}
	currencyData struct {
		Name                  string  `json:"name"`
		Earned                float64 `json:"earned"`
		LifetimeEarned        float64 `json:"lifetimeEarned"`
		Redeemed              float64 `json:"redeemed"`
		Expired               float64 `json:"expired"`
		Returned              float64 `json:"returned"`
		DelayedEarned         int64   `json:"delayedEarned"`
		DelayedLifetimeEarned int64   `json:"delayedLifetimeEarned"`
		DelayedReturned       int64   `json:"delayedReturned"`
		DelayedExpired        int64   `json:"delayedExpired"`
		TotalAvailable        float64 `json:"totalAvailable"`
		TotalRedeemed         float64 `json:"totalRedeemed"`
		TotalReturned         float64 `json:"totalReturned"`
		TotalExpired          float64 `json:"totalExpired"`
	}
	promotionsAnswer struct {
		CustomerPromotionType    []promotionAnswer `json:"customerPromotionType"`
		TransactionPromotionType []promotionAnswer `json:"transactionPromotionType"`
		LineitemPromotionType    []promotionAnswer `json:"lineitemPromotionType"`
	}
	promotionAnswer struct {
		Points          float64         `json:"points"`
		IssuedAt        issuedAt        `json:"issuedAt"`
		IssuedOn        string          `json:"issuedOn"`
		ExpiryDate      string          `json:"expiryDate"`
		PromotionSource promotionSource `json:"promotionSource"`
		ProgramID       int64           `json:"programId"`
		PromotionName   string          `json:"promotionName"`
	}
	issuedAt struct {
		Code string `json:"code"`
		Name string `json:"name"`
	}
	promotionSource struct {
		PromotionSourceID   int64  `json:"promotionSourceId"`
		PromotionSourceType string `json:"promotionSourceType"`
	}
	groupAnswer struct {
		GroupProgramID        int64          `json:"groupProgramId"`
		Title                 string         `json:"title"`
		Description           string         `json:"description"`
		ProgramsList          []groupProgram `json:"programsList"`
		LifetimePoints        float64        `json:"lifetimePoints"`
		LoyaltyPoints         float64        `json:"loyaltyPoints"`
		PromisedPoints        float64        `json:"promisedPoints"`
		PointsToCurrencyRatio float64        `json:"pointsToCurrencyRatio"`
	}
	upgradeAnswer struct {
		UpgradeBasedOn              string       `json:"upgrade_based_on"`
		UpgradeThreshold            float64      `json:"upgradeThreshold"`
		CustomerUpgradeEntityValues upgradeValue `json:"customerUpgradeEntityValues"`
	}
	upgradeValue struct {
		CurrentValue   float64 `json:"currentValue"`
		GapToUpgrade   float64 `json:"gapToUpgrade"`
		ValueValidUpto string  `json:"valueValidUpto"`
	}
	renewAnswer struct {
		TierExpiryDate  string          `json:"tierExpiryDate"`
		RenewConfirmed  bool            `json:"renewConfirmed"`
		RenewStrategies []renewStrategy `json:"renewStrategies"`
	}
	renewStrategy struct {
		RenewBasedOn             string  `json:"renewBasedOn"`
		TrackerEntityIdentifiers []any   `json:"trackerEntityIdentifiers"`
		RenewThreshold           float64 `json:"renewThreshold"`
		CustomerRenewEntityValue float64 `json:"customerRenewEntityValue"`
		CustomerGapToRenewValue  float64 `json:"customerGapToRenewValue"`
	}
	groupProgram struct {
		ID          int64  `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	profileAnswer struct {
		FirstName              string             `json:"firstName"`
		LastName               string             `json:"lastName"`
		Attribution            attribution        `json:"attribution"`
		Fields                 map[string]any     `json:"fields"`
		Identifiers            []identifierAnswer `json:"identifiers"`
		CommChannels           []channelAnswer    `json:"commChannels"`
		Source                 string             `json:"source"`
		UserID                 json.Number        `json:"userId"`
		AccountID              string             `json:"accountId"`
		ConflictingProfileList []any              `json:"conflictingProfileList"`
		AutoUpdateTime         string             `json:"autoUpdateTime"`
		IdentifiersAll         []Identifier       `json:"identifiersAll"`
	}
	// identifierAnswer is an identifier as reads give it: a card number with its card's series
	// and status label (OLD's samples).
	identifierAnswer struct {
		Type        string `json:"type"`
		Value       string `json:"value"`
		SeriesID    int64  `json:"seriesId,omitempty"`
		StatusLabel string `json:"statusLabel,omitempty"`
	}
	channelAnswer struct {
		Type       string         `json:"type"`
		Value      string         `json:"value"`
		Primary    bool           `json:"primary"`
		Verified   bool           `json:"verified"`
		Meta       map[string]any `json:"meta"`
		Attributes map[string]any `json:"attributes"`
	}
	attribution struct {
		CreateDate   string `json:"createDate"`
		CreatedBy    entity `json:"createdBy"`
		ModifiedBy   entity `json:"modifiedBy"`
		ModifiedDate string `json:"modifiedDate"`
	}
	entity struct {
		Code string `json:"code"`
		Name string `json:"name"`
		Type string `json:"type"`
	}
	loyaltyInfoAnswer struct {
		LoyaltyType       string      `json:"loyaltyType"`
		AttributionV2     attribution `json:"attributionV2"`
		LifetimePurchases float64     `json:"lifetimePurchases"`
	}
	pointsSummary struct {
		Adjusted             float64 `json:"adjusted"`
		CumulativePurchases  float64 `json:"cumulativePurchases"`
		CurrentSlab          string  `json:"currentSlab"`
		Expired              float64 `json:"expired"`
		LifetimePoints       float64 `json:"lifetimePoints"`
		LoyaltyID            int64   `json:"loyaltyId"`
		LoyaltyPoints        float64 `json:"loyaltyPoints"`
		NextSlab             string  `json:"nextSlab"`
		NextSlabDescription  string  `json:"nextSlabDescription"`
		NextSlabSerialNumber int     `json:"nextSlabSerialNumber"`
		Redeemed             float64 `json:"redeemed"`
		Returned             float64 `json:"returned"`
		SlabExpiryDate       string  `json:"slabExpiryDate"`
		SlabSNo              int     `json:"slabSNo"`
	}
	programDetails struct {
		Redeemed                     float64         `json:"redeemed"`
		Expired                      float64         `json:"expired"`
		Returned                     float64         `json:"returned"`
		Adjusted                     float64         `json:"adjusted"`
		LifetimePoints               float64         `json:"lifetimePoints"`
		LoyaltyPoints                float64         `json:"loyaltyPoints"`
		CumulativePurchases          float64         `json:"cumulativePurchases"`
		LoyaltyID                    int64           `json:"loyaltyId"`
		CurrentSlab                  string          `json:"currentSlab"`
		NextSlab                     string          `json:"nextSlab"`
		NextSlabSerialNumber         int             `json:"nextSlabSerialNumber"`
		NextSlabDescription          string          `json:"nextSlabDescription"`
		SlabSNo                      int             `json:"slabSNo"`
		SlabExpiryDate               string          `json:"slabExpiryDate"`
		ProgramID                    int64           `json:"programId"`
		DelayedPoints                float64         `json:"delayedPoints"`
		DelayedReturnedPoints        float64         `json:"delayedReturnedPoints"`
		DelayedExpiredPoints         float64         `json:"delayedExpiredPoints"`
		TotalAvailablePoints         float64         `json:"totalAvailablePoints"`
		TotalReturnedPoints          float64         `json:"totalReturnedPoints"`
		LinkedPartnerPrograms        []partnerAnswer `json:"linkedPartnerPrograms"`
		ProgramTitle                 string          `json:"programTitle"`
		ProgramDescription           string          `json:"programDescription"`
		ProgramPointsToCurrencyRatio float64         `json:"programPointsToCurrencyRatio"`
	}
	// partnerAnswer is a linked partner program in the shape of the vendor's sample of a
	// customer's loyalty details: the tier's fields only for a program with tiers.
	partnerAnswer struct {
		PartnerProgramID          int64  `json:"partnerProgramId"`
		PartnerProgramName        string `json:"partnerProgramName"`
		PartnerProgramDescription string `json:"partnerProgramDescription"`
		PartnerTierNumber         int    `json:"partnerTierNumber,omitempty"`
		PartnerTierName           string `json:"partnerTierName,omitempty"`
		PartnerTierExpiryDate     string `json:"partnerTierExpiryDate,omitempty"`
		PartnerMembershipID       string `json:"partnerMembershipId"`
		PartnerProgramType        string `json:"partnerProgramType"`
		TierBased                 bool   `json:"tierBased"`
	}
	subscriptionInfo struct {
		Subscriptions []Subscription `json:"subscriptions"`
	}
)

// fakeEntity is who the fake says created and modified its customers.
func fakeEntity() entity { return entity{Code: "capillarytest", Name: "capillarytest", Type: "TILL"} }

// embedNames lists the embed values the vendor documents for the two reads (mlp also as the
// vendor's pages write it, MLP).
func embedNames() []string {
	return []string{"points", "subscriptions", "mlp", "MLP", "userGroup", "gapDetails", "promotionalPoints", "expirySchedules",
		"expiredPoints", "customerImage", "returnedPoints", "associatedImages", "segments", "cardLoyaltyDetails",
		"fleetParentDetails", "ignoreCardDetails", "customerStatus", "alternateCurrencies"}
}

// embeds lists the embed values of a read, comma-separated or repeated.
func (c *call) embeds() []string {
	var embeds []string
	for _, e := range c.q["embed"] {
		embeds = append(embeds, strings.Split(e, ",")...)
	}
	return embeds
}

// inSource reports whether a profile is on the source (account) a read names, or the read
// names ALL.
func (c *call) inSource(p Profile) bool {
	source, accountID := c.q.Get("source"), c.q.Get("accountId")
	return source == "ALL" || (p.Source == source && (accountID == "" || p.AccountID == accountID))
}

// read answers GET /v2/customers/{userId} and GET /v2/customers/lookup/customerDetails: the
// customer in the vendor's read shape, its embeds from the stored state, so that an update can
// be read back.
func (s *Server) read(c *call) answer {
	if c.endpoint == getDetails {
		c.find()
	}
	cust, modified, _, found := s.store.read(c.userID)
	if found {
		c.cust = &cust
	}
	if s.check(c, true); len(c.errs) > 0 {
		return answer{}
	}
	if modified.IsZero() {
		modified = s.started
	}
	loyaltyID, _ := numericID(cust.ID)
	stamp := attribution{CreateDate: s.started.Format(dateTimeLayout), CreatedBy: fakeEntity(), ModifiedBy: fakeEntity(), ModifiedDate: modified.Format(dateTimeLayout)}
	res := customerAnswer{
		ID:             json.Number(cust.ID),
		Profiles:       []profileAnswer{},
		LoyaltyInfo:    loyaltyInfoAnswer{LoyaltyType: cust.loyaltyType(), AttributionV2: stamp},
		Segments:       orEmpty(cust.Segments),
		AssociatedWith: fakeEntity().Code,
		ExtendedFields: orEmpty(cust.ExtendedFields),
		CardDetails:    cardsOf(&cust, stamp.CreateDate),
		Warnings:       c.successWarnings(),
	}
	onlyCurrent := strings.EqualFold(c.q.Get("includedOnlyCurrentProfile"), "true")
	for _, p := range cust.profiles() {
		if !onlyCurrent || c.inSource(p) {
			res.Profiles = append(res.Profiles, profileOf(p, &cust, stamp))
		}
	}
	for _, e := range c.embeds() {
		switch e {
		case "points":
			res.PointsSummary = pointsOf(&cust, loyaltyID)
		case "mlp", "MLP":
			res.LoyaltyProgramDetails = programsOf(&cust, loyaltyID)
			if c.q.Has("gapToUpgrade") {
				res.UpgradeStrategies = upgradesOf(&cust)
			}
			if c.q.Has("gapToRenew") {
				res.GapToRenewSummary = renewalsOf(&cust)
			}
		case "subscriptions":
			res.SubscriptionInfo = &subscriptionInfo{Subscriptions: orNone(slices.Clone(cust.Subscriptions))}
		case "promotionalPoints":
			res.PromotionalPoints = promotionsOf(&cust)
		case "alternateCurrencies":
			res.AlternateCurrencyDetails = currenciesOf(&cust)
		}
	}
	if strings.EqualFold(c.q.Get("includedFraudDetails"), "true") {
		res.FraudDetails = &fraudAnswer{ModifiedOn: stamp.CreateDate, Status: cmp.Or(cust.FraudStatus, "NOT_FRAUD")}
	}
	if strings.EqualFold(c.q.Get("includedUserGroup2LoyaltyDetails"), "true") {
		res.GroupLoyaltyProgramDetails = groupsOf(&cust)
	}
	return jsonAnswer(http.StatusOK, res)
}

func profileOf(p Profile, cust *Customer, stamp attribution) profileAnswer {
	ids := []identifierAnswer{}
	for _, id := range identifiersOf(&p) {
		out := identifierAnswer{Type: id.Type, Value: id.Value}
		if i := slices.IndexFunc(cust.Cards, func(card Card) bool { return card.Number == id.Value }); i >= 0 && id.Type == "cardnumber" {
			out.SeriesID, out.StatusLabel = cust.Cards[i].SeriesID, cust.Cards[i].Status
		}
		ids = append(ids, out)
	}
	out := profileAnswer{
		FirstName: p.FirstName, LastName: p.LastName, Attribution: stamp, Fields: map[string]any{},
		Identifiers: ids, CommChannels: []channelAnswer{}, Source: p.Source, UserID: json.Number(cust.ID),
		AccountID: p.AccountID, ConflictingProfileList: []any{}, AutoUpdateTime: stamp.ModifiedDate, IdentifiersAll: orNone(identifiersOf(&p)),
	}
	for k, v := range p.Fields {
		out.Fields[k] = fieldText(v) // the vendor answers custom fields as text
	}
	for _, ch := range p.CommChannels {
		out.CommChannels = append(out.CommChannels, channelAnswer{Type: ch.Type, Value: ch.Value, Primary: ch.Primary,
			Verified: ch.Verified, Meta: orEmpty(ch.Meta), Attributes: orEmpty(ch.Attributes)})
	}
	return out
}

// pointsOf is embed=points: the summary of the customer's first program, zeros without one.
func pointsOf(c *Customer, loyaltyID int64) *pointsSummary {
	sum := &pointsSummary{NextSlabSerialNumber: -1, LoyaltyID: loyaltyID}
	if len(c.Enrollments) == 0 {
		return sum
	}
	e := c.Enrollments[0]
	sum.CurrentSlab, sum.SlabSNo, sum.SlabExpiryDate = tierName(e.TierNumber), e.TierNumber, dateOrEmpty(e.TierExpiryDate)
	for _, e := range c.Enrollments {
		sum.LoyaltyPoints += e.Points
		sum.LifetimePoints += e.Points
	}
	return sum
}

// programsOf is embed=mlp: one entry per program the customer is enrolled in.
func programsOf(c *Customer, loyaltyID int64) []programDetails {
	out := []programDetails{}
	for _, e := range c.Enrollments {
		out = append(out, programDetails{
			LifetimePoints: e.Points, LoyaltyPoints: e.Points, TotalAvailablePoints: e.Points,
			LoyaltyID: loyaltyID, CurrentSlab: tierName(e.TierNumber), NextSlabSerialNumber: -1, SlabSNo: e.TierNumber,
			SlabExpiryDate: dateOrEmpty(e.TierExpiryDate), ProgramID: e.ProgramID, LinkedPartnerPrograms: partnersOf(e.PartnerPrograms),
			ProgramTitle: fmt.Sprintf("Program %d", e.ProgramID), ProgramPointsToCurrencyRatio: 1,
		})
	}
	return out
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(dateTimeLayout)
}

// orEmpty answers {} rather than null for a map the vendor always sends.
func orEmpty[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}

// cardsOf is cardDetails: the customer's cards, numbered from 1 (the ids and the org are the
// fake's), issued when the server started.
func cardsOf(c *Customer, issued string) []cardAnswer {
	out := []cardAnswer{}
	for i, card := range c.Cards {
		id := int64(i + 1)
		active := card.Status == "ACTIVE"
		out = append(out, cardAnswer{
			CardID: id, IssuedDate: issued, CreatedDate: issued, SeriesName: card.SeriesName, CustomerID: json.Number(c.ID),
			MaxActiveCards: len(c.Cards), CardExternalID: card.ExternalID, ExtendedFields: map[string]any{}, CustomFields: map[string]any{},
			Type: card.Type, CardNumber: card.Number, SeriesID: card.SeriesID, SeriesCode: card.SeriesCode, OrgID: fakeOrgID,
			EntityID: json.Number(c.ID), ID: id, ActiveAndDigital: active && card.Type == "DIGITAL",
			StatusInfo: cardStatus{CreatedBy: json.Number(c.ID), Actions: []any{}, AutoUpdateTime: issued, CreatedOn: issued,
				EntityID: id, ID: id, IsActive: active, Label: card.Status, Status: card.Status},
		})
	}
	return out
}

// fakeOrgID is the org id the fake's answers carry.
const fakeOrgID = 1

// promotionsOf is embed=promotionalPoints: each promotion in the list of its kind, issued at
// the fake's till.
func promotionsOf(c *Customer) *promotionsAnswer {
	lists := map[string][]promotionAnswer{}
	for _, p := range c.Promotions {
		lists[p.Kind] = append(lists[p.Kind], promotionAnswer{
			Points: p.Points, IssuedAt: issuedAt{Code: fakeEntity().Code, Name: fakeEntity().Name}, IssuedOn: dateOrEmpty(p.IssuedOn),
			ExpiryDate: dateOrEmpty(p.ExpiryDate), PromotionSource: promotionSource{PromotionSourceID: -1, PromotionSourceType: p.SourceType},
			ProgramID: p.ProgramID, PromotionName: p.Name,
		})
	}
	return &promotionsAnswer{CustomerPromotionType: orNone(lists["customer"]), TransactionPromotionType: orNone(lists["transaction"]),
		LineitemPromotionType: orNone(lists["lineitem"])}
}

// currenciesOf is embed=alternateCurrencies; nothing is delayed, so the totals are the
// balances.
func currenciesOf(c *Customer) []currencyAnswer {
	out := []currencyAnswer{}
	for _, a := range c.AlternateCurrencies {
		out = append(out, currencyAnswer{ProgramID: a.ProgramID, ProgramName: a.ProgramName, AlternateCurrencyData: currencyData{
			Name: a.Name, Earned: a.Earned, LifetimeEarned: a.LifetimeEarned, Redeemed: a.Redeemed, Expired: a.Expired, Returned: a.Returned,
			TotalAvailable: a.Earned, TotalRedeemed: a.Redeemed, TotalReturned: a.Returned, TotalExpired: a.Expired,
		}})
	}
	return out
}

// groupsOf is includedUserGroup2LoyaltyDetails: the customer's group programs, their programs
// named as programsOf names them.
func groupsOf(c *Customer) []groupAnswer {
	out := []groupAnswer{}
	for _, g := range c.GroupPrograms {
		programs := []groupProgram{}
		for _, id := range g.ProgramIDs {
			programs = append(programs, groupProgram{ID: id, Name: fmt.Sprintf("Program %d", id)})
		}
		out = append(out, groupAnswer{GroupProgramID: g.ID, Title: g.Title, Description: g.Description, ProgramsList: programs,
			LifetimePoints: g.Points, LoyaltyPoints: g.Points, PointsToCurrencyRatio: 1})
	}
	return out
}

// upgradesOf is upgradeStrategies (embed=mlp with gapToUpgrade), at the top level where the
// vendor's tables put it; the gap is what the customer's value lacks, never below 0, whatever
// the days ahead.
func upgradesOf(c *Customer) []upgradeAnswer {
	out := []upgradeAnswer{}
	for _, s := range c.UpgradeStrategies {
		out = append(out, upgradeAnswer{UpgradeBasedOn: s.BasedOn, UpgradeThreshold: s.Threshold, CustomerUpgradeEntityValues: upgradeValue{
			CurrentValue: s.Value, GapToUpgrade: max(s.Threshold-s.Value, 0), ValueValidUpto: dayOrEmpty(s.ValidUpto)}})
	}
	return out
}

// renewalsOf is gapToRenewSummary (embed=mlp with gapToRenew): one summary for the tier of the
// first enrolment, not shown on the base tier, as the vendor documents; renewed once no gap
// is left.
func renewalsOf(c *Customer) []renewAnswer {
	if len(c.Enrollments) == 0 || c.Enrollments[0].TierNumber <= 1 || len(c.RenewStrategies) == 0 {
		return []renewAnswer{}
	}
	sum := renewAnswer{TierExpiryDate: dayOrEmpty(c.Enrollments[0].TierExpiryDate), RenewConfirmed: true, RenewStrategies: []renewStrategy{}}
	for _, s := range c.RenewStrategies {
		gap := max(s.Threshold-s.Value, 0)
		sum.RenewConfirmed = sum.RenewConfirmed && gap == 0
		sum.RenewStrategies = append(sum.RenewStrategies, renewStrategy{RenewBasedOn: s.BasedOn, TrackerEntityIdentifiers: []any{},
			RenewThreshold: s.Threshold, CustomerRenewEntityValue: s.Value, CustomerGapToRenewValue: gap})
	}
	return []renewAnswer{sum}
}

// dayOrEmpty writes a date as YYYY-MM-DD, the form of the vendor's gap tables.
func dayOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// partnersOf is a program's linkedPartnerPrograms.
func partnersOf(programs []PartnerProgram) []partnerAnswer {
	out := []partnerAnswer{}
	for _, p := range programs {
		out = append(out, partnerAnswer{PartnerProgramID: p.ID, PartnerProgramName: p.Name, PartnerProgramDescription: p.Name,
			PartnerTierNumber: p.TierNumber, PartnerTierName: p.TierName, PartnerTierExpiryDate: dateOrEmpty(p.TierExpiryDate),
			PartnerMembershipID: p.MembershipID, PartnerProgramType: cmp.Or(p.Type, "EXTERNAL"), TierBased: p.TierNumber > 0})
	}
	return out
}
