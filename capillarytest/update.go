package capillarytest

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// updateAnswer is the success body of the update, in the vendor's field order; createdId is a
// JSON number, as in the vendor's samples.
type updateAnswer struct {
	CreatedID   json.Number `json:"createdId"`
	Warnings    []message   `json:"warnings"`
	SideEffects []any       `json:"sideEffects"`
}

// pointsEffect is the points kind of the vendor's side effects.
type pointsEffect struct {
	EntityType       string  `json:"entityType"`
	RawAwardedPoints float64 `json:"rawAwardedPoints"`
	AwardedPoints    float64 `json:"awardedPoints"`
	Type             string  `json:"type"`
}

// slabEffect is the tier ("slab") kind of side effect: the tier before and after, and the new
// tier's expiry, under the names of the vendor's sample (the SDK reads the same names).
type slabEffect struct {
	EntityType         string `json:"entityType"`
	Type               string `json:"type"`
	PreviousSlabName   string `json:"previousSlabName"`
	PreviousSlabNumber int    `json:"previousSlabNumber"`
	UpgradedSlabName   string `json:"upgradedSlabName"`
	UpgradedSlabNumber int    `json:"upgradedSlabNumber"`
	SlabExpiryDate     string `json:"slabExpiryDate,omitempty"`
}

// update answers both updates: the customer rows and the change run under the customer's
// lock, on a copy that is stored only when no row refused it.
func (s *Server) update(c *call) answer {
	if c.endpoint == putByLookup {
		c.find()
	}
	found := s.store.update(c.userID, c.now, func(cust *Customer) bool {
		c.cust = cust
		s.check(c, true)
		if len(c.errs) == 0 {
			c.apply()
		}
		return len(c.errs) == 0
	})
	if !found {
		s.check(c, true) // c.cust is nil: 8015
		return answer{}
	}
	res := updateAnswer{CreatedID: json.Number(c.userID), Warnings: c.successWarnings(), SideEffects: orNone(c.sideEffects)}
	if useAsync, _ := strconv.ParseBool(strings.ToLower(c.q.Get("use_async"))); useAsync {
		// use_async=true runs the loyalty activities in the background: they are applied (the
		// fake applies them at once) but not reported.
		res.SideEffects = []any{}
	}
	return jsonAnswer(http.StatusOK, res)
}

// accountRef is a source account that an update or a read names, as the org's accounts
// resolve it.
type accountRef struct {
	sourceAccount
	missing bool // a multi-account source without accountId
	unknown bool // an accountId the source does not have
}

// resolveAccounts resolves the query's source account and each body profile's: its own source
// (the query's when absent) and accountId (the query's when absent, for the same source).
func (c *call) resolveAccounts() {
	if source := c.q.Get("source"); validSource(source) {
		c.account = c.s.accounts.ref(source, c.q.Get("accountId"))
	}
	if c.patch == nil {
		return
	}
	for _, pp := range c.patch.profiles {
		source, _ := pp.raw["source"].(string)
		accountID, _ := pp.raw["accountId"].(string)
		if source == "" {
			source = c.account.Source
		}
		if accountID == "" && source == c.account.Source {
			accountID = c.account.AccountID
		}
		if validSource(source) {
			pp.account = c.s.accounts.ref(source, accountID)
		}
	}
}

// eachAccount calls f with the query's source account and each body profile's that names one.
func (c *call) eachAccount(f func(a *accountRef, at string)) {
	if c.account.Source != "" {
		f(&c.account, "")
	}
	if c.patch != nil {
		for _, pp := range c.patch.profiles {
			if pp.account.Source != "" && (pp.raw["source"] != nil || pp.raw["accountId"] != nil) {
				f(&pp.account, pp.path+": ")
			}
		}
	}
}

// target is the source account a body profile updates: the query's when it names none.
func (c *call) target(pp *profilePatch) sourceAccount {
	if pp.raw["source"] == nil && pp.raw["accountId"] == nil {
		return c.account.sourceAccount
	}
	return pp.account.sourceAccount
}

