package capillary

import (
	"fmt"
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
	for i, prof := range body.Profiles {
		validateProfile(&p, fmt.Sprintf("profiles[%d]", i), &prof)
	}
	if li := body.LoyaltyInfo; li != nil && !li.LoyaltyType.Valid() {
		p.add("loyaltyInfo.loyaltyType", "%q is not %q or %q", string(li.LoyaltyType), LoyaltyTypeLoyalty, LoyaltyTypeNonLoyalty)
	}
	validateFields(&p, "extendedFields", body.ExtendedFields)
	for i, e := range body.LoyaltyProgramEnrollments {
		validateEnrollment(&p, fmt.Sprintf("loyaltyProgramEnrollments[%d]", i), &e)
	}
	return p
}

func validateProfile(p *problems, path string, prof *Profile) {
	validateName(p, path+".firstName", prof.FirstName)
	validateName(p, path+".lastName", prof.LastName)
	validateFields(p, path+".fields", prof.Fields)
	for i, ch := range prof.CommChannels {
		at := fmt.Sprintf("%s.commChannels[%d]", path, i)
		switch {
		case ch.Type == "":
			p.add(at+".type", "is required")
		case !ch.Type.Valid():
			p.add(at+".type", "%q is not a channel type (mobile, email, wechat, ios, android, line, mobilePush)", string(ch.Type))
		}
		switch {
		case strings.TrimSpace(ch.Value) == "":
			p.add(at+".value", "is required")
		case !utf8.ValidString(ch.Value):
			p.add(at+".value", "is not valid UTF-8")
		}
		validateFields(p, at+".meta", ch.Meta)
	}
}

func validateName(p *problems, path string, name *string) {
	if name == nil {
		return
	}
	switch n := utf8.RuneCountInString(*name); {
	case !utf8.ValidString(*name):
		p.add(path, "is not valid UTF-8")
	case n > maxNameRunes:
		p.add(path, "is %d characters long; the vendor keeps at most %d", n, maxNameRunes)
	}
}

func validateFields(p *problems, path string, fields map[string]any) {
	for k := range fields {
		if strings.TrimSpace(k) == "" {
			p.add(path, "has an empty key")
		}
	}
}

func validateEnrollment(p *problems, path string, e *LoyaltyProgramEnrollment) {
	if e.ProgramID <= 0 {
		p.add(path+".programId", "must be a positive program id, got %d", e.ProgramID)
	}
	if e.TierNumber != nil && *e.TierNumber < 1 {
		p.add(path+".tierNumber", "must be at least 1, got %d", *e.TierNumber)
	}
	if e.LoyaltyPoints != nil && *e.LoyaltyPoints < 0 {
		p.add(path+".loyaltyPoints", "must not be negative, got %d", *e.LoyaltyPoints)
	}
	validateDate(p, path+".tierExpiryDate", e.TierExpiryDate)
	validateDate(p, path+".pointsExpiryDate", e.PointsExpiryDate)
}

func validateDate(p *problems, path string, d *DateTime) {
	switch {
	case d == nil:
	case d.IsZero():
		p.add(path, "is the zero time; leave it nil to omit it")
	case d.Year() < 0 || d.Year() > 9999:
		p.add(path, "year %d is outside 0000-9999", d.Year())
	}
}

func sourceList() string {
	names := make([]string, 0, 12)
	for _, s := range Sources() {
		names = append(names, string(s))
	}
	return strings.Join(names, ", ")
}
