// Package gateway is AriesOne's REST edge: it dials every service over gRPC
// (never registering handlers in-process, which would bypass the services'
// interceptors), serves the REST API and its OpenAPI document under
// API_PREFIX, and applies the edge policies partners meet first. The binary
// arrives with the identity and edge work; this module holds its place in
// the workspace.
package gateway
