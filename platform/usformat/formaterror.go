package usformat

import (
	"slices"
	"strconv"
)

// FormatError says why a Parse* function rejected its input, in words a
// client can act on: which position of an MBI, which entry of a list. It
// never repeats the input, because an MBI is protected health information
// and errors end up in logs.
type FormatError struct {
	// Subject names what was checked: "MBI", "HCPCS modifiers" or
	// "diagnoses". It describes the value; it is not the caller's field
	// name.
	Subject string
	// Entry is the 0-based index of the offending entry when a list was
	// checked, so a service can build a field path such as "diagnoses[2]";
	// it is -1 when the error is about a single value or the list as a
	// whole (too many entries).
	Entry int
	// Position is the 1-based position of the offending character as CMS
	// numbers an MBI's positions (dashes not counted), or 0 when no single
	// character is at fault (a wrong length, misplaced dashes).
	Position int
	// Description completes a sentence that starts with the field's name,
	// "must be 11 characters, such as 1EG4TE5MK73" or "repeats an earlier
	// entry", so a service can use it as a field violation's description.
	Description string
}

// Error reads "usformat: diagnoses[3] repeats an earlier entry".
func (e *FormatError) Error() string {
	subject := e.Subject
	if e.Entry >= 0 {
		subject += "[" + strconv.Itoa(e.Entry) + "]"
	}
	return "usformat: " + subject + " " + e.Description
}

// parseList normalizes each entry of a list of codes that a claim holds a
// limited number of, each at most once: at most limit entries, each
// accepted by normalize, none repeating an earlier one once normalized.
// invalid is the description of an entry normalize rejects. It returns a
// new slice, or a *FormatError about subject naming the first entry at
// fault.
func parseList(subject string, limit int, invalid string, normalize func(string) (string, bool), in []string) ([]string, error) {
	if len(in) > limit {
		return nil, &FormatError{Subject: subject, Entry: -1,
			Description: "must have at most " + strconv.Itoa(limit) + " entries, not " + strconv.Itoa(len(in))}
	}
	out := make([]string, len(in))
	for i, raw := range in {
		v, ok := normalize(raw)
		if !ok {
			return nil, &FormatError{Subject: subject, Entry: i, Description: invalid}
		}
		if slices.Contains(out[:i], v) {
			return nil, &FormatError{Subject: subject, Entry: i, Description: "repeats an earlier entry"}
		}
		out[i] = v
	}
	return out, nil
}
