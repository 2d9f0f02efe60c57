package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/job"
	"helpdesk/internal/mailin"
	"helpdesk/internal/notify"
)

// Outbound implements notify's stores: the outbox of notifications,
// channel preferences, templates, webhooks and robots.
type Outbound struct{ db *DB }

// Outbound returns the outbound notification store.
func (db *DB) Outbound() *Outbound { return &Outbound{db: db} }

var (
	_ notify.OutStore     = (*Outbound)(nil)
	_ notify.WebhookStore = (*Outbound)(nil)
	_ notify.RobotStore   = (*Outbound)(nil)
)

// insertJob adds a job unless its key exists: a repeated fan-out never
// reschedules (and so never resends) what it already scheduled.
func insertJob(ctx context.Context, tx conn, j job.Job) error {
	payload := "{}"
	if len(j.Payload) > 0 {
		payload = string(j.Payload)
	}
	attempts := j.MaxAttempts
	if attempts == 0 {
		attempts = job.DefaultMaxAttempts
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO jobs (kind, key, run_at, payload, state, max_attempts, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'scheduled', $5, $6, $6) ON CONFLICT (key) DO NOTHING`,
		j.Kind, j.Key, j.RunAt.UnixMicro(), payload, attempts, time.Now().UnixMicro())
	if err != nil {
		return fmt.Errorf("store: outbox job %s: %w", j.Key, err)
	}
	return nil
}

// Enqueue writes an event's fan-out in one transaction.
func (s *Outbound) Enqueue(ctx context.Context, o notify.Outbox) error {
	return s.db.tx(ctx, func(tx conn) error {
		now := time.Now()
		for _, m := range o.MessageIDs {
			if err := recordOutbound(ctx, tx, m.MessageID, m.TicketID, now); err != nil {
				return err
			}
		}
		for _, d := range o.Deliveries {
			_, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (subscription_id, event_id, event, payload, status,
				created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$6) ON CONFLICT (subscription_id, event_id) DO NOTHING`,
				d.SubscriptionID, d.EventID, d.Event, string(d.Payload), d.Status, d.CreatedAt.UnixMicro())
			if err != nil {
				return fmt.Errorf("store: webhook delivery: %w", err)
			}
		}
		for _, j := range o.Jobs {
			if err := insertJob(ctx, tx, j); err != nil {
				return err
			}
		}
		return nil
	})
}

// Prefs returns a user's channel choices.
func (s *Outbound) Prefs(ctx context.Context, userID int64) (notify.Prefs, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT channel, enabled FROM notify_prefs WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: prefs: %w", err)
	}
	defer rows.Close()
	p := notify.Prefs{}
	for rows.Next() {
		var ch string
		var on bool
		if err := rows.Scan(&ch, &on); err != nil {
			return nil, err
		}
		p[notify.Channel(ch)] = on
	}
	return p, rows.Err()
}

// SetPrefs saves a user's channel choices.
func (s *Outbound) SetPrefs(ctx context.Context, userID int64, p notify.Prefs) error {
	return s.db.tx(ctx, func(tx conn) error {
		for ch, on := range p {
			_, err := tx.ExecContext(ctx, `INSERT INTO notify_prefs (user_id, channel, enabled) VALUES ($1,$2,$3)
				ON CONFLICT (user_id, channel) DO UPDATE SET enabled = excluded.enabled`, userID, string(ch), on)
			if err != nil {
				return fmt.Errorf("store: prefs: %w", err)
			}
		}
		return nil
	})
}

// EmailFailure returns the address of a user that failed permanently.
func (s *Outbound) EmailFailure(ctx context.Context, userID int64) (string, bool, error) {
	var email string
	err := s.db.read().QueryRowContext(ctx, `SELECT email FROM notify_email_failures WHERE user_id = $1`, userID).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: email failure: %w", err)
	}
	return email, true, nil
}

