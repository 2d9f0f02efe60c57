package ticket_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"testing"

	"helpdesk/internal/apperr"
	"helpdesk/internal/desktest"
	"helpdesk/internal/identity"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// The contact every test ticket carries (desktest.NewTicket), in full and masked.
const (
	fullPhone   = "13812341234"
	fullEmail   = "zhang.san@example.com"
	maskedPhone = "138****1234"
	maskedEmail = "z***@example.com"
)

// outcome names the result of a call so that tables can state it:
// "yes" or "no" when the call succeeded (ok is what the caller observed:
// the change took effect, the ticket was listed, …), "notfound" for a
// ticket that does not exist or may not be seen, "forbidden", and
// "<kind>:<code>" for any other application error.
func outcome(ok bool, err error) string {
	if err == nil {
		if ok {
			return "yes"
		}
		return "no"
	}
	e, isApp := apperr.As(err)
	if !isApp {
		return "unclassified: " + err.Error()
	}
	switch {
	case e.Kind == apperr.NotFound && e.Code == "ticket.not_found":
		return "notfound"
	case e.Kind == apperr.Forbidden:
		return "forbidden"
	}
	return e.Kind.String() + ":" + e.Code
}

// pngBytes is a small valid PNG image.
func pngBytes() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // encoding into memory cannot fail
	}
	return b.Bytes()
}

// listed reports whether the ticket is on any page of the actor's list.
func listed(ctx context.Context, d *desktest.Desk, by identity.Actor, number string) (bool, error) {
	in := ticket.ListInput{Limit: ticket.MaxPageSize}
	for {
		p, err := d.Tickets.List(ctx, by, in)
		if err != nil {
			return false, err
		}
		for _, tk := range p.Tickets {
			if tk.Number == number {
				return true, nil
			}
		}
		if p.Next == "" {
			return false, nil
		}
		in.Cursor = p.Next
	}
}

// permAction is one thing an actor may try with a ticket. The ticket is
// cust1's software ticket, claimed by agent1 who left an internal note on
// it, unless unassigned is set.
type permAction struct {
	name       string
	unassigned bool
	do         func(ctx context.Context, d *desktest.Desk, by identity.Actor, number string) (bool, error)
}

var permActions = []permAction{
	{name: "view", do: func(ctx context.Context, d *desktest.Desk, by identity.Actor, n string) (bool, error) {
		got, err := d.Tickets.Get(ctx, by, n)
		return got.Number == n, err
	}},
	{name: "list", do: func(ctx context.Context, d *desktest.Desk, by identity.Actor, n string) (bool, error) {
		return listed(ctx, d, by, n)
	}},
	{name: "edit_content", do: func(ctx context.Context, d *desktest.Desk, by identity.Actor, n string) (bool, error) {
		title := "新标题 by " + by.Login
		got, err := d.Tickets.Update(ctx, by, n, 0, ticket.Patch{Title: &title})
		return got.Title == title, err
	}},
	{name: "edit_triage", do: func(ctx context.Context, d *desktest.Desk, by identity.Actor, n string) (bool, error) {
		p := ticket.P1
		got, err := d.Tickets.Update(ctx, by, n, 0, ticket.Patch{Priority: &p})
		return got.Priority == ticket.P1, err
	}},
	{name: "reply", do: func(ctx context.Context, d *desktest.Desk, by identity.Actor, n string) (bool, error) {
		m, err := d.Tickets.AddMessage(ctx, by, n, ticket.MessageInput{Body: "回复 reply"})
		return m.ID != 0 && !m.Internal, err
	}},
	{name: "note", do: func(ctx context.Context, d *desktest.Desk, by identity.Actor, n string) (bool, error) {
		m, err := d.Tickets.AddMessage(ctx, by, n, ticket.MessageInput{Body: "备注 note", Internal: true})
		return m.ID != 0 && m.Internal, err
	}},
	{name: "see_internal", do: func(ctx context.Context, d *desktest.Desk, by identity.Actor, n string) (bool, error) {
		msgs, err := d.Tickets.Messages(ctx, by, n)
		for _, m := range msgs {
			if m.Internal {
				return true, err
			}
		}
		return false, err
	}},
	{name: "attach", do: func(ctx context.Context, d *desktest.Desk, by identity.Actor, n string) (bool, error) {
		a, err := d.Tickets.AddAttachment(ctx, by, n, "screen.png", bytes.NewReader(pngBytes()))
		return a.ID != 0, err
	}},
	{name: "claim", unassigned: true, do: func(ctx context.Context, d *desktest.Desk, by identity.Actor, n string) (bool, error) {
		got, err := d.Tickets.Claim(ctx, by, n)
		return got.Assignee == by.Login, err
	}},
	{name: "claim_taken", do: func(ctx context.Context, d *desktest.Desk, by identity.Actor, n string) (bool, error) {
		got, err := d.Tickets.Claim(ctx, by, n)
		return got.Assignee == by.Login, err
	}},
	{name: "assign_others", do: func(ctx context.Context, d *desktest.Desk, by identity.Actor, n string) (bool, error) {
		other := "agent2" // someone of the group who is not the actor
		if by.Login == other {
			other = "super1"
		}
		got, err := d.Tickets.Assign(ctx, by, n, 0, other, "", "转交 handover")
		return got.Assignee == other, err
	}},
	{name: "see_contact", do: func(ctx context.Context, d *desktest.Desk, by identity.Actor, n string) (bool, error) {
		got, err := d.Tickets.Get(ctx, by, n)
		return got.ContactPhone == fullPhone && got.ContactEmail == fullEmail, err
	}},
}

