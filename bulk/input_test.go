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
	rows, err := ReadCSV(strings.NewReader("source,accountId,userId\nWECHAT,wx-1,7\n"))
	require.NoError(t, err)
	got := collect(t, rows)
	assert.Equal(t, capillary.SourceWeChat, got[0].Source)
	assert.Equal(t, "wx-1", got[0].AccountID)
}

func TestReadCSVHeaderErrors(t *testing.T) {
	t.Parallel()
	for header, want := range map[string]string{
		"":                     "the input is empty",
		"firstName,lastName\n": "no address column",
		"userId,nickname\n":    `unknown column "nickname"`,
		"userId,userId\n":      `column "userId" is repeated`,
		"userId,fields.\n":     `unknown column "fields."`,
		"userId,\"broken\n":    "reading the CSV header",
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
{"userId":"104","body":{"profiles":[{"firstName":"X","identifiers":[{"type":"email","value":"e"}]}],"nonsense":true}}
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
	assert.JSONEq(t, `{"profiles":[{"firstName":"X","identifiers":[{"type":"email","value":"e"}]}],"nonsense":true}`,
		bodyJSON(t, got[3].Body), "fields the SDK does not model are kept and sent")
	assert.Equal(t, []Problem{{Field: "userId", Problem: "and identifier are both given: give one"}}, got[4].Problems)
	assert.Equal(t, []Problem{{Field: "userId", Problem: "or identifier is required"}}, got[5].Problems)
	require.Len(t, got[6].Problems, 1)
	assert.Contains(t, got[6].Problems[0].Problem, `unknown field "extra"`)
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