func checkUpdateSources(c *call) {
	switch source := c.q.Get("source"); {
	case source == "":
		c.refuse("the source query parameter is required")
	case !validSource(source):
		c.refuse("%q is not a source the update accepts", source)
	}
	for _, pp := range c.patch.profiles {
		if source, _ := pp.raw["source"].(string); source != "" && !validSource(source) {
			c.refuse("%s.source: %q is not a source the update accepts", pp.path, source)
		}
	}
}

// boolParams refuses each of the query parameters given that is not true or false.
func (c *call) boolParams(names ...string) {
	for _, name := range names {
		if v := c.q.Get(name); c.q.Has(name) && !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			c.refuse("query parameter %s: %q is not true or false", name, v)
		}
	}
}

// eachChannel calls f with each commChannels[] entry of the body not left out yet.
func (c *call) eachChannel(f func(ch *element)) {
	for _, pp := range c.patch.profiles {
		for _, ch := range pp.channels {
			if !ch.dropped {
				f(ch)
			}
		}
	}
}

func checkChannels(c *call) {
	c.eachChannel(func(ch *element) {
		if t, ok := ch.raw["type"].(string); !ok && ch.raw["type"] != nil {
			c.refuse("%s.type: must be a string, not %s", ch.path, kind(ch.raw["type"]))
		} else if t != "" && !validChannelType(t) {
			c.refuse("%s.type: %q is not one of %s", ch.path, t, channelTypeList)
		}
		switch v, ok := ch.raw["value"].(string); {
		case !ok && ch.raw["value"] != nil:
			c.refuse("%s.value: must be a string, not %s", ch.path, kind(ch.raw["value"]))
		case strings.TrimSpace(v) == "":
			c.refuse("%s.value: is missing", ch.path)
		}
		for _, flag := range []string{"primary", "verified", "subscribed"} {
			if _, ok := looseBool(ch.raw[flag]); !ok {
				if s, isText := ch.raw[flag].(string); isText {
					c.refuse("%s.%s: %q is not \"true\" or \"false\"", ch.path, flag, s)
				} else {
					c.refuse("%s.%s: must be \"true\", \"false\" or a boolean, not %s", ch.path, flag, kind(ch.raw[flag]))
				}
			}
		}
		if _, ok := ch.raw["lastViewedDate"].(string); !ok && ch.raw["lastViewedDate"] != nil {
			c.refuse("%s.lastViewedDate: must be a string, not %s", ch.path, kind(ch.raw["lastViewedDate"]))
		}
		for _, name := range []string{"meta", "attributes"} {
			if _, ok := ch.raw[name].(map[string]any); !ok && ch.raw[name] != nil {
				c.refuse("%s.%s: must be an object, not %s", ch.path, name, kind(ch.raw[name]))
			}
		}
	})
}

// looseBool reads primary, verified or subscribed: the vendor documents the strings "true" and
// "false" and its own samples send JSON booleans, so both are taken (strings in any case). A
// nil *bool with ok is a flag not given.
func looseBool(v any) (b *bool, ok bool) {
	switch v := v.(type) {
	case nil:
		return nil, true
	case bool:
		return &v, true
	case string:
		if t := strings.EqualFold(v, "true"); t || strings.EqualFold(v, "false") {
			return &t, true
		}
	}
	return nil, false
}

func checkIdentifiers(c *call) {
	for _, pp := range c.patch.profiles {
		for _, id := range pp.identifiers {
			if t, _ := id.raw["type"].(string); !validIdentifierType(t) {
				c.refuse("%s.type: %s is not one of %s", id.path, jsonText(id.raw["type"]), identifierTypeList)
			}
			if identifierValue(id.raw) == "" {
				c.refuse("%s.value: must be a non-empty string or a number, not %s", id.path, jsonText(id.raw["value"]))
			}
		}
	}
}

// identifierValue is an identifier's value: a string, or a JSON number's digits, as a mobile
// is in one of the vendor's samples; "" when it is neither.
func identifierValue(raw map[string]any) string {
	switch v := raw["value"].(type) {
	case json.Number:
		return v.String()
	case string:
		return strings.TrimSpace(v)
	}
	return ""
}

func identifierOf(e *element) Identifier {
	t, _ := e.raw["type"].(string)
	return Identifier{Type: t, Value: identifierValue(e.raw)}
}

