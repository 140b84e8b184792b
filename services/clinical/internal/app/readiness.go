package app

// ReadinessRepository reads what a readiness check weighs.
type ReadinessRepository interface{}

// Readiness is the readiness query.
type Readiness struct{ c *clinic }
