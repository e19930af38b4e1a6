package capillarytest

import (
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
	customerAnswer struct {
		ID                    json.Number       `json:"id"`
		Profiles              []profileAnswer   `json:"profiles"`
		LoyaltyInfo           loyaltyInfoAnswer `json:"loyaltyInfo"`
		Segments              map[string]string `json:"segments"`
		AssociatedWith        string            `json:"associatedWith"`
		ExtendedFields        map[string]any    `json:"extendedFields"`
		PointsSummary         *pointsSummary    `json:"pointsSummary,omitempty"`
		LoyaltyProgramDetails []programDetails  `json:"loyaltyProgramDetails,omitempty"`
		SubscriptionInfo      *subscriptionInfo `json:"subscriptionInfo,omitempty"`
		CardDetails           []any             `json:"cardDetails"`
		Warnings              []message         `json:"warnings"`
	}
	profileAnswer struct {
		FirstName              string          `json:"firstName"`
		LastName               string          `json:"lastName"`
		Attribution            attribution     `json:"attribution"`
		Fields                 map[string]any  `json:"fields"`
		Identifiers            []Identifier    `json:"identifiers"`
		CommChannels           []channelAnswer `json:"commChannels"`
		Source                 string          `json:"source"`
		UserID                 json.Number     `json:"userId"`
		AccountID              string          `json:"accountId"`
		ConflictingProfileList []any           `json:"conflictingProfileList"`
		AutoUpdateTime         string          `json:"autoUpdateTime"`
		IdentifiersAll         []Identifier    `json:"identifiersAll"`
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
		Redeemed                     float64 `json:"redeemed"`
		Expired                      float64 `json:"expired"`
		Returned                     float64 `json:"returned"`
		Adjusted                     float64 `json:"adjusted"`
		LifetimePoints               float64 `json:"lifetimePoints"`
		LoyaltyPoints                float64 `json:"loyaltyPoints"`
		CumulativePurchases          float64 `json:"cumulativePurchases"`
		LoyaltyID                    int64   `json:"loyaltyId"`
		CurrentSlab                  string  `json:"currentSlab"`
		NextSlab                     string  `json:"nextSlab"`
		NextSlabSerialNumber         int     `json:"nextSlabSerialNumber"`
		NextSlabDescription          string  `json:"nextSlabDescription"`
		SlabSNo                      int     `json:"slabSNo"`
		SlabExpiryDate               string  `json:"slabExpiryDate"`
		ProgramID                    int64   `json:"programId"`
		DelayedPoints                float64 `json:"delayedPoints"`
		DelayedReturnedPoints        float64 `json:"delayedReturnedPoints"`
		TotalAvailablePoints         float64 `json:"totalAvailablePoints"`
		TotalReturnedPoints          float64 `json:"totalReturnedPoints"`
		LinkedPartnerPrograms        []any   `json:"linkedPartnerPrograms"`
		ProgramTitle                 string  `json:"programTitle"`
		ProgramDescription           string  `json:"programDescription"`
		ProgramPointsToCurrencyRatio float64 `json:"programPointsToCurrencyRatio"`
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
		CardDetails:    []any{},
		Warnings:       c.successWarnings(),
	}
	onlyCurrent := strings.EqualFold(c.q.Get("includedOnlyCurrentProfile"), "true")
	for _, p := range cust.profiles() {
		if !onlyCurrent || c.inSource(p) {
			res.Profiles = append(res.Profiles, profileOf(p, cust.ID, stamp))
		}
	}
	for _, e := range c.embeds() {
		switch e {
		case "points":
			res.PointsSummary = pointsOf(&cust, loyaltyID)
		case "mlp", "MLP":
			res.LoyaltyProgramDetails = programsOf(&cust, loyaltyID)
		case "subscriptions":
			res.SubscriptionInfo = &subscriptionInfo{Subscriptions: orNone(slices.Clone(cust.Subscriptions))}
		}
	}
	return jsonAnswer(http.StatusOK, res)
}

func profileOf(p Profile, userID string, stamp attribution) profileAnswer {
	ids := identifiersOf(&p)
	out := profileAnswer{
		FirstName: p.FirstName, LastName: p.LastName, Attribution: stamp, Fields: map[string]any{},
		Identifiers: orNone(ids), CommChannels: []channelAnswer{}, Source: p.Source, UserID: json.Number(userID),
		AccountID: p.AccountID, ConflictingProfileList: []any{}, AutoUpdateTime: stamp.ModifiedDate, IdentifiersAll: orNone(ids),
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
		sum.LoyaltyPoints += float64(e.Points)
		sum.LifetimePoints += float64(e.Points)
	}
	return sum
}

// programsOf is embed=mlp: one entry per program the customer is enrolled in.
func programsOf(c *Customer, loyaltyID int64) []programDetails {
	out := []programDetails{}
	for _, e := range c.Enrollments {
		out = append(out, programDetails{
			LifetimePoints: float64(e.Points), LoyaltyPoints: float64(e.Points), TotalAvailablePoints: float64(e.Points),
			LoyaltyID: loyaltyID, CurrentSlab: tierName(e.TierNumber), NextSlabSerialNumber: -1, SlabSNo: e.TierNumber,
			SlabExpiryDate: dateOrEmpty(e.TierExpiryDate), ProgramID: e.ProgramID, LinkedPartnerPrograms: []any{},
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
