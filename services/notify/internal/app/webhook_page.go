package app

import (
	"time"

	"github.com/ariesone/ariesone/platform/page"
)

// webhookPosition is a keyset position in a listing ordered by creation
// time and id (subscriptions oldest first, deliveries newest first): where
// the next page resumes. The zero position is the first page.
type webhookPosition struct {
	Time time.Time
	ID   string
}

// webhookPositionKeys are the token keys of the position of an item.
func webhookPositionKeys(t time.Time, id string) []string {
	return []string{t.UTC().Format(time.RFC3339Nano), id}
}

// parseWebhookPosition parses the keys of a webhook listing's token; nil
// keys are the first page.
func parseWebhookPosition(after []string) (webhookPosition, error) {
	if after == nil {
		return webhookPosition{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, after[0])
	if err != nil || t.IsZero() || !isUUID(after[1]) {
		return webhookPosition{}, page.InvalidToken("is not a page token returned by this API")
	}
	return webhookPosition{Time: t, ID: after[1]}, nil
}
