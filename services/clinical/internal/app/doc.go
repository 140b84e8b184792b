// Package app holds the clinical service's use cases: patients, payers and
// plans, coverages and eligibility, prescribers, written orders and
// readiness. Each command runs in one unit of work (platform/usecase) whose
// events go to the transactional outbox with the change; each query reads
// through the repositories the store implements. PHI travels here in clear
// as domain.PHI values; the store seals it and the API masks it.
package app
