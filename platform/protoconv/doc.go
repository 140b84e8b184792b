// Package protoconv converts the values every service's API shares
// (ariesone.common.v1 addresses and phones, google.type.Date,
// timestamps) to and from their platform types, and resolves AIP-134
// update masks against a resource message's field behaviors. Each
// service's grpcapi package builds on it, so the same field means the same
// thing in every API.
package protoconv
