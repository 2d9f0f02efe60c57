package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/job"
	"helpdesk/internal/ticket"
)

// The webhook event types.
const (
	EventTicketCreated  = "ticket.created"
	EventTicketUpdated  = "ticket.updated"
	EventStatusChanged  = "ticket.status_changed"
	EventMessageAdded   = "message.added"
	EventSLABreached    = "sla.breached"
	EventRatingReceived = "rating.received"
)

// EventTypes lists every webhook event type.
var EventTypes = []string{EventTicketCreated, EventTicketUpdated, EventStatusChanged, EventMessageAdded, EventSLABreached, EventRatingReceived}

// Subscription sends events to an integration's URL.
type Subscription struct {
	ID     int64
	Name   string
	URL    string
	Secret string
	Events []string
	Active bool
	// Robot-style formatting is in Robot; a subscription always gets the JSON payload.
	CreatedAt, UpdatedAt time.Time
}

// Delivery is one event sent (or to send) to one subscription.
type Delivery struct {
	ID             int64
	SubscriptionID int64
	EventID        string
	Event          string
	Payload        []byte
	Status         string // pending, delivered, failed
	Attempts       int
	ResponseCode   int
	Error          string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// The delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Payload is the stable JSON schema (version 1) of a webhook delivery.
type Payload struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	Schema    int             `json:"schema"`
	CreatedAt time.Time       `json:"created_at"`
	Ticket    PayloadTicket   `json:"ticket"`
	Actor     string          `json:"actor,omitempty"`
	Changes   []PayloadChange `json:"changes"`
	Message   *PayloadMessage `json:"message,omitempty"`
	Rating    *EventRating    `json:"rating,omitempty"`
}

// PayloadTicket is the ticket in a webhook payload.
type PayloadTicket struct {
	Number    string    `json:"number"`
	Title     string    `json:"title"`
	Status    string    `json:"status"`
	Priority  string    `json:"priority"`
	Channel   string    `json:"channel"`
	Category  string    `json:"category"`
	Group     string    `json:"group"`
	Assignee  string    `json:"assignee"`
	Requester string    `json:"requester"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PayloadChange is one change in a webhook payload.
type PayloadChange struct {
	Kind  string `json:"kind"`
	Field string `json:"field,omitempty"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
}

// PayloadMessage is a public message in a webhook payload (internal
// notes never leave the desk).
type PayloadMessage struct {
	Body       string `json:"body"`
	AuthorRole string `json:"author_role"`
}

// eventTypes are the webhook event types of one ticket event.
func eventTypes(ev Event) []string {
	if ev.Created {
		return []string{EventTicketCreated}
	}
	out := []string{EventTicketUpdated}
	if _, ok := ev.has(string(ticket.EventStatus), ""); ok {
		out = append(out, EventStatusChanged)
	}
	if ev.Message != nil && !ev.Message.Internal {
		out = append(out, EventMessageAdded)
	}
	if _, ok := ev.has(string(ticket.EventSLA), "breached"); ok {
		out = append(out, EventSLABreached)
	}
	if ev.Rating != nil {
		out = append(out, EventRatingReceived)
	}
	return out
}

func payloadFor(ev Event, typ string, t ticket.Ticket) Payload {
	p := Payload{ID: ev.Key() + ":" + typ, Type: typ, Schema: 1, CreatedAt: ev.At(), Actor: ev.Actor,
		Ticket: PayloadTicket{Number: t.Number, Title: t.Title, Status: string(t.Status), Priority: string(t.Priority),
			Channel: string(t.Channel), Category: t.CategoryKey, Group: t.GroupKey, Assignee: t.Assignee, Requester: t.Requester,
			Version: ev.Version, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}, Changes: []PayloadChange{}, Rating: ev.Rating}
	for _, c := range ev.Events {
		if !c.Internal {
			p.Changes = append(p.Changes, PayloadChange{Kind: c.Kind, Field: c.Field, From: c.From, To: c.To})
		}
	}
	if m := ev.Message; m != nil && !m.Internal {
		p.Message = &PayloadMessage{Body: m.Body, AuthorRole: m.AuthorRole}
	}
	return p
}

// webhooks adds the deliveries of an event to the outbox.
func (x *Dispatcher) webhooks(ctx context.Context, ev Event, t ticket.Ticket, out *Outbox) error {
	subs, err := x.d.Store.Subscriptions(ctx)
	if err != nil {
		return err
	}
	for _, typ := range eventTypes(ev) {
		var body []byte
		for _, s := range subs {
			if !s.Active || !slices.Contains(s.Events, typ) {
				continue
			}
			if body == nil {
				if body, err = json.Marshal(payloadFor(ev, typ, t)); err != nil {
					return job.Permanent(err)
				}
			}
			id := ev.Key() + ":" + typ
			out.Deliveries = append(out.Deliveries, Delivery{SubscriptionID: s.ID, EventID: id, Event: typ, Payload: body,
				Status: DeliveryPending, CreatedAt: ev.At(), UpdatedAt: ev.At()})
			jb, err := job.New(KindWebhook, WebhookKey(s.ID, id), ev.At(), map[string]any{"subscription": s.ID, "event_id": id})
			if err != nil {
				return job.Permanent(err)
			}
			jb.MaxAttempts = 8
			out.Jobs = append(out.Jobs, jb)
		}
	}
	return nil
}

