package openapi

// The document generated from the protos lives outside this module, so a
// copy is embedded; TestEmbeddedCopyIsCurrent fails when it goes stale.
//go:generate cp ../../../gen/openapi/ariesone.swagger.json ariesone.swagger.json
