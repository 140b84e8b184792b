package domain

import "time"

// MinAuthRetention is the shortest time sign-in history is kept. A day
// leaves every session and its tokens in place for as long as they can
// matter to a refresh (reuse detection needs the used tokens of a live
// session), however the session limits are set below it, and leaves a
// working day's sign-ins for an investigation to read.
const MinAuthRetention = 24 * time.Hour

// PrunedAuthHistory counts the rows one pruning batch deleted, per table.
type PrunedAuthHistory struct {
	RefreshTokens  int
	Sessions       int
	PasswordTokens int
	SignInFailures int
}

// Total is the rows deleted from every table.
func (p PrunedAuthHistory) Total() int {
	return p.RefreshTokens + p.Sessions + p.PasswordTokens + p.SignInFailures
}

// Full reports whether any table's batch was full, so more may be left.
func (p PrunedAuthHistory) Full(batch int) bool {
	return p.RefreshTokens >= batch || p.Sessions >= batch || p.PasswordTokens >= batch || p.SignInFailures >= batch
}
