package app

import (
	"time"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/page"
)

// webhookPosition is a keyset position in a listing ordered by creation
// time and id: where the next page resumes.
type webhookPosition struct {
	Time time.Time
	ID   string
}

// webhookPage runs one AIP-158 page of a listing ordered by (create time,
// id). It checks the page size, decodes the token (bound to scope: the
// method, the tenant and the parent), fetches one item more than the page
// to learn whether another follows, and makes the next token from the
// position of the page's last item. A token whose keys do not parse (a
// crafted one) is an invalid pageToken.
func webhookPage[T any](pageSize int32, token string, scope []string,
	fetch func(after webhookPosition, limit int) ([]T, error), position func(T) webhookPosition) (items []T, next string, err error) {
	size, err := page.Size(pageSize)
	if err != nil {
		return nil, "", err
	}
	keys, err := page.Decode(token, scope...)
	if err != nil {
		return nil, "", err
	}
	var after webhookPosition
	if keys != nil {
		if after, err = parseWebhookPosition(keys); err != nil {
			return nil, "", err
		}
	}
	items, err = fetch(after, size+1)
	if err != nil || len(items) <= size {
		return items, "", err
	}
	items = items[:size]
	last := position(items[size-1])
	next, err = page.Encode([]string{last.Time.UTC().Format(time.RFC3339Nano), last.ID}, scope...)
	return items, next, err
}

func parseWebhookPosition(keys []string) (webhookPosition, error) {
	invalid := page.InvalidToken("is not a page token returned by this API")
	if len(keys) != 2 {
		return webhookPosition{}, invalid
	}
	t, err := time.Parse(time.RFC3339Nano, keys[0])
	if err != nil || t.IsZero() {
		return webhookPosition{}, invalid
	}
	if _, err := uuid.Parse(keys[1]); err != nil || len(keys[1]) != 36 {
		return webhookPosition{}, invalid
	}
	return webhookPosition{Time: t, ID: keys[1]}, nil
}
