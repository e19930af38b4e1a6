package capillarytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
)

// addPath is the vendor's add customer: POST /v2/customers.
const addPath = "/v2/customers"

// Codes of the add, with the vendor's own text (its customer status codes).
const (
	// CodeNoValidIdentifier (HTTP 400): 8005, an add whose profiles carry no valid identifier.
	CodeNoValidIdentifier = 8005
	// CodeCustomerExists (HTTP 400): 8006, an add of an identifier a customer already has on
	// the same source; the message names that customer's id.
	CodeCustomerExists = 8006
	// CodeDeletedForPII (HTTP 400): 8026, an add of an identifier of a customer deleted after
	// a PII delete request (Customer.Deleted).
	CodeDeletedForPII = 8026
	// WarningCombined: 8050, an add of identifiers a customer has on another source: the
	// profile is added to that customer, whose id the answer's createdId carries.
	WarningCombined = 8050
)

// addCall is one add request as its rules read it, each rule filling in what the next need.
type addCall struct {
	r        *http.Request
	body     []byte
	tooLarge bool

	patch         *updatePatch    // the body, as the update's rules read it
	subscriptions []Subscription  // the body's subscriptionInfo
	accounts      []SourceAccount // each profile's source account, in the body's order
	keys          []Identifier    // the body's valid identifiers
	warnings      []message
	existing      string // the customer of another source the identifiers name: combine
}

// addRule is one rule of the add: it refuses the call with an answer, or lets it go on.
type addRule struct {
	rule  string // what the rule checks, and where it comes from
	check func(s *Server, a *addCall) *answer
}

// addRules are the add's rules, in the order they are checked; a call that passes them all is
// applied (applyAdd): a new customer, or a profile added to the customer of another source.
var addRules = []addRule{
	{"Content-Type must be application/json [vendor: errors]", func(_ *Server, a *addCall) *answer {
		if !isJSON(a.r.Header.Get("Content-Type")) {
			return refuse(failure(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "send the body as Content-Type: application/json"))
		}
		return nil
	}},
	{"the body fits the server's limit [fake]", func(s *Server, a *addCall) *answer {
		if a.tooLarge {
			return refuse(failure(http.StatusBadRequest, CodeInvalidInput, fmt.Sprintf("the body is larger than %d bytes", s.cfg.maxBodyBytes)))
		}
		return nil
	}},
	{"source, when given in the query, is one the add accepts: else 8003 [vendor: add]", func(_ *Server, a *addCall) *answer {
		if source := a.r.URL.Query().Get("source"); source != "" && !validSource(source) {
			return refuse(failure(http.StatusBadRequest, CodeInvalidSource, fmt.Sprintf("%q is not a source the add accepts", source)))
		}
		return nil
	}},
	{"mlp_single_enroll and rawSideEffects, when given, are true or false: else 400 [fake]", func(_ *Server, a *addCall) *answer {
		var errs []message
		for _, name := range []string{"mlp_single_enroll", "rawSideEffects"} {
			if _, err := boolParam(a.r.URL.Query(), name); err != nil {
				errs = append(errs, newMessage(CodeInvalidInput, err.Error()))
			}
		}
		return refuseAll(errs)
	}},
	{"the body is the update's, with the add's own fields (associatedWith, referralCode, statusLabel, subscriptionInfo; an identifier's seriesId, seriesCode, statusLabel, extendedFields, customFields): every problem, 400 [vendor: add]", func(s *Server, a *addCall) *answer {
		rest, subscriptions, errs := peelAddFields(a.body)
		if len(errs) == 0 {
			a.patch, errs = decodeUpdate(rest, s.cfg.ignoreUnknown)
		}
		if len(errs) == 0 {
			errs = s.checkFields(a.patch)
		}
		a.subscriptions = subscriptions
		return refuseAll(errs)
	}},
	{"every profile has a source: else 8003; its account is the source's: else 8045 or 3217 [vendor: add]", func(s *Server, a *addCall) *answer {
		for _, pp := range a.patch.profiles {
			if pp.source == "" {
				return refuse(failure(http.StatusBadRequest, CodeInvalidSource, pp.path+".source is required"))
			}
			sa, warnings, deny := s.accounts.resolve(pp.source, pp.accountID, s.cfg.accountIDWarning)
			if deny != nil {
				return deny
			}
			a.accounts, a.warnings = append(a.accounts, sa), append(a.warnings, warnings...)
		}
		return nil
	}},
	{"the profiles carry at least one valid identifier (an email address, a mobile of 8 to 15 digits, any other type not blank): else 8005 [vendor: codes]", func(_ *Server, a *addCall) *answer {
		for _, pp := range a.patch.profiles {
			for _, id := range pp.identifiers {
				if (id.typ != "email" || validEmail(id.value)) && (id.typ != "mobile" || validMobile(id.value)) {
					a.keys = append(a.keys, Identifier{Type: id.typ, Value: id.value})
				}
			}
		}
		if len(a.keys) == 0 {
			return refuse(vendorFailure(CodeNoValidIdentifier, "No valid identifiers passed"))
		}
		return nil
	}},
	{"no identifier is a customer's deleted after a PII request: else 8026 [vendor: codes]", func(s *Server, a *addCall) *answer {
		for _, k := range a.keys {
			for _, c := range s.store.holders(k) {
				if c.Deleted {
					return refuse(vendorFailure(CodeDeletedForPII, "Same customer was deleted for PII feature, could not add"))
				}
			}
		}
		return nil
	}},
	{"identifiers are unique within a source: one a customer has on the profile's source account answers 8006 with that customer's id [vendor: add, codes]", func(s *Server, a *addCall) *answer {
		for i, pp := range a.patch.profiles {
			for _, id := range pp.identifiers {
				k := Identifier{Type: id.typ, Value: id.value}
				for _, c := range s.store.holders(k) {
					if p := c.profile(a.accounts[i]); slices.Contains(identifiersOf(&p), k) {
						return refuse(vendorFailure(CodeCustomerExists, "Add failed, Customer already exists with id "+c.ID+" for same source"))
					}
				}
			}
		}
		return nil
	}},
	{"an identifier a customer has on another source adds the profile to that customer, with warning 8050 [vendor: add, old]", func(s *Server, a *addCall) *answer {
		for _, k := range a.keys {
			if holders := s.store.holders(k); len(holders) > 0 {
				a.existing = holders[0].ID
				a.warnings = append(a.warnings, message{Code: WarningCombined, Message: "Same Customer found in other sources,Combining"})
				return nil
			}
		}
		return nil
	}},
}

