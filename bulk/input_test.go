package bulk

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
)

func collect(t *testing.T, rows func(func(Row, error) bool)) []Row {
	t.Helper()
	var out []Row
	for row, err := range rows {
		require.NoError(t, err)
		out = append(out, row)
	}
	return out
}

func bodyJSON(t *testing.T, b *capillary.UpdateCustomerRequest) string {
	t.Helper()
	data, err := json.Marshal(b)
	require.NoError(t, err)
	return string(data)
}

func TestReadCSV(t *testing.T) {
	t.Parallel()
	in := "\uFEFFuserId,firstName,lastName,email,mobile,loyaltyType,fields.city,extendedFields.dob\n" +
		"101,Tom,Sawyer,tom@example.com,919999000001,loyalty,Bangalore,2000-01-01\n" +
		"102,Huck,,,,,,\n" +
		",Nobody,,,,,,\n" +
		"104,\"Multi\nLine\",,,,,,\n" +
		"105,too,few\n"
	rows, err := ReadCSV(strings.NewReader(in))
	require.NoError(t, err)
	got := collect(t, rows)
	require.Len(t, got, 5)

	assert.Equal(t, 1, got[0].Number)
	assert.Equal(t, "101", got[0].UserID)
	assert.Empty(t, got[0].Problems)
	assert.JSONEq(t, `{"profiles":[{"firstName":"Tom","lastName":"Sawyer","fields":{"city":"Bangalore"},
		"commChannels":[{"type":"email","value":"tom@example.com"},{"type":"mobile","value":"919999000001"}]}],
		"loyaltyInfo":{"loyaltyType":"loyalty"},"extendedFields":{"dob":"2000-01-01"}}`, bodyJSON(t, got[0].Body))

	assert.JSONEq(t, `{"profiles":[{"firstName":"Huck"}]}`, bodyJSON(t, got[1].Body), "empty cells set nothing")
	assert.Equal(t, []Problem{{Field: "userId", Problem: "is empty: the row has no address"}}, got[2].Problems)
	assert.Equal(t, "Multi\nLine", *got[3].Body.Profiles[0].FirstName)
	assert.Equal(t, 5, got[4].Number)
	bad, err := ReadCSV(strings.NewReader("userId,firstName\n1,Ann\xff\n"))
	require.NoError(t, err)
	assert.Equal(t, []Problem{{Field: "firstName", Problem: "is not valid UTF-8"}}, collect(t, bad)[0].Problems)
	assert.Equal(t, []Problem{{Field: "line", Problem: "has 3 fields; the header has 8"}}, got[4].Problems)
}

func TestReadCSVAddressColumns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header, record string
		userID         string
		id             capillary.Identifier
		body           string
	}{
		{"mobile,email,firstName", "9199,a@b.c,Al", "", capillary.Identifier{Type: capillary.IdentifierMobile, Value: "9199"},
			`{"profiles":[{"firstName":"Al","commChannels":[{"type":"email","value":"a@b.c"}]}]}`},
		{"email,firstName", "a@b.c,Al", "", capillary.Identifier{Type: capillary.IdentifierEmail, Value: "a@b.c"}, `{"profiles":[{"firstName":"Al"}]}`},
		{"mobile,externalId,lastName", "9199,X1,Li", "", capillary.Identifier{Type: capillary.IdentifierExternalID, Value: "X1"},
			`{"profiles":[{"lastName":"Li","commChannels":[{"type":"mobile","value":"9199"}]}]}`},
		{"source,accountId,userId,fields.x", "WECHAT,wx-1,7,y", "7", capillary.Identifier{}, `{"profiles":[{"fields":{"x":"y"}}]}`},
		{"mobile,cardnumber,lastName", "9199,C-1,Li", "", capillary.Identifier{Type: capillary.IdentifierCardNumber, Value: "C-1"},
			`{"profiles":[{"lastName":"Li","commChannels":[{"type":"mobile","value":"9199"}]}]}`},
	}
	for _, tt := range tests {
		rows, err := ReadCSV(strings.NewReader(tt.header + "\n" + tt.record + "\n"))
		require.NoError(t, err)
		got := collect(t, rows)
		require.Len(t, got, 1)
		assert.Equal(t, tt.userID, got[0].UserID, tt.header)
		assert.Equal(t, tt.id, got[0].Identifier, tt.header)
		assert.JSONEq(t, tt.body, bodyJSON(t, got[0].Body), tt.header)
	}
	rows, err := ReadCSV(strings.NewReader("source,accountId,userId,firstName\nWECHAT,wx-1,7,Al\n"))
	require.NoError(t, err)
	got := collect(t, rows)
	assert.Equal(t, capillary.SourceWeChat, got[0].Source)
	assert.Equal(t, "wx-1", got[0].AccountID)
}

