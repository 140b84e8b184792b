// Package gateway is AriesOne's REST edge. The binary is cmd/gateway: it
// dials every service over gRPC (never registering handlers in-process,
// which would bypass the services' interceptors), serves the REST API and
// its OpenAPI document under API_PREFIX with a docs page, and applies the
// edge policies partners meet first. internal/gateway documents the order
// of those policies.
package gateway
