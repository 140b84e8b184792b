package grpcapi

import (
	"slices"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// webhookMaskIgnored are paths that name the subscription and its version
// rather than data: accepted and ignored, because the REST gateway derives
// a PATCH's mask from every field of its body, and a client echoing them
// back must not be refused.
var webhookMaskIgnored = []string{"id", "etag"}

// resolveWebhookMask turns UpdateWebhookSubscription's update_mask into the
// fields to write (AIP-134): empty or "*" means url and event_types; other
// paths must name one of them (or an ignored path). Every bad path is
// reported on field "updateMask".
func resolveWebhookMask(mask *fieldmaskpb.FieldMask) ([]domain.WebhookSubscriptionField, error) {
	paths := mask.GetPaths()
	if len(paths) == 0 || (len(paths) == 1 && paths[0] == "*") {
		return slices.Clone(domain.WebhookSubscriptionFields), nil
	}
	var v errs.Violations
	var fields []domain.WebhookSubscriptionField
	for _, p := range paths {
		f := domain.WebhookSubscriptionField(p)
		switch {
		case slices.Contains(webhookMaskIgnored, p):
		case slices.Contains(domain.WebhookSubscriptionFields, f):
			if !slices.Contains(fields, f) {
				fields = append(fields, f)
			}
		case p == "*":
			v.Addf("updateMask", "%q must be the only path when it is given", p)
		default:
			v.Addf("updateMask", "%q is not a field this method changes (url, event_types)", p)
		}
	}
	return fields, v.Err()
}
