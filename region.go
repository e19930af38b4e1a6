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

// regionList is the region names, for a message.
func regionList() string {
	names := make([]string, len(regions))
	for i, r := range regions {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// BaseURL is the region's api host as an https URL, or "" for an unknown region. The name is
// matched in any case ("EU" is RegionEU).
func (r Region) BaseURL() string {
	switch Region(strings.ToLower(string(r))) {
	case RegionIndia:
		return "https://apac.api.capillarytech.com"
	case RegionAsia2:
		return "https://apac2.api.capillarytech.com"
	case RegionEU:
		return "https://eu.api.capillarytech.com"
	case RegionUS:
		return "https://us.api.capillarytech.com"
	case RegionChina:
		return "https://api.capillarytech.cn.com"
	}
	return ""
}

// IntouchBaseURL is the region's older intouch host as an https URL, for
// WithBaseURL, or "" where the vendor documents none (China) or the region is unknown.
func (r Region) IntouchBaseURL() string {
	switch Region(strings.ToLower(string(r))) {
	case RegionIndia:
		return "https://apac.intouch.capillarytech.com"
	case RegionAsia2:
		return "https://sea.intouch.capillarytech.com"
	case RegionEU:
		return "https://eu.intouch.capillarytech.com"
	case RegionUS:
		return "https://ushc.intouch.capillarytech.com"
	}
	return ""
}
