package domain

import (
	"time"

	"github.com/ariesone/ariesone/platform/civil"
)

// faceToFaceCodes is a range of HCPCS codes on CMS's Required Face-to-Face
// Encounter and Written Order Prior to Delivery List (42 CFR 410.38(c)),
// on the list for orders dated on or after since (zero: always).
type faceToFaceCodes struct {
	first, last string
	since       civil.Date
}

// faceToFaceList is a PARTIAL reference list of the HCPCS codes that need
// a face-to-face encounter with the prescriber in the six months before
// the order (and the order before delivery). It holds what could be
// confirmed from published sources:
//
//   - K0800-K0899, power mobility devices (power-operated vehicles and
//     power wheelchairs): the face-to-face examination is statutory for
//     every PMD (Social Security Act §1834(a)(1)(E)(iv)), so the whole
//     range is listed, a superset of the 46 PMD codes CMS names.
//   - Ten orthoses added from April 17, 2023 (88 FR 2546, as the DME MACs
//     announced it): lumbar-sacral L0631 and L0637, knee L1843, ankle-foot
//     L1932, L1940, L1951, L1960 and L1970, knee-ankle-foot L2005 and
//     L2036.
//
// Not yet here, because their codes could not be confirmed: the
// osteogenesis stimulator and six orthoses of the first selection (87 FR
// 2051, effective April 13, 2022), and the thirteen codes (hospital beds,
// osteogenesis stimulators, orthoses) and one removal of 89 FR 41324
// (effective August 12, 2024). CMS publishes the current list on its
// "DMEPOS Order Requirements" page; it belongs in a reference table the
// company can update without a release, which this list stands in for.
var faceToFaceList = []faceToFaceCodes{
	{first: "K0800", last: "K0899"},
	{first: "L0631", last: "L0631", since: april17th2023},
	{first: "L0637", last: "L0637", since: april17th2023},
	{first: "L1843", last: "L1843", since: april17th2023},
	{first: "L1932", last: "L1932", since: april17th2023},
	{first: "L1940", last: "L1940", since: april17th2023},
	{first: "L1951", last: "L1951", since: april17th2023},
	{first: "L1960", last: "L1960", since: april17th2023},
	{first: "L1970", last: "L1970", since: april17th2023},
	{first: "L2005", last: "L2005", since: april17th2023},
	{first: "L2036", last: "L2036", since: april17th2023},
}

var april17th2023 = civil.Date{Year: 2023, Month: time.April, Day: 17}

// FaceToFaceRequired reports whether an order dated orderDate for the
// HCPCS code hcpcs (stored form, such as "K0823") needs a face-to-face
// encounter before it, according to the partial reference list above. A
// zero orderDate asks about the list as it stands now.
func FaceToFaceRequired(hcpcs string, orderDate civil.Date) bool {
	for _, r := range faceToFaceList {
		// HCPCS codes are a letter and four digits, so within one letter
		// string order is code order.
		if hcpcs >= r.first && hcpcs <= r.last && len(hcpcs) == len(r.first) &&
			(orderDate.IsZero() || !orderDate.Before(r.since)) {
			return true
		}
	}
	return false
}
