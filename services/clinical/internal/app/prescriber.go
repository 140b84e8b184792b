package app

// PrescriberRepository stores prescribers.
type PrescriberRepository interface{}

// Prescribers are the prescriber commands and queries.
type Prescribers struct{ c *clinic }
