package capillarytest

import (
	"net/http"
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
// (8045; the vendor documents either this error or a warning 8054, and the fake picks the
// error, which catches the omission), and a given one must be an account of the source (3217).
func (a *accountSet) resolve(source, accountID string) (SourceAccount, *answer) {
	if accountID == "" {
		if multiAccountSource(source) {
			ans := failure(http.StatusBadRequest, CodeAccountIDRequired, "source "+source+" has several accounts: pass accountId")
			return SourceAccount{}, &ans
		}
		return SourceAccount{Source: source}, nil
	}
	a.mu.Lock()
	known := a.bySource[source][accountID]
	a.mu.Unlock()
	if !known {
		ans := failure(http.StatusBadRequest, CodeInvalidSourceAccount, "accountId "+strconv.Quote(accountID)+" is not an account of source "+source)
		return SourceAccount{}, &ans
	}
	return SourceAccount{Source: source, AccountID: accountID}, nil
}
