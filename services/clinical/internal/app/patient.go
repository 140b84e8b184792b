package app

// PatientRepository stores patients.
type PatientRepository interface{}

// Patients are the patient commands and queries.
type Patients struct{ c *clinic }
