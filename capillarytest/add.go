package capillarytest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
)

// The add customer, POST /v2/customers: its body is the update's with a few fields of its own
// (decodeAdd), most of the update's rows check it too, and its own rows are in the table
// (rules.go): 8003 for a profile without source, 8005 without a valid identifier, and, with
// the customers its identifiers name in hand, 8026, 8006 and the 8050 combine.

// addFields are the add body's top-level fields that the update does not take, and
// identifierFields those of an identifier (a card's series and status).
var (
	addFields        = []string{"associatedWith", "referralCode", "statusLabel", "subscriptionInfo", "createDate", "endPointsEnabled", "activity"}
	identifierFields = []string{"seriesId", "seriesCode", "statusLabel", "extendedFields", "customFields"}
)

// decodeAdd reads an add body: its own fields are checked and taken out (into patch.added),
// and the rest is read as an update body.
func decodeAdd(body []byte) (*updatePatch, []string) {
	b := &bodyChecker{}
	top, ok := b.document(body)
	if !ok {
		return &updatePatch{}, b.problems
	}
	added := map[string]any{}
	for _, name := range addFields {
		if v, given := top[name]; given {
			added[name] = v
			delete(top, name)
		}
	}
	for _, name := range []string{"associatedWith", "referralCode", "statusLabel", "activity"} {
		b.str(added[name], name)
	}
	if v := added["createDate"]; v != nil {
		if _, ok := date(v); !ok {
			b.fail("createDate", "%s is not in the form 2024-07-11T16:36:17+05:30 or 2022-02-11T11:06:17.000Z", jsonText(v))
		}
	}
	if list, ok := added["endPointsEnabled"].([]any); ok {
		for i, v := range list {
			b.str(v, "endPointsEnabled["+strconv.Itoa(i)+"]")
		}
	} else if added["endPointsEnabled"] != nil {
		b.fail("endPointsEnabled", "must be an array, not %s", kind(added["endPointsEnabled"]))
	}
	if info, ok := added["subscriptionInfo"].(map[string]any); ok {
		b.unknown(info, "subscriptionInfo", "subscriptions")
		for _, e := range b.objects(info["subscriptions"], "subscriptionInfo.subscriptions") {
			b.unknown(e.raw, e.path, "channel", "priority", "type", "accountId", "sourceName")
			for name, v := range e.raw {
				b.str(v, e.path+"."+name)
			}
		}
	} else if added["subscriptionInfo"] != nil {
		b.fail("subscriptionInfo", "must be an object, not %s", kind(added["subscriptionInfo"]))
	}
	profiles, _ := top["profiles"].([]any)
	for i, p := range profiles {
		prof, _ := p.(map[string]any)
		ids, _ := prof["identifiers"].([]any)
		for j, id := range ids {
			obj, ok := id.(map[string]any)
			if !ok {
				continue
			}
			path := "profiles[" + strconv.Itoa(i) + "].identifiers[" + strconv.Itoa(j) + "]"
			if _, ok := integer(obj["seriesId"]); !ok && obj["seriesId"] != nil {
				b.fail(path+".seriesId", "must be an integer, not %s", jsonText(obj["seriesId"]))
			}
			b.str(obj["seriesCode"], path+".seriesCode")
			b.str(obj["statusLabel"], path+".statusLabel")
			for _, name := range identifierFields[3:] {
				if _, ok := obj[name].(map[string]any); !ok && obj[name] != nil {
					b.fail(path+"."+name, "must be an object, not %s", kind(obj[name]))
				}
			}
			for _, name := range identifierFields {
				delete(obj, name)
			}
		}
	}
	rest, err := json.Marshal(top)
	if err != nil { // what decoding gave encodes again: a bug in the fake, not in the request
		panic("capillarytest: encoding an add body: " + err.Error())
	}
	p, problems := decodeUpdate(rest)
	p.added = added
	return p, append(b.problems, problems...)
}

func checkAddSources(c *call) {
	if source := c.q.Get("source"); source != "" && !validSource(source) {
		c.refuse("%q is not a source the add accepts", source)
	}
	for _, pp := range c.patch.profiles {
		if source, _ := pp.raw["source"].(string); source == "" {
			c.refuse("%s.source: is required", pp.path)
		} else if !validSource(source) {
			c.refuse("%s.source: %q is not a source the add accepts", pp.path, source)
		}
	}
}

