package ticket_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"helpdesk/internal/desktest"
	"helpdesk/internal/identity"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// statusStep is one move on the way to a status.
type statusStep struct {
	by      string
	to      ticket.Status
	comment string
}

// statusPaths are the allowed moves that bring a claimed ticket (assigned
// to agent1) into each status.
var statusPaths = map[ticket.Status][]statusStep{
	ticket.StatusAssigned:   nil,
	ticket.StatusInProgress: {{"agent1", ticket.StatusInProgress, ""}},
	ticket.StatusAwaitingConfirmation: {{"agent1", ticket.StatusInProgress, ""},
		{"agent1", ticket.StatusAwaitingConfirmation, "已修复"}},
	ticket.StatusResolved: {{"agent1", ticket.StatusAwaitingConfirmation, "已修复"},
		{"cust1", ticket.StatusResolved, ""}},
	ticket.StatusClosed: {{"agent1", ticket.StatusAwaitingConfirmation, "已修复"},
		{"cust1", ticket.StatusResolved, ""}, {"cust1", ticket.StatusClosed, ""}},
	ticket.StatusFollowUp: {{"agent1", ticket.StatusAwaitingConfirmation, "已修复"},
		{"cust1", ticket.StatusFollowUp, "还是不行 still broken"}},
}

// ticketIn files a ticket as cust1 and drives it into the status through
// allowed moves only.
func ticketIn(t *testing.T, d *desktest.Desk, st ticket.Status) ticket.Ticket {
	t.Helper()
	ctx := context.Background()
	tk := d.NewTicket(t, "cust1", "状态 "+string(st))
	if st == ticket.StatusUnassigned {
		return tk
	}
	tk, err := d.Tickets.Claim(ctx, d.Actors["agent1"], tk.Number)
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	steps, ok := statusPaths[st]
	if !ok {
		t.Fatalf("no path to %s", st)
	}
	for _, s := range steps {
		next, err := d.Tickets.ChangeStatus(ctx, d.Actors[s.by], tk.Number, 0, s.to, s.comment)
		if err != nil {
			t.Fatalf("%s → %s by %s: %v", tk.Status, s.to, s.by, err)
		}
		tk = next
	}
	if tk.Status != st {
		t.Fatalf("driven to %s, want %s", tk.Status, st)
	}
	return tk
}

// actorsWithSystem is the desk's cast plus the desk itself.
func actorsWithSystem(d *desktest.Desk) map[string]identity.Actor {
	out := map[string]identity.Actor{"system": identity.System}
	for k, v := range d.Actors {
		out[k] = v
	}
	return out
}

var transitionActors = []string{"cust1", "cust2", "cust3", "agent1", "agent2", "agent3", "super1", "admin", "system"}

// wantTransition is what ChangeStatus must answer, derived from the status
// machine alone: strangers do not see the ticket, a move to the current
// status changes nothing, moves the machine does not list are invalid,
// people who may act on the ticket but not make this move get a conflict
// (others, like org colleagues, are forbidden), and the relations that
// need a comment fail without one.
func wantTransition(from, to ticket.Status, rel ticket.Relation, withComment bool) string {
	if !ticket.Can(rel, ticket.ActView) {
		return "notfound"
	}
	if from == to {
		return "yes"
	}
	var tr *ticket.Transition
	for _, x := range ticket.Transitions() {
		if x.From == from && x.To == to {
			tr = &x
		}
	}
	switch {
	case tr == nil:
		return "conflict:ticket.transition_invalid"
	case rel&tr.By == 0 && rel&(ticket.Staff|ticket.Requester) == 0:
		return "forbidden"
	case rel&tr.By == 0:
		return "conflict:ticket.transition_forbidden"
	case rel&tr.By&tr.NeedsComment != 0 && !withComment:
		return "invalid:ticket.comment_required"
	}
	return "yes"
}

