package bulk

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
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
// API.Read), holds every value that want, the row's body, sets, and names the first value
// that differs or cannot be compared. Values compare by the text that was sent (valueText):
// zip "01234" is not 1234, and a 19-digit number is not its neighbour, while the "2" a vendor
// reads back for a custom field set to 2 is 2.
func compare(want, got *capillary.UpdateCustomerRequest) (verdict, string) {
	if got == nil {
		return cannotTell, "the read-back returned no customer"
	}
	if len(want.Unknown) > 0 {
		return cannotTell, "the read-back cannot show " + firstKey(want.Unknown) + ", which the row sends"
	}
	if len(want.Profiles) > 0 || len(want.Fields) > 0 {
		if len(got.Profiles) == 0 {
			return cannotTell, "the read-back has no profile to compare the names, fields and channels with"
		}
		have := &got.Profiles[0]
		// Top-level fields are the custom fields of the profile on the source updated.
		if v, why := compareFields("fields", want.Fields, have.Fields); v != holds {
			return v, why
		}
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
	if len(want.Unknown) > 0 {
		return cannotTell, "the read-back cannot show " + path + firstKey(want.Unknown) + ", which the row sends"
	}
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
	for j, id := range want.Identifiers {
		if !slices.ContainsFunc(have.Identifiers, func(h capillary.Identifier) bool { return h.Type == id.Type && h.Value == id.Value }) {
			return lacks, fmt.Sprintf("%sidentifiers[%d]: the customer has no %s %q", path, j, id.Type, id.Value)
		}
	}
	for j := range want.CommChannels {
		if v, why := compareChannel(fmt.Sprintf("%scommChannels[%d]", path, j), &want.CommChannels[j], have.CommChannels); v != holds {
			return v, why
		}
	}
	return holds, ""
}

// compareChannel checks that the customer has the channel, with each flag the row sets.
func compareChannel(path string, want *capillary.CommChannel, have []capillary.CommChannel) (verdict, string) {
	i := slices.IndexFunc(have, func(ch capillary.CommChannel) bool { return ch.Type == want.Type && ch.Value == want.Value })
	if i < 0 {
		return lacks, fmt.Sprintf("%s: the customer has no %s %q", path, want.Type, want.Value)
	}
	for _, flag := range []struct {
		name       string
		want, have *bool
	}{{"primary", want.Primary, have[i].Primary}, {"verified", want.Verified, have[i].Verified}, {"subscribed", want.Subscribed, have[i].Subscribed}} {
		switch {
		case flag.want == nil:
		case flag.have == nil:
			return cannotTell, fmt.Sprintf("%s.%s: the read-back does not show it", path, flag.name)
		case *flag.have != *flag.want:
			return lacks, fmt.Sprintf("%s.%s is %t, not %t", path, flag.name, *flag.have, *flag.want)
		}
	}
	if want.LastViewedDate != "" || len(want.Meta) > 0 || len(want.Attributes) > 0 || len(want.Unknown) > 0 {
		return cannotTell, path + ": the read-back cannot show its lastViewedDate, meta, attributes or other fields, which the row sends"
	}
	return holds, ""
}

func quoted(s *string) string {
	if s == nil {
		return "not set"
	}
	return strconv.Quote(*s)
}

// compareFields checks that have holds every key of want with the same text, and none of
// those want removes (sets to null).
func compareFields(path string, want, have map[string]any) (verdict, string) {
	for _, k := range sortedKeys(want) {
		h, has := have[k]
		if want[k] == nil {
			if has && h != nil {
				return lacks, fmt.Sprintf("%s.%s is %s, not removed", path, k, valueText(h))
			}
			continue
		}
		wt := valueText(want[k])
		switch {
		case !has || h == nil:
			return lacks, fmt.Sprintf("%s.%s is not set, not %s", path, k, wt)
		case valueText(h) != wt:
			return lacks, fmt.Sprintf("%s.%s is %s, not %s", path, k, valueText(h), wt)
		}
	}
	return holds, ""
}

// valueText is a value's text as it was sent, or read: a string as it is, anything else as
// its JSON (a json.Number keeps every digit it came with).
func valueText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func firstKey(u capillary.Unknown) string { return sortedKeys(u)[0] }

// compareEnrollment checks that the customer is in the program, at the tier the row asks for.
// Points are not compared: the balance moves with every transaction.
func compareEnrollment(i int, want *capillary.LoyaltyProgramEnrollment, have []capillary.LoyaltyProgramEnrollment) (verdict, string) {
	path := "loyaltyProgramEnrollments[" + strconv.Itoa(i) + "]"
	for _, e := range have {
		if e.ProgramID != want.ProgramID {
			continue
		}
		switch {
		case want.TierNumber != nil && e.TierNumber == nil:
			return cannotTell, fmt.Sprintf("%s: the read-back does not show the tier of program %d", path, want.ProgramID)
		case want.TierNumber != nil && *e.TierNumber != *want.TierNumber:
			return lacks, fmt.Sprintf("%s: the customer is at tier %d of program %d, not %d", path, *e.TierNumber, e.ProgramID, *want.TierNumber)
		case want.TierExpiryDate != nil || want.PointsExpiryDate != nil || len(want.Unknown) > 0:
			return cannotTell, path + ": the read-back cannot show its tierExpiryDate, pointsExpiryDate or other fields, which the row sends"
		}
		return holds, ""
	}
	return lacks, fmt.Sprintf("%s: the customer is not enrolled in program %d", path, want.ProgramID)
}
