// Package grpcapi translates between the serials service's protobuf API and its
// application layer; domain errors become gRPC statuses in one place
// (platform/grpcerr).
package grpcapi
