package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"helpdesk/internal/ticket"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// ticketPath is the {number} path parameter. Other inputs repeat its field
// rather than embed it: huma skips embedded structs of unexported types,
// which would leave Number empty.
type ticketPath struct {
	Number string `path:"number" maxLength:"32" example:"TS20261122001"`
}

type ticketOut struct {
	ETag string `header:"ETag"`
	Body TicketJSON
}

func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// parseIfMatch reads the version from If-Match ("3" or W/"3"); empty is 0.
func parseIfMatch(ctx context.Context, h string) (int, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, nil
	}
	h = strings.TrimPrefix(h, "W/")
	v, err := strconv.Atoi(strings.Trim(h, `"`))
	if err != nil || v <= 0 {
		return 0, newProblem(ctx, http.StatusBadRequest, "request.if_match_invalid", nil)
	}
	return v, nil
}

func (a *API) ticketOut(t ticket.Ticket) *ticketOut {
	return &ticketOut{ETag: etag(t.Version), Body: ticketJSON(t)}
}

type createTicketIn struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"Retrying with the same key returns the ticket created first."`
	Body           struct {
		Title        string         `json:"title" maxLength:"200" doc:"One line, at most 200 characters."`
		Description  string         `json:"description" maxLength:"20000"`
		Category     string         `json:"category" example:"software" doc:"Category key (GET /api/v1/categories)."`
		Priority     string         `json:"priority,omitempty" enum:"P1,P2,P3,P4" default:"P3"`
		Channel      string         `json:"channel,omitempty" enum:"web,email,phone,api" doc:"Defaults to api."`
		ContactPhone string         `json:"contact_phone,omitempty"`
		ContactEmail string         `json:"contact_email,omitempty"`
		CustomFields map[string]any `json:"custom_fields,omitempty" doc:"Values for the category's custom fields."`
		Requester    string         `json:"requester,omitempty" doc:"Staff only: file on behalf of this customer (e.g. a phone ticket)."`
	}
}

type createTicketOut struct {
	Status   int
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Replayed string `header:"Idempotent-Replayed"`
	Body     TicketJSON
}

type listTicketsIn struct {
	Status      []string  `query:"status,explode" doc:"Filter by status; repeat or comma-separate for several."`
	Priority    []string  `query:"priority,explode"`
	Category    string    `query:"category"`
	Group       string    `query:"group"`
	Assignee    string    `query:"assignee" doc:"A login, me, or none for unassigned tickets."`
	Requester   string    `query:"requester"`
	CreatedFrom time.Time `query:"created_from" doc:"RFC 3339; tickets created at or after."`
	CreatedTo   time.Time `query:"created_to" doc:"RFC 3339; tickets created before."`
	Sort        string    `query:"sort" enum:"updated_at,created_at,priority" default:"updated_at"`
	Order       string    `query:"order" enum:"asc,desc" default:"desc"`
	Cursor      string    `query:"cursor" maxLength:"200" doc:"next_cursor of the previous page."`
	Limit       int       `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type listTicketsOut struct {
	Body struct {
		Items      []TicketJSON `json:"items"`
		NextCursor string       `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page."`
	}
}

type patchTicketIn struct {
	Number  string `path:"number" maxLength:"32" example:"TS20261122001"`
	IfMatch string `header:"If-Match" doc:"The ETag you edited; a newer ticket answers 412."`
	Body    struct {
		Title        *string        `json:"title,omitempty" maxLength:"200"`
		Description  *string        `json:"description,omitempty" maxLength:"20000"`
		Priority     *string        `json:"priority,omitempty" enum:"P1,P2,P3,P4"`
		Category     *string        `json:"category,omitempty"`
		ContactPhone *string        `json:"contact_phone,omitempty"`
		ContactEmail *string        `json:"contact_email,omitempty"`
		CustomFields map[string]any `json:"custom_fields,omitempty" doc:"Keys to set; null removes a key."`
	}
}

type statusIn struct {
	Number  string `path:"number" maxLength:"32" example:"TS20261122001"`
	IfMatch string `header:"If-Match"`
	Body    struct {
		Status  string `json:"status" enum:"unassigned,assigned,in_progress,awaiting_confirmation,resolved,closed,follow_up"`
		Comment string `json:"comment,omitempty" maxLength:"2000" doc:"Reason; required where the status machine asks for one."`
	}
}

type assignIn struct {
	Number  string `path:"number" maxLength:"32" example:"TS20261122001"`
	IfMatch string `header:"If-Match"`
	Body    struct {
		Assignee string `json:"assignee,omitempty" doc:"Login of the agent; empty returns the ticket to the group queue."`
		Group    string `json:"group,omitempty" doc:"Transfer to this group (supervisors and admins)."`
		Reason   string `json:"reason,omitempty" maxLength:"2000"`
	}
}

