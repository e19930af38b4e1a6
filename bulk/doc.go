// Package bulk updates many customers: rows from an iterator, sent by N workers under a
// client-side rate limit that slows down when the vendor answers 429, with one outcome per row
// (applied, refused, invalid or uncertain) and a journal that lets an interrupted run resume
// without sending a row twice.
//
// A Runner takes rows from an iter.Seq2 and holds only the rows in progress, so its memory does
// not grow with the number of rows. Rows address a customer by user id (Customers.Update) or by
// mobile, email, external id or card number (UpdateByIdentifier). When an answer is lost (a dropped
// connection, a 502 or 504), the Runner reads the customer back and compares what it holds
// with what the row asked for: the row is applied when every value is there, sent again when
// one is not, and reported uncertain, with the reason, when the read cannot tell.
//
// ReadJSONL and ReadCSV read the input formats of the capillary command; a Journal (see
// OpenJournal) writes the results as JSON lines, synced as rows finish, and tells a resumed run
// which rows are final and which were in flight.
package bulk
