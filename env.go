package capillary

import "errors"

// OptionsFromEnv returns the cluster and credential options that the environment names, as
// the examples and the capillary command read them: CAPILLARY_BASE_URL or CAPILLARY_REGION,
// then CAPILLARY_OAUTH_KEY and CAPILLARY_OAUTH_SECRET, or CAPILLARY_TILL and
// CAPILLARY_PASSWORD. getenv is os.Getenv, or a stand-in in tests. The options are checked by
// NewClient; a variable that is missing altogether is an error that names what to set.
func OptionsFromEnv(getenv func(string) string) ([]ClientOption, error) {
	var where ClientOption
	switch {
	case getenv("CAPILLARY_BASE_URL") != "":
		where = WithBaseURL(getenv("CAPILLARY_BASE_URL"))
	case getenv("CAPILLARY_REGION") != "":
		where = WithRegion(Region(getenv("CAPILLARY_REGION")))
	default:
		return nil, errors.New("set CAPILLARY_BASE_URL or CAPILLARY_REGION to say which cluster to call")
	}
	switch {
	case getenv("CAPILLARY_OAUTH_KEY") != "":
		return []ClientOption{where, WithOAuth(getenv("CAPILLARY_OAUTH_KEY"), getenv("CAPILLARY_OAUTH_SECRET"))}, nil
	case getenv("CAPILLARY_TILL") != "":
		return []ClientOption{where, WithBasicAuth(getenv("CAPILLARY_TILL"), getenv("CAPILLARY_PASSWORD"))}, nil
	}
	return nil, errors.New("set CAPILLARY_TILL and CAPILLARY_PASSWORD, or CAPILLARY_OAUTH_KEY and CAPILLARY_OAUTH_SECRET")
}