func TestTransitionsMatchTable(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		actors := actorsWithSystem(d)
		// One ticket per status, replaced whenever a move succeeds: failed
		// attempts must leave the ticket as it was.
		pool := map[ticket.Status]ticket.Ticket{}
		for _, from := range ticket.Statuses {
			for _, to := range ticket.Statuses {
				for _, login := range transitionActors {
					t.Run(string(from)+"→"+string(to)+"/"+login, func(t *testing.T) {
						before, ok := pool[from]
						if !ok {
							before = ticketIn(t, d, from)
							pool[from] = before
						}
						by := actors[login]
						rel := ticket.RelationOf(by, before)
						want := wantTransition(from, to, rel, false)
						got, err := d.Tickets.ChangeStatus(ctx, by, before.Number, 0, to, "")
						if want == "invalid:ticket.comment_required" {
							if o := outcome(false, err); o != want {
								t.Fatalf("without comment: got %s, want %s", o, want)
							}
							want = wantTransition(from, to, rel, true)
							got, err = d.Tickets.ChangeStatus(ctx, by, before.Number, 0, to, "理由 reason")
						}
						wantVersion := before.Version + 1
						if from == to {
							wantVersion = before.Version
						}
						if o := outcome(got.Status == to && got.Version == wantVersion, err); o != want {
							t.Fatalf("got %s (status %s, version %d), want %s", o, got.Status, got.Version, want)
						}
						if err == nil && from != to {
							delete(pool, from)
							return
						}
						stored, err := d.Tickets.Get(ctx, d.Actors["admin"], before.Number)
						if err != nil {
							t.Fatal(err)
						}
						if stored.Status != from || stored.Version != before.Version {
							t.Errorf("after refusal: got %s v%d, want %s v%d", stored.Status, stored.Version, from, before.Version)
						}
					})
				}
			}
		}
	})
}

// TestTransitionTableShape checks rules the table itself must keep.
func TestTransitionTableShape(t *testing.T) {
	seen := map[[2]ticket.Status]bool{}
	for _, tr := range ticket.Transitions() {
		t.Run(string(tr.From)+"→"+string(tr.To), func(t *testing.T) {
			if !tr.From.Valid() || !tr.To.Valid() || tr.From == tr.To {
				t.Errorf("got %s → %s, want two different valid statuses", tr.From, tr.To)
			}
			if tr.To == ticket.StatusAssigned || tr.To == ticket.StatusUnassigned {
				t.Errorf("got a move into %s, want it left to assignment", tr.To)
			}
			if tr.NeedsComment&^tr.By != 0 {
				t.Errorf("got NeedsComment %b outside By %b, want a subset", tr.NeedsComment, tr.By)
			}
			if tr.From == ticket.StatusClosed {
				t.Errorf("got a move out of closed, want closed final")
			}
			if seen[[2]ticket.Status{tr.From, tr.To}] {
				t.Errorf("got the move twice, want it once")
			}
			seen[[2]ticket.Status{tr.From, tr.To}] = true
		})
	}
}

func TestChangeStatusInput(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		tk := ticketIn(t, d, ticket.StatusInProgress)
		for _, tc := range []struct {
			name      string
			to        ticket.Status
			ifVersion int
			comment   string
			want      string
		}{
			{"unknown status", "bogus", 0, "", "invalid:ticket.status_invalid"},
			{"comment too long", ticket.StatusAwaitingConfirmation, 0, strings.Repeat("长", ticket.MaxCommentLen+1), "invalid:field.too_long"},
			{"stale version", ticket.StatusAwaitingConfirmation, tk.Version - 1, "", "precondition_failed:ticket.version_mismatch"},
			{"current version", ticket.StatusAwaitingConfirmation, tk.Version, "已修复 fixed", "yes"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := d.Tickets.ChangeStatus(ctx, d.Actors["agent1"], tk.Number, tc.ifVersion, tc.to, tc.comment)
				if o := outcome(got.Status == tc.to, err); o != tc.want {
					t.Errorf("got %s, want %s", o, tc.want)
				}
			})
		}
	})
}

func TestStatusSideEffects(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		tk := ticketIn(t, d, ticket.StatusAwaitingConfirmation)
		for _, tc := range []struct {
			by, comment      string
			to               ticket.Status
			resolved, closed bool
		}{
			{"cust1", "", ticket.StatusResolved, true, false},
			{"cust1", "又坏了 broken again", ticket.StatusFollowUp, false, false},
			{"super1", "客户无回应 no answer", ticket.StatusClosed, false, true},
		} {
			t.Run(string(tc.to), func(t *testing.T) {
				at := clk.Advance(time.Hour)
				got, err := d.Tickets.ChangeStatus(ctx, d.Actors[tc.by], tk.Number, 0, tc.to, tc.comment)
				if err != nil {
					t.Fatal(err)
				}
				if gotR := got.ResolvedAt.Equal(at); gotR != tc.resolved {
					t.Errorf("ResolvedAt: got %v, want set to %v: %v", got.ResolvedAt, at, tc.resolved)
				}
				if gotC := got.ClosedAt.Equal(at); gotC != tc.closed {
					t.Errorf("ClosedAt: got %v, want set to %v: %v", got.ClosedAt, at, tc.closed)
				}
				hist, err := d.Tickets.History(ctx, d.Actors["cust1"], tk.Number)
				if err != nil {
					t.Fatal(err)
				}
				last := hist[len(hist)-1]
				if last.Kind != ticket.EventStatus || last.To != string(tc.to) || last.Comment != tc.comment || last.Actor != tc.by {
					t.Errorf("last event: got %+v, want status → %s by %s with %q", last, tc.to, tc.by, tc.comment)
				}
			})
		}
	})
}

