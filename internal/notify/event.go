package notify

import (
	"encoding/json"
	"time"
)

// Event is a ticket change as its event job carries it (the payload
// Announcer writes).
type Event struct {
	Ticket   string        `json:"ticket"`
	TicketID int64         `json:"ticket_id"`
	Version  int           `json:"version"`
	Created  bool          `json:"created"`
	ActorID  int64         `json:"actor_id"`
	Actor    string        `json:"actor"`
	AtMicro  int64         `json:"at"`
	Events   []EventChange `json:"events"`
	Message  *EventMessage `json:"message,omitempty"`
	Rating   *EventRating  `json:"rating,omitempty"`
}

// EventChange is one history event of the change.
type EventChange struct {
	Kind     string `json:"kind"`
	Field    string `json:"field"`
	From     string `json:"from"`
	To       string `json:"to"`
	Internal bool   `json:"internal"`
}

// EventMessage is the message the change added.
type EventMessage struct {
	Body       string `json:"body"`
	Internal   bool   `json:"internal"`
	AuthorID   int64  `json:"author_id"`
	AuthorRole string `json:"author_role"`
}

// EventRating is the rating the change recorded.
type EventRating struct {
	Score   string `json:"score"`
	Comment string `json:"comment"`
}

// At is when the change happened.
func (e Event) At() time.Time { return time.UnixMicro(e.AtMicro).UTC() }

// Key is the event's unique key.
func (e Event) Key() string { return EventKey(e.TicketID, e.Version) }

// has reports whether the change has an event of kind (and field, when given).
func (e Event) has(kind, to string) (EventChange, bool) {
	for _, c := range e.Events {
		if c.Kind == kind && (to == "" || c.To == to) {
			return c, true
		}
	}
	return EventChange{}, false
}

// decodeEvent reads an event job's payload.
func decodeEvent(b []byte) (Event, error) {
	var e Event
	err := json.Unmarshal(b, &e)
	return e, err
}