func TestReadCSVHeaderErrors(t *testing.T) {
	t.Parallel()
	for header, want := range map[string]string{
		"":                                    "the input is empty",
		"firstName,lastName\n":                "no address column",
		"userId,nickname\n":                   `unknown column "nickname"`,
		"userId,userId\n":                     `column "userId" is repeated`,
		"userId,fields.\n":                    `unknown column "fields."`,
		"userId,\"broken\n":                   "reading the CSV header",
		"userId,externalId,firstName\n":       "columns userId and externalId both address the customer",
		"cardnumber,externalId,firstName\n":   "columns externalId and cardnumber both address the customer",
		"mobile,cardnumber,userId,lastName\n": "columns userId and cardnumber both address the customer",
		"userId,source,accountId\n":           "no column to update: userId, source, accountId only address the customer",
	} {
		_, err := ReadCSV(strings.NewReader(header))
		assert.ErrorContains(t, err, want, "header %q", header)
	}
}

func TestReadJSONL(t *testing.T) {
	t.Parallel()
	in := `{"userId":"101","body":{"profiles":[{"firstName":"Tom","fields":{"n":12345678901234567890}}]}}
{"userId":102,"source":"WECHAT","accountId":"wx-1","body":{"loyaltyInfo":{"loyaltyType":"loyalty"}}}

{"identifier":{"type":"mobile","value":"9199"},"body":{"extendedFields":{"a":1}}}
{"userId":"104","body":{"profiles":[{"firstName":"X","identifiers":[{"type":"email","value":"e"}]}],"loyaltyInfo":{"loyaltyType":"loyalty"}}}
{"userId":"105","identifier":{"type":"mobile","value":"1"},"body":{}}
{"body":{}}
{"userId":"107","extra":1,"body":{}}
not json
{"userId":"109"}
{"identifier":{"type":"mobile"},"body":{"profiles":[]}}`
	got := collect(t, ReadJSONL(strings.NewReader(in)))
	require.Len(t, got, 10)
	assert.Equal(t, []int{1, 2, 4, 5, 6, 7, 8, 9, 10, 11}, []int{got[0].Number, got[1].Number, got[2].Number, got[3].Number, got[4].Number, got[5].Number, got[6].Number, got[7].Number, got[8].Number, got[9].Number})

	assert.Empty(t, got[0].Problems)
	assert.JSONEq(t, `{"profiles":[{"firstName":"Tom","fields":{"n":12345678901234567890}}]}`, bodyJSON(t, got[0].Body), "numbers keep every digit")
	assert.Equal(t, "102", got[1].UserID)
	assert.Equal(t, capillary.SourceWeChat, got[1].Source)
	assert.Equal(t, "wx-1", got[1].AccountID)
	assert.Equal(t, capillary.Identifier{Type: capillary.IdentifierMobile, Value: "9199"}, got[2].Identifier)
	assert.Empty(t, got[2].Problems)

	assert.Empty(t, got[3].Problems)
	assert.JSONEq(t, `{"profiles":[{"firstName":"X","identifiers":[{"type":"email","value":"e"}]}],"loyaltyInfo":{"loyaltyType":"loyalty"}}`,
		bodyJSON(t, got[3].Body))
	assert.Equal(t, []Problem{{Field: "userId", Problem: "and identifier are both given: give one"}}, got[4].Problems)
	assert.Equal(t, []Problem{{Field: "userId", Problem: "or identifier is required"}}, got[5].Problems)
	require.Len(t, got[6].Problems, 1)
	assert.Equal(t, `has the key "extra": a row takes userId or identifier, source, accountId and body`, got[6].Problems[0].Problem)
	require.Len(t, got[7].Problems, 1)
	assert.Equal(t, "line", got[7].Problems[0].Field)
	assert.Equal(t, []Problem{{Field: "body", Problem: "is required"}}, got[8].Problems)
	assert.Equal(t, []Problem{{Field: "identifier", Problem: `needs a "type" and a "value"`}}, got[9].Problems)
}

