package app

// PayerRepository stores payers and their plans.
type PayerRepository interface{}

// Payers are the payer and plan commands and queries.
type Payers struct{ c *clinic }