// refuse is a rule's refusal.
func refuse(a answer) *answer { return &a }

// vendorFailure answers 400 with one error of code and the vendor's text for it.
func vendorFailure(code int, text string) answer {
	return errorAnswer(http.StatusBadRequest, message{Code: code, Message: text})
}

// refuseAll answers 400 with every error, or nil when there is none.
func refuseAll(errs []message) *answer {
	if len(errs) == 0 {
		return nil
	}
	return refuse(errorAnswer(http.StatusBadRequest, errs...))
}

// handleAdd answers POST /v2/customers for an authenticated request. Adds run one at a time,
// so that two adds of one identifier create one customer and answer the other 8006.
func (s *Server) handleAdd(r *http.Request, body []byte, tooLarge bool) answer {
	s.adds.Lock()
	defer s.adds.Unlock()
	a := &addCall{r: r, body: body, tooLarge: tooLarge}
	for _, rule := range addRules {
		if deny := rule.check(s, a); deny != nil {
			return *deny
		}
	}
	return s.applyAdd(a)
}

// applyAdd registers the customer, or adds the profile to the customer of another source, all
// or nothing, and answers its id. A new customer registers as loyalty unless the body says
// non_loyalty.
func (s *Server) applyAdd(a *addCall) answer {
	patch := *a.patch
	var out outcome
	id := a.existing
	if id != "" {
		var gone *answer
		s.store.update(id, s.cfg.now(), func(c *Customer) bool {
			if gone = unavailable(c); gone != nil {
				return false
			}
			out = s.apply(c, &patch, a.accounts[0])
			return len(out.errs) == 0
		})
		if gone != nil {
			return *gone
		}
	} else {
		id = s.store.nextID()
		if patch.loyaltyType == "" {
			patch.loyaltyType = loyaltyTypeLoyalty
		}
		c := Customer{ID: id, Profile: Profile{Source: a.accounts[0].Source, AccountID: a.accounts[0].AccountID},
			LoyaltyType: loyaltyTypeNonLoyalty, Subscriptions: a.subscriptions}
		if out = s.apply(&c, &patch, a.accounts[0]); len(out.errs) == 0 {
			s.store.put(c)
		}
	}
	if len(out.errs) > 0 {
		return errorAnswer(http.StatusBadRequest, out.errs...)
	}
	return s.written(id, append(a.warnings, out.warnings...), out.sideEffects)
}

// peelAddFields takes the add's own fields out of body, checking their types, and returns the
// rest, which the update's rules read, with the subscriptions.
func peelAddFields(body []byte) (rest []byte, subscriptions []Subscription, errs []message) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var top map[string]any
	if dec.Decode(&top) != nil || top == nil {
		return body, nil, nil // decodeUpdate says what is wrong with it
	}
	b := &bodyChecker{}
	for _, name := range []string{"associatedWith", "referralCode", "statusLabel"} {
		b.str(top[name], name, CodeInvalidInput)
		delete(top, name)
	}
	if info, ok := b.object(top["subscriptionInfo"], "subscriptionInfo", CodeInvalidInput); ok && info != nil {
		b.unknown(info, "subscriptionInfo", "subscriptions")
		for i, v := range b.array(info["subscriptions"], "subscriptionInfo.subscriptions") {
			path := "subscriptionInfo.subscriptions[" + strconv.Itoa(i) + "]"
			if sub, ok := b.element(v, path, CodeInvalidInput); ok {
				b.unknown(sub, path, "channel", "priority", "type", "accountId", "sourceName")
				var got Subscription
				got.Channel, _ = b.str(sub["channel"], path+".channel", CodeInvalidInput)
				got.Priority, _ = b.str(sub["priority"], path+".priority", CodeInvalidInput)
				got.Type, _ = b.str(sub["type"], path+".type", CodeInvalidInput)
				subscriptions = append(subscriptions, got)
			}
		}
	}
	delete(top, "subscriptionInfo")
	profiles, _ := top["profiles"].([]any)
	for i, p := range profiles {
		prof, _ := p.(map[string]any)
		ids, _ := prof["identifiers"].([]any)
		for j, id := range ids {
			obj, _ := id.(map[string]any)
			path := fmt.Sprintf("profiles[%d].identifiers[%d]", i, j)
			if obj == nil {
				continue
			}
			b.integer(obj["seriesId"], path+".seriesId")
			b.str(obj["seriesCode"], path+".seriesCode", CodeInvalidInput)
			b.str(obj["statusLabel"], path+".statusLabel", CodeInvalidInput)
			b.object(obj["extendedFields"], path+".extendedFields", CodeInvalidInput)
			b.object(obj["customFields"], path+".customFields", CodeInvalidInput)
			for _, name := range []string{"seriesId", "seriesCode", "statusLabel", "extendedFields", "customFields"} {
				delete(obj, name)
			}
		}
	}
	rest, err := json.Marshal(top)
	if err != nil {
		return body, nil, nil
	}
	return rest, subscriptions, b.errs
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
