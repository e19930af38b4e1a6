package capillarytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// updateAnswer is the success body of the update, in the vendor's field order. createdId is a
// JSON number, as in the vendor's samples, or a string with WithCreatedIDAsString.
type updateAnswer struct {
	CreatedID   any       `json:"createdId"`
	Warnings    []message `json:"warnings"`
	SideEffects []any     `json:"sideEffects"`
}

// pointsEffect is the points kind of the vendor's side effects.
type pointsEffect struct {
	EntityType       string  `json:"entityType"`
	RawAwardedPoints float64 `json:"rawAwardedPoints"`
	AwardedPoints    int64   `json:"awardedPoints"`
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

// outcome is what applying an update found: errors refuse the whole update.
type outcome struct {
	errs        []message
	warnings    []message
	sideEffects []any
}

func (o *outcome) fail(code int, format string, args ...any) {
	o.errs = append(o.errs, newMessage(code, fmt.Sprintf(format, args...)))
}

func (o *outcome) warn(code int, format string, args ...any) {
	o.warnings = append(o.warnings, newMessage(code, fmt.Sprintf(format, args...)))
}

// dropsInvalid reports whether value, of type typ at path, is not an email address or a mobile
// number where it must be one; it then warns with emailCode or mobileCode that the identifier
// or channel (what) was not saved.
func (o *outcome) dropsInvalid(typ, value, path, what string, emailCode, mobileCode int) bool {
	switch {
	case typ == "email" && !validEmail(value):
		o.warn(emailCode, "%s.value: %q is not an email address; the %s was not saved", path, value, what)
	case typ == "mobile" && !validMobile(value):
		o.warn(mobileCode, "%s.value: %q is not a mobile number of 8 to 15 digits; the %s was not saved", path, value, what)
	default:
		return false
	}
	return true
}

// updateRequest is an update whose query and body passed every check that needs no customer.
type updateRequest struct {
	patch    *updatePatch
	account  SourceAccount
	warnings []message // found before the customer, such as 8054
	useAsync bool
}

// handleUpdate answers PUT /v2/customers/{userId} for an authenticated request.
func (s *Server) handleUpdate(r *http.Request, userID string, body []byte, tooLarge bool) answer {
	req, deny := s.checkUpdate(r, body, tooLarge, true)
	if deny != nil {
		return *deny
	}
	if _, err := numericID(userID); err != nil {
		return failure(http.StatusBadRequest, CodeCustomerNotFound, fmt.Sprintf("no customer has user id %q", userID))
	}
	return s.updateCustomer(userID, req)
}

// checkUpdate runs the checks from the request down to the body: media type, query, source
// account, body. mlpAllowed says whether the call documents mlp_single_enroll.
func (s *Server) checkUpdate(r *http.Request, body []byte, tooLarge, mlpAllowed bool) (*updateRequest, *answer) {
	refuse := func(a answer) (*updateRequest, *answer) { return nil, &a }
	if !isJSON(r.Header.Get("Content-Type")) {
		return refuse(failure(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "send the body as Content-Type: application/json"))
	}
	if tooLarge {
		return refuse(failure(http.StatusBadRequest, CodeInvalidInput, fmt.Sprintf("the body is larger than %d bytes", s.cfg.maxBodyBytes)))
	}
	q := r.URL.Query()
	switch source := q.Get("source"); {
	case source == "":
		return refuse(failure(http.StatusBadRequest, CodeInvalidSource, "the source query parameter is required"))
	case !validSource(source):
		return refuse(failure(http.StatusBadRequest, CodeInvalidSource, fmt.Sprintf("%q is not a source the update accepts", source)))
	}
	var queryErrs []message
	useAsync, err := boolParam(q, "use_async")
	if err != nil {
		queryErrs = append(queryErrs, newMessage(CodeInvalidInput, err.Error()))
	}
	if !mlpAllowed && q.Has("mlp_single_enroll") {
		queryErrs = append(queryErrs, newMessage(CodeInvalidInput, "query parameter mlp_single_enroll is not documented for the update by lookup"))
	} else if _, err := boolParam(q, "mlp_single_enroll"); err != nil {
		queryErrs = append(queryErrs, newMessage(CodeInvalidInput, err.Error()))
	}
	if len(queryErrs) > 0 {
		return refuse(errorAnswer(http.StatusBadRequest, queryErrs...))
	}
	sa, warnings, deny := s.accounts.resolve(q.Get("source"), q.Get("accountId"), s.cfg.accountIDWarning)
	if deny != nil {
		return nil, deny
	}
	patch, errs := decodeUpdate(body, s.cfg.ignoreUnknown)
	if len(errs) == 0 {
		errs = s.checkFields(patch)
	}
	if len(errs) > 0 {
		return refuse(errorAnswer(http.StatusBadRequest, errs...))
	}
	return &updateRequest{patch: patch, account: sa, warnings: warnings, useAsync: useAsync}, nil
}

// checkFields refuses the custom and extended fields the org does not declare.
func (s *Server) checkFields(p *updatePatch) []message {
	errs := s.cfg.customFields.check(p.fields, "fields", CodeInvalidInput)
	for _, pp := range p.profiles {
		errs = append(errs, s.cfg.customFields.check(pp.fields, pp.path+".fields", CodeInvalidInput)...)
	}
	return append(errs, s.cfg.extendedFields.check(p.extendedFields, "extendedFields", CodeExtendedFieldUpdate)...)
}

// updateCustomer applies a checked update to a stored customer, all or nothing, and answers.
func (s *Server) updateCustomer(userID string, req *updateRequest) answer {
	var out outcome
	var gone *answer
	found := s.store.update(userID, s.cfg.now(), func(c *Customer) bool {
		if a := unavailable(c); a != nil {
			gone = a
			return false
		}
		out = s.apply(c, req.patch, req.account)
		return len(out.errs) == 0
	})
	switch {
	case !found:
		return failure(http.StatusBadRequest, CodeCustomerNotFound, fmt.Sprintf("no customer has user id %q", userID))
	case gone != nil:
		return *gone
	case len(out.errs) > 0:
		return errorAnswer(http.StatusBadRequest, out.errs...)
	}
	if req.useAsync {
		// use_async=true runs the loyalty activities in the background: they are applied (the
		// fake applies them at once) but not reported.
		out.sideEffects = nil
	}
	return s.written(userID, append(req.warnings, out.warnings...), out.sideEffects)
}

// written is the success answer of a write (an update or an add) to customer id.
func (s *Server) written(id string, warnings []message, sideEffects []any) answer {
	res := updateAnswer{CreatedID: json.Number(id), Warnings: warnings, SideEffects: sideEffects}
	if s.cfg.createdIDString {
		res.CreatedID = id
	}
	if res.Warnings == nil {
		res.Warnings = []message{}
	}
	if res.SideEffects == nil {
		res.SideEffects = []any{}
	}
	return jsonAnswer(http.StatusOK, res)
}

// unavailable answers for a customer the vendor no longer serves: merged into another one
// (8069) or deleted after a PII request (8109); nil for the others.
func unavailable(c *Customer) *answer {
	var a answer
	switch {
	case c.Deleted:
		a = failure(http.StatusBadRequest, CodeDeletedCustomer, "customer "+c.ID)
	case c.MergedInto != "":
		a = failure(http.StatusBadRequest, CodeMergedCustomer, "customer "+c.ID+" was merged into customer "+c.MergedInto)
	default:
		return nil
	}
	return &a
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
// when no error was found. Each profile of the body goes to the customer's profile on its
// source account (the query's unless the profile names one), which is added when missing.
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
	own := c.profile(sa)
	own.Fields = mergeFields(own.Fields, p.fields)
	c.setProfile(own)
	for _, pp := range p.profiles {
		target, ok := s.profileAccount(pp, sa, &o)
		if !ok {
			continue
		}
		prof := c.profile(target)
		if pp.firstName != nil {
			prof.FirstName = *pp.firstName
		}
		if pp.lastName != nil {
			prof.LastName = *pp.lastName
		}
		prof.Fields = mergeFields(prof.Fields, pp.fields)
		for _, id := range pp.identifiers {
			s.applyIdentifier(&prof, id, &o)
		}
		for _, ch := range pp.channels {
			s.applyChannel(&prof, ch, &o)
		}
		c.setProfile(prof)
	}
	c.ExtendedFields = mergeFields(c.ExtendedFields, p.extendedFields)
	for _, e := range p.enrollments {
		s.enroll(c, e, &o)
	}
	return o
}

// profileAccount is the source account a body profile updates: the query's, or the one the
// profile names (its accountId defaulting to the query's when the source is the same).
func (s *Server) profileAccount(pp profilePatch, query SourceAccount, o *outcome) (SourceAccount, bool) {
	if pp.source == "" && pp.accountID == "" {
		return query, true
	}
	source, accountID := pp.source, pp.accountID
	if source == "" {
		source = query.Source
	}
	if accountID == "" && source == query.Source {
		accountID = query.AccountID
	}
	sa, warnings, deny := s.accounts.resolve(source, accountID, s.cfg.accountIDWarning)
	if deny != nil {
		o.errs = append(o.errs, message{Code: deny.code, Message: vendorText(deny.code) + ": " + pp.path + ": source " + source + " account " + strconv.Quote(accountID)})
		return SourceAccount{}, false
	}
	o.warnings = append(o.warnings, warnings...)
	return sa, true
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

// applyIdentifier adds an identifier to a profile. A value that is not an email address or a
// mobile number is dropped with a warning (8055, 8056); one the profile already has is left
// alone; one that would replace the profile's identifier of its type is refused (91005 for the
// org's primary identifier type, 91006 for the others): identifiers cannot be changed.
func (s *Server) applyIdentifier(p *Profile, id identifierPatch, o *outcome) {
	if o.dropsInvalid(id.typ, id.value, id.path, "identifier", WarningInvalidEmail, WarningInvalidMobile) {
		return
	}
	for _, have := range identifiersOf(p) {
		switch {
		case have.Type != id.typ:
		case have.Value == id.value:
			return
		default:
			o.errs = append(o.errs, s.identifierChange(id.typ, id.path+" would change it from "+strconv.Quote(have.Value)))
			return
		}
	}
	p.Identifiers = append(p.Identifiers, Identifier{Type: id.typ, Value: id.value})
}

// identifierChange is the refusal of a change to an identifier of type t.
func (s *Server) identifierChange(t, detail string) message {
	if t == s.cfg.primaryIdentifier {
		return message{Code: CodePrimaryIdentifier, Message: t + " " + vendorText(CodePrimaryIdentifier) + ": " + detail}
	}
	return message{Code: CodeIdentifierUpdate, Message: t + " " + vendorText(CodeIdentifierUpdate) + ": " + detail}
}

// identifiersOf lists a profile's identifiers: its own, then its primary mobile and email
// channels of a type it has no identifier of.
func identifiersOf(p *Profile) []Identifier {
	ids := slices.Clone(p.Identifiers)
	for _, ch := range p.CommChannels {
		if identifierChannel(ch.Type) && ch.Primary &&
			!slices.ContainsFunc(ids, func(id Identifier) bool { return id.Type == ch.Type }) {
			ids = append(ids, Identifier{Type: ch.Type, Value: ch.Value})
		}
	}
	return ids
}

// applyChannel adds or updates one channel. Identifiers cannot be changed: for mobile and email,
// a channel marked primary with another value than the profile's primary one, or one that
// unmarks the primary one, is refused (91005 for the org's primary identifier type, 91006 for
// the others), except on the INSTORE profile under Dual Eligibility. A value that is not an
// email address or a mobile number is dropped with a warning (8057, 8058), as the vendor does.
func (s *Server) applyChannel(p *Profile, ch channelPatch, o *outcome) {
	if o.dropsInvalid(ch.typ, ch.value, ch.path, "channel", WarningInvalidChannelEmail, WarningInvalidChannelMobile) {
		return
	}
	current, hasPrimary := primaryValue(p, ch.typ)
	locked := identifierChannel(ch.typ) && !(s.cfg.dualEligibility && p.Source == "INSTORE")
	if locked && hasPrimary {
		changes := (ch.primary != nil && *ch.primary && ch.value != current) ||
			(ch.primary != nil && !*ch.primary && ch.value == current)
		if changes {
			o.errs = append(o.errs, s.identifierChange(ch.typ, ch.path+" would change the primary "+ch.typ))
			return
		}
	}
	i := slices.IndexFunc(p.CommChannels, func(c CommChannel) bool { return c.Type == ch.typ && c.Value == ch.value })
	if i < 0 {
		// A new channel is primary when the request says so, or when it is the profile's first
		// channel of its type and the request does not say otherwise.
		primary := !hasPrimary && !hasType(p, ch.typ)
		if ch.primary == nil {
			ch.primary = &primary
		}
		p.CommChannels = append(p.CommChannels, CommChannel{Type: ch.typ, Value: ch.value})
		i = len(p.CommChannels) - 1
	}
	if ch.primary != nil && *ch.primary {
		demote(p, ch.typ)
	}
	existing := &p.CommChannels[i]
	if ch.primary != nil {
		existing.Primary = *ch.primary
	}
	if ch.verified != nil {
		existing.Verified = *ch.verified
	}
	if ch.subscribed != nil {
		existing.Subscribed = ch.subscribed
	}
	if ch.lastViewedDate != nil {
		existing.LastViewedDate = *ch.lastViewedDate
	}
	if ch.meta != nil {
		existing.Meta = ch.meta
	}
	if ch.attributes != nil {
		existing.Attributes = ch.attributes
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

func hasType(p *Profile, typ string) bool {
	return slices.ContainsFunc(p.CommChannels, func(c CommChannel) bool { return c.Type == typ })
}

// demote unmarks the primary channel of a type, before another one becomes primary.
func demote(p *Profile, typ string) {
	for i := range p.CommChannels {
		if p.CommChannels[i].Type == typ {
			p.CommChannels[i].Primary = false
		}
	}
}

// validEmail accepts an address of at most 255 characters whose local part holds letters,
// digits and . _ % + - and whose domain is dotted labels of letters, digits and hyphens:
// tomsawyer@gmail.com. The vendor limits both the characters and the length; the exact set
// is the fake's reading.
func validEmail(v string) bool {
	local, domain, ok := strings.Cut(v, "@")
	if !ok || len(v) > 255 || local == "" || !strings.Contains(domain, ".") {
		return false
	}
	for _, r := range local {
		if !isAlnum(r) && !strings.ContainsRune("._%+-", r) {
			return false
		}
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !isAlnum(r) && r != '-' {
				return false
			}
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// validMobile accepts 8 to 15 digits (the E.164 maximum) and nothing else: the vendor wants
// the country code and digits only; which lengths an org takes depends on its country
// settings, which the fake does not model.
func validMobile(v string) bool {
	if len(v) < 8 || len(v) > 15 {
		return false
	}
	for _, r := range v {
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
		o.sideEffects = append(o.sideEffects, pointsEffect{
			EntityType: "USER", RawAwardedPoints: float64(en.Points), AwardedPoints: en.Points, Type: "points",
		})
	}
	if en.TierNumber > 1 {
		// Enrolment starts at the base tier: a higher one is a tier change.
		slab := slabEffect{EntityType: "USER", Type: "slab", PreviousSlabName: tierName(1), PreviousSlabNumber: 1,
			UpgradedSlabName: tierName(en.TierNumber), UpgradedSlabNumber: en.TierNumber}
		if !en.TierExpiryDate.IsZero() {
			slab.SlabExpiryDate = en.TierExpiryDate.Format(DateTimeLayout)
		}
		o.sideEffects = append(o.sideEffects, slab)
	}
}

// tierName is the name the fake gives a program's tier: the fake has no tier names of its own.
func tierName(n int) string { return "Tier " + strconv.Itoa(n) }
