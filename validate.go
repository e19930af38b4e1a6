package capillary

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/go-querystring/query"
)

// maxNameRunes is the vendor's limit on first and last names; the server drops what is beyond
// it silently, so the SDK refuses instead of letting data be lost.
const maxNameRunes = 100

// problems collects FieldErrors in the order they are found.
type problems []FieldError

func (p *problems) add(field, format string, args ...any) {
	*p = append(*p, FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
}

// validateUpdate checks every argument of an update and returns every problem found.
func validateUpdate(userID string, body *UpdateCustomerRequest, params *UpdateCustomerParams) []FieldError {
	var p problems
	checkUserID(&p, userID)
	if params == nil {
		p.add("params", "is required (it carries the source)")
	} else {
		checkSource(&p, params.Source, params.AccountID, sources, "the update")
	}
	checkBody(&p, body)
	return p
}

// validateUpdateByIdentifier checks every argument of an update by identifier.
func validateUpdateByIdentifier(id Identifier, body *UpdateCustomerRequest, params *UpdateCustomerParams) []FieldError {
	var p problems
	checkIdentifier(&p, "identifier", id, updateIdentifierTypes)
	if params == nil {
		p.add("params", "is required (it carries the source)")
	} else {
		checkSource(&p, params.Source, params.AccountID, sources, "the update")
		if params.MLPSingleEnroll != nil {
			p.add("params.mlp_single_enroll", "is not documented for the update by identifier; use Update with the user id")
		}
	}
	checkBody(&p, body)
	return p
}

// validateGet checks the arguments of Get.
func validateGet(userID string, params *GetCustomerParams) []FieldError {
	var p problems
	checkUserID(&p, userID)
	checkReadParams(&p, params, getSources, getEmbeds, "Get")
	return p
}

// validateLookup checks the arguments of Lookup. The vendor wants an account id on a lookup
// for every source but INSTORE, ALL included ("Mandatory for all the sources except Instore").
func validateLookup(ids []Identifier, params *GetCustomerParams) []FieldError {
	var p problems
	if len(ids) == 0 {
		p.add("ids", "must hold at least one identifier")
	}
	for i, id := range ids {
		checkIdentifier(&p, "ids["+strconv.Itoa(i)+"]", id, lookupIdentifierTypes)
	}
	checkReadParams(&p, params, lookupSources, lookupEmbeds, "Lookup")
	if params == nil {
		return p
	}
	if params.AccountID == "" && params.Source != SourceInstore && slices.Contains(lookupSources, params.Source) {
		p.add("params.accountId", "is required on a lookup for source %s (every source but INSTORE)", params.Source)
	}
	set, _ := query.Values(params) // cannot fail: flat fields and an Encoder that does not
	for _, name := range getOnlyParams {
		if set.Has(name) {
			p.add("params."+name, "is documented for Get only, not for Lookup")
		}
	}
	return p
}

// checkUserID checks a user id, which goes into the path: "lookup" would reach another endpoint.
func checkUserID(p *problems, userID string) {
	switch {
	case strings.TrimSpace(userID) == "":
		p.add("userId", "must not be empty")
	case strings.ContainsFunc(userID, func(r rune) bool { return r < '0' || r > '9' }):
		p.add("userId", "%q is not a customer id: the vendor's user ids are digits only", userID)
	}
}

func checkSource(p *problems, source Source, accountID string, valid []Source, call string) {
	switch {
	case source == "":
		p.add("params.source", "is required")
	case !slices.Contains(valid, source):
		p.add("params.source", "%q is not a source %s accepts (%s)", string(source), call, listOf(valid))
	}
	if !validHeaderValue(accountID) || !utf8.ValidString(accountID) {
		p.add("params.accountId", "contains a control character or invalid UTF-8")
	}
}

// checkReadParams checks the params of call, a read that takes the sources and embeds given.
func checkReadParams(p *problems, params *GetCustomerParams, readable []Source, offered []Embed, call string) {
	if params == nil {
		p.add("params", "is required (it carries the source)")
		return
	}
	checkSource(p, params.Source, params.AccountID, readable, call)
	for i, e := range params.Embed {
		if !slices.Contains(offered, e) {
			p.add("params.embed["+strconv.Itoa(i)+"]", "%q is not an embed the vendor documents for %s (%s)", string(e), call, listOf(offered))
		}
	}
	checkGap(p, "params.gapToUpgrade", params.GapToUpgrade, params.Embed)
	checkGap(p, "params.gapToRenew", params.GapToRenew, params.Embed)
	for _, n := range []struct {
		path string
		v    *int
		min  int
	}{{"params.ug2Offset", params.UG2Offset, 0}, {"params.ug2Limit", params.UG2Limit, 1}} {
		if n.v != nil && *n.v < n.min {
			p.add(n.path, "must be at least %d, got %d", n.min, *n.v)
		}
	}
	if params.UG2SortOrder != "" && !params.UG2SortOrder.Valid() {
		p.add("params.ug2SortOrder", "%q is not %s or %s", string(params.UG2SortOrder), SortAscending, SortDescending)
	}
	if problem := dateProblem(params.UG2JoinedStartDate); problem != "" {
		p.add("params.ug2JoinedStartDate", "%s", problem)
	}
	if problem := dateProblem(params.UG2JoinedEndDate); problem != "" {
		p.add("params.ug2JoinedEndDate", "%s", problem)
	}
}

// checkGap checks gapToUpgrade or gapToRenew: days ahead, which the vendor answers only with
// embed=mlp.
func checkGap(p *problems, path string, days *int, embed []Embed) {
	switch {
	case days == nil:
	case *days < 0:
		p.add(path, "must not be negative, got %d", *days)
	case !slices.Contains(embed, EmbedMLP):
		p.add(path, "needs EmbedMLP in params.embed: the vendor answers it only with embed=mlp")
	}
}

// checkIdentifier checks one identifier for a call that takes the types in valid. Its name and
// value go into a comma-separated query, so neither may hold a comma.
func checkIdentifier(p *problems, path string, id Identifier, valid []IdentifierType) {
	if !slices.Contains(valid, id.Type) {
		p.add(path+".type", "%q is not an identifier type this call accepts (%s)", string(id.Type), listOf(valid))
	}
	switch {
	case strings.TrimSpace(id.Value) == "":
		p.add(path+".value", "must not be empty")
	case strings.Contains(id.Value, ","):
		p.add(path+".value", "must not contain a comma: identifiers go comma-separated in the query")
	case !validHeaderValue(id.Value) || !utf8.ValidString(id.Value):
		p.add(path+".value", "contains a control character or invalid UTF-8")
	}
}

// checkBody checks an update's body.
func checkBody(p *problems, body *UpdateCustomerRequest) {
	if body == nil {
		p.add("body", "is required")
		return
	}
	if !hasContent(body) {
		p.add("body", "has nothing to update (empty lists, maps and profiles say nothing)")
	}
	checkBodyFields(p, body)
	if len(*p) > 0 {
		checkUTF8(p, body) // refused anyway: list invalid UTF-8 too; otherwise encode finds it
	}
}

// checkBodyFields checks each field of an update's body, as the create's body shares them.
func checkBodyFields(p *problems, body *UpdateCustomerRequest) {
	for i := range body.Profiles {
		validateProfile(p, i, &body.Profiles[i])
	}
	if li := body.LoyaltyInfo; li != nil && !li.LoyaltyType.Valid() {
		p.add("loyaltyInfo.loyaltyType", "%q is not %q or %q", string(li.LoyaltyType), LoyaltyTypeLoyalty, LoyaltyTypeNonLoyalty)
	}
	for range blankKeys(body.ExtendedFields) {
		p.add("extendedFields", "has an empty key")
	}
	for range blankKeys(body.Fields) {
		p.add("fields", "has an empty key")
	}
	for i := range body.LoyaltyProgramEnrollments {
		validateEnrollment(p, i, &body.LoyaltyProgramEnrollments[i])
	}
}

// hasContent reports whether a body says anything: an empty list, map or profile does not,
// while an explicit zero value does (LoyaltyPoints 0 in an enrolment, a FirstName of "").
func hasContent(body *UpdateCustomerRequest) bool {
	return slices.ContainsFunc(body.Profiles, profileHasContent) || body.LoyaltyInfo != nil ||
		len(body.ExtendedFields) > 0 || len(body.Fields) > 0 || len(body.LoyaltyProgramEnrollments) > 0 ||
		len(body.Unknown) > 0
}

func profileHasContent(p Profile) bool {
	return p.FirstName != nil || p.LastName != nil || len(p.Fields) > 0 || len(p.Identifiers) > 0 ||
		len(p.CommChannels) > 0 || p.Source != "" || p.AccountID != "" || len(p.Unknown) > 0
}

// The paths of nested fields, such as profiles[0].commChannels[1].type, are built only once a
// problem is found, so that checking a valid request, what nearly every call does, formats and
// allocates nothing.

func profilePath(i int, field string) string {
	return "profiles[" + strconv.Itoa(i) + "]." + field
}

func channelPath(i, j int, field string) string {
	return profilePath(i, "commChannels["+strconv.Itoa(j)+"]."+field)
}

func enrollmentPath(i int, field string) string {
	return "loyaltyProgramEnrollments[" + strconv.Itoa(i) + "]." + field
}

func validateProfile(p *problems, i int, prof *Profile) {
	if problem := nameProblem(prof.FirstName); problem != "" {
		p.add(profilePath(i, "firstName"), "%s", problem)
	}
	if problem := nameProblem(prof.LastName); problem != "" {
		p.add(profilePath(i, "lastName"), "%s", problem)
	}
	for range blankKeys(prof.Fields) {
		p.add(profilePath(i, "fields"), "has an empty key")
	}
	for j := range prof.CommChannels {
		ch := &prof.CommChannels[j]
		switch {
		case ch.Type == "":
			p.add(channelPath(i, j, "type"), "is required")
		case !ch.Type.Valid():
			p.add(channelPath(i, j, "type"), "%q is not a channel type (%s)", string(ch.Type), listOf(channelTypes))
		}
		if strings.TrimSpace(ch.Value) == "" {
			p.add(channelPath(i, j, "value"), "is required")
		}
		for range blankKeys(ch.Meta) {
			p.add(channelPath(i, j, "meta"), "has an empty key")
		}
	}
}

// nameProblem says what is wrong with a first or last name, or "".
func nameProblem(name *string) string {
	if name == nil {
		return ""
	}
	if n := utf8.RuneCountInString(*name); n > maxNameRunes {
		return fmt.Sprintf("is %d characters long; the vendor keeps at most %d", n, maxNameRunes)
	}
	return "" // invalid UTF-8 is found by checkUTF8
}

// blankKeys counts the keys of fields that are empty or only white space.
func blankKeys(fields map[string]any) int {
	n := 0
	for k := range fields {
		if strings.TrimSpace(k) == "" {
			n++
		}
	}
	return n
}

func validateEnrollment(p *problems, i int, e *LoyaltyProgramEnrollment) {
	if e.ProgramID <= 0 {
		p.add(enrollmentPath(i, "programId"), "must be a positive program id, got %d", e.ProgramID)
	}
	if e.TierNumber != nil && *e.TierNumber < 1 {
		p.add(enrollmentPath(i, "tierNumber"), "must be at least 1, got %d", *e.TierNumber)
	}
	if e.LoyaltyPoints != nil {
		if problem := decimalProblem(*e.LoyaltyPoints); problem != "" {
			p.add(enrollmentPath(i, "loyaltyPoints"), "%s", problem)
		}
	}
	if problem := dateProblem(e.TierExpiryDate); problem != "" {
		p.add(enrollmentPath(i, "tierExpiryDate"), "%s", problem)
	}
	if problem := dateProblem(e.PointsExpiryDate); problem != "" {
		p.add(enrollmentPath(i, "pointsExpiryDate"), "%s", problem)
	}
}

// decimalProblem says what is wrong with points to credit, or "": they are sent as written, so
// they must be a JSON number, and not a negative one.
func decimalProblem(n json.Number) string {
	f, err := strconv.ParseFloat(string(n), 64)
	switch {
	case err != nil || !json.Valid([]byte(n)):
		return fmt.Sprintf("%q is not a decimal number", string(n))
	case f < 0:
		return fmt.Sprintf("must not be negative, got %s", string(n))
	}
	return ""
}

// dateProblem says what is wrong with a date to send, or "".
func dateProblem(d *DateTime) string {
	switch {
	case d == nil:
	case d.IsZero():
		return "is the zero time; leave it nil to omit it"
	case d.Year() < 0 || d.Year() > 9999:
		return fmt.Sprintf("year %d is outside 0000-9999", d.Year())
	}
	return ""
}