// WebhookKey is the unique job key of one delivery.
func WebhookKey(subID int64, eventID string) string { return fmt.Sprintf("wh:%d:%s", subID, eventID) }

// Sign is the X-Helpdesk-Signature value of a body: "sha256=" and the
// hex HMAC-SHA256 of the body under the subscription's secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// WebhookStore keeps subscriptions and their delivery log.
type WebhookStore interface {
	Subscription(ctx context.Context, id int64) (Subscription, error)
	SaveSubscription(ctx context.Context, s Subscription) (Subscription, error)
	DeleteSubscription(ctx context.Context, id int64) error
	Subscriptions(ctx context.Context) ([]Subscription, error)
	Delivery(ctx context.Context, subID int64, eventID string) (Delivery, error)
	Deliveries(ctx context.Context, subID, beforeID int64, limit int) ([]Delivery, error)
	MarkDelivery(ctx context.Context, d Delivery) error
	// Replay sends a delivery again: pending, with a fresh job.
	Replay(ctx context.Context, subID, deliveryID int64) error
}

// Webhooks delivers events to integrations and manages subscriptions.
type Webhooks struct {
	store  WebhookStore
	client *http.Client
	now    func() time.Time
}

// NewWebhooks builds the webhook service; client nil uses a 10 s timeout.
func NewWebhooks(s WebhookStore, client *http.Client) *Webhooks {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Webhooks{store: s, client: client, now: time.Now}
}

// Deliver sends one delivery (the KindWebhook job handler). A non-2xx
// answer or a network error is retried with the runner's backoff; the
// log records every attempt.
func (w *Webhooks) Deliver(ctx context.Context, j job.Job) error {
	var p struct {
		Subscription int64  `json:"subscription"`
		EventID      string `json:"event_id"`
	}
	if err := j.Decode(&p); err != nil {
		return err
	}
	sub, err := w.store.Subscription(ctx, p.Subscription)
	if apperr.KindOf(err) == apperr.NotFound {
		return nil // deleted since: nothing to send
	}
	if err != nil {
		return err
	}
	d, err := w.store.Delivery(ctx, p.Subscription, p.EventID)
	if err != nil {
		return err
	}
	if d.Status == DeliveryDelivered || !sub.Active {
		return nil
	}
	code, err := w.post(ctx, sub, d)
	d.Attempts++
	d.ResponseCode, d.UpdatedAt = code, w.now().UTC()
	d.Status, d.Error = DeliveryDelivered, ""
	if err != nil {
		d.Status, d.Error = DeliveryPending, truncate(err.Error(), 500)
		max := j.MaxAttempts
		if max == 0 {
			max = job.DefaultMaxAttempts
		}
		if j.Attempts >= max {
			d.Status = DeliveryFailed
		}
	}
	if merr := w.store.MarkDelivery(ctx, d); merr != nil {
		return merr
	}
	return err
}

func (w *Webhooks) post(ctx context.Context, s Subscription, d Delivery) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Helpdesk-Webhook/1")
	req.Header.Set("X-Helpdesk-Event", d.Event)
	req.Header.Set("X-Helpdesk-Delivery", d.EventID)
	req.Header.Set("X-Helpdesk-Signature", Sign(s.Secret, d.Payload))
	res, err := w.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("webhook: %s answered %d", s.URL, res.StatusCode)
	}
	return res.StatusCode, nil
}

// Subscriptions lists the webhook subscriptions (admins only).
func (w *Webhooks) Subscriptions(ctx context.Context, by identity.Actor) ([]Subscription, error) {
	if !by.IsAdmin() {
		return nil, apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	return w.store.Subscriptions(ctx)
}

// Save creates (ID 0) or updates a subscription.
func (w *Webhooks) Save(ctx context.Context, by identity.Actor, s Subscription) (Subscription, error) {
	if !by.IsAdmin() {
		return Subscription{}, apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	var m apperr.Multi
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" || len(s.Name) > 100 {
		m.Add(apperr.FieldError("field.required", "name", nil))
	}
	if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		m.Add(apperr.FieldError("notify.url_invalid", "url", nil))
	}
	if len(s.Secret) < 16 {
		m.Add(apperr.FieldError("notify.secret_short", "secret", map[string]any{"min": 16}))
	}
	if len(s.Events) == 0 {
		m.Add(apperr.FieldError("field.required", "events", nil))
	}
	for _, e := range s.Events {
		if !slices.Contains(EventTypes, e) {
			m.Add(apperr.FieldError("notify.event_unknown", "events", map[string]any{"event": e}))
		}
	}
	if err := m.Err(); err != nil {
		return Subscription{}, err
	}
	return w.store.SaveSubscription(ctx, s)
}

// Delete removes a subscription and its delivery log.
func (w *Webhooks) Delete(ctx context.Context, by identity.Actor, id int64) error {
	if !by.IsAdmin() {
		return apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	return w.store.DeleteSubscription(ctx, id)
}

// Log lists a subscription's deliveries, newest first.
func (w *Webhooks) Log(ctx context.Context, by identity.Actor, subID, beforeID int64, limit int) ([]Delivery, error) {
	if !by.IsAdmin() {
		return nil, apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	return w.store.Deliveries(ctx, subID, beforeID, limit)
}

// Replay sends a delivery again.
func (w *Webhooks) Replay(ctx context.Context, by identity.Actor, subID, deliveryID int64) error {
	if !by.IsAdmin() {
		return apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	return w.store.Replay(ctx, subID, deliveryID)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
