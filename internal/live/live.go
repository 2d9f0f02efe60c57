// Package live is the desk's change feed for pages that update themselves:
// which ticket changed (read from the durable ticket history, the source of
// truth), a wake-up when something may have changed (LISTEN/NOTIFY across
// PostgreSQL nodes, in-process on SQLite), and who has a ticket open
// (presence heartbeats with a short TTL, shared through the database).
package live

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Event is one change to a ticket, as the feed reports it: enough to tell
// a page whether to refresh, never the content (the page fetches that with
// the reader's permissions).
type Event struct {
	// ID is the history event's id.
	ID       int64
	TicketID int64
	Number   string
	Kind     string
	// Internal events (notes) are never shown to customers.
	Internal bool
	ActorID  int64
	At       time.Time
	// The ticket's scope columns, for filtering by who may see it.
	GroupID     int64
	AssigneeID  int64
	RequesterID int64
	OrgID       int64
}

// Viewer is a person who has a ticket open.
type Viewer struct {
	UserID int64
	Login  string
	Name   string
	Typing bool
	SeenAt time.Time
}

// Store reads the feed and keeps presence heartbeats.
type Store interface {
	// EventsAfter lists events with id > after, in id order, of one ticket
	// when ticketID is set.
	EventsAfter(ctx context.Context, after, ticketID int64, limit int) ([]Event, error)
	// LastEventID is the highest event id now visible.
	LastEventID(ctx context.Context) (int64, error)
	TouchPresence(ctx context.Context, ticketID, userID int64, typing bool, at time.Time) error
	LeavePresence(ctx context.Context, ticketID, userID int64) error
	// Presence lists who was seen on the ticket since the given time.
	Presence(ctx context.Context, ticketID int64, since time.Time) ([]Viewer, error)
	// PrunePresence deletes heartbeats older than before.
	PrunePresence(ctx context.Context, before time.Time) error
}

// Feed limits and timings.
const (
	// PresenceTTL: a viewer whose last heartbeat is older is gone.
	PresenceTTL = 30 * time.Second
	// Grace bounds how long a transaction may hold an event id before it
	// commits. On PostgreSQL ids are taken in order but committed in any
	// order, so a reader keeps re-reading the ids above its horizon until
	// they are this old.
	Grace = 30 * time.Second
	// batch is the most events one read returns.
	batch = 500
)

// Hub wakes the readers of one node when the feed may have grown. On
// PostgreSQL a listener calls Wake for every NOTIFY from any node; on
// SQLite the ticket store's writes call it directly.
type Hub struct {
	store Store
	// Ordered is true when event ids become visible in id order (SQLite's
	// single writer); the reader then needs no re-read window.
	ordered bool
	now     func() time.Time
	mu      sync.Mutex
	ch      chan struct{}
}

// NewHub builds a hub over the store. ordered says whether ids commit in order.
func NewHub(s Store, ordered bool, now func() time.Time) *Hub {
	if now == nil {
		now = time.Now
	}
	return &Hub{store: s, ordered: ordered, now: now, ch: make(chan struct{})}
}

// Store is the hub's store (for presence).
func (h *Hub) Store() Store { return h.store }

// Now is the hub's clock.
func (h *Hub) Now() time.Time { return h.now() }

// Wake tells every waiting reader to look again.
func (h *Hub) Wake() {
	h.mu.Lock()
	close(h.ch)
	h.ch = make(chan struct{})
	h.mu.Unlock()
}

// Changed returns a channel closed at the next Wake.
func (h *Hub) Changed() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ch
}

// Listen runs listen (a LISTEN loop that calls wake per notification and
// returns on error) until ctx ends, reconnecting after failures. Readers
// also poll, so a lost connection delays updates, it never loses them.
func (h *Hub) Listen(ctx context.Context, listen func(ctx context.Context, wake func()) error, onErr func(error)) {
	for ctx.Err() == nil {
		err := listen(ctx, h.Wake)
		if ctx.Err() != nil {
			return
		}
		if err != nil && onErr != nil {
			onErr(err)
		}
		h.Wake() // something may have happened while we were away
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// Cursor is a reader's position in the feed. Horizon is an id below which
// the reader has seen everything; above it, Seen remembers what was
// already delivered while those ids wait to become old enough.
type Cursor struct {
	Horizon int64
	seen    map[int64]bool
}

// Start returns a cursor at the feed's current end (nothing old is
// delivered). A page reads it before rendering and subscribes from it, so
// nothing committed after the page was built is missed.
func (h *Hub) Start(ctx context.Context) (*Cursor, error) {
	id, err := h.store.LastEventID(ctx)
	if err != nil {
		return nil, err
	}
	return &Cursor{Horizon: id}, nil
}

// Resume returns a cursor after a horizon a client reported (Last-Event-ID).
func Resume(horizon int64) *Cursor { return &Cursor{Horizon: horizon} }

// Next returns the events after the cursor not yet delivered (of one
// ticket when ticketID is set) and advances it.
func (h *Hub) Next(ctx context.Context, c *Cursor, ticketID int64) ([]Event, error) {
	rows, err := h.store.EventsAfter(ctx, c.Horizon, ticketID, batch)
	if err != nil {
		return nil, err
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	if c.seen == nil {
		c.seen = map[int64]bool{}
	}
	var out []Event
	for _, e := range rows {
		if !c.seen[e.ID] {
			out = append(out, e)
			c.seen[e.ID] = true
		}
	}
	if h.ordered || len(rows) == batch {
		// In-order ids (or a full batch, where the rest follows): the
		// horizon moves past everything read.
		if len(rows) > 0 {
			c.Horizon = rows[len(rows)-1].ID
		}
		clear(c.seen)
		return out, nil
	}
	// Advance the horizon over the prefix that is old enough that no
	// smaller id can still commit; keep the rest in the seen set.
	old := h.now().Add(-Grace)
	for _, e := range rows {
		if e.At.After(old) {
			break
		}
		c.Horizon = e.ID
	}
	for id := range c.seen {
		if id <= c.Horizon {
			delete(c.seen, id)
		}
	}
	return out, nil
}