// RecordEmailFailure records a permanently failing address on its user.
func (s *Outbound) RecordEmailFailure(ctx context.Context, userID int64, email string, code int, reason string, at time.Time) error {
	_, err := s.db.write().ExecContext(ctx, `INSERT INTO notify_email_failures (user_id, email, code, reason, failed_at)
		VALUES ($1,$2,$3,$4,$5) ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, code = excluded.code,
		reason = excluded.reason, failed_at = excluded.failed_at`, userID, email, code, truncate(reason, 500), at.UnixMicro())
	if err != nil {
		return fmt.Errorf("store: email failure: %w", err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Followers lists a ticket's followers.
func (s *Outbound) Followers(ctx context.Context, ticketID int64) ([]notify.Follower, error) {
	fs, err := s.db.Mail().Followers(ctx, ticketID)
	out := make([]notify.Follower, len(fs))
	for i, f := range fs {
		out[i] = notify.Follower{Email: f.Email, UserID: f.UserID}
	}
	return out, err
}

// FirstInboundID is the Message-ID of the first mail received on a ticket:
// the one mail intake linked to it, or, before intake's second transaction
// has linked it, the one the ticket was created from (its idempotency key).
func (s *Outbound) FirstInboundID(ctx context.Context, ticketID int64) (string, error) {
	var id string
	err := s.db.read().QueryRowContext(ctx, `SELECT message_id FROM mail_ids WHERE ticket_id = $1 AND NOT outbound
		ORDER BY created_at LIMIT 1`, ticketID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = s.db.read().QueryRowContext(ctx, `SELECT substr(key, $2) FROM idempotency_keys
			WHERE ticket_id = $1 AND substr(key, 1, $3) = $4 LIMIT 1`,
			ticketID, len(mailin.IdemPrefix)+1, len(mailin.IdemPrefix), mailin.IdemPrefix).Scan(&id)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: first inbound id: %w", err)
	}
	return id, nil
}

// Template returns an admin's template.
func (s *Outbound) Template(ctx context.Context, key, lang string) (notify.Template, bool, error) {
	t := notify.Template{Key: key, Lang: lang}
	var upd int64
	err := s.db.read().QueryRowContext(ctx, `SELECT subject, text_body, html_body, updated_at FROM notify_templates
		WHERE key = $1 AND lang = $2`, key, lang).Scan(&t.Subject, &t.Text, &t.HTML, &upd)
	if errors.Is(err, sql.ErrNoRows) {
		return t, false, nil
	}
	if err != nil {
		return t, false, fmt.Errorf("store: template: %w", err)
	}
	t.UpdatedAt = time.UnixMicro(upd).UTC()
	return t, true, nil
}

// SaveTemplate stores an admin's template.
func (s *Outbound) SaveTemplate(ctx context.Context, t notify.Template) error {
	_, err := s.db.write().ExecContext(ctx, `INSERT INTO notify_templates (key, lang, subject, text_body, html_body, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (key, lang) DO UPDATE SET subject = excluded.subject,
		text_body = excluded.text_body, html_body = excluded.html_body, updated_at = excluded.updated_at`,
		t.Key, t.Lang, t.Subject, t.Text, t.HTML, time.Now().UnixMicro())
	if err != nil {
		return fmt.Errorf("store: template: %w", err)
	}
	return nil
}

// DeleteTemplate drops an admin's template (the default applies again).
func (s *Outbound) DeleteTemplate(ctx context.Context, key, lang string) error {
	if _, err := s.db.write().ExecContext(ctx, `DELETE FROM notify_templates WHERE key = $1 AND lang = $2`, key, lang); err != nil {
		return fmt.Errorf("store: template: %w", err)
	}
	return nil
}

const subCols = `id, name, url, secret, events, active, created_at, updated_at`

func scanSub(row scanner) (notify.Subscription, error) {
	var s notify.Subscription
	var events string
	var c, u int64
	err := row.Scan(&s.ID, &s.Name, &s.URL, &s.Secret, &events, &s.Active, &c, &u)
	s.Events = splitList(events)
	s.CreatedAt, s.UpdatedAt = time.UnixMicro(c).UTC(), time.UnixMicro(u).UTC()
	return s, err
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Subscriptions lists the webhook subscriptions.
func (s *Outbound) Subscriptions(ctx context.Context) ([]notify.Subscription, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT `+subCols+` FROM webhook_subscriptions ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: subscriptions: %w", err)
	}
	defer rows.Close()
	var out []notify.Subscription
	for rows.Next() {
		sub, err := scanSub(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// Subscription returns one subscription.
func (s *Outbound) Subscription(ctx context.Context, id int64) (notify.Subscription, error) {
	sub, err := scanSub(s.db.read().QueryRowContext(ctx, `SELECT `+subCols+` FROM webhook_subscriptions WHERE id = $1`, id))
	return sub, notFound(err, "notify.subscription_not_found", "subscription")
}

// SaveSubscription inserts (ID 0) or updates a subscription.
func (s *Outbound) SaveSubscription(ctx context.Context, sub notify.Subscription) (notify.Subscription, error) {
	now := time.Now().UnixMicro()
	events := strings.Join(sub.Events, ",")
	var err error
	id := sub.ID
	if id == 0 {
		err = s.db.write().QueryRowContext(ctx, `INSERT INTO webhook_subscriptions (name, url, secret, events, active, created_at,
			updated_at) VALUES ($1,$2,$3,$4,$5,$6,$6) RETURNING id`, sub.Name, sub.URL, sub.Secret, events, sub.Active, now).Scan(&id)
	} else {
		var res sql.Result
		res, err = s.db.write().ExecContext(ctx, `UPDATE webhook_subscriptions SET name=$1, url=$2, secret=$3, events=$4, active=$5,
			updated_at=$6 WHERE id=$7`, sub.Name, sub.URL, sub.Secret, events, sub.Active, now, id)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return sub, apperr.New(apperr.NotFound, "notify.subscription_not_found")
			}
		}
	}
	if isUnique(err) {
		return sub, apperr.FieldError("notify.name_taken", "name", map[string]any{"name": sub.Name})
	}
	if err != nil {
		return sub, fmt.Errorf("store: save subscription: %w", err)
	}
	return s.Subscription(ctx, id)
}

// DeleteSubscription removes a subscription and its log.
func (s *Outbound) DeleteSubscription(ctx context.Context, id int64) error {
	return s.db.tx(ctx, func(tx conn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE subscription_id = $1`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM webhook_subscriptions WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("store: delete subscription: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "notify.subscription_not_found")
		}
		return nil
	})
}

const delCols = `id, subscription_id, event_id, event, payload, status, attempts, response_code, error, created_at, updated_at`

func scanDelivery(row scanner) (notify.Delivery, error) {
	var d notify.Delivery
	var payload string
	var c, u int64
	err := row.Scan(&d.ID, &d.SubscriptionID, &d.EventID, &d.Event, &payload, &d.Status, &d.Attempts, &d.ResponseCode, &d.Error, &c, &u)
	d.Payload = []byte(payload)
	d.CreatedAt, d.UpdatedAt = time.UnixMicro(c).UTC(), time.UnixMicro(u).UTC()
	return d, err
}

// Delivery returns one delivery by subscription and event.
func (s *Outbound) Delivery(ctx context.Context, subID int64, eventID string) (notify.Delivery, error) {
	d, err := scanDelivery(s.db.read().QueryRowContext(ctx, `SELECT `+delCols+` FROM webhook_deliveries
		WHERE subscription_id = $1 AND event_id = $2`, subID, eventID))
	return d, notFound(err, "notify.delivery_not_found", "delivery")
}

// Deliveries lists a subscription's deliveries, newest first.
func (s *Outbound) Deliveries(ctx context.Context, subID, beforeID int64, limit int) ([]notify.Delivery, error) {
	q := `SELECT ` + delCols + ` FROM webhook_deliveries WHERE subscription_id = $1`
	args := []any{subID}
	if beforeID > 0 {
		q += ` AND id < $2`
		args = append(args, beforeID)
	}
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, max(1, limit))
	rows, err := s.db.read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: deliveries: %w", err)
	}
	defer rows.Close()
	var out []notify.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// MarkDelivery records an attempt.
func (s *Outbound) MarkDelivery(ctx context.Context, d notify.Delivery) error {
	_, err := s.db.write().ExecContext(ctx, `UPDATE webhook_deliveries SET status=$1, attempts=$2, response_code=$3, error=$4,
		updated_at=$5 WHERE id=$6`, d.Status, d.Attempts, d.ResponseCode, d.Error, d.UpdatedAt.UnixMicro(), d.ID)
	if err != nil {
		return fmt.Errorf("store: mark delivery: %w", err)
	}
	return nil
}

// Replay sets a delivery pending and schedules its job again now.
func (s *Outbound) Replay(ctx context.Context, subID, deliveryID int64) error {
	return s.db.tx(ctx, func(tx conn) error {
		var eventID string
		err := tx.QueryRowContext(ctx, `UPDATE webhook_deliveries SET status = 'pending', updated_at = $1
			WHERE id = $2 AND subscription_id = $3 RETURNING event_id`, time.Now().UnixMicro(), deliveryID, subID).Scan(&eventID)
		if err != nil {
			return notFound(err, "notify.delivery_not_found", "delivery")
		}
		j, err := job.New(notify.KindWebhook, notify.WebhookKey(subID, eventID), time.Now(),
			map[string]any{"subscription": subID, "event_id": eventID})
		if err != nil {
			return err
		}
		j.MaxAttempts = 8
		return scheduleJob(ctx, tx, j)
	})
}

type robotConfig struct {
	URL          string `json:"url"`
	Secret       string `json:"secret"`
	Method       string `json:"method,omitempty"`
	BodyTemplate string `json:"body_template,omitempty"`
}

func scanRobot(row scanner) (notify.Robot, error) {
	var r notify.Robot
	var kind, cfg, events string
	err := row.Scan(&r.ID, &r.Name, &kind, &cfg, &events, &r.Active)
	if err != nil {
		return r, err
	}
	var c robotConfig
	if err := json.Unmarshal([]byte(cfg), &c); err != nil {
		return r, fmt.Errorf("store: robot config: %w", err)
	}
	r.Kind, r.URL, r.Secret, r.Method, r.BodyTemplate, r.Events = notify.RobotKind(kind), c.URL, c.Secret, c.Method, c.BodyTemplate, splitList(events)
	return r, nil
}

// Robots lists the IM robots.
func (s *Outbound) Robots(ctx context.Context) ([]notify.Robot, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT id, name, kind, config, events, active FROM notify_channels ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: robots: %w", err)
	}
	defer rows.Close()
	var out []notify.Robot
	for rows.Next() {
		r, err := scanRobot(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Robot returns one robot.
func (s *Outbound) Robot(ctx context.Context, id int64) (notify.Robot, error) {
	r, err := scanRobot(s.db.read().QueryRowContext(ctx, `SELECT id, name, kind, config, events, active FROM notify_channels WHERE id = $1`, id))
	return r, notFound(err, "notify.robot_not_found", "robot")
}

// SaveRobot inserts (ID 0) or updates a robot.
func (s *Outbound) SaveRobot(ctx context.Context, r notify.Robot) (notify.Robot, error) {
	cfg, _ := json.Marshal(robotConfig{URL: r.URL, Secret: r.Secret, Method: r.Method, BodyTemplate: r.BodyTemplate})
	now := time.Now().UnixMicro()
	id := r.ID
	var err error
	if id == 0 {
		err = s.db.write().QueryRowContext(ctx, `INSERT INTO notify_channels (name, kind, config, events, active, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$6) RETURNING id`, r.Name, string(r.Kind), string(cfg), strings.Join(r.Events, ","), r.Active, now).Scan(&id)
	} else {
		_, err = s.db.write().ExecContext(ctx, `UPDATE notify_channels SET name=$1, kind=$2, config=$3, events=$4, active=$5, updated_at=$6
			WHERE id=$7`, r.Name, string(r.Kind), string(cfg), strings.Join(r.Events, ","), r.Active, now, id)
	}
	if isUnique(err) {
		return r, apperr.FieldError("notify.name_taken", "name", map[string]any{"name": r.Name})
	}
	if err != nil {
		return r, fmt.Errorf("store: save robot: %w", err)
	}
	return s.Robot(ctx, id)
}

// DeleteRobot removes a robot.
func (s *Outbound) DeleteRobot(ctx context.Context, id int64) error {
	res, err := s.db.write().ExecContext(ctx, `DELETE FROM notify_channels WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: delete robot: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "notify.robot_not_found")
	}
	return nil
}

// CountJobs counts the jobs of a kind in any state (statistics, tests).
func (s *Outbound) CountJobs(ctx context.Context, kind string) (int, error) {
	var n int
	if err := s.db.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = $1`, kind).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count jobs: %w", err)
	}
	return n, nil
}
