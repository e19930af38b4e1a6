package capillarytest

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// lookupKey is one identifierName/identifierValue pair of a lookup.
type lookupKey struct{ name, value string }

// updateLookupNames are the identifierName values the vendor documents for the update by
// lookup.
func updateLookupNames() []string { return []string{"mobile", "email", "externalId"} }

// readLookupNames are the identifierName values the vendor documents for GET customerDetails.
func readLookupNames() []string {
	return []string{"mobile", "email", "externalId", "cardnumber", "cardExternalId", "wechat"}
}

// lookupKeys reads identifierName and identifierValue: comma-separated lists of the same length
// (dual eligibility), each name one of names and each value not empty; else 8013. Several
// pairs are taken only when multiple is true.
func lookupKeys(q url.Values, names []string, multiple bool) ([]lookupKey, *answer) {
	refuse := func(format string, args ...any) ([]lookupKey, *answer) {
		a := failure(http.StatusBadRequest, CodeInvalidIdentifier, fmt.Sprintf(format, args...))
		return nil, &a
	}
	if q.Get("identifierName") == "" || q.Get("identifierValue") == "" {
		return refuse("identifierName and identifierValue are required")
	}
	nameList := strings.Split(q.Get("identifierName"), ",")
	valueList := strings.Split(q.Get("identifierValue"), ",")
	switch {
	case len(nameList) != len(valueList):
		return refuse("%d identifier names but %d values; give them in the same order", len(nameList), len(valueList))
	case len(nameList) > 1 && !multiple:
		return refuse("several identifiers are taken only with Dual Eligibility, on reads")
	}
	keys := make([]lookupKey, len(nameList))
	for i, name := range nameList {
		switch {
		case !slices.Contains(names, name):
			return refuse("identifierName %q is not one of %s", name, strings.Join(names, ", "))
		case strings.TrimSpace(valueList[i]) == "":
			return refuse("the value of identifier %s is empty", name)
		}
		keys[i] = lookupKey{name: name, value: valueList[i]}
	}
	return keys, nil
}

// findByIdentifier returns the id of the customer one of whose profiles holds the identifier.
func (s *Server) findByIdentifier(k lookupKey) (string, bool) {
	return s.store.findIdentifier(Identifier{Type: k.name, Value: k.value})
}

func hasIdentifier(c *Customer, k lookupKey) bool {
	for _, p := range c.profiles() {
		if slices.Contains(identifiersOf(&p), Identifier{Type: k.name, Value: k.value}) {
			return true
		}
	}
	return false
}

// handleUpdateByLookup answers PUT /v2/customers/lookup: the update of PUT by id, addressed by
// one mobile, email or externalId; mlp_single_enroll is not documented for it.
func (s *Server) handleUpdateByLookup(r *http.Request, body []byte, tooLarge bool) answer {
	req, deny := s.checkUpdate(r, body, tooLarge, false)
	if deny != nil {
		return *deny
	}
	keys, deny := lookupKeys(r.URL.Query(), updateLookupNames(), false)
	if deny != nil {
		return *deny
	}
	id, found := s.findByIdentifier(keys[0])
	if !found {
		return failure(http.StatusBadRequest, CodeCustomerNotFound, "no customer has "+keys[0].name+" "+keys[0].value)
	}
	return s.updateCustomer(id, req)
}

// handleLookupRead answers GET /v2/customers/lookup/customerDetails. accountId is required for
// every source but INSTORE (8015, as the vendor documents). With Dual Eligibility several
// identifiers may be given, and the org's primary one decides (8015 when it is not among
// them); an identifier given beside it that is not the customer's adds the warning 8075.
func (s *Server) handleLookupRead(r *http.Request) answer {
	q := r.URL.Query()
	sa, deny := readSource(q)
	if deny != nil {
		return *deny
	}
	if sa.Source != "INSTORE" && sa.AccountID == "" {
		return failure(http.StatusBadRequest, CodeCustomerNotFound, "accountId is required on lookups for every source but INSTORE")
	}
	keys, deny := lookupKeys(q, readLookupNames(), s.cfg.dualEligibility)
	if deny != nil {
		return *deny
	}
	key := keys[0]
	if s.cfg.dualEligibility {
		i := slices.IndexFunc(keys, func(k lookupKey) bool { return k.name == s.cfg.primaryIdentifier })
		if i < 0 {
			return failure(http.StatusBadRequest, CodeCustomerNotFound, "with Dual Eligibility the org's primary identifier, "+s.cfg.primaryIdentifier+", must be given")
		}
		key = keys[i]
	}
	id, found := s.findByIdentifier(key)
	if !found {
		return failure(http.StatusBadRequest, CodeCustomerNotFound, "no customer has "+key.name+" "+key.value)
	}
	var warnings []message
	c, _ := s.store.get(id)
	for _, k := range keys {
		if !hasIdentifier(&c, k) {
			warnings = append(warnings, newMessage(8075, k.name+" "+k.value+" is not customer "+id+"'s"))
		}
	}
	return s.readCustomer(id, sa, q, warnings)
}