// permissionTable is who may do what with cust1's ticket. Strangers (cust3
// of another organization, agent3 of another group) must get "notfound",
// never "forbidden": a ticket they may not see does not exist for them.
// Claiming follows the same rule: the ticket is checked first, so a
// customer who sees it is forbidden and one who does not finds nothing.
var permissionTable = []struct {
	actor string
	want  map[string]string
}{
	{"cust1", map[string]string{ // requester
		"view": "yes", "list": "yes", "edit_content": "yes", "edit_triage": "forbidden", "reply": "yes",
		"note": "forbidden", "see_internal": "no", "attach": "yes", "claim": "forbidden",
		"claim_taken": "forbidden", "assign_others": "forbidden", "see_contact": "yes"}},
	{"cust2", map[string]string{ // colleague of the same organization, sees its tickets
		"view": "yes", "list": "yes", "edit_content": "forbidden", "edit_triage": "forbidden", "reply": "yes",
		"note": "forbidden", "see_internal": "no", "attach": "yes", "claim": "forbidden",
		"claim_taken": "forbidden", "assign_others": "forbidden", "see_contact": "no"}},
	{"cust3", map[string]string{ // customer of another organization
		"view": "notfound", "list": "no", "edit_content": "notfound", "edit_triage": "notfound", "reply": "notfound",
		"note": "notfound", "see_internal": "notfound", "attach": "notfound", "claim": "notfound",
		"claim_taken": "notfound", "assign_others": "notfound", "see_contact": "notfound"}},
	{"agent1", map[string]string{ // assignee
		"view": "yes", "list": "yes", "edit_content": "yes", "edit_triage": "yes", "reply": "yes",
		"note": "yes", "see_internal": "yes", "attach": "yes", "claim": "yes",
		"claim_taken": "yes", "assign_others": "forbidden", "see_contact": "yes"}},
	{"agent2", map[string]string{ // same group, not the assignee
		"view": "yes", "list": "yes", "edit_content": "yes", "edit_triage": "yes", "reply": "yes",
		"note": "yes", "see_internal": "yes", "attach": "yes", "claim": "yes",
		"claim_taken": "conflict:ticket.already_assigned", "assign_others": "forbidden", "see_contact": "no"}},
	{"agent3", map[string]string{ // agent of another group
		"view": "notfound", "list": "no", "edit_content": "notfound", "edit_triage": "notfound", "reply": "notfound",
		"note": "notfound", "see_internal": "notfound", "attach": "notfound", "claim": "notfound",
		"claim_taken": "notfound", "assign_others": "notfound", "see_contact": "notfound"}},
	{"super1", map[string]string{ // supervisor of the group
		"view": "yes", "list": "yes", "edit_content": "yes", "edit_triage": "yes", "reply": "yes",
		"note": "yes", "see_internal": "yes", "attach": "yes", "claim": "yes",
		"claim_taken": "yes", "assign_others": "yes", "see_contact": "yes"}},
	{"admin", map[string]string{
		"view": "yes", "list": "yes", "edit_content": "yes", "edit_triage": "yes", "reply": "yes",
		"note": "yes", "see_internal": "yes", "attach": "yes", "claim": "yes",
		"claim_taken": "yes", "assign_others": "yes", "see_contact": "yes"}},
}

// permTicket files a fresh ticket for one cell of the table.
func permTicket(t *testing.T, d *desktest.Desk, unassigned bool) string {
	t.Helper()
	ctx := context.Background()
	tk := d.NewTicket(t, "cust1", "权限 permissions")
	if unassigned {
		return tk.Number
	}
	if _, err := d.Tickets.Claim(ctx, d.Actors["agent1"], tk.Number); err != nil {
		t.Fatalf("agent1 claims: %v", err)
	}
	if _, err := d.Tickets.AddMessage(ctx, d.Actors["agent1"], tk.Number, ticket.MessageInput{Body: "内部 internal", Internal: true}); err != nil {
		t.Fatalf("agent1 notes: %v", err)
	}
	return tk.Number
}

