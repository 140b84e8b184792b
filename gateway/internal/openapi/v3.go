package openapi

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"sigs.k8s.io/yaml"
)

// V3 converts the document Build returns into OpenAPI 3.0, the version most
// client generators and API tools now expect, as YAML. The conversion is
// kin-openapi's, not ours, so the two documents describe the same API by
// construction; the result is validated with kin-openapi's validator, and a
// document that does not validate is an error (the gateway then refuses to
// start rather than serve it).
func V3(swagger []byte) ([]byte, error) {
	var doc2 openapi2.T
	if err := json.Unmarshal(swagger, &doc2); err != nil {
		return nil, fmt.Errorf("openapi: reading the Swagger 2.0 document: %w", err)
	}
	doc3, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		return nil, fmt.Errorf("openapi: converting to OpenAPI 3: %w", err)
	}
	if err := doc3.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi: the OpenAPI 3 document is invalid: %w", err)
	}
	out, err := json.Marshal(doc3)
	if err != nil {
		return nil, err
	}
	return yaml.JSONToYAML(out)
}