func checkEnrollments(c *call) {
	for _, e := range c.patch.enrollments {
		if e.raw["programId"] == nil {
			c.refuse("%s.programId: is required", e.path)
		}
		for _, f := range []struct {
			name     string
			min, max int64
			what     string
		}{{"programId", 1, math.MaxInt64, "a program id"}, {"tierNumber", 1, math.MaxInt32, "a tier sequence number"}} {
			v := e.raw[f.name]
			switch n, ok := integer(v); {
			case v == nil:
			case !ok:
				c.refuse("%s.%s: must be an integer, not %s", e.path, f.name, jsonText(v))
			case n < f.min || n > f.max:
				c.refuse("%s.%s: %d is not %s (%d to %d)", e.path, f.name, n, f.what, f.min, f.max)
			}
		}
		if v := e.raw["loyaltyPoints"]; v != nil {
			if n, ok := decimal(v); !ok || n < 0 {
				c.refuse("%s.loyaltyPoints: %s is not a points balance (a JSON number >= 0)", e.path, jsonText(v))
			}
		}
		for _, name := range []string{"tierExpiryDate", "pointsExpiryDate"} {
			if v := e.raw[name]; v != nil {
				if _, ok := date(v); !ok {
					c.refuse("%s.%s: %s is not in the form 2024-07-11T16:36:17+05:30 or 2022-02-11T11:06:17.000Z", e.path, name, jsonText(v))
				}
			}
		}
	}
}

// integer reads a JSON integer: 1 is one, "1", 1.0 and 1e0 are not.
func integer(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(n.String(), 10, 64)
	return i, err == nil
}

// decimal reads a JSON number, whole or not (a string holding one is not a number).
func decimal(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

// date reads a date-time in one of the vendor's two documented forms: exactly
// 2024-07-11T16:36:17+05:30 (its update pages), or UTC with a Z and any fraction,
// 2022-02-11T11:06:17.000Z (the OpenAPI example of the update by lookup).
func date(v any) (time.Time, bool) {
	s, _ := v.(string)
	layout := dateTimeLayout // time.Parse takes fractions the layout does not show: the length check refuses them
	if strings.HasSuffix(s, "Z") {
		layout = time.RFC3339Nano
	}
	t, err := time.Parse(layout, s)
	return t, err == nil && (layout != dateTimeLayout || len(s) == len(dateTimeLayout))
}

// jsonText shows a JSON value in a message.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func checkPrograms(c *call) {
	seen := map[int64]bool{}
	for _, e := range c.patch.enrollments {
		id, _ := integer(e.raw["programId"])
		switch {
		case seen[id]:
			c.refuse("%s.programId: loyalty program %d is listed twice", e.path, id)
		case c.s.cfg.programs != nil && !c.s.cfg.programs[id]:
			c.refuse("%s.programId: loyalty program %d does not exist in this org", e.path, id)
		case c.cust.enrollment(id) != nil:
			c.refuse("%s.programId: customer %s is already enrolled in loyalty program %d", e.path, c.cust.ID, id)
		}
		seen[id] = true
	}
}

// dropInvalidIdentifiers leaves out, with the row's warning, each identifier of type t whose
// value valid refuses.
func (c *call) dropInvalidIdentifiers(t, what string, valid func(string) bool) {
	for _, pp := range c.patch.profiles {
		for _, e := range pp.identifiers {
			if id := identifierOf(e); !e.dropped && id.Type == t && !valid(id.Value) {
				e.dropped = true
				c.refuse("%s.value: %q is not %s; the identifier was not saved", e.path, id.Value, what)
			}
		}
	}
}

// dropInvalidChannels is dropInvalidIdentifiers for channels.
func (c *call) dropInvalidChannels(t, what string, valid func(string) bool) {
	c.eachChannel(func(e *element) {
		if v, _ := e.raw["value"].(string); e.raw["type"] == t && strings.TrimSpace(v) != "" && !valid(v) {
			e.dropped = true
			c.refuse("%s.value: %q is not %s; the channel was not saved", e.path, v, what)
		}
	})
}

