package capillary

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
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
	switch {
	case strings.TrimSpace(userID) == "":
		p.add("userId", "must not be empty")
	case userID == "." || userID == "..":
		p.add("userId", "%q is not a customer id", userID)
	case !validHeaderValue(userID) || !utf8.ValidString(userID):
		p.add("userId", "contains a control character or invalid UTF-8")
	}
	if params == nil {
		p.add("params", "is required (it carries the source)")
	} else {
		switch {
		case params.Source == "":
			p.add("params.source", "is required")
		case !params.Source.Valid():
			p.add("params.source", "%q is not a source the update accepts (%s)", string(params.Source), sourceList())
		}
		if !validHeaderValue(params.AccountID) {
			p.add("params.accountId", "contains a control character")
		}
	}
	if body == nil {
		p.add("body", "is required")
		return p
	}
	if body.Profiles == nil && body.LoyaltyInfo == nil && body.ExtendedFields == nil && body.LoyaltyProgramEnrollments == nil {
		p.add("body", "has nothing to update")
	}
	for i := range body.Profiles {
		validateProfile(&p, i, &body.Profiles[i])
	}
	if li := body.LoyaltyInfo; li != nil && !li.LoyaltyType.Valid() {
		p.add("loyaltyInfo.loyaltyType", "%q is not %q or %q", string(li.LoyaltyType), LoyaltyTypeLoyalty, LoyaltyTypeNonLoyalty)
	}
	for range blankKeys(body.ExtendedFields) {
		p.add("extendedFields", "has an empty key")
	}
	for i := range body.LoyaltyProgramEnrollments {
		validateEnrollment(&p, i, &body.LoyaltyProgramEnrollments[i])
	}
	return p
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
			p.add(channelPath(i, j, "type"), "%q is not a channel type (mobile, email, wechat, ios, android, line, mobilePush)", string(ch.Type))
		}
		switch {
		case strings.TrimSpace(ch.Value) == "":
			p.add(channelPath(i, j, "value"), "is required")
		case !utf8.ValidString(ch.Value):
			p.add(channelPath(i, j, "value"), "is not valid UTF-8")
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
	switch n := utf8.RuneCountInString(*name); {
	case !utf8.ValidString(*name):
		return "is not valid UTF-8"
	case n > maxNameRunes:
		return fmt.Sprintf("is %d characters long; the vendor keeps at most %d", n, maxNameRunes)
	}
	return ""
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
	if e.LoyaltyPoints != nil && *e.LoyaltyPoints < 0 {
		p.add(enrollmentPath(i, "loyaltyPoints"), "must not be negative, got %d", *e.LoyaltyPoints)
	}
	if problem := dateProblem(e.TierExpiryDate); problem != "" {
		p.add(enrollmentPath(i, "tierExpiryDate"), "%s", problem)
	}
	if problem := dateProblem(e.PointsExpiryDate); problem != "" {
		p.add(enrollmentPath(i, "pointsExpiryDate"), "%s", problem)
	}
}

// dateProblem says what is wrong with an expiry date, or "".
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

func sourceList() string {
	names := make([]string, 0, 12)
	for _, s := range Sources() {
		names = append(names, string(s))
	}
	return strings.Join(names, ", ")
}