func (a *API) registerTickets() {
	tags := []string{"Tickets"}
	huma.Register(a.h, huma.Operation{OperationID: "create-ticket", Method: http.MethodPost, Path: "/api/v1/tickets",
		Summary: "Submit a ticket", Tags: tags, DefaultStatus: http.StatusCreated,
		Errors: []int{400, 401, 403, 413, 422}},
		func(ctx context.Context, in *createTicketIn) (*createTicketOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			b := in.Body
			ch := ticket.Channel(b.Channel)
			if ch == "" {
				ch = ticket.ChannelAPI
			}
			t, replayed, err := a.d.Tickets.CreateIdempotent(ctx, by, ticket.CreateInput{
				Title: b.Title, Description: b.Description, Category: b.Category, Priority: ticket.Priority(b.Priority),
				Channel: ch, ContactPhone: b.ContactPhone, ContactEmail: b.ContactEmail, CustomFields: b.CustomFields,
				Requester: b.Requester, IdempotencyKey: in.IdempotencyKey})
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &createTicketOut{Status: http.StatusCreated, ETag: etag(t.Version), Location: "/api/v1/tickets/" + t.Number, Body: ticketJSON(t)}
			if replayed {
				out.Status, out.Replayed = http.StatusOK, "true"
			}
			return out, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "list-tickets", Method: http.MethodGet, Path: "/api/v1/tickets",
		Summary: "List tickets", Description: "Tickets the caller may see, newest change first, with cursor pagination.",
		Tags: tags, Errors: []int{401, 422}},
		func(ctx context.Context, in *listTicketsIn) (*listTicketsOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			page, err := a.d.Tickets.List(ctx, by, ticket.ListInput{
				Statuses: splitList(in.Status), Priorities: splitList(in.Priority), Category: in.Category, Group: in.Group,
				Assignee: in.Assignee, Requester: in.Requester, CreatedFrom: in.CreatedFrom, CreatedTo: in.CreatedTo,
				Sort: in.Sort, Order: in.Order, Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &listTicketsOut{}
			out.Body.Items = make([]TicketJSON, len(page.Tickets))
			for i, t := range page.Tickets {
				out.Body.Items[i] = ticketJSON(t)
			}
			out.Body.NextCursor = page.Next
			return out, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "get-ticket", Method: http.MethodGet, Path: "/api/v1/tickets/{number}",
		Summary: "Get a ticket", Tags: tags, Errors: []int{401, 404}},
		func(ctx context.Context, in *ticketPath) (*ticketOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			t, err := a.d.Tickets.Get(ctx, by, in.Number)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return a.ticketOut(t), nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "update-ticket", Method: http.MethodPatch, Path: "/api/v1/tickets/{number}",
		Summary: "Change ticket fields", Tags: tags, Errors: []int{400, 401, 403, 404, 409, 412, 422}},
		func(ctx context.Context, in *patchTicketIn) (*ticketOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			v, err := parseIfMatch(ctx, in.IfMatch)
			if err != nil {
				return nil, err
			}
			b := in.Body
			p := ticket.Patch{Title: b.Title, Description: b.Description, Category: b.Category, ContactPhone: b.ContactPhone,
				ContactEmail: b.ContactEmail, CustomFields: b.CustomFields}
			if b.Priority != nil {
				pr := ticket.Priority(*b.Priority)
				p.Priority = &pr
			}
			t, err := a.d.Tickets.Update(ctx, by, in.Number, v, p)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return a.ticketOut(t), nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "change-ticket-status", Method: http.MethodPost, Path: "/api/v1/tickets/{number}/status",
		Summary: "Change a ticket's status", Description: "Moves the ticket through the status machine; a forbidden move answers 409.",
		Tags: tags, Errors: []int{400, 401, 403, 404, 409, 412, 422}},
		func(ctx context.Context, in *statusIn) (*ticketOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			v, err := parseIfMatch(ctx, in.IfMatch)
			if err != nil {
				return nil, err
			}
			t, err := a.d.Tickets.ChangeStatus(ctx, by, in.Number, v, ticket.Status(in.Body.Status), in.Body.Comment)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return a.ticketOut(t), nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "assign-ticket", Method: http.MethodPost, Path: "/api/v1/tickets/{number}/assign",
		Summary: "Assign or transfer a ticket", Tags: tags, Errors: []int{400, 401, 403, 404, 409, 412, 422}},
		func(ctx context.Context, in *assignIn) (*ticketOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			v, err := parseIfMatch(ctx, in.IfMatch)
			if err != nil {
				return nil, err
			}
			t, err := a.d.Tickets.Assign(ctx, by, in.Number, v, in.Body.Assignee, in.Body.Group, in.Body.Reason)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return a.ticketOut(t), nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "claim-ticket", Method: http.MethodPost, Path: "/api/v1/tickets/{number}/claim",
		Summary: "Claim an unassigned ticket", Description: "When several agents claim at once exactly one wins; the others get 409 ticket.already_assigned.",
		Tags: tags, Errors: []int{401, 403, 404, 409}},
		func(ctx context.Context, in *ticketPath) (*ticketOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			t, err := a.d.Tickets.Claim(ctx, by, in.Number)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return a.ticketOut(t), nil
		})
}

// splitList accepts both repeated and comma-separated query values.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
