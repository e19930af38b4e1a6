package capillarytest

import (
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

// ref resolves the accountId given for a source: a multi-account source needs one, and a
// given one must be an account of the source.
func (a *accountSet) ref(source, accountID string) accountRef {
	a.mu.Lock()
	defer a.mu.Unlock()
	known := a.bySource[source]
	ref := accountRef{sourceAccount: sourceAccount{Source: source, AccountID: accountID}}
	ref.missing = accountID == "" && multiAccountSource(source)
	ref.unknown = accountID != "" && !known[accountID]
	return ref
}
