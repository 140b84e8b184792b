package app

import (
	"context"
	"strconv"
	"time"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// NotificationRepository reads and marks the users' inboxes (the event
// consumer fills them: Inboxes).
type NotificationRepository interface {
	ListNotifications(ctx context.Context, userID string, unreadOnly bool, afterID string, limit int) ([]*domain.Notification, error)
	CountUnreadNotifications(ctx context.Context, userID string) (int64, error)
	MarkNotificationRead(ctx context.Context, userID, id string, now time.Time) (*domain.Notification, error)
}

// Notifications are the commands and queries of the caller's own inbox.
type Notifications struct{ n *notifier }

// ListNotifications pages through the caller's own inbox, newest first.
type ListNotifications struct {
	PageSize   int32
	PageToken  string
	UnreadOnly bool
}

// NotificationPage is one page of an inbox.
type NotificationPage struct {
	usecase.Page[*domain.Notification]
	// UnreadCount counts all the caller's unread notifications.
	UnreadCount int64
}

// List returns one page of the caller's notifications. A principal that
// is not a user (an API key, a service) has an empty inbox.
func (h Notifications) List(ctx context.Context, q ListNotifications) (NotificationPage, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return NotificationPage{}, err
	}
	scope := []string{"ListNotifications", p.CompanyID, p.Subject, strconv.FormatBool(q.UnreadOnly)}
	inbox := usecase.IsID(p.Subject)
	ns, next, err := usecase.KeysetPage(h.n.Pages, q.PageSize, q.PageToken, scope, usecase.IsID,
		func(afterID string, limit int) ([]*domain.Notification, error) {
			if !inbox {
				return nil, nil
			}
			return h.n.Store.ListNotifications(ctx, p.Subject, q.UnreadOnly, afterID, limit)
		},
		func(n *domain.Notification) string { return n.ID })
	if err != nil {
		return NotificationPage{}, err
	}
	out := NotificationPage{Page: usecase.Page[*domain.Notification]{Items: ns, NextPageToken: next}}
	if inbox {
		if out.UnreadCount, err = h.n.Store.CountUnreadNotifications(ctx, p.Subject); err != nil {
			return NotificationPage{}, err
		}
	}
	return out, nil
}

// notFoundNotification reports a notification the caller does not have.
func notFoundNotification(id string) error { return errs.NotFound("notification", id) }

// MarkRead marks notification id, one of the caller's, read and returns
// it; marking it again changes nothing (the first read time stays).
// Another user's notification is NOT_FOUND, exactly like a missing one.
func (h Notifications) MarkRead(ctx context.Context, id string) (*domain.Notification, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := usecase.CheckID("id", id); err != nil {
		return nil, err
	}
	if !usecase.IsID(p.Subject) {
		return nil, notFoundNotification(id)
	}
	return h.n.Store.MarkNotificationRead(ctx, p.Subject, id, h.n.Now.Stamp())
}
