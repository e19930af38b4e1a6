package capillary

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// The vendor's documentation and samples disagree on shapes: its tables call warnings and
// sideEffects "Object" where the samples send lists, and numbers and flags come as strings in
// places. A strict decode is tried first (it is the fast path, and right for every sample); when
// it fails, these read the body field by field, keep what makes sense and drop what does not,
// so that an applied update is not reported as a failure because of a shape, and a refusal's
// codes are still found.

// decodeLenient reads the update's answer field by field.
func (e *updateEnvelope) decodeLenient(body []byte) error {
	fields, err := objectFields(body)
	if err != nil {
		return err
	}
	e.reset()
	if raw, ok := fields["createdId"]; ok && json.Unmarshal(raw, &e.CreatedID) != nil {
		e.CreatedID = ID(strings.Trim(string(raw), `"`))
	}
	e.Errors = looseMessages(fields["errors"])
	e.Warnings = looseMessages(fields["warnings"])
	for _, raw := range looseList(fields["sideEffects"]) {
		e.SideEffects = append(e.SideEffects, looseSideEffect(raw))
	}
	return nil
}

// decodeLenient reads the token endpoint's answer field by field.
func (e *tokenEnvelope) decodeLenient(body []byte) error {
	fields, err := objectFields(body)
	if err != nil {
		return err
	}
	e.reset()
	e.Errors = looseMessages(fields["errors"])
	e.Warnings = looseMessages(fields["warnings"])
	if data, err := objectFields(fields["data"]); err == nil {
		e.Data = &tokenData{TTLSeconds: int64(looseNumber(data["ttlSeconds"]))}
		_ = json.Unmarshal(data["accessToken"], &e.Data.AccessToken)
	}
	return nil
}

// objectFields splits a JSON object into its fields; anything else is an error.
func objectFields(raw []byte) (map[string]json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	return fields, nil
}

// looseList reads a list's elements; a lone object counts as a list of one, and an empty
// object, null or anything else as none.
func looseList(raw json.RawMessage) []json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	if raw[0] == '{' {
		if fields, err := objectFields(raw); err == nil && len(fields) > 0 {
			return []json.RawMessage{raw}
		}
		return nil
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	return list
}

// looseMessages reads {status, code, message} entries whose code may be a string and whose
// status may be a string.
func looseMessages(raw json.RawMessage) []Message {
	var out []Message
	for _, item := range looseList(raw) {
		fields, err := objectFields(item)
		if err != nil {
			continue
		}
		m := Message{Code: int(looseNumber(fields["code"]))}
		_ = json.Unmarshal(fields["message"], &m.Message)
		if b, err := decodeLooseBool("status", fields["status"]); err == nil && b != nil {
			m.Status = *b
		}
		out = append(out, m)
	}
	return out
}

// looseSideEffect reads a side effect whose numbers or flags may be strings.
func looseSideEffect(raw json.RawMessage) SideEffect {
	var se SideEffect
	fields, err := objectFields(raw)
	if err != nil {
		return se
	}
	str := func(name string) string {
		v := bytes.TrimSpace(fields[name])
		var s string
		if json.Unmarshal(v, &s) != nil {
			s = string(v) // a number where a string was expected: keep its digits
		}
		return s
	}
	se.Type, se.EntityType = str("type"), str("entityType")
	se.AwardedPoints, se.RawAwardedPoints = looseNumber(fields["awardedPoints"]), looseNumber(fields["rawAwardedPoints"])
	se.AwardedValue, se.RawAwardedValue = looseNumber(fields["awardedValue"]), looseNumber(fields["rawAwardedValue"])
	se.CustomerID, se.ID = ID(str("customerId")), ID(str("id"))
	if b, err := decodeLooseBool("isReferrer", fields["isReferrer"]); err == nil && b != nil {
		se.IsReferrer = *b
	}
	se.AlternateCurrencyIdentifier, se.AlternateCurrencyName = str("alternateCurrencyIdentifier"), str("alternateCurrencyName")
	se.CouponType, se.CouponCode, se.TrimmedCouponCode = str("couponType"), str("couponCode"), str("trimmedCouponCode")
	se.ValidTill, se.Description, se.DiscountCode = str("validTill"), str("description"), str("discountCode")
	return se
}

// looseNumber reads a JSON number or a string holding one; anything else is 0.
func looseNumber(raw json.RawMessage) float64 {
	s := strings.Trim(string(bytes.TrimSpace(raw)), `"`)
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0
	}
	return f
}
