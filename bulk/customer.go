package bulk

import (
	"hash/fnv"
	"slices"
	"strings"
)

// customerOf is the customer a row addresses, as a hash of its user id or of its identifier's
// type and value (in lower case: two spellings of an email are one customer; merging two
// customers only costs them being sent one after the other).
func customerOf(row *Row) uint64 {
	h := fnv.New64a()
	if row.byIdentifier() {
		_, _ = h.Write([]byte("i\x00" + string(row.Identifier.Type) + "\x00" + strings.ToLower(row.Identifier.Value)))
	} else {
		_, _ = h.Write([]byte("u\x00" + row.UserID))
	}
	return h.Sum64()
}

// customerKeys are the customers of every row seen, eight bytes a row, to count those in more
// than one.
type customerKeys []uint64

// add counts the customer of row, whose key is key. A row that names no customer (a line that
// could not be read) is invalid and counts as none: rows without one are not one customer.
func (k *customerKeys) add(row *Row, key uint64) {
	if row.UserID != "" || row.Identifier.Value != "" {
		*k = append(*k, key)
	}
}

// duplicates counts the customers that appear more than once. It sorts k.
func (k customerKeys) duplicates() int {
	sorted := k
	slices.Sort(sorted)
	n := 0
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] && (i == 1 || sorted[i-1] != sorted[i-2]) {
			n++
		}
	}
	return n
}
