package app

// CoverageRepository stores coverages and their eligibility checks.
type CoverageRepository interface{}

// EligibilityChecker answers an eligibility inquiry for one coverage.
type EligibilityChecker interface{}

// RulesEligibility is the rules-based stand-in eligibility checker.
type RulesEligibility struct{}

// Coverages are the coverage and eligibility commands and queries.
type Coverages struct{ c *clinic }
