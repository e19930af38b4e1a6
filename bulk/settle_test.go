package bulk

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/capillary-go/capillary"
)

func TestCompare(t *testing.T) {
	t.Parallel()
	held := &capillary.UpdateCustomerRequest{
		Profiles: []capillary.Profile{{
			FirstName:    capillary.Ptr("Tom"),
			LastName:     capillary.Ptr("Sawyer"),
			Fields:       map[string]any{"city": "Bangalore", "age": json.Number("12")},
			Identifiers:  []capillary.Identifier{{Type: capillary.IdentifierEmail, Value: "tom@example.com"}},
			CommChannels: []capillary.CommChannel{{Type: capillary.ChannelEmail, Value: "tom@example.com", Primary: capillary.Ptr(true), Verified: capillary.Ptr(false)}},
		}},
		LoyaltyInfo:               &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty},
		ExtendedFields:            map[string]any{"dob": "2000-01-01", "kids": int64(2)},
		LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: 7, TierNumber: capillary.Ptr(2)}},
	}
	profile := func(p capillary.Profile) *capillary.UpdateCustomerRequest {
		return &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{p}}
	}
	tests := []struct {
		name    string
		want    *capillary.UpdateCustomerRequest
		got     *capillary.UpdateCustomerRequest
		verdict verdict
		detail  string
	}{
		{"names", profile(capillary.Profile{FirstName: capillary.Ptr("Tom")}), held, holds, ""},
		{"other name", profile(capillary.Profile{FirstName: capillary.Ptr("Huck")}), held, lacks, `profiles[0].firstName is "Tom", not "Huck"`},
		{"field as text matches a number", profile(capillary.Profile{Fields: map[string]any{"age": "12"}}), held, holds, ""},
		{"field missing", profile(capillary.Profile{Fields: map[string]any{"pet": "cat"}}), held, lacks, "profiles[0].fields.pet is not set, not cat"},
		{"zip with its leading zero is not the number", profile(capillary.Profile{Fields: map[string]any{"zip": "01234"}}), profile(capillary.Profile{Fields: map[string]any{"zip": json.Number("1234")}}), lacks, "profiles[0].fields.zip is 1234, not 01234"},
		{"19 digits are not their neighbour", &capillary.UpdateCustomerRequest{ExtendedFields: map[string]any{"card": json.Number("1234567890123456789")}}, &capillary.UpdateCustomerRequest{ExtendedFields: map[string]any{"card": json.Number("1234567890123456788")}}, lacks, "extendedFields.card is 1234567890123456788, not 1234567890123456789"},
		{"a number read back as a string, as the vendor does", profile(capillary.Profile{Fields: map[string]any{"kids": json.Number("2")}}), profile(capillary.Profile{Fields: map[string]any{"kids": "2"}}), holds, ""},
		{"a field removed", profile(capillary.Profile{Fields: map[string]any{"pet": nil}}), held, holds, ""},
		{"a field not removed", profile(capillary.Profile{Fields: map[string]any{"city": nil}}), held, lacks, "profiles[0].fields.city is Bangalore, not removed"},
		{"top-level fields are the profile's", &capillary.UpdateCustomerRequest{Fields: map[string]any{"city": "Bangalore"}}, held, holds, ""},
		{"top-level field differs", &capillary.UpdateCustomerRequest{Fields: map[string]any{"city": "Pune"}}, held, lacks, "fields.city is Bangalore, not Pune"},
		{"identifier", profile(capillary.Profile{Identifiers: []capillary.Identifier{{Type: capillary.IdentifierEmail, Value: "tom@example.com"}}}), held, holds, ""},
		{"identifier missing", profile(capillary.Profile{Identifiers: []capillary.Identifier{{Type: capillary.IdentifierExternalID, Value: "X1"}}}), held, lacks, `profiles[0].identifiers[0]: the customer has no externalId "X1"`},
		{"channel flag", profile(capillary.Profile{CommChannels: []capillary.CommChannel{{Type: capillary.ChannelEmail, Value: "tom@example.com", Primary: capillary.Ptr(true)}}}), held, holds, ""},
		{"channel flag differs", profile(capillary.Profile{CommChannels: []capillary.CommChannel{{Type: capillary.ChannelEmail, Value: "tom@example.com", Verified: capillary.Ptr(true)}}}), held, lacks, "profiles[0].commChannels[0].verified is false, not true"},
		{"unsubscribe the read does not show", profile(capillary.Profile{CommChannels: []capillary.CommChannel{{Type: capillary.ChannelEmail, Value: "tom@example.com", Subscribed: capillary.Ptr(false)}}}), held, cannotTell, "profiles[0].commChannels[0].subscribed: the read-back does not show it"},
		{"a body field the SDK does not model", &capillary.UpdateCustomerRequest{Unknown: capillary.Unknown{"associatedWith": json.RawMessage(`"t1"`)}}, held, cannotTell, "the read-back cannot show associatedWith, which the row sends"},
		{"channel", profile(capillary.Profile{CommChannels: []capillary.CommChannel{{Type: capillary.ChannelEmail, Value: "tom@example.com"}}}), held, holds, ""},
		{"channel missing", profile(capillary.Profile{CommChannels: []capillary.CommChannel{{Type: capillary.ChannelMobile, Value: "9199"}}}), held, lacks, `profiles[0].commChannels[0]: the customer has no mobile "9199"`},
		{"loyalty", &capillary.UpdateCustomerRequest{LoyaltyInfo: &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty}}, held, holds, ""},
		{"loyalty differs", &capillary.UpdateCustomerRequest{LoyaltyInfo: &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeNonLoyalty}}, held, lacks, `loyaltyInfo.loyaltyType is "loyalty", not "non_loyalty"`},
		{"extended number", &capillary.UpdateCustomerRequest{ExtendedFields: map[string]any{"kids": json.Number("2")}}, held, holds, ""},
		{"extended differs", &capillary.UpdateCustomerRequest{ExtendedFields: map[string]any{"dob": "1999-01-01"}}, held, lacks, "extendedFields.dob is 2000-01-01, not 1999-01-01"},
		{"enrolled", &capillary.UpdateCustomerRequest{LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: 7, LoyaltyPoints: capillary.Ptr(json.Number("100"))}}}, held, holds, ""},
		{"other tier", &capillary.UpdateCustomerRequest{LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: 7, TierNumber: capillary.Ptr(3)}}}, held, lacks, "loyaltyProgramEnrollments[0]: the customer is at tier 2 of program 7, not 3"},
		{"tier the read does not show", &capillary.UpdateCustomerRequest{LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: 7, TierNumber: capillary.Ptr(3)}}}, &capillary.UpdateCustomerRequest{LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: 7}}}, cannotTell, "loyaltyProgramEnrollments[0]: the read-back does not show the tier of program 7"},
		{"expiry the read does not show", &capillary.UpdateCustomerRequest{LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: 7, TierExpiryDate: &capillary.DateTime{}}}}, held, cannotTell, "loyaltyProgramEnrollments[0]: the read-back cannot show its tierExpiryDate, pointsExpiryDate or other fields, which the row sends"},
		{"not enrolled", &capillary.UpdateCustomerRequest{LoyaltyProgramEnrollments: []capillary.LoyaltyProgramEnrollment{{ProgramID: 8}}}, held, lacks, "loyaltyProgramEnrollments[0]: the customer is not enrolled in program 8"},
		{"no profile read", profile(capillary.Profile{FirstName: capillary.Ptr("Tom")}), &capillary.UpdateCustomerRequest{}, cannotTell, "the read-back has no profile to compare the names, fields and channels with"},
		{"no loyalty read", &capillary.UpdateCustomerRequest{LoyaltyInfo: &capillary.LoyaltyInfo{LoyaltyType: capillary.LoyaltyTypeLoyalty}}, &capillary.UpdateCustomerRequest{}, cannotTell, "the read-back has no loyalty type"},
		{"nothing read", profile(capillary.Profile{}), nil, cannotTell, "the read-back returned no customer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, detail := compare(tt.want, tt.got)
			assert.Equal(t, tt.verdict, v)
			assert.Equal(t, tt.detail, detail)
		})
	}
}

// A read-back is compared with the profile of the source the row updated: another source's
// profile that happens to hold the row's name proves nothing. The same source under another
// account id (the vendor's read sample shows one) is that profile.
func TestHeldIsTheUpdatedSourcesProfile(t *testing.T) {
	t.Parallel()
	c := &capillary.Customer{ID: "1", Profiles: []capillary.CustomerProfile{{Profile: capillary.Profile{Source: capillary.SourceInstore, FirstName: capillary.Ptr("Tom")}}}}
	want := &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr("Tom")}}}
	v, _ := compare(want, held(c, &capillary.UpdateCustomerParams{Source: capillary.SourceMobileApp, AccountID: "app1"}))
	assert.Equal(t, cannotTell, v)

	c.Profiles[0].Source, c.Profiles[0].AccountID = capillary.SourceWeChat, "wechat-con1"
	v, _ = compare(want, held(c, &capillary.UpdateCustomerParams{Source: capillary.SourceWeChat, AccountID: "22232"}))
	assert.Equal(t, holds, v)
}
