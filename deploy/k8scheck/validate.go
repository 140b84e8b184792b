package k8scheck

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/yannh/kubeconform/pkg/validator"
)

// Report is what Validate found in one overlay.
type Report struct {
	// Valid counts the objects that passed, by kind.
	Valid map[string]int
	// Problems lists each invalid object with kubeconform's reasons.
	Problems []string
}

// Validate checks every document of a rendered stream with kubeconform in
// strict mode (unknown fields and duplicate keys refused) against the
// schemas WriteSchemas wrote under schemaRoot for kubernetesVersion. An
// object whose kind has no schema is a problem, not skipped.
func Validate(ctx context.Context, stream []byte, schemaRoot, kubernetesVersion string) (Report, error) {
	v, err := validator.New([]string{SchemaLocation(schemaRoot)}, validator.Opts{
		Strict:            true,
		KubernetesVersion: strings.TrimPrefix(kubernetesVersion, "v"),
	})
	if err != nil {
		return Report{}, err
	}
	report := Report{Valid: map[string]int{}}
	for _, res := range v.ValidateWithContext(ctx, "rendered", io.NopCloser(bytes.NewReader(stream))) {
		sig, _ := res.Resource.Signature()
		what := "document"
		if sig != nil {
			what = sig.Kind + " " + sig.Name
		}
		switch res.Status {
		case validator.Valid:
			report.Valid[sig.Kind]++
		case validator.Empty:
		default:
			// The error carries every failing path; ValidationErrors keeps
			// only the outermost of nested ones.
			report.Problems = append(report.Problems, fmt.Sprintf("%s: %v", what, res.Err))
		}
	}
	return report, nil
}