func TestReadJSONLRefusesInvalidUTF8(t *testing.T) {
	t.Parallel()
	got := collect(t, ReadJSONL(strings.NewReader(`{"userId":"1","body":{"profiles":[{"firstName":"Ann`+"\xff"+`"}]}}`)))
	assert.Equal(t, []Problem{{Field: "line", Problem: "is not valid UTF-8"}}, got[0].Problems)
}

func TestReadJSONLReportsIOErrors(t *testing.T) {
	t.Parallel()
	var failed error
	for _, err := range ReadJSONL(iotest.ErrReader(iotest.ErrTimeout)) {
		failed = err
	}
	assert.ErrorIs(t, failed, iotest.ErrTimeout)
}

// Files as Windows tools and hurried hands write them.
func TestReadJSONLAsPeopleWriteIt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, line string
		want       []Problem // nil: the row is valid
	}{
		{"a byte order mark", "\uFEFF" + `{"userId":"101","body":{"profiles":[{"firstName":"A"}]}}`, nil},
		{"two objects", `{"userId":"101","body":{"fields":{"a":"1"}}}{"userId":"102","body":{"fields":{"a":"2"}}}`,
			[]Problem{{"line", "has more after its object: give one object per line"}}},
		{"text after the object", `{"userId":"101","body":{"fields":{"a":"1"}}} x`,
			[]Problem{{"line", "has more after its object: give one object per line"}}},
		{"white space after the object", `{"userId":"101","body":{"fields":{"a":"1"}}}  ` + "\r", nil},
		{"a misspelt field", `{"userId":"101","body":{"profiles":[{"fistName":"B"}]}}`,
			[]Problem{{"profiles[0].fistName", "is not a field of the update (it takes firstName, lastName, fields, identifiers, commChannels, source, accountId)"}}},
		{"profile for profiles", `{"userId":"101","body":{"profile":[{"firstName":"C"}]}}`,
			[]Problem{{"profile", "is not a field of the update (it takes profiles, loyaltyInfo, extendedFields, fields, loyaltyProgramEnrollments)"}}},
		{"unknown fields deeper", `{"userId":"101","body":{"profiles":[{"commChannels":[{"type":"email","value":"a@b.c","subscribe":"true"}],` +
			`"identifiers":[{"type":"email","value":"a@b.c","primary":true}]}],"loyaltyInfo":{"loyaltyType":"loyalty","tier":1},` +
			`"loyaltyProgramEnrollments":[{"programId":1,"points":5}]}}`,
			[]Problem{
				{"profiles[0].commChannels[0].subscribe", "is not a field of the update (it takes type, value, primary, verified, subscribed, lastViewedDate, meta, attributes)"},
				{"profiles[0].identifiers[0].primary", "is not a field of the update (it takes type, value, seriesId, statusLabel)"},
				{"loyaltyInfo.tier", "is not a field of the update (it takes loyaltyType)"},
				{"loyaltyProgramEnrollments[0].points", "is not a field of the update (it takes programId, tierNumber, loyaltyPoints, tierExpiryDate, pointsExpiryDate)"},
			}},
		{"a mobile channel with spaces", `{"userId":"101","body":{"profiles":[{"commChannels":[{"type":"mobile","value":"+91 99999 00001"}]}]}}`,
			[]Problem{{"profiles[0].commChannels[0].value", `"+91 99999 00001" is not a mobile number: the vendor takes digits only, with the country code (919999900001)`}}},
		{"a mobile identifier with letters", `{"userId":"101","body":{"profiles":[{"identifiers":[{"type":"mobile","value":"9199x"}]}]}}`,
			[]Problem{{"profiles[0].identifiers[0].value", `"9199x" is not a mobile number: the vendor takes digits only, with the country code`}}},
		{"a mobile address", `{"identifier":{"type":"mobile","value":"91-9999-000001"},"body":{"fields":{"a":"1"}}}`,
			[]Problem{{"identifier.value", `"91-9999-000001" is not a mobile number: the vendor takes digits only, with the country code (919999000001)`}}},
		{"not JSON", `not json`, []Problem{{"line", "is not JSON: invalid character 'o' in literal null (expecting 'u'), at character 2"}}},
		{"cut short", `{"userId":"101","body":{"fields":{"a":"1"}}`, []Problem{{"line", "is cut short: an object or a string is not closed"}}},
		{"an array", `[1,2]`, []Problem{{"line", "is a JSON array: it should be a row object"}}},
		{"a body that is an array", `{"userId":"101","body":[]}`, []Problem{{"body", "is a JSON array: it should be the vendor's update body"}}},
		{"a name that is a number", `{"userId":"101","body":{"profiles":[{"firstName":7}]}}`, []Problem{{"body", "profiles.firstName is a JSON number, which it cannot be"}}},
		{"digits are a mobile", `{"identifier":{"type":"mobile","value":"919999000001"},"body":{"profiles":[{"commChannels":[{"type":"mobile","value":"919999000001"}]}]}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := collect(t, ReadJSONL(strings.NewReader(tt.line+"\n")))
			require.Len(t, got, 1)
			assert.Equal(t, tt.want, got[0].Problems)
		})
	}
}

func TestReadCSVAsPeopleWriteIt(t *testing.T) {
	t.Parallel()
	// PowerShell's Export-Csv: a byte order mark, every header and value quoted, CRLF.
	rows, err := ReadCSV(strings.NewReader("\uFEFF\"userId\",\"firstName\"\r\n\"101\",\"Ann\"\r\n"))
	require.NoError(t, err)
	got := collect(t, rows)
	require.Len(t, got, 1)
	assert.Equal(t, "101", got[0].UserID)
	assert.Empty(t, got[0].Problems)
	assert.JSONEq(t, `{"profiles":[{"firstName":"Ann"}]}`, bodyJSON(t, got[0].Body))

	rows, err = ReadCSV(strings.NewReader("mobile,email,firstName\n+91 99999 00001,a@b.c,Al\n919999000002,,Bo\n"))
	require.NoError(t, err)
	got = collect(t, rows)
	assert.Equal(t, []Problem{{"mobile", `"+91 99999 00001" is not a mobile number: the vendor takes digits only, with the country code (919999900001)`}}, got[0].Problems)
	assert.Empty(t, got[1].Problems)

	rows, err = ReadCSV(strings.NewReader("userId,mobile\n101,9199 1\n102,1\n103,1,2\n"))
	require.NoError(t, err)
	got = collect(t, rows)
	assert.Equal(t, []Problem{{"profiles[0].commChannels[0].value", `"9199 1" is not a mobile number: the vendor takes digits only, with the country code (91991)`}}, got[0].Problems)
	assert.Empty(t, got[1].Problems)
	assert.Equal(t, []Problem{{"line", "has 3 fields; the header has 2"}}, got[2].Problems)
	rows, err = ReadCSV(strings.NewReader("userId,mobile\n101\n"))
	require.NoError(t, err)
	assert.Equal(t, []Problem{{"line", "has 1 field; the header has 2"}}, collect(t, rows)[0].Problems)

	// A quote out of place is said in the author's words; a quoted field left open takes the
	// lines after it into its row, and the problem says which lines.
	rows, err = ReadCSV(strings.NewReader("userId,firstName\n101,O\"Brien\n102,\"Bo\n103,Cy\n104,\"Di\"x\n105,Ed\n"))
	require.NoError(t, err)
	got = collect(t, rows)
	require.Len(t, got, 3)
	const quote = `has a " out of place: a field with a " in it is written in quotes, with its quotes doubled ("5"" screen")`
	assert.Equal(t, []Problem{{"line", quote}}, got[0].Problems)
	assert.Equal(t, []Problem{{"line", quote + "; a quoted field is not closed, so lines 3 to 5 of the file are read as this one row"}}, got[1].Problems)
	assert.Equal(t, "105", got[2].UserID)
}

// A line refused as a whole keeps the address it gave, and a row without one gets a result
// without an empty identifier.
func TestReadJSONLKeepsTheAddressOfARefusedLine(t *testing.T) {
	t.Parallel()
	got := collect(t, ReadJSONL(strings.NewReader(`{"userId":"101","body":{"fields":{"a":"1"}}} x`+"\nnot json\n"+
		`{"userId":"103","body":{"fields":{"a":"1"}},"extra":1}`+"\n"+
		`{"identifier":{"type":"mobile","value":"919999000004"},"body":{}} {}`+"\n")))
	require.Len(t, got, 4)
	assert.Equal(t, "101", got[0].UserID)
	assert.Equal(t, &Result{Row: 1, UserID: "101", Fingerprint: Fingerprint(&got[0])}, resultOf(&got[0]))
	assert.Equal(t, &Result{Row: 2, Fingerprint: Fingerprint(&got[1])}, resultOf(&got[1]))
	assert.Equal(t, "103", got[2].UserID, "a line with a key a row does not take keeps its address")
	assert.NotEmpty(t, got[2].Problems)
	assert.Equal(t, capillary.Identifier{Type: capillary.IdentifierMobile, Value: "919999000004"}, got[3].Identifier, "and so does one addressed by identifier")
	assert.NotEmpty(t, got[3].Problems)
}

// A UTF-16 file (PowerShell's > and Out-File) is refused as a whole, saying how to save it.
func TestReadUTF16IsRefused(t *testing.T) {
	t.Parallel()
	utf16 := "\xff\xfeu\x00s\x00e\x00r\x00I\x00d\x00\n\x00"
	_, err := ReadCSV(strings.NewReader(utf16))
	assert.EqualError(t, err, "bulk: the input is UTF-16 text: save it as UTF-8 (in PowerShell, Out-File -Encoding utf8)")
	var failed error
	for _, err := range ReadJSONL(strings.NewReader("\xfe\xff\x00{")) {
		failed = err
	}
	assert.EqualError(t, failed, "bulk: the input is UTF-16 text: save it as UTF-8 (in PowerShell, Out-File -Encoding utf8)")
}

// Whatever a line holds, reading it never panics, rows come in order, and a row without
// problems has a body to send.
func FuzzReadJSONL(f *testing.F) {
	for _, seed := range []string{
		"\uFEFF" + `{"userId":"101","body":{"profiles":[{"firstName":"A","commChannels":[{"type":"mobile","value":"+91 1"}]}]}}`,
		`{"userId":"101","body":{"profile":[{}]}} {}` + "\n\n" + `{"identifier":{"type":"mobile","value":"9x"},"body":{"loyaltyProgramEnrollments":[{"programId":1,"x":2}]}}`,
		"\xff\xfe{\x00",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		last := 0
		for row, err := range ReadJSONL(strings.NewReader(in)) {
			if err != nil {
				return // UTF-16 input
			}
			require.Greater(t, row.Number, last)
			last = row.Number
			if len(row.Problems) == 0 {
				require.NotNil(t, row.Body)
			}
		}
	})
}
