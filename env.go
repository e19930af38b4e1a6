package capillary

import (
	"errors"
	"fmt"
	"strings"
)

// OptionsFromEnv returns the cluster and credential options that the environment names, as
// the examples and the capillary command read them: CAPILLARY_BASE_URL or CAPILLARY_REGION,
// then CAPILLARY_OAUTH_KEY and CAPILLARY_OAUTH_SECRET, or CAPILLARY_TILL and
// CAPILLARY_PASSWORD. getenv is os.Getenv, or a stand-in in tests. A variable that is missing,
// empty beside its pair, or not a region or URL is an error that names the variable; the rest
// is checked by NewClient.
func OptionsFromEnv(getenv func(string) string) ([]ClientOption, error) {
	var where ClientOption
	switch baseURL, region := getenv("CAPILLARY_BASE_URL"), getenv("CAPILLARY_REGION"); {
	case baseURL != "":
		u, err := checkBaseURL(baseURL, true)
		switch {
		case err != nil && strings.Contains(err.Error(), "user info"):
			return nil, errors.New("CAPILLARY_BASE_URL must not carry user info: set CAPILLARY_TILL and CAPILLARY_PASSWORD, or CAPILLARY_OAUTH_KEY and CAPILLARY_OAUTH_SECRET")
		case err != nil:
			return nil, fmt.Errorf("CAPILLARY_BASE_URL: %w", err)
		case u.Scheme == "http" && !isLoopback(u.Hostname()):
			return nil, fmt.Errorf("CAPILLARY_BASE_URL %q is plain http on a host that is not this machine: use https", u.Redacted())
		}
		where = WithBaseURL(baseURL)
	case region != "":
		if Region(region).BaseURL() == "" {
			return nil, fmt.Errorf("CAPILLARY_REGION %q is not a region: use one of %s", region, listOf(regions))
		}
		where = WithRegion(Region(region))
	default:
		return nil, errors.New("set CAPILLARY_BASE_URL or CAPILLARY_REGION to say which cluster to call")
	}
	// A credential given without its other half is named here: NewClient would name its option.
	pair := func(first, second string) (string, string, error) {
		if getenv(second) == "" {
			return "", "", fmt.Errorf("%s is set but %s is empty: set both", first, second)
		}
		return getenv(first), getenv(second), nil
	}
	switch {
	case getenv("CAPILLARY_OAUTH_KEY") != "":
		key, secret, err := pair("CAPILLARY_OAUTH_KEY", "CAPILLARY_OAUTH_SECRET")
		if err != nil {
			return nil, err
		}
		return []ClientOption{where, WithOAuth(key, secret)}, nil
	case getenv("CAPILLARY_TILL") != "":
		till, password, err := pair("CAPILLARY_TILL", "CAPILLARY_PASSWORD")
		if err != nil {
			return nil, err
		}
		return []ClientOption{where, WithBasicAuth(till, password)}, nil
	case getenv("CAPILLARY_PASSWORD") != "":
		return nil, errors.New("CAPILLARY_PASSWORD is set but CAPILLARY_TILL is empty: set both")
	case getenv("CAPILLARY_OAUTH_SECRET") != "":
		return nil, errors.New("CAPILLARY_OAUTH_SECRET is set but CAPILLARY_OAUTH_KEY is empty: set both")
	}
	return nil, errors.New("set CAPILLARY_TILL and CAPILLARY_PASSWORD, or CAPILLARY_OAUTH_KEY and CAPILLARY_OAUTH_SECRET")
}