// dropIdentifierChanges leaves out, with the row's warning, each identifier or channel that
// would change an identifier of the org's primary type (primary) or of another type.
// Identifiers cannot be changed by an update.
func (c *call) dropIdentifierChanges(primary bool) {
	for _, pp := range c.patch.profiles {
		prof := c.cust.profile(c.target(pp))
		for _, e := range pp.identifiers {
			id := identifierOf(e)
			if e.dropped || (id.Type == c.s.cfg.primaryIdentifier) != primary {
				continue
			}
			for _, have := range identifiersOf(&prof) {
				if have.Type == id.Type && have.Value != id.Value {
					e.dropped = true
					c.refuseAbout(id.Type, "%s would change it from %q", e.path, have.Value)
					break
				}
			}
		}
		for _, e := range pp.channels {
			t, _ := e.raw["type"].(string)
			v, _ := e.raw["value"].(string)
			current, has := primaryValue(&prof, t)
			mark, _ := looseBool(e.raw["primary"])
			free := !identifierChannel(t) || (c.s.cfg.dualEligibility && prof.Source == "INSTORE")
			if e.dropped || free || !has || mark == nil || (t == c.s.cfg.primaryIdentifier) != primary {
				continue
			}
			if (*mark && v != current) || (!*mark && v == current) {
				e.dropped = true
				c.refuseAbout(t, "%s would change the primary %s %q", e.path, t, current)
			}
		}
	}
}

// apply changes c.cust as the body asks, once the rows have passed: each body profile goes to
// the customer's profile on its source account, which is added when missing.
func (c *call) apply() {
	cust, p := c.cust, c.patch
	if lt, _ := p.loyaltyType(); lt == loyaltyTypeLoyalty {
		cust.LoyaltyType = loyaltyTypeLoyalty
	}
	own := cust.profile(c.account.sourceAccount)
	own.Fields = mergeFields(own.Fields, p.fields, fieldText)
	cust.setProfile(own)
	for _, pp := range p.profiles {
		prof := cust.profile(c.target(pp))
		for name, to := range map[string]*string{"firstName": &prof.FirstName, "lastName": &prof.LastName} {
			if v, ok := pp.raw[name].(string); ok {
				*to = string([]rune(v)[:min(len([]rune(v)), maxNameRunes)])
			}
		}
		prof.Fields = mergeFields(prof.Fields, pp.fields, fieldText)
		for _, e := range pp.identifiers {
			if id := identifierOf(e); !e.dropped && !slices.Contains(identifiersOf(&prof), id) {
				prof.Identifiers = append(prof.Identifiers, id)
			}
		}
		for _, e := range pp.channels {
			if !e.dropped {
				applyChannel(&prof, e.raw)
			}
		}
		cust.setProfile(prof)
	}
	cust.ExtendedFields = mergeFields(cust.ExtendedFields, p.extendedFields, storedValue)
	for _, e := range p.enrollments {
		c.enroll(e.raw)
	}
}

// mergeFields sets each field of patch on fields, its value as store makes it; a null value
// removes the field.
func mergeFields(fields, patch map[string]any, store func(any) any) map[string]any {
	for k, v := range patch {
		if v == nil {
			delete(fields, k)
			continue
		}
		if fields == nil {
			fields = map[string]any{}
		}
		fields[k] = store(v)
	}
	return fields
}

// fieldText is a custom field's value as the vendor keeps and answers it: text, whatever the
// JSON type it was sent as ("tierup_airasia": "2").
func fieldText(v any) any {
	if s, ok := v.(string); ok {
		return s
	}
	return strings.Trim(jsonText(v), `"`)
}

