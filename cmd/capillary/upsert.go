package main

const upsertHelp = `Usage: capillary customers upsert --input FILE --source SOURCE [flags]

Makes each row's customer look like the row, creating it when the vendor does not know it: the
update's input, flags, results file, resume and rate limit, with each row sent as the SDK's
Upsert instead of an update. The summary goes to stdout; errors, and progress on a terminal,
to stderr.

Each row, in the order of the input (rows of one customer one after the other):
  1. looks the customer up on --source by the row's identifier (and the body's identifiers);
  2. found: updates it by id with the row's body, and the row's "action" is "updated";
  3. not found: creates it (POST /v2/customers) with the row's identifier in its profile, and
     the row's "action" is "created";
  4. created by someone else in between (the vendor's 8006, "customer already exists"): updates
     that customer, "updated";
  5. identifiers that name two different customers: refused, nothing written.
A row whose answer was lost, or that an earlier run left in flight (--resume), is sent again:
an upsert looks its customer up first, so it never creates a customer twice. Running the same
file twice creates nothing the second time: every row is "updated".

Input (--input FILE, or - for stdin with --format): as for customers update (run
"capillary customers update --help"), with each row addressed by an identifier, never a user id:
  .csv    a mobile, email or externalId column (the first present is the row's identifier),
          and the update's columns (firstName, lastName, fields.<name>, ...):
            mobile,firstName,extendedFields.city
            919999000001,Huck,Hannibal
  .jsonl  {"identifier":{"type":"mobile","value":"919999000001"},"body":{"profiles":[{"firstName":"Huck"}]}}
The vendor's lookup takes INSTORE, MARTJACK and WECHAT only: another --source is refused
before anything is read (exit 2). A row addressed by userId is invalid, and so is one naming
another source, or WECHAT or MARTJACK without an account id.

Results (--results, default: the input's name with .results.jsonl): the update's lines, and on
each applied row "action": "created" or "updated" and "createdId", the customer's id. The
summary counts the rows created and updated.

What happens on each of the vendor's answers:
  the look-up finds nobody (8015)    the customer is created
  8006 on the create                 the existing customer (its id is in the message) is updated
  8050 on the create                 applied: the identifier was known on another source, and
                                     the vendor added this source's profile to that customer
  a createdId under HTTP 500         applied: the vendor files its 8050 combine so
  8005, 8020, 8026, 8013             refused: no valid identifier, an external id the org does
                                     not accept, a customer deleted for PII, a bad identifier
  429, 502, 503, 504, 521            sent again, as the update's rows are
  a lost answer                      sent again (never read back): the look-up settles it

Examples:
  # Check a file offline.
  capillary customers upsert --input shop.csv --source INSTORE --dry-run

  # Upsert at most 100 a minute (the vendor's default limit of its add on Asia-2 and EMEA).
  export CAPILLARY_REGION=eu CAPILLARY_TILL=my.till CAPILLARY_PASSWORD=...
  capillary customers upsert --input shop.csv --source INSTORE --rate 100/min

  # Interrupted: go on where it stopped.
  capillary customers upsert --input shop.csv --source INSTORE --rate 100/min --resume

Exit status:
  0  every row was applied (created or updated)
  1  the run ended with rows not applied (see the results), or was interrupted (--resume goes
     on); a dry run found bad rows
  2  nothing was sent, or the run stopped: a mistake in the command line, the environment or
     the input's header, a results file that is locked or cannot be read, credentials the
     vendor refuses. The reason is on stderr.
`
