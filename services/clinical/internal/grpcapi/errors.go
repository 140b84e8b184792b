package grpcapi

// Error mapping.
//
// Handlers return the application's errors unchanged: they are
// platform/errs values (NotFound, Invalid with field violations,
// FailedPrecondition with precondition violations, Aborted for a stale
// etag, PermissionDenied...), and the server's interceptor chain turns each
// kind into its canonical status code, with google.rpc details, in one
// place for every service (platform/grpcerr). Field violations name request
// fields by their JSON (lowerCamelCase) paths, as protovalidate's do.
