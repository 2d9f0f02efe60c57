package httpapi

import (
	"time"

	"helpdesk/internal/identity"
	"helpdesk/internal/sla"
	"helpdesk/internal/ticket"
)

// TicketJSON is a ticket as the API shows it.
type TicketJSON struct {
	Number          string         `json:"number" example:"TS20261122001"`
	Title           string         `json:"title"`
	Description     string         `json:"description,omitempty" doc:"Omitted in listings."`
	Category        string         `json:"category" example:"software"`
	Priority        string         `json:"priority" enum:"P1,P2,P3,P4"`
	Status          string         `json:"status" enum:"unassigned,assigned,in_progress,awaiting_confirmation,resolved,closed,follow_up"`
	Channel         string         `json:"channel" enum:"web,email,phone,api"`
	ContactPhone    string         `json:"contact_phone" doc:"Masked (138****1234) for roles that need no more."`
	ContactEmail    string         `json:"contact_email" doc:"Masked (z***@example.com) for roles that need no more."`
	CustomFields    map[string]any `json:"custom_fields"`
	Group           string         `json:"group" doc:"Key of the support group."`
	Assignee        *string        `json:"assignee" doc:"Login of the assigned agent, null when unassigned."`
	Requester       string         `json:"requester" doc:"Login of the customer."`
	Organization    string         `json:"organization,omitempty"`
	SLA             *SLAJSON       `json:"sla" doc:"Deadlines in working time; null when no SLA applies."`
	EscalationLevel int            `json:"escalation_level" doc:"Rises with every escalation (SLA breach or request)."`
	Parent          *string        `json:"parent" doc:"The closed ticket this one follows on from, if any."`
	Version         int            `json:"version" doc:"Grows with every change; send it back in If-Match to avoid overwriting a newer change."`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
	FirstResponseAt *time.Time     `json:"first_response_at"`
	ResolvedAt      *time.Time     `json:"resolved_at"`
	ClosedAt        *time.Time     `json:"closed_at"`
}

// SLAJSON is a ticket's SLA: deadlines of the running clocks and their state.
type SLAJSON struct {
	AcknowledgeDue   *time.Time       `json:"acknowledge_due" doc:"When the assignee must acknowledge; null when not running."`
	FirstResponseDue *time.Time       `json:"first_response_due" doc:"When the first reply is due; null when not running."`
	ResolutionDue    *time.Time       `json:"resolution_due" doc:"When resolution is due; null when not running."`
	Remaining        map[string]int64 `json:"remaining_seconds" doc:"Working time left per running clock, in seconds (negative when overdue)."`
	Paused           []string         `json:"paused" doc:"Clocks paused while the ticket waits on the customer."`
	Breached         []string         `json:"breached" doc:"Clocks whose target was missed."`
	Met              []string         `json:"met" doc:"Clocks whose target was reached (or that stopped)."`
}

func slaJSON(t ticket.Ticket) *SLAJSON {
	st := t.SLAStatus
	if st == nil {
		return nil
	}
	due := func(k sla.Kind) *time.Time {
		if d, ok := st.Due[k]; ok && !d.IsZero() {
			return &d
		}
		return nil
	}
	names := func(ks []sla.Kind) []string {
		out := make([]string, len(ks))
		for i, k := range ks {
			out[i] = string(k)
		}
		return out
	}
	rem := make(map[string]int64, len(st.Remaining))
	for k, d := range st.Remaining {
		rem[string(k)] = int64(d / time.Second)
	}
	return &SLAJSON{AcknowledgeDue: due(sla.Acknowledge), FirstResponseDue: due(sla.FirstResponse), ResolutionDue: due(sla.Resolution),
		Remaining: rem, Paused: names(st.Paused), Breached: names(st.Breached), Met: names(st.Met)}
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func ticketJSON(t ticket.Ticket) TicketJSON {
	cf := t.CustomFields
	if cf == nil {
		cf = map[string]any{}
	}
	return TicketJSON{
		Number: t.Number, Title: t.Title, Description: t.Description, Category: t.CategoryKey,
		Priority: string(t.Priority), Status: string(t.Status), Channel: string(t.Channel),
		ContactPhone: t.ContactPhone, ContactEmail: t.ContactEmail, CustomFields: cf, Group: t.GroupKey,
		Assignee: optString(t.Assignee), Requester: t.Requester, Organization: t.OrgName, SLA: slaJSON(t), EscalationLevel: t.EscalationLevel, Parent: optString(t.ParentNumber), Version: t.Version,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, FirstResponseAt: optTime(t.FirstResponseAt),
		ResolvedAt: optTime(t.ResolvedAt), ClosedAt: optTime(t.ClosedAt),
	}
}

// MessageJSON is a conversation entry.
type MessageJSON struct {
	ID         int64     `json:"id"`
	Ticket     string    `json:"ticket,omitempty" doc:"The ticket the message is on; a reply to a closed ticket opens a new one."`
	Author     string    `json:"author"`
	AuthorName string    `json:"author_name"`
	AuthorRole string    `json:"author_role"`
	Body       string    `json:"body"`
	Internal   bool      `json:"internal"`
	CreatedAt  time.Time `json:"created_at"`
}

func messageJSON(m ticket.Message) MessageJSON {
	return MessageJSON{ID: m.ID, Ticket: m.Number, Author: m.Author, AuthorName: m.AuthorName, AuthorRole: m.AuthorRole, Body: m.Body,
		Internal: m.Internal, CreatedAt: m.CreatedAt}
}

// EventJSON is a history entry.
type EventJSON struct {
	ID      int64     `json:"id"`
	Actor   string    `json:"actor"`
	Kind    string    `json:"kind" enum:"created,field,status,assignee,group,message,note,attachment"`
	Field   string    `json:"field,omitempty"`
	From    string    `json:"from,omitempty"`
	To      string    `json:"to,omitempty"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}

// AttachmentJSON describes a stored file.
type AttachmentJSON struct {
	ID          int64     `json:"id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Uploader    string    `json:"uploader"`
	CreatedAt   time.Time `json:"created_at"`
	URL         string    `json:"url"`
}

func attachmentJSON(number string, a ticket.Attachment) AttachmentJSON {
	return AttachmentJSON{ID: a.ID, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256,
		Uploader: a.Uploader, CreatedAt: a.CreatedAt, URL: "/api/v1/tickets/" + number + "/attachments/" + itoa(a.ID)}
}

// UserJSON is a user profile.
type UserJSON struct {
	Login        string    `json:"login"`
	Name         string    `json:"name"`
	Email        string    `json:"email"`
	Phone        string    `json:"phone"`
	Role         string    `json:"role" enum:"customer,agent,supervisor,admin"`
	Groups       []string  `json:"groups"`
	Organization string    `json:"organization,omitempty"`
	OrgVisible   bool      `json:"org_visible" doc:"The customer sees every ticket of their organization."`
	Lang         string    `json:"lang"`
	Active       bool      `json:"active"`
	CreatedAt    time.Time `json:"created_at"`
}

func userJSON(u identity.User) UserJSON {
	g := u.GroupKeys
	if g == nil {
		g = []string{}
	}
	return UserJSON{Login: u.Login, Name: u.Name, Email: u.Email, Phone: u.Phone, Role: string(u.Role), Groups: g,
		Organization: u.OrgName, OrgVisible: u.OrgVisible, Lang: u.Lang, Active: u.Active, CreatedAt: u.CreatedAt}
}
