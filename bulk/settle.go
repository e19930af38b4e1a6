package bulk

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/capillary-go/capillary"
)

// verdict is what a read-back says about an update whose answer was lost.
type verdict int

const (
	// holds: the customer holds every value the row sets.
	holds verdict = iota
	// lacks: some value differs, so the update was not applied (or was undone since).
	lacks
	// cannotTell: the read-back does not show what the row sets.
	cannotTell
)

// compare tells whether got, the customer as read back (in the shape of an update body, see
// API.Read), holds every value that want, the row's body, sets, and names the first field
// that differs or cannot be compared. Values compare by their text, so that the number 12
// read back matches the "12" a CSV row sent.
func compare(want, got *capillary.UpdateCustomerRequest) (verdict, string) {
	if got == nil {
		return cannotTell, "the read-back returned no customer"
	}
	if len(want.Profiles) > 0 {
		if len(got.Profiles) == 0 {
			return cannotTell, "the read-back has no profile to compare the names, fields and channels with"
		}
		have := &got.Profiles[0]
		for i := range want.Profiles {
			if v, why := compareProfile(i, &want.Profiles[i], have); v != holds {
				return v, why
			}
		}
	}
	if li := want.LoyaltyInfo; li != nil {
		if got.LoyaltyInfo == nil {
			return cannotTell, "the read-back has no loyalty type"
		}
		if got.LoyaltyInfo.LoyaltyType != li.LoyaltyType {
			return lacks, fmt.Sprintf("loyaltyInfo.loyaltyType is %q, not %q", got.LoyaltyInfo.LoyaltyType, li.LoyaltyType)
		}
	}
	if v, why := compareFields("extendedFields", want.ExtendedFields, got.ExtendedFields); v != holds {
		return v, why
	}
	for i, e := range want.LoyaltyProgramEnrollments {
		if v, why := compareEnrollment(i, &e, got.LoyaltyProgramEnrollments); v != holds {
			return v, why
		}
	}
	return holds, ""
}

func compareProfile(i int, want, have *capillary.Profile) (verdict, string) {
	path := "profiles[" + strconv.Itoa(i) + "]."
	for _, name := range []struct {
		field      string
		want, have *string
	}{{"firstName", want.FirstName, have.FirstName}, {"lastName", want.LastName, have.LastName}} {
		if name.want != nil && (name.have == nil || *name.have != *name.want) {
			return lacks, fmt.Sprintf("%s%s is %s, not %q", path, name.field, quoted(name.have), *name.want)
		}
	}
	if v, why := compareFields(path+"fields", want.Fields, have.Fields); v != holds {
		return v, why
	}
	for j, ch := range want.CommChannels {
		if !hasChannel(have.CommChannels, ch) {
			return lacks, fmt.Sprintf("%scommChannels[%d]: the customer has no %s %q", path, j, ch.Type, ch.Value)
		}
	}
	return holds, ""
}

func quoted(s *string) string {
	if s == nil {
		return "not set"
	}
	return strconv.Quote(*s)
}

func hasChannel(channels []capillary.CommChannel, want capillary.CommChannel) bool {
	for _, ch := range channels {
		if ch.Type == want.Type && ch.Value == want.Value {
			return true
		}
	}
	return false
}

// compareFields checks that have holds every key of want with the same value.
func compareFields(path string, want, have map[string]any) (verdict, string) {
	for k, w := range want {
		h, ok := have[k]
		if !ok {
			return lacks, fmt.Sprintf("%s.%s is not set", path, k)
		}
		wt, werr := valueText(w)
		ht, herr := valueText(h)
		if werr != nil || herr != nil {
			return cannotTell, fmt.Sprintf("%s.%s cannot be compared", path, k)
		}
		if wt != ht {
			return lacks, fmt.Sprintf("%s.%s is %s, not %s", path, k, ht, wt)
		}
	}
	return holds, ""
}

// valueText is a value's text for comparing: a string as it is, a number in its shortest
// form, anything else as JSON.
func valueText(v any) (string, error) {
	switch v := v.(type) {
	case string:
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return strconv.FormatFloat(f, 'g', -1, 64), nil
		}
		return v, nil
	case json.Number:
		if f, err := v.Float64(); err == nil {
			return strconv.FormatFloat(f, 'g', -1, 64), nil
		}
		return v.String(), nil
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case int:
		return strconv.Itoa(v), nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// compareEnrollment checks that the customer is in the program, at the tier the row asks for.
// Points are not compared: the balance moves with every transaction.
func compareEnrollment(i int, want *capillary.LoyaltyProgramEnrollment, have []capillary.LoyaltyProgramEnrollment) (verdict, string) {
	path := "loyaltyProgramEnrollments[" + strconv.Itoa(i) + "]"
	for _, e := range have {
		if e.ProgramID != want.ProgramID {
			continue
		}
		if want.TierNumber != nil && e.TierNumber != nil && *e.TierNumber != *want.TierNumber {
			return lacks, fmt.Sprintf("%s: the customer is at tier %d of program %d, not %d", path, *e.TierNumber, e.ProgramID, *want.TierNumber)
		}
		return holds, ""
	}
	return lacks, fmt.Sprintf("%s: the customer is not enrolled in program %d", path, want.ProgramID)
}
