package capillarytest

// Options that only the fake's own tests use: unexported, so that a user's test sees only
// what it needs.
var (
	WithoutBasicAuth         = withoutBasicAuth
	WithCustomFields         = withCustomFields
	WithAccountIDWarning     = withAccountIDWarning
	WithDefaultStatusLabel   = withDefaultStatusLabel
	WithUnknownFieldsIgnored = withUnknownFieldsIgnored
)
