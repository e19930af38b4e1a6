package capillary

import "strings"

// Region is a Capillary cluster. The vendor has published two generations of host names for
// most clusters and both serve the v2 API: BaseURL gives the api host, IntouchBaseURL the older
// intouch host.
type Region string

// The vendor's documented clusters.
const (
	RegionIndia Region = "india" // India / Asia-1
	RegionAsia2 Region = "asia2" // Asia-2 / South-East Asia
	RegionEU    Region = "eu"    // Europe
	RegionUS    Region = "us"    // United States
	RegionChina Region = "china" // China
)

// regions lists the documented clusters, for messages.
var regions = []Region{RegionIndia, RegionAsia2, RegionEU, RegionUS, RegionChina}

// regionHosts are each cluster's api host and older intouch host ("" where the vendor documents
// none).
var regionHosts = map[Region]struct{ api, intouch string }{
	RegionIndia: {"https://apac.api.capillarytech.com", "https://apac.intouch.capillarytech.com"},
	RegionAsia2: {"https://apac2.api.capillarytech.com", "https://sea.intouch.capillarytech.com"},
	RegionEU:    {"https://eu.api.capillarytech.com", "https://eu.intouch.capillarytech.com"},
	RegionUS:    {"https://us.api.capillarytech.com", "https://ushc.intouch.capillarytech.com"},
	RegionChina: {api: "https://api.capillarytech.cn.com"},
}

// BaseURL is the region's api host as an https URL, or "" for an unknown region. The name is
// matched in any case ("EU" is RegionEU).
func (r Region) BaseURL() string { return regionHosts[Region(strings.ToLower(string(r)))].api }

// IntouchBaseURL is the region's older intouch host as an https URL, for
// WithBaseURL, or "" where the vendor documents none (China) or the region is unknown.
func (r Region) IntouchBaseURL() string {
	return regionHosts[Region(strings.ToLower(string(r)))].intouch
}
