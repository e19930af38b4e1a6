package capillarytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
)

// updateAnswer is the success body of the update, in the vendor's field order. createdId is a
// JSON number, as in the vendor's samples.
type updateAnswer struct {
	CreatedID   json.Number  `json:"createdId"`
	Warnings    []message    `json:"warnings"`
	SideEffects []sideEffect `json:"sideEffects"`
}

// sideEffect is the points kind of the vendor's side effects.
type sideEffect struct {
	EntityType       string  `json:"entityType"`
	RawAwardedPoints float64 `json:"rawAwardedPoints"`
	AwardedPoints    int64   `json:"awardedPoints"`
	Type             string  `json:"type"`
}

// outcome is what applying an update found: errors refuse the whole update.
type outcome struct {
	errs        []message
	warnings    []message
	sideEffects []sideEffect
}

func (o *outcome) fail(code int, format string, args ...any) {
	o.errs = append(o.errs, newMessage(code, fmt.Sprintf(format, args...)))
}

func (o *outcome) warn(code int, format string, args ...any) {
	o.warnings = append(o.warnings, newMessage(code, fmt.Sprintf(format, args...)))
}

// handleUpdate answers PUT /v2/customers/{userId} for an authenticated request. The checks run
// from the request down to the customer: media type, query, source account, body, customer,
// then the rules that need the customer's state. An update is all or nothing.
func (s *Server) handleUpdate(r *http.Request, userID string, body []byte, tooLarge bool) answer {
	if !isJSON(r.Header.Get("Content-Type")) {
		return failure(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "send the body as Content-Type: application/json")
	}
	if tooLarge {
		return failure(http.StatusBadRequest, CodeInvalidInput, fmt.Sprintf("the body is larger than %d bytes", s.cfg.maxBodyBytes))
	}
	q := r.URL.Query()
	switch source := q.Get("source"); {
	case source == "":
		return failure(http.StatusBadRequest, CodeInvalidSource, "the source query parameter is required")
	case !validSource(source):
		return failure(http.StatusBadRequest, CodeInvalidSource, fmt.Sprintf("%q is not a source the update accepts", source))
	}
	var queryErrs []message
	useAsync, err := boolParam(q, "use_async")
	if err != nil {
		queryErrs = append(queryErrs, newMessage(CodeInvalidInput, err.Error()))
	}
	if _, err := boolParam(q, "mlp_single_enroll"); err != nil {
		queryErrs = append(queryErrs, newMessage(CodeInvalidInput, err.Error()))
	}
	if len(queryErrs) > 0 {
		return errorAnswer(http.StatusBadRequest, queryErrs...)
	}
	sa, deny := s.accounts.resolve(q.Get("source"), q.Get("accountId"))
	if deny != nil {
		return *deny
	}
	patch, errs := decodeUpdate(body, s.cfg.ignoreUnknown)
	if len(errs) > 0 {
		return errorAnswer(http.StatusBadRequest, errs...)
	}
	notFound := failure(http.StatusBadRequest, CodeCustomerNotFound, fmt.Sprintf("no customer has user id %q", userID))
	if _, err := numericID(userID); err != nil {
		return notFound
	}
	var out outcome
	found := s.store.update(userID, func(c *Customer) bool {
		out = s.apply(c, patch, sa)
		return len(out.errs) == 0
	})
	switch {
	case !found:
		return notFound
	case len(out.errs) > 0:
		return errorAnswer(http.StatusBadRequest, out.errs...)
	}
	res := updateAnswer{CreatedID: json.Number(userID), Warnings: out.warnings, SideEffects: out.sideEffects}
	if res.Warnings == nil {
		res.Warnings = []message{}
	}
	if useAsync || res.SideEffects == nil {
		// use_async=true runs the loyalty activities in the background: they are applied (the
		// fake applies them at once) but not reported.
		res.SideEffects = []sideEffect{}
	}
	return jsonAnswer(http.StatusOK, res)
}

// boolParam reads an optional boolean query parameter: true or false, in any case.
func boolParam(q url.Values, name string) (bool, error) {
	if !q.Has(name) {
		return false, nil
	}
	switch v := q.Get(name); strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	default:
		return false, fmt.Errorf("query parameter %s: %q is not true or false", name, v)
	}
}

// apply changes c as the update asks, or reports why it cannot; c is a copy that is kept only
// when no error was found.
func (s *Server) apply(c *Customer, p *updatePatch, sa SourceAccount) outcome {
	var o outcome
	switch {
	case p.loyaltyType == loyaltyTypeNonLoyalty && c.loyaltyType() == loyaltyTypeLoyalty:
		o.fail(CodeLoyaltyDowngrade, "customer %s is a loyalty customer", c.ID)
	case p.loyaltyType == loyaltyTypeLoyalty && c.loyaltyType() == loyaltyTypeNonLoyalty:
		c.LoyaltyType = loyaltyTypeLoyalty
		if s.cfg.defaultStatusLabel == "" {
			o.warn(WarningNoDefaultStatusLabel, "customer %s became loyalty without a status label", c.ID)
		}
	}
	for _, pp := range p.profiles {
		if pp.firstName != nil {
			c.FirstName = *pp.firstName
		}
		if pp.lastName != nil {
			c.LastName = *pp.lastName
		}
		c.Fields = mergeFields(c.Fields, pp.fields)
		for _, ch := range pp.channels {
			s.applyChannel(c, ch, &o)
		}
	}
	c.ExtendedFields = mergeFields(c.ExtendedFields, p.extendedFields)
	for _, e := range p.enrollments {
		s.enroll(c, e, &o)
	}
	if !c.hasSource(sa) {
		c.LinkedSources = append(c.LinkedSources, sa)
	}
	return o
}

