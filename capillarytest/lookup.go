package capillarytest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// lookupKeys reads identifierName and identifierValue: comma-separated lists in the same
// order (several only under Dual Eligibility); nil when they are not of the same length.
func lookupKeys(q url.Values) []Identifier {
	names, values := strings.Split(q.Get("identifierName"), ","), strings.Split(q.Get("identifierValue"), ",")
	if len(names) != len(values) {
		return nil
	}
	keys := make([]Identifier, len(names))
	for i := range names {
		keys[i] = Identifier{Type: names[i], Value: values[i]}
	}
	return keys
}

// lookupNames are the identifierName values the vendor documents for each lookup.
func lookupNames(e endpoint) []string {
	names := []string{"mobile", "email", "externalId", "cardnumber"}
	switch e {
	case getDetails:
		names = append(names, "cardExternalId", "wechat")
	case getID:
		names = append(names, "cardExternalId", "wechat", "martjackId", "fbId")
	}
	return names
}

func checkLookupKeys(c *call) {
	name, value := c.q.Get("identifierName"), c.q.Get("identifierValue")
	switch several := len(c.keys) > 1; {
	case name == "" || value == "":
		if c.endpoint == putByLookup { // the reads answer 8092 and 8093
			c.refuse("identifierName and identifierValue are required")
		}
		return
	case c.keys == nil:
		c.refuse("%d identifier names but %d values; give them in the same order",
			strings.Count(name, ",")+1, strings.Count(value, ",")+1)
		return
	case several && (c.endpoint == putByLookup || !c.s.cfg.dualEligibility):
		c.refuse("several identifiers are taken only with Dual Eligibility, on reads")
	}
	for _, k := range c.keys {
		switch names := lookupNames(c.endpoint); {
		case !slices.Contains(names, k.Type):
			c.refuse("identifierName %q is not one of %s", k.Type, strings.Join(names, ", "))
		case strings.TrimSpace(k.Value) == "":
			c.refuse("the value of identifier %s is empty", k.Type)
		}
	}
}

// key is the identifier a lookup goes by: the only one, or under Dual Eligibility the org's
// primary one; nil when that is not given.
func (c *call) key() *Identifier {
	if !c.s.cfg.dualEligibility || c.endpoint == putByLookup {
		return &c.keys[0]
	}
	if i := slices.IndexFunc(c.keys, func(k Identifier) bool { return k.Type == c.s.cfg.primaryIdentifier }); i >= 0 {
		return &c.keys[i]
	}
	return nil
}

// find sets c.userID to the customer holding the lookup's identifier ("" when none does).
func (c *call) find() {
	k := c.key()
	c.notFound = "no customer has " + k.Type + " " + k.Value
	c.userID, _ = c.s.store.findIdentifier(*k)
}

// lookupID answers GET /v2/customers/lookup: the id of the customer an identifier names, as
// the vendor's sample does, {"entity": 306, "warnings": []}.
func (s *Server) lookupID(c *call) answer {
	c.find()
	if cust, _, _, ok := s.store.read(c.userID); ok {
		c.cust = &cust
	}
	if s.check(c, true); len(c.errs) > 0 {
		return answer{}
	}
	return jsonAnswer(http.StatusOK, struct {
		Entity   json.Number `json:"entity"`
		Warnings []message   `json:"warnings"`
	}{json.Number(c.userID), c.successWarnings()})
}
