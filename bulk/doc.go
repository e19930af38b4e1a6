// Package bulk updates many customers: rows from an iterator, sent by N workers under a
// client-side rate limit that slows down when the vendor answers 429, with one outcome per row
// (applied, refused, invalid or uncertain) and a journal that lets an interrupted run resume
// without sending a row twice.
//
// A Runner takes rows from an iter.Seq2 and holds only the rows in progress, so its memory does
// not grow with the number of rows. Rows address a customer by user id (Customers.Update) or by
// mobile, email, external id or card number (UpdateByIdentifier); the rows of one customer
// are sent one after the other, in the order of the input, so that the customer ends with its
// last row's values. Every attempt, retries and read-backs included, goes through the rate limit
// (a read-back by identifier on a source the lookup cannot read as it is, one it does not list or
// one but INSTORE without an account, is a lookup on INSTORE then a read by id, counted once); what is
// retried, and after how long, is the SDK's retry policy (capillary.Client.AdviseRetry). An
// answer that would fail every row (refused credentials, a TLS or host failure) stops the run
// with a *FatalError. When an answer is lost (the SDK says Uncertain), the Runner reads the
// customer back and compares what it holds with every value the row sends, as the text that
// was sent: the row is applied when every value is there, sent again when one is not, and
// reported uncertain, with the reason, when the read cannot tell.
//
// With SDKUpsert, each row is an upsert (Customers.Upsert): its customer, addressed by
// identifier, is updated when found and created when not, and the row's Result.Action says
// which (the Summary counts both). A lost answer is not read back: the row is sent again, as an
// upsert looks its customer up first and so never creates it twice.
//
// ReadJSONL and ReadCSV read the input formats of the capillary command; a Journal (see
// OpenJournal) writes the results as JSON lines, synced as rows finish, each with its row's
// Fingerprint; ReadHistory reads them back, and History.Resume tells a resumed run which rows
// to send, refusing an input that is not the one the results were written for.
package bulk