// mergeFields sets each field of patch on fields; a null value removes the field.
func mergeFields(fields, patch map[string]any) map[string]any {
	for k, v := range patch {
		if v == nil {
			delete(fields, k)
			continue
		}
		if fields == nil {
			fields = map[string]any{}
		}
		fields[k] = v
	}
	return fields
}

// applyChannel adds or updates one channel. Identifiers cannot be changed: for mobile and email,
// a channel marked primary with another value than the customer's primary one, or one that
// unmarks the primary one, is refused (91005 for the org's primary identifier type, 91006 for
// the other). A value that is not an email address or a mobile number is dropped with a
// warning, as the vendor does.
func (s *Server) applyChannel(c *Customer, ch channelPatch, o *outcome) {
	switch {
	case ch.typ == "email" && !validEmail(ch.value):
		o.warn(WarningInvalidEmail, "%s.value: %q is not an email address; the channel was not saved", ch.path, ch.value)
		return
	case ch.typ == "mobile" && !validMobile(ch.value):
		o.warn(WarningInvalidMobile, "%s.value: %q is not a mobile number of 8 to 15 digits; the channel was not saved", ch.path, ch.value)
		return
	}
	current, hasPrimary := primaryValue(c, ch.typ)
	if identifierType(ch.typ) && hasPrimary {
		changes := (ch.primary != nil && *ch.primary && ch.value != current) ||
			(ch.primary != nil && !*ch.primary && ch.value == current)
		if changes {
			if ch.typ == s.cfg.primaryIdentifier {
				o.errs = append(o.errs, message{Code: CodePrimaryIdentifier,
					Message: ch.typ + " " + vendorText(CodePrimaryIdentifier) + ": " + ch.path + " would change it"})
			} else {
				o.errs = append(o.errs, message{Code: CodeIdentifierUpdate,
					Message: ch.typ + " " + vendorText(CodeIdentifierUpdate) + ": " + ch.path + " would change the primary " + ch.typ})
			}
			return
		}
	}
	for i := range c.CommChannels {
		existing := &c.CommChannels[i]
		if existing.Type != ch.typ || existing.Value != ch.value {
			continue
		}
		if ch.primary != nil {
			if *ch.primary {
				demote(c, ch.typ)
			}
			existing.Primary = *ch.primary
		}
		if ch.verified != nil {
			existing.Verified = *ch.verified
		}
		if ch.meta != nil {
			existing.Meta = ch.meta
		}
		return
	}
	// A new channel is primary when the request says so, or when it is the customer's first
	// channel of its type and the request does not say otherwise.
	primary := !hasPrimary && !hasType(c, ch.typ)
	if ch.primary != nil {
		primary = *ch.primary
	}
	if primary {
		demote(c, ch.typ)
	}
	added := CommChannel{Type: ch.typ, Value: ch.value, Primary: primary, Meta: ch.meta}
	if ch.verified != nil {
		added.Verified = *ch.verified
	}
	c.CommChannels = append(c.CommChannels, added)
}

// primaryValue returns the value of the customer's primary channel of a type.
func primaryValue(c *Customer, typ string) (string, bool) {
	for _, ch := range c.CommChannels {
		if ch.Type == typ && ch.Primary {
			return ch.Value, true
		}
	}
	return "", false
}

func hasType(c *Customer, typ string) bool {
	for _, ch := range c.CommChannels {
		if ch.Type == typ {
			return true
		}
	}
	return false
}

// demote unmarks the primary channel of a type, before another one becomes primary.
func demote(c *Customer, typ string) {
	for i := range c.CommChannels {
		if c.CommChannels[i].Type == typ {
			c.CommChannels[i].Primary = false
		}
	}
}

// validEmail accepts a bare address with a dotted domain: tomsawyer@gmail.com.
func validEmail(v string) bool {
	addr, err := mail.ParseAddress(v)
	if err != nil || addr.Name != "" || addr.Address != v {
		return false
	}
	_, domain, _ := strings.Cut(v, "@")
	return strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".")
}

// validMobile accepts 8 to 15 digits (the E.164 maximum), with an optional leading +.
func validMobile(v string) bool {
	digits := strings.TrimPrefix(v, "+")
	if len(digits) < 8 || len(digits) > 15 {
		return false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// enroll enrols the customer into a program: refused (10002) when the program does not exist
// (see WithPrograms) or the customer is already in it; otherwise the tier (1 unless given) and
// points are applied, and points above zero are reported as a side effect.
func (s *Server) enroll(c *Customer, e enrollmentPatch, o *outcome) {
	if s.cfg.programs != nil && !s.cfg.programs[e.programID] {
		o.fail(CodeUpdateFailed, "%s.programId: loyalty program %d does not exist in this org", e.path, e.programID)
		return
	}
	if c.enrollment(e.programID) != nil {
		o.fail(CodeUpdateFailed, "%s.programId: customer %s is already enrolled in loyalty program %d", e.path, c.ID, e.programID)
		return
	}
	en := Enrollment{ProgramID: e.programID, TierNumber: 1}
	if e.tierNumber != nil {
		en.TierNumber = int(*e.tierNumber)
	}
	if e.points != nil {
		en.Points = *e.points
	}
	if e.tierExpiry != nil {
		en.TierExpiryDate = *e.tierExpiry
	}
	if e.pointsExpiry != nil {
		en.PointsExpiryDate = *e.pointsExpiry
	}
	c.Enrollments = append(c.Enrollments, en)
	if en.Points > 0 {
		o.sideEffects = append(o.sideEffects, sideEffect{
			EntityType: "USER", RawAwardedPoints: float64(en.Points), AwardedPoints: en.Points, Type: "points",
		})
	}
}
