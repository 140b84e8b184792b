package usformat

import (
	"strings"
	"time"

	// The embedded zone database makes ValidTimeZone give the same answer
	// on every host, including minimal container images without
	// /usr/share/zoneinfo, where every zone would otherwise be rejected.
	// It adds about 450 KB to binaries that validate time zones.
	_ "time/tzdata"
)

// timeZoneAreas are the first components of IANA zone names: the
// continents and oceans, Etc, and the country areas kept as links in the
// database's backward file (US/Eastern and the like), which users still
// type and which still load.
var timeZoneAreas = map[string]bool{
	"Africa": true, "America": true, "Antarctica": true, "Arctic": true, "Asia": true,
	"Atlantic": true, "Australia": true, "Europe": true, "Indian": true, "Pacific": true,
	"Etc": true,
	"US":  true, "Canada": true, "Mexico": true, "Brazil": true, "Chile": true,
}

// maxTimeZoneLen is longer than any IANA zone name (the longest is about
// 32 bytes); longer input is rejected before any lookup.
const maxTimeZoneLen = 64

// ValidTimeZone reports whether s is an IANA time zone name in Area/City
// form ("America/New_York", "America/Indiana/Indianapolis", "Etc/UTC",
// "US/Central") that time.LoadLocation can load. "", "Local", "UTC",
// "EST5EDT" and other names without an area are rejected, as are the
// "posix/" and "right/" copies some systems install, and anything that
// is not spelled exactly as in the database (names are case-sensitive).
func ValidTimeZone(s string) bool {
	if len(s) > maxTimeZoneLen {
		return false
	}
	parts := strings.Split(s, "/")
	if len(parts) < 2 || !timeZoneAreas[parts[0]] {
		return false
	}
	for _, p := range parts[1:] {
		if !validZoneComponent(p) {
			return false
		}
	}
	_, err := time.LoadLocation(s)
	return err == nil
}

// validZoneComponent checks one component after the area against the
// characters the IANA database uses: an upper-case ASCII letter, then
// letters, digits, '_', '-' and '+' ("Port-au-Prince", "GMT+5").
func validZoneComponent(p string) bool {
	if p == "" || p[0] < 'A' || p[0] > 'Z' {
		return false
	}
	for i := 1; i < len(p); i++ {
		c := p[i]
		if !isDigit(c) && (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && c != '_' && c != '-' && c != '+' {
			return false
		}
	}
	return true
}
