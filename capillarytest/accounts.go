package capillarytest

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
)

// accountSet is the org's source accounts: configured with WithSourceAccounts, and grown by
// seeding customers on accounts.
type accountSet struct {
	mu       sync.Mutex
	bySource map[string]map[string]bool
}

func newAccountSet(initial map[string]map[string]bool) *accountSet {
	a := &accountSet{bySource: map[string]map[string]bool{}}
	for source, ids := range initial {
		for id := range ids {
			a.add(source, id)
		}
	}
	return a
}

func (a *accountSet) add(source, accountID string) {
	if accountID == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.bySource[source] == nil {
		a.bySource[source] = map[string]bool{}
	}
	a.bySource[source][accountID] = true
}

// resolve checks the accountId of an update on source: a multi-account source needs one
// (8045), and a given one must be an account of the source (3217). With warnOnMissing, a
// multi-account source without one is applied on its first account (in name order) with the
// warning 8054 instead, when the source has an account.
func (a *accountSet) resolve(source, accountID string, warnOnMissing bool) (SourceAccount, []message, *answer) {
	a.mu.Lock()
	known := a.bySource[source]
	first := ""
	if len(known) > 0 {
		first = slices.Sorted(maps.Keys(known))[0]
	}
	given := known[accountID]
	a.mu.Unlock()
	switch {
	case accountID == "" && !multiAccountSource(source):
		return SourceAccount{Source: source}, nil, nil
	case accountID == "" && warnOnMissing && first != "":
		warning := newMessage(WarningAccountIDNotPassed, "source "+source+" has several accounts; the update went to account "+strconv.Quote(first))
		return SourceAccount{Source: source, AccountID: first}, []message{warning}, nil
	case accountID == "":
		ans := failure(http.StatusBadRequest, CodeAccountIDRequired, "source "+source+" has several accounts: pass accountId")
		return SourceAccount{}, nil, &ans
	case !given:
		ans := failure(http.StatusBadRequest, CodeInvalidSourceAccount, "accountId "+strconv.Quote(accountID)+" is not an account of source "+source)
		return SourceAccount{}, nil, &ans
	}
	return SourceAccount{Source: source, AccountID: accountID}, nil, nil
}
