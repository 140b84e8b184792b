// Package contact holds the contact value objects several services store:
// United States postal addresses, North American phone numbers and email
// addresses. Each comes with a Normalize function that trims what a client
// sent, checks it with package usformat, and returns the one form to store,
// or an errs.Invalid error whose field violations name the parts relative
// to the value ("postalCode", "number"), so a service merges them under its
// own field name ("homeAddress.postalCode", "phones[1].number").
//
// It is pure Go with no dependency on gRPC or SQL, so domain packages use
// it directly.
package contact