func TestRepliesMoveStatus(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		for _, tc := range []struct {
			name          string
			from          ticket.Status
			by            string
			internal      bool
			want          string
			wantStatus    ticket.Status
			firstResponse bool
		}{
			{"customer reopens resolved", ticket.StatusResolved, "cust1", false, "yes", ticket.StatusFollowUp, false},
			{"org colleague reply keeps resolved", ticket.StatusResolved, "cust2", false, "yes", ticket.StatusResolved, false},
			{"staff reply keeps resolved", ticket.StatusResolved, "agent1", false, "yes", ticket.StatusResolved, true},
			{"staff note keeps resolved", ticket.StatusResolved, "super1", true, "yes", ticket.StatusResolved, false},
			{"assignee reply starts work", ticket.StatusAssigned, "agent1", false, "yes", ticket.StatusInProgress, true},
			{"assignee note starts nothing", ticket.StatusAssigned, "agent1", true, "yes", ticket.StatusAssigned, false},
			{"colleague reply answers only", ticket.StatusAssigned, "agent2", false, "yes", ticket.StatusAssigned, true},
			{"supervisor reply answers only", ticket.StatusAssigned, "super1", false, "yes", ticket.StatusAssigned, true},
			{"customer reply is no response", ticket.StatusAssigned, "cust1", false, "yes", ticket.StatusAssigned, false},
			{"reply to unassigned", ticket.StatusUnassigned, "agent2", false, "yes", ticket.StatusUnassigned, true},
			{"customer reply to awaiting", ticket.StatusAwaitingConfirmation, "cust1", false, "yes", ticket.StatusAwaitingConfirmation, false},
			{"assignee reply to closed", ticket.StatusClosed, "agent1", false, "conflict:ticket.closed", ticket.StatusClosed, false},
			{"note on closed", ticket.StatusClosed, "agent1", true, "conflict:ticket.closed", ticket.StatusClosed, false},
			{"admin reply to closed", ticket.StatusClosed, "admin", false, "conflict:ticket.closed", ticket.StatusClosed, false},
			{"stranger reply to closed", ticket.StatusClosed, "cust3", false, "notfound", ticket.StatusClosed, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tk := ticketIn(t, d, tc.from)
				at := clk.Advance(time.Minute)
				m, err := d.Tickets.AddMessage(ctx, d.Actors[tc.by], tk.Number, ticket.MessageInput{Body: "消息 message", Internal: tc.internal})
				if o := outcome(m.ID != 0, err); o != tc.want {
					t.Fatalf("got %s, want %s", o, tc.want)
				}
				got, err := d.Tickets.Get(ctx, d.Actors["admin"], tk.Number)
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != tc.wantStatus {
					t.Errorf("status: got %s, want %s", got.Status, tc.wantStatus)
				}
				if gotFR := got.FirstResponseAt.Equal(at); gotFR != tc.firstResponse {
					t.Errorf("first response: got %v, want set to %v: %v", got.FirstResponseAt, at, tc.firstResponse)
				}
				if tc.wantStatus == ticket.StatusFollowUp && !got.ResolvedAt.IsZero() {
					t.Errorf("ResolvedAt: got %v, want cleared on follow-up", got.ResolvedAt)
				}
				if tc.want != "yes" && got.Version != tk.Version {
					t.Errorf("version: got %d, want %d unchanged", got.Version, tk.Version)
				}
			})
		}

		t.Run("first response is kept", func(t *testing.T) {
			tk := ticketIn(t, d, ticket.StatusAssigned)
			first := clk.Advance(time.Minute)
			for range 2 {
				if _, err := d.Tickets.AddMessage(ctx, d.Actors["agent1"], tk.Number, ticket.MessageInput{Body: "回复"}); err != nil {
					t.Fatal(err)
				}
				clk.Advance(time.Minute)
			}
			got, err := d.Tickets.Get(ctx, d.Actors["agent1"], tk.Number)
			if err != nil {
				t.Fatal(err)
			}
			if !got.FirstResponseAt.Equal(first) {
				t.Errorf("got %v, want %v", got.FirstResponseAt, first)
			}
		})
	})
}
