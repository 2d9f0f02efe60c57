package notify

import (
	"fmt"

	"helpdesk/internal/ticket"
)

// Job kinds of the outbound pipeline. A change of a ticket writes one
// KindEvent job in its own transaction (Announcer); its handler (Fanout)
// decides who is told on which channel and writes one job per recipient
// and channel (and per webhook subscription), unique by key, in one
// transaction with the Message-IDs of the mails it will send.
const (
	KindEvent   = "notify.event"
	KindEmail   = "notify.email"
	KindSMS     = "notify.sms"
	KindIM      = "notify.im"
	KindWebhook = "webhook.deliver"
)

// Announcer implements ticket.Announcer: every change becomes one event job.
type Announcer struct{}

// Announce returns the event job of a change, keyed by ticket and the
// version the change creates, so the event exists exactly once.
func (Announcer) Announce(before ticket.Ticket, c ticket.Change) []ticket.Timer {
	t := c.Ticket
	if len(c.Events) == 0 && c.Message == nil && c.Rating == nil {
		return nil
	}
	version := before.Version + 1
	if before.ID == 0 {
		version = 1
	}
	evs := make([]any, 0, len(c.Events))
	var actorID int64
	actor := ""
	for _, e := range c.Events {
		evs = append(evs, map[string]any{"kind": string(e.Kind), "field": e.Field, "from": e.From, "to": e.To, "internal": e.Internal})
		if actorID == 0 && e.ActorID != 0 {
			actorID, actor = e.ActorID, e.Actor
		}
		if actor == "" {
			actor = e.Actor
		}
	}
	p := map[string]any{"ticket": t.Number, "ticket_id": t.ID, "version": version, "created": before.ID == 0,
		"actor_id": actorID, "actor": actor, "events": evs, "at": t.UpdatedAt.UnixMicro()}
	if m := c.Message; m != nil {
		p["message"] = map[string]any{"body": m.Body, "internal": m.Internal, "author_id": m.AuthorID, "author_role": m.AuthorRole}
	}
	if r := c.Rating; r != nil {
		p["rating"] = map[string]any{"score": string(r.Score), "comment": r.Comment}
	}
	return []ticket.Timer{{Key: EventKey(t.ID, version), Kind: KindEvent, At: t.UpdatedAt, Payload: p}}
}

// EventKey is the unique job key of the event of one ticket version.
func EventKey(ticketID int64, version int) string {
	return fmt.Sprintf("notify:%d:%d", ticketID, version)
}
