package ticket

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// SortKey is a column a ticket list can be ordered by.
type SortKey string

// The sort keys. Every list is ordered by the key, then by id, so that a
// cursor names an exact position.
const (
	SortUpdated  SortKey = "updated_at"
	SortCreated  SortKey = "created_at"
	SortPriority SortKey = "priority"
)

// Scope limits a query to what an actor may see. The zero Scope sees nothing.
type Scope struct {
	All bool
	// Customers: own tickets, plus the organization's when OrgID is set.
	RequesterID int64
	OrgID       int64
	// Staff: tickets of these groups plus tickets assigned to UserID.
	GroupIDs []int64
	UserID   int64
}

// Cursor is a position in a sorted list: the sort value and id of the last row seen.
type Cursor struct {
	Value any
	ID    int64
}

// Query is a ticket listing as the store runs it.
type Query struct {
	Scope       Scope
	Statuses    []Status
	Priorities  []Priority
	CategoryID  int64
	GroupID     int64
	AssigneeID  int64
	Unassigned  bool
	RequesterID int64
	CreatedFrom time.Time
	CreatedTo   time.Time
	Sort        SortKey
	Desc        bool
	After       *Cursor
	Limit       int
}

// ListInput is a ticket listing as a caller asks for it.
type ListInput struct {
	Statuses   []string
	Priorities []string
	Category   string
	Group      string
	// Assignee is a login, "me", or "none" for unassigned tickets.
	Assignee  string
	Requester string
	// CreatedFrom and CreatedTo bound the creation time: [from, to).
	CreatedFrom time.Time
	CreatedTo   time.Time
	Sort        string
	// Order is "asc" or "desc" (default desc).
	Order  string
	Cursor string
	Limit  int
}

// Page is one page of a listing and the cursor for the next, empty at the end.
type Page struct {
	Tickets []Ticket
	Next    string
}

// Listing limits.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// ScopeOf is the part of the desk an actor may list.
func ScopeOf(a identity.Actor) Scope {
	switch {
	case a.IsAdmin():
		return Scope{All: true}
	case a.Role == identity.RoleCustomer:
		s := Scope{RequesterID: a.UserID}
		if a.OrgVisible {
			s.OrgID = a.OrgID
		}
		return s
	}
	return Scope{GroupIDs: a.GroupIDs, UserID: a.UserID}
}

// List returns one page of the tickets the actor may see, filtered and sorted.
func (s *Service) List(ctx context.Context, by identity.Actor, in ListInput) (Page, error) {
	q := Query{Scope: ScopeOf(by), CreatedFrom: in.CreatedFrom, CreatedTo: in.CreatedTo, Limit: in.Limit}
	var m apperr.Multi
	for _, v := range in.Statuses {
		if st := Status(v); st.Valid() {
			q.Statuses = append(q.Statuses, st)
		} else {
			m.Add(apperr.FieldError("ticket.status_invalid", "status", map[string]any{"value": v}))
		}
	}
	for _, v := range in.Priorities {
		if p := Priority(v); p.Valid() {
			q.Priorities = append(q.Priorities, p)
		} else {
			m.Add(apperr.FieldError("ticket.priority_invalid", "priority", map[string]any{"value": v}))
		}
	}
	switch q.Sort = SortKey(in.Sort); q.Sort {
	case "":
		q.Sort = SortUpdated
	case SortUpdated, SortCreated, SortPriority:
	default:
		m.Add(apperr.FieldError("list.sort_invalid", "sort", map[string]any{"options": "updated_at, created_at, priority"}))
	}
	switch strings.ToLower(in.Order) {
	case "", "desc":
		q.Desc = true
	case "asc":
	default:
		m.Add(apperr.FieldError("list.order_invalid", "order", nil))
	}
	if q.Limit <= 0 {
		q.Limit = DefaultPageSize
	}
	if q.Limit > MaxPageSize {
		m.Add(apperr.FieldError("field.out_of_range", "limit", map[string]any{"min": 1, "max": MaxPageSize}))
	}
	if in.Cursor != "" {
		c, err := decodeCursor(in.Cursor, q.Sort)
		if err != nil {
			m.Add(apperr.FieldError("list.cursor_invalid", "cursor", nil))
		}
		q.After = c
	}
	if err := m.Err(); err != nil {
		return Page{}, err
	}
	if err := s.resolveFilters(ctx, by, in, &q); err != nil {
		return Page{}, err
	}
	wanted := q.Limit
	q.Limit++ // one more tells whether a next page exists, without a COUNT
	rows, err := s.store.ListTickets(ctx, q)
	if err != nil {
		return Page{}, err
	}
	var p Page
	if len(rows) > wanted {
		rows = rows[:wanted]
		p.Next = encodeCursor(q.Sort, rows[wanted-1])
	}
	for i := range rows {
		rows[i] = s.view(ctx, RelationOf(by, rows[i]), rows[i])
	}
	p.Tickets = rows
	return p, nil
}

// resolveFilters turns keys and logins into ids. An unknown name filters to
// nothing rather than failing, so a stale bookmark shows an empty list.
func (s *Service) resolveFilters(ctx context.Context, by identity.Actor, in ListInput, q *Query) error {
	const none = -1
	if in.Category != "" {
		c, err := s.store.CategoryByKey(ctx, in.Category)
		if err != nil && apperr.KindOf(err) != apperr.NotFound {
			return err
		}
		q.CategoryID = c.ID
		if err != nil {
			q.CategoryID = none
		}
	}
	if in.Group != "" {
		g, err := s.dir.GroupByKey(ctx, in.Group)
		if err != nil && apperr.KindOf(err) != apperr.NotFound {
			return err
		}
		q.GroupID = g.ID
		if err != nil {
			q.GroupID = none
		}
	}
	switch in.Assignee {
	case "":
	case "none":
		q.Unassigned = true
	case "me":
		q.AssigneeID = by.UserID
	default:
		id, err := s.userID(ctx, in.Assignee)
		if err != nil {
			return err
		}
		q.AssigneeID = id
	}
	if in.Requester != "" {
		id, err := s.userID(ctx, in.Requester)
		if err != nil {
			return err
		}
		q.RequesterID = id
	}
	return nil
}

func (s *Service) userID(ctx context.Context, login string) (int64, error) {
	u, err := s.dir.UserByLogin(ctx, login)
	if apperr.KindOf(err) == apperr.NotFound {
		return -1, nil
	}
	return u.ID, err
}

// SortValue is the value of the sort column for a ticket, as a cursor holds it.
func SortValue(k SortKey, t Ticket) any {
	switch k {
	case SortCreated:
		return t.CreatedAt.UnixMicro()
	case SortPriority:
		return string(t.Priority)
	}
	return t.UpdatedAt.UnixMicro()
}

func encodeCursor(k SortKey, t Ticket) string {
	b, _ := json.Marshal(struct {
		V any   `json:"v"`
		I int64 `json:"i"`
	}{SortValue(k, t), t.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, k SortKey) (*Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	var raw struct {
		V json.RawMessage `json:"v"`
		I int64           `json:"i"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	c := &Cursor{ID: raw.I}
	if k == SortPriority {
		var v string
		if err := json.Unmarshal(raw.V, &v); err != nil || !Priority(v).Valid() {
			return nil, apperr.New(apperr.Invalid, "list.cursor_invalid")
		}
		c.Value = v
	} else {
		var v int64
		if err := json.Unmarshal(raw.V, &v); err != nil {
			return nil, err
		}
		c.Value = v
	}
	return c, nil
}
