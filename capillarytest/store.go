package capillarytest

import (
	"cmp"
	"maps"
	"slices"
	"sync"
	"time"
)

// store holds the customers. The map is guarded by mu; each customer has a lock of its own,
// so that updates of one customer are serialised (the vendor answers 521 to concurrent actions
// on one customer; the fake makes them wait instead, and 521 is available as a Fault) while
// different customers are updated in parallel. byIdentifier indexes the customers by every
// identifier of their profiles, for lookups; it is kept up to date under mu after each change.
type store struct {
	mu           sync.Mutex
	customers    map[string]*record
	byIdentifier map[Identifier]map[string]bool
}

// record is one stored customer, the lock that serialises its updates, and what the server
// keeps about them beside the customer.
type record struct {
	mu       sync.Mutex
	customer Customer
	modified time.Time // when an update was last applied; zero when none was
	received int       // update requests that reached the customer
	applied  int       // updates applied
}

// UpdateCounts is how many update requests reached a customer and how many were applied.
type UpdateCounts struct {
	// Received counts the update requests that reached the customer (valid up to its state).
	Received int `json:"updatesReceived"`
	// Applied counts the updates applied.
	Applied int `json:"updatesApplied"`
}

func newStore() *store {
	return &store{customers: map[string]*record{}, byIdentifier: map[Identifier]map[string]bool{}}
}

// keysOf lists every identifier of the customer's profiles.
func keysOf(c *Customer) []Identifier {
	var keys []Identifier
	for _, p := range c.profiles() {
		keys = append(keys, identifiersOf(&p)...)
	}
	return keys
}

// reindexLocked moves customer id from the old keys to the new ones; s.mu is held.
func (s *store) reindexLocked(id string, old, new []Identifier) {
	for _, k := range old {
		delete(s.byIdentifier[k], id)
		if len(s.byIdentifier[k]) == 0 {
			delete(s.byIdentifier, k)
		}
	}
	for _, k := range new {
		if s.byIdentifier[k] == nil {
			s.byIdentifier[k] = map[string]bool{}
		}
		s.byIdentifier[k][id] = true
	}
}

func (s *store) reindex(id string, old, new []Identifier) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reindexLocked(id, old, new)
}

// findIdentifier returns the id of the customer holding the identifier; when several do (the
// fake does not merge them), the lowest id.
func (s *store) findIdentifier(k Identifier) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := slices.SortedFunc(maps.Keys(s.byIdentifier[k]), byNumericID)
	if len(ids) == 0 {
		return "", false
	}
	return ids[0], true
}

// byNumericID orders user ids numerically: shorter ids first.
func byNumericID(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(a, b)) }

// put stores a copy of c, replacing a customer with the same id.
func (s *store) put(c Customer) {
	c = c.clone().normalized()
	s.mu.Lock()
	rec, ok := s.customers[c.ID]
	if !ok {
		s.customers[c.ID] = &record{customer: c}
		s.reindexLocked(c.ID, nil, keysOf(&c))
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	// Replace in place: an update holding this record finishes first, and no update is lost
	// to a record that is no longer in the map.
	rec.mu.Lock()
	defer rec.mu.Unlock()
	s.reindex(c.ID, keysOf(&rec.customer), keysOf(&c))
	rec.customer = c
}

// get returns a copy of the customer.
func (s *store) get(id string) (Customer, bool) {
	s.mu.Lock()
	rec, ok := s.customers[id]
	s.mu.Unlock()
	if !ok {
		return Customer{}, false
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.customer.clone(), true
}

// remove deletes the customer and reports whether it existed.
func (s *store) remove(id string) bool {
	s.mu.Lock()
	rec, ok := s.customers[id]
	delete(s.customers, id)
	s.mu.Unlock()
	if ok {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		s.reindex(id, keysOf(&rec.customer), nil)
	}
	return ok
}

// all returns copies of every customer, ordered by id (numerically: shorter ids first).
func (s *store) all() []Customer {
	s.mu.Lock()
	recs := make([]*record, 0, len(s.customers))
	for _, rec := range s.customers {
		recs = append(recs, rec)
	}
	s.mu.Unlock()
	out := make([]Customer, 0, len(recs))
	for _, rec := range recs {
		rec.mu.Lock()
		out = append(out, rec.customer.clone())
		rec.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b Customer) int { return byNumericID(a.ID, b.ID) })
	return out
}

// update runs change on a copy of the customer under its lock and stores the copy when change
// reports success, so that a refused update leaves no partial change behind. found is false
// when there is no such customer. now is when the update is applied.
func (s *store) update(id string, now time.Time, change func(c *Customer) bool) (found bool) {
	s.mu.Lock()
	rec, ok := s.customers[id]
	s.mu.Unlock()
	if !ok {
		return false
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	next := rec.customer.clone()
	rec.received++
	if change(&next) {
		s.reindex(id, keysOf(&rec.customer), keysOf(&next))
		rec.customer = next
		rec.modified = now
		rec.applied++
	}
	return true
}

// read returns a copy of the customer with when it was last modified and its update counts.
func (s *store) read(id string) (c Customer, modified time.Time, counts UpdateCounts, ok bool) {
	s.mu.Lock()
	rec, ok := s.customers[id]
	s.mu.Unlock()
	if !ok {
		return Customer{}, time.Time{}, UpdateCounts{}, false
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.customer.clone(), rec.modified, UpdateCounts{Received: rec.received, Applied: rec.applied}, true
}