// applyChannel adds one channel, or updates the one of the same type and value. A new channel
// is primary when the body says so, or when it is the profile's first of its type and the
// body does not say otherwise; a channel marked primary unmarks the others of its type.
func applyChannel(p *Profile, raw map[string]any) {
	t, _ := raw["type"].(string)
	v, _ := raw["value"].(string)
	primary, _ := looseBool(raw["primary"])
	i := slices.IndexFunc(p.CommChannels, func(ch CommChannel) bool { return ch.Type == t && ch.Value == v })
	if i < 0 {
		if primary == nil {
			first := !slices.ContainsFunc(p.CommChannels, func(ch CommChannel) bool { return ch.Type == t })
			primary = &first
		}
		p.CommChannels = append(p.CommChannels, CommChannel{Type: t, Value: v})
		i = len(p.CommChannels) - 1
	}
	if primary != nil && *primary {
		for j := range p.CommChannels {
			if p.CommChannels[j].Type == t {
				p.CommChannels[j].Primary = false
			}
		}
	}
	ch := &p.CommChannels[i]
	if primary != nil {
		ch.Primary = *primary
	}
	if b, _ := looseBool(raw["verified"]); b != nil {
		ch.Verified = *b
	}
	if b, _ := looseBool(raw["subscribed"]); b != nil {
		ch.Subscribed = b
	}
	if d, ok := raw["lastViewedDate"].(string); ok {
		ch.LastViewedDate = d
	}
	if m, ok := raw["meta"].(map[string]any); ok {
		ch.Meta = cloneMap(m)
	}
	if m, ok := raw["attributes"].(map[string]any); ok {
		ch.Attributes = cloneMap(m)
	}
}

// primaryValue returns the value of the profile's primary channel of a type.
func primaryValue(p *Profile, typ string) (string, bool) {
	for _, ch := range p.CommChannels {
		if ch.Type == typ && ch.Primary {
			return ch.Value, true
		}
	}
	return "", false
}

// validEmail accepts an address of at most 255 characters whose local part holds letters,
// digits and . _ % + - and whose domain is dotted labels of letters, digits and hyphens:
// tomsawyer@gmail.com. The vendor limits both the characters and the length; the exact set
// is the fake's reading.
func validEmail(v string) bool {
	local, domain, ok := strings.Cut(v, "@")
	if !ok || len(v) > 255 || local == "" || !strings.Contains(domain, ".") || strings.Trim(local, "._%+-"+alnum) != "" {
		return false
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") || strings.Trim(label, "-"+alnum) != "" {
			return false
		}
	}
	return true
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// validMobile accepts 8 to 15 digits (the E.164 maximum) and nothing else: the vendor wants
// the country code and digits only; which lengths an org takes depends on its country
// settings, which the fake does not model.
func validMobile(v string) bool {
	return len(v) >= 8 && len(v) <= 15 && strings.Trim(v, "0123456789") == ""
}

// enroll enrols the customer into a program (the rows checked it is a new one): the tier (1
// unless given), points and expiry dates are stored, and points above zero and a tier above
// the first are reported as side effects.
func (c *call) enroll(raw map[string]any) {
	en := Enrollment{TierNumber: 1}
	en.ProgramID, _ = integer(raw["programId"])
	if n, ok := integer(raw["tierNumber"]); ok {
		en.TierNumber = int(n)
	}
	en.Points, _ = decimal(raw["loyaltyPoints"])
	en.TierExpiryDate, _ = date(raw["tierExpiryDate"])
	en.PointsExpiryDate, _ = date(raw["pointsExpiryDate"])
	c.cust.Enrollments = append(c.cust.Enrollments, en)
	if en.Points > 0 {
		c.sideEffects = append(c.sideEffects, pointsEffect{
			EntityType: "USER", RawAwardedPoints: en.Points, AwardedPoints: en.Points, Type: "points",
		})
	}
	if en.TierNumber > 1 {
		// Enrolment starts at the base tier: a higher one is a tier change.
		slab := slabEffect{EntityType: "USER", Type: "slab", PreviousSlabName: tierName(1), PreviousSlabNumber: 1,
			UpgradedSlabName: tierName(en.TierNumber), UpgradedSlabNumber: en.TierNumber}
		if !en.TierExpiryDate.IsZero() {
			slab.SlabExpiryDate = en.TierExpiryDate.Format(dateTimeLayout)
		}
		c.sideEffects = append(c.sideEffects, slab)
	}
}

// tierName is the name the fake gives a program's tier: the fake has no tier names of its own.
func tierName(n int) string { return "Tier " + strconv.Itoa(n) }

// orNone answers [] rather than null for a list the vendor always sends.
func orNone[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
