package usformat

// ValidTaxonomy reports whether s is shaped like a NUCC Health Care
// Provider Taxonomy code, ^[0-9]{3}[0-9A-Z]{6}X$: for example 332B00000X,
// the DME supplier code that companies default to.
func ValidTaxonomy(s string) bool {
	if len(s) != 10 || s[9] != 'X' || !allDigits(s[:3]) {
		return false
	}
	for i := 3; i < 9; i++ {
		if c := s[i]; !isDigit(c) && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}