// addKeys are the identifiers of the add's profiles that no row left out.
func (c *call) addKeys() []Identifier {
	var keys []Identifier
	for _, pp := range c.patch.profiles {
		for _, e := range pp.identifiers {
			if id := identifierOf(e); !e.dropped && id.Value != "" && !slices.Contains(keys, id) {
				keys = append(keys, id)
			}
		}
	}
	return keys
}

// checkAddUnique refuses an identifier a customer holds on the profile's own source account.
func checkAddUnique(c *call) {
	for _, pp := range c.patch.profiles {
		for _, e := range pp.identifiers {
			id := identifierOf(e)
			for _, h := range c.holders {
				if p := h.profile(c.target(pp)); !e.dropped && slices.Contains(identifiersOf(&p), id) {
					c.refuseAbout(h.ID, "%s %s is customer %s's on source %s", id.Type, id.Value, h.ID, p.Source)
					return
				}
			}
		}
	}
}

// add answers the add customer. Adds run one at a time, so that two adds of one identifier
// create one customer and answer the other 8006. The customer rows run with the customer the
// identifiers name in hand, to add this source's profile to it (8050), or with a new customer
// that registers as loyalty unless the body says non_loyalty; it is stored when no row refused.
func (s *Server) add(c *call) answer {
	s.adds.Lock()
	defer s.adds.Unlock()
	for _, k := range c.addKeys() {
		for _, h := range s.store.holders(k) {
			if !slices.ContainsFunc(c.holders, func(have Customer) bool { return have.ID == h.ID }) {
				c.holders = append(c.holders, h)
			}
		}
	}
	first := c.patch.profiles[0].account.sourceAccount
	if c.account.Source == "" {
		c.account.sourceAccount = first // the query named no source: the profiles do
	}
	if len(c.holders) > 0 {
		c.userID = c.holders[0].ID
		s.store.update(c.userID, c.now, func(cust *Customer) bool {
			c.cust = cust
			if s.check(c, true); len(c.errs) == 0 {
				c.apply()
			}
			return len(c.errs) == 0
		})
	} else {
		if _, given := c.patch.loyaltyType(); !given {
			c.patch.top["loyaltyInfo"] = map[string]any{"loyaltyType": loyaltyTypeLoyalty}
		}
		c.userID = s.store.nextID()
		c.cust = &Customer{ID: c.userID, Profile: Profile{Source: first.Source, AccountID: first.AccountID},
			LoyaltyType: loyaltyTypeNonLoyalty, Subscriptions: addedSubscriptions(c.patch.added)}
		if s.check(c, true); len(c.errs) == 0 {
			c.apply()
			s.store.put(*c.cust)
		}
	}
	if len(c.errs) > 0 {
		return answer{}
	}
	return jsonAnswer(http.StatusOK, updateAnswer{CreatedID: json.Number(c.userID), Warnings: c.successWarnings(), SideEffects: orNone(c.sideEffects)})
}

// addedSubscriptions are the subscriptions of an add body's subscriptionInfo.
func addedSubscriptions(added map[string]any) []Subscription {
	info, _ := added["subscriptionInfo"].(map[string]any)
	list, _ := info["subscriptions"].([]any)
	var out []Subscription
	for _, v := range list {
		sub, _ := v.(map[string]any)
		channel, _ := sub["channel"].(string)
		priority, _ := sub["priority"].(string)
		typ, _ := sub["type"].(string)
		out = append(out, Subscription{Channel: channel, Priority: priority, Type: typ})
	}
	return out
}

// holders returns copies of the customers holding identifier k on any profile, in id order.
func (s *store) holders(k Identifier) []Customer {
	s.mu.Lock()
	ids := make([]string, 0, len(s.byIdentifier[k]))
	for id := range s.byIdentifier[k] {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	slices.SortFunc(ids, byNumericID)
	out := make([]Customer, 0, len(ids))
	for _, id := range ids {
		if c, ok := s.get(id); ok {
			out = append(out, c)
		}
	}
	return out
}

// nextID is the id of the next customer the add creates: one more than the highest id
// stored, and at least firstAddedID, so that a created id looks like the vendor's.
func (s *store) nextID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	highest := int64(firstAddedID - 1)
	for id := range s.customers {
		if n, err := numericID(id); err == nil {
			highest = max(highest, n)
		}
	}
	return strconv.FormatInt(highest+1, 10)
}

// firstAddedID is the id of the first customer an empty server creates.
const firstAddedID = 500000001