func TestPermissions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		for _, row := range permissionTable {
			for _, act := range permActions {
				t.Run(row.actor+"/"+act.name, func(t *testing.T) {
					want, ok := row.want[act.name]
					if !ok {
						t.Fatalf("table has no expectation for %s/%s", row.actor, act.name)
					}
					number := permTicket(t, d, act.unassigned)
					got := outcome(act.do(ctx, d, d.Actors[row.actor], number))
					if got != want {
						t.Errorf("got %s, want %s", got, want)
					}
				})
			}
		}
	})
}

// TestStrangerCannotTellTicketsExist checks that a ticket one may not see
// fails exactly like one that does not exist.
func TestStrangerCannotTellTicketsExist(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		number := permTicket(t, d, false)
		for _, login := range []string{"cust3", "agent3"} {
			for _, tc := range []struct{ name, number string }{
				{"hidden", number},
				{"missing", "TS20991231999"},
			} {
				t.Run(login+"/"+tc.name, func(t *testing.T) {
					_, err := d.Tickets.Get(ctx, d.Actors[login], tc.number)
					e, ok := apperr.As(err)
					if !ok || e.Kind != apperr.NotFound || e.Code != "ticket.not_found" {
						t.Errorf("got %v, want not found with code ticket.not_found", err)
					}
				})
			}
		}
	})
}

func TestContactMasking(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		number := permTicket(t, d, false)
		for _, tc := range []struct {
			actor       string
			phone, mail string
		}{
			{"cust1", fullPhone, fullEmail},
			{"cust2", maskedPhone, maskedEmail},
			{"agent1", fullPhone, fullEmail},
			{"agent2", maskedPhone, maskedEmail},
			{"super1", fullPhone, fullEmail},
			{"admin", fullPhone, fullEmail},
		} {
			t.Run(tc.actor, func(t *testing.T) {
				by := d.Actors[tc.actor]
				got, err := d.Tickets.Get(ctx, by, number)
				if err != nil {
					t.Fatal(err)
				}
				if got.ContactPhone != tc.phone || got.ContactEmail != tc.mail {
					t.Errorf("Get: got %q %q, want %q %q", got.ContactPhone, got.ContactEmail, tc.phone, tc.mail)
				}
				page, err := d.Tickets.List(ctx, by, ticket.ListInput{})
				if err != nil {
					t.Fatal(err)
				}
				for _, lt := range page.Tickets {
					if lt.Number == number && (lt.ContactPhone != tc.phone || lt.ContactEmail != tc.mail) {
						t.Errorf("List: got %q %q, want %q %q", lt.ContactPhone, lt.ContactEmail, tc.phone, tc.mail)
					}
				}
				// A write answers with the ticket as the writer may see it.
				if tc.actor != "cust2" {
					desc := "更新 " + tc.actor
					up, err := d.Tickets.Update(ctx, by, number, 0, ticket.Patch{Description: &desc})
					if err != nil {
						t.Fatal(err)
					}
					if up.ContactPhone != tc.phone || up.ContactEmail != tc.mail {
						t.Errorf("Update: got %q %q, want %q %q", up.ContactPhone, up.ContactEmail, tc.phone, tc.mail)
					}
				}
			})
		}

		t.Run("agent sees contact once assigned", func(t *testing.T) {
			fresh := permTicket(t, d, true)
			got, err := d.Tickets.Claim(ctx, d.Actors["agent2"], fresh)
			if err != nil {
				t.Fatal(err)
			}
			if got.ContactPhone != fullPhone || got.ContactEmail != fullEmail {
				t.Errorf("got %q %q, want %q %q", got.ContactPhone, got.ContactEmail, fullPhone, fullEmail)
			}
		})

		t.Run("masked viewer may not change contact", func(t *testing.T) {
			phone := "13900000000"
			_, err := d.Tickets.Update(ctx, d.Actors["agent2"], number, 0, ticket.Patch{ContactPhone: &phone})
			if got := outcome(false, err); got != "forbidden" {
				t.Errorf("got %s, want forbidden", got)
			}
			stored, err := d.Tickets.Get(ctx, d.Actors["admin"], number)
			if err != nil {
				t.Fatal(err)
			}
			if stored.ContactPhone != fullPhone {
				t.Errorf("stored phone: got %q, want %q", stored.ContactPhone, fullPhone)
			}
		})
	})
}

// TestPermissionTableComplete checks that every action of the policy has a
// column in permissionTable.
func TestPermissionTableComplete(t *testing.T) {
	for _, act := range []ticket.Action{ticket.ActView, ticket.ActEditContent, ticket.ActEditTriage, ticket.ActReply,
		ticket.ActNote, ticket.ActSeeInternal, ticket.ActAttach, ticket.ActClaim, ticket.ActAssignOthers, ticket.ActSeeContact} {
		t.Run(string(act), func(t *testing.T) {
			found := false
			for _, a := range permActions {
				if a.name == string(act) {
					found = true
				}
			}
			if !found {
				t.Errorf("action %q has no column in permissionTable", act)
			}
		})
	}
}
