package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

const notificationColumns = `id::text, company_id::text, user_id::text, rule_id::text, event_id::text, event_type,
	title, resource_id, create_time, read_time`

func scanNotification(row pgx.Row) (*domain.Notification, error) {
	var n domain.Notification
	err := row.Scan(&n.ID, &n.CompanyID, &n.UserID, &n.RuleID, &n.EventID, &n.EventType, &n.Title, &n.ResourceID, &n.CreateTime, &n.ReadTime)
	if err != nil {
		return nil, err
	}
	n.CreateTime = n.CreateTime.UTC()
	if n.ReadTime != nil {
		t := n.ReadTime.UTC()
		n.ReadTime = &t
	}
	return &n, nil
}

// InsertNotifications adds ns to their users' inboxes. A notification for
// a (rule, event, user) that already has one is skipped.
func (s *Store) InsertNotifications(ctx context.Context, ns []*domain.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		batch := &pgx.Batch{}
		for _, n := range ns {
			batch.Queue(`
				insert into notifications (id, company_id, user_id, rule_id, event_id, event_type, title, resource_id, create_time)
				values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
				on conflict (rule_id, event_id, user_id) do nothing`,
				n.ID, n.CompanyID, n.UserID, n.RuleID, n.EventID, n.EventType, n.Title, n.ResourceID, n.CreateTime)
		}
		return tx.SendBatch(ctx, batch).Close()
	})
	return postgres.Wrap("insert notifications", err)
}

// ListNotifications returns up to limit of userID's notifications, newest
// first (UUIDv7 ids), after afterID ("" for the first page); only unread
// ones when unreadOnly.
func (s *Store) ListNotifications(ctx context.Context, userID string, unreadOnly bool, afterID string, limit int) ([]*domain.Notification, error) {
	var w where
	w.add("user_id = $%d", userID)
	if unreadOnly {
		w.add("read_time is null")
	}
	if afterID != "" {
		w.add("id < $%d", afterID)
	}
	var out []*domain.Notification
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `select `+notificationColumns+` from notifications`+w.sql()+`
			order by id desc limit `+w.next(), append(w.args, limit)...)
		if err != nil {
			return err
		}
		out, err = postgres.Collect(rows, scanNotification)
		return err
	})
	return out, postgres.Wrap("list notifications", err)
}

// CountUnreadNotifications counts userID's unread notifications.
func (s *Store) CountUnreadNotifications(ctx context.Context, userID string) (int64, error) {
	var n int64
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `select count(*) from notifications where user_id = $1 and read_time is null`, userID).Scan(&n)
	})
	return n, postgres.Wrap("count unread notifications", err)
}

// MarkNotificationRead sets the read time of notification id of userID,
// unless it was read already, and returns it. Another user's notification
// is NOT_FOUND, exactly like a missing one.
func (s *Store) MarkNotificationRead(ctx context.Context, userID, id string, now time.Time) (*domain.Notification, error) {
	var out *domain.Notification
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = scanNotification(tx.QueryRow(ctx, `
			update notifications set read_time = coalesce(read_time, $3)
			where id = $1 and user_id = $2
			returning `+notificationColumns, id, userID, now))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("notification", id)
		}
		return err
	})
	return out, postgres.Wrap("mark notification read", err)
}
