package bulk

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/capillary-go/capillary"
)

// csvColumn is what one CSV column sets.
type csvColumn int

const (
	colAddress csvColumn = iota
	colFirstName
	colLastName
	colChannel // email or mobile, as a communication channel
	colLoyaltyType
	colSource
	colAccountID
	colField         // fields.<name>
	colExtendedField // extendedFields.<name>
)

// addressColumns are the columns that can address a customer, by precedence.
var addressColumns = []string{"userId", "externalId", "cardnumber", "mobile", "email"}

// csvLayout is a CSV header, read.
type csvLayout struct {
	header  []string
	kinds   []csvColumn
	names   []string // the field name of fields.<name> and extendedFields.<name>
	address int      // the address column's index
	idType  capillary.IdentifierType
}

// ReadCSV reads rows from a CSV input whose header names its columns:
//
//   - one address column, the first present of userId, externalId, cardnumber, mobile and email;
//   - firstName, lastName;
//   - email and mobile, when not the address, as communication channels;
//   - loyaltyType; source and accountId, for rows on another source than the run's;
//   - fields.<name> (custom fields) and extendedFields.<name> (extended fields).
//
// An empty cell sets nothing. Values are sent as strings. A row's number is its position
// among the data rows, from 1. A header with an unknown or repeated column, or without an
// address column, or one that would make every row invalid (userId beside externalId, no column
// to update) is an error before any row is read; a row that cannot be parsed is a row
// with Problems. The iterator's error is an I/O error only.
func ReadCSV(r io.Reader) (iter.Seq2[Row, error], error) {
	text, err := withoutBOM(r)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(text)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errorf("the input is empty: a CSV input starts with a header line")
	}
	if err != nil {
		return nil, errorf("reading the CSV header: %w", err)
	}
	layout, err := readHeader(header)
	if err != nil {
		return nil, err
	}
	cr.FieldsPerRecord = len(header)
	return func(yield func(Row, error) bool) {
		for n := 1; ; n++ {
			record, err := cr.Read()
			if err == io.EOF {
				return
			}
			var parseErr *csv.ParseError
			if errors.As(err, &parseErr) {
				problem := parseErr.Err.Error()
				switch {
				case errors.Is(err, csv.ErrFieldCount):
					problem = fmt.Sprintf("has %s; the header has %d", plural(len(record), "field"), len(layout.header))
				case errors.Is(err, csv.ErrQuote) || errors.Is(err, csv.ErrBareQuote):
					problem = `has a " out of place: a field with a " in it is written in quotes, with its quotes doubled ("5"" screen")`
					if parseErr.StartLine < parseErr.Line {
						// The rows on those lines are not rows of their own: say so, or they vanish.
						problem += fmt.Sprintf("; a quoted field is not closed, so lines %d to %d of the file are read as this one row", parseErr.StartLine, parseErr.Line)
					}
				}
				if !yield(Row{Number: n, Problems: []Problem{{Field: "line", Problem: problem}}}, nil) {
					return
				}
				continue
			}
			if err != nil {
				yield(Row{}, err)
				return
			}
			if !yield(layout.row(n, record), nil) {
				return
			}
		}
	}, nil
}

func readHeader(header []string) (*csvLayout, error) {
	l := &csvLayout{header: make([]string, len(header)), kinds: make([]csvColumn, len(header)), names: make([]string, len(header)), address: -1}
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if seen[h] {
			return nil, errorf("CSV header: column %q is repeated", h)
		}
		seen[h] = true
		l.header[i] = h
		switch {
		case h == "userId" || h == "externalId" || h == "cardnumber" || h == "mobile" || h == "email":
			l.kinds[i] = colChannel
		case h == "firstName":
			l.kinds[i] = colFirstName
		case h == "lastName":
			l.kinds[i] = colLastName
		case h == "loyaltyType":
			l.kinds[i] = colLoyaltyType
		case h == "source":
			l.kinds[i] = colSource
		case h == "accountId":
			l.kinds[i] = colAccountID
		case strings.HasPrefix(h, "fields.") && len(h) > len("fields."):
			l.kinds[i], l.names[i] = colField, strings.TrimPrefix(h, "fields.")
		case strings.HasPrefix(h, "extendedFields.") && len(h) > len("extendedFields."):
			l.kinds[i], l.names[i] = colExtendedField, strings.TrimPrefix(h, "extendedFields.")
		default:
			return nil, errorf("CSV header: unknown column %q (known: userId, externalId, cardnumber, mobile, email, firstName, lastName, loyaltyType, source, accountId, fields.<name>, extendedFields.<name>)", h)
		}
	}
	for _, name := range addressColumns {
		for i, h := range l.header {
			if h == name && l.address < 0 {
				l.address, l.kinds[i] = i, colAddress
				l.idType = capillary.IdentifierType(name)
			}
		}
	}
	if l.address < 0 {
		return nil, errorf("CSV header: no address column: give one of userId, externalId, cardnumber, mobile, email")
	}
	// Headers that would make every row invalid are refused here, once, rather than per row.
	if seen["userId"] && seen["externalId"] {
		return nil, errorf("CSV header: columns userId and externalId both address the customer, and an update cannot set an external id: keep one of them")
	}
	if seen["cardnumber"] && l.header[l.address] != "cardnumber" {
		return nil, errorf("CSV header: columns %s and cardnumber both address the customer, and an update cannot set a card number: keep one of them", l.header[l.address])
	}
	if !slices.ContainsFunc(l.kinds, updates) {
		return nil, errorf("CSV header: no column to update: %s only address the customer; add firstName, lastName, email, mobile, loyaltyType, fields.<name> or extendedFields.<name>", strings.Join(l.header, ", "))
	}
	if l.header[l.address] == "userId" {
		// userId is not an identifier, and can only be the address.
		l.idType = ""
	}
	return l, nil
}

// updates reports whether a column of the kind sets something in the update's body.
func updates(kind csvColumn) bool {
	return kind != colAddress && kind != colSource && kind != colAccountID
}

// row builds the row of one record. Only what the record sets is allocated.
func (l *csvLayout) row(n int, record []string) Row {
	row := Row{Number: n}
	body := &capillary.UpdateCustomerRequest{}
	var profile *capillary.Profile
	prof := func() *capillary.Profile {
		if profile == nil {
			body.Profiles = []capillary.Profile{{}}
			profile = &body.Profiles[0]
		}
		return profile
	}
	for i, v := range record {
		if v == "" {
			continue
		}
		if !utf8.ValidString(v) {
			// The SDK would find it when encoding the body; found here, it is named by column.
			row.Problems = append(row.Problems, Problem{Field: l.header[i], Problem: "is not valid UTF-8"})
			continue
		}
		switch l.kinds[i] {
		case colAddress:
			if l.idType == "" {
				row.UserID = v
			} else {
				row.Identifier = capillary.Identifier{Type: l.idType, Value: v}
			}
		case colFirstName:
			name := v // record's slots are reused by the next row
			prof().FirstName = &name
		case colLastName:
			name := v
			prof().LastName = &name
		case colChannel:
			p := prof()
			p.CommChannels = append(p.CommChannels, capillary.CommChannel{Type: capillary.ChannelType(l.header[i]), Value: v})
		case colLoyaltyType:
			body.LoyaltyInfo = &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyType(v)}
		case colSource:
			row.Source = capillary.Source(v)
		case colAccountID:
			row.AccountID = v
		case colField:
			p := prof()
			if p.Fields == nil {
				p.Fields = map[string]any{}
			}
			p.Fields[l.names[i]] = v
		case colExtendedField:
			if body.ExtendedFields == nil {
				body.ExtendedFields = map[string]any{}
			}
			body.ExtendedFields[l.names[i]] = v
		}
	}
	if record[l.address] == "" {
		row.Problems = append(row.Problems, Problem{Field: l.header[l.address], Problem: "is empty: the row has no address"})
	}
	row.Body = body
	row.checkMobiles(l.header[l.address])
	return row
}
