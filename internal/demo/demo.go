// Package demo seeds a demo desk: customer organizations, people in every
// role and some thirty tickets in every status, with conversations, internal
// notes and attachments, and a small bilingual help center (articles.go);
// optionally three months of settled tickets behind them (history.go).
// Everything is played through the identity, ticket and knowledge base
// services on a controlled clock, as if the support work had just
// happened, so history, SLA clocks, search, report figures and ticket
// numbers are all real.
package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/blob"
	"helpdesk/internal/identity"
	"helpdesk/internal/kb"
	"helpdesk/internal/report"
	"helpdesk/internal/sla"
	"helpdesk/internal/store"
	"helpdesk/internal/ticket"
)

// Password is the password of every demo user.
const Password = "demo1234"

// ErrNotEmpty is returned when the desk already has users that are not the
// demo's: the demo is seeded only into an empty desk, never mixed into real data.
var ErrNotEmpty = errors.New("demo: the desk already has users of its own; the demo is seeded only into an empty desk")

// Deps are what seeding needs.
type Deps struct {
	DB *store.DB
	// Location is the site time zone: tickets are filed in its office hours
	// and numbered by its dates. Nil means UTC.
	Location *time.Location
	// DataDir holds the attachments directory, as the app uses it.
	DataDir string
	// History adds about 400 settled tickets over the last 90 days (see
	// history.go), with the report figures and the suggestion models
	// computed from them, so reports, the dashboard and suggestions have
	// something to show. Off, the demo is the scripted fortnight only,
	// which tests rely on.
	History bool
}

// Login is a demo account to print.
type Login struct{ Role, Login, Password, Note string }

// Result says what seeding did.
type Result struct {
	// Seeded is false when the desk already had the demo.
	Seeded bool
	// Logins are the accounts worth trying, whether seeded now or before.
	Logins []Login
}

// Seed fills an empty desk with the demo. On a desk that already has it,
// Seed does nothing and still returns the logins; on a desk with users of
// its own it returns ErrNotEmpty. The admin user is created last, so its
// presence means a completed seeding.
func Seed(ctx context.Context, d Deps) (Result, error) {
	done, err := seeded(ctx, d.DB.Identity())
	if err != nil {
		return Result{}, err
	}
	if done {
		return Result{Logins: logins()}, nil
	}
	now := time.Now()
	clk := &clock{}
	ids, tickets, err := services(d, clk.Now)
	if err != nil {
		return Result{}, err
	}
	s := &seeder{clock: clk, ids: ids, tickets: tickets, actors: map[string]identity.Actor{}}
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	// People join the desk before the first ticket, two weeks and a day
	// ago, or the day before the history starts.
	story := scripts()
	joined := -15
	if d.History {
		story = append(story, history(now, loc)...)
		joined = -historyDays - 1
	}
	clk.t = startOfDay(now, loc).AddDate(0, 0, joined).Add(9 * time.Hour)
	if err := s.people(ctx, d.History); err != nil {
		return Result{}, err
	}
	numbers, err := s.play(ctx, d, story, len(scripts()), schedule(story, now, loc))
	if err != nil {
		return Result{}, err
	}
	clk.t = startOfDay(now, loc).AddDate(0, 0, -10).Add(10 * time.Hour)
	if err := s.knowledgeBase(ctx, d); err != nil {
		return Result{}, err
	}
	if d.History {
		clk.t = now
		if err := derive(ctx, d, loc, now); err != nil {
			return Result{}, err
		}
		if err := s.readNotices(ctx, d, numbers[len(scripts()):], now); err != nil {
			return Result{}, err
		}
	}
	clk.t = startOfDay(now, loc).AddDate(0, 0, joined).Add(8 * time.Hour)
	if err := s.createUser(ctx, admin()); err != nil {
		return Result{}, err
	}
	return Result{Seeded: true, Logins: logins()}, nil
}

// derive computes at once what the desk's jobs would compute from the
// history soon after start: the report facts and rollups of every ticket
// the seeding changed, and the suggestion models with their held-out
// accuracy, so the reports and /admin/assist show figures immediately.
func derive(ctx context.Context, d Deps, loc *time.Location, now time.Time) error {
	clock := func() time.Time { return now }
	reports := report.NewService(report.Deps{Refresh: d.DB.Reports(), Location: loc,
		Calendars: sla.NewService(sla.Deps{Store: d.DB.SLA(), Now: clock})})
	for {
		n, err := reports.Refresh(ctx, 10)
		if err != nil {
			return fmt.Errorf("demo: report facts: %w", err)
		}
		if n == 0 {
			break
		}
	}
	if _, err := kb.NewSuggester(d.DB.KB(), clock).Retrain(ctx); err != nil {
		return fmt.Errorf("demo: suggestion models: %w", err)
	}
	return nil
}

// readNotices marks the staff's notifications about the history's tickets
// read: months of breaches and poor ratings were dealt with long ago, and
// the inbox should show what the current tickets bring.
func (s *seeder) readNotices(ctx context.Context, d Deps, numbers []string, now time.Time) error {
	old := make(map[string]bool, len(numbers))
	for _, n := range numbers {
		old[n] = true
	}
	st := d.DB.Notify()
	for _, a := range s.actors {
		if a.Role == identity.RoleCustomer {
			continue
		}
		var ids []int64
		for before := int64(0); ; {
			ns, err := st.Notifications(ctx, a.UserID, true, before, 500)
			if err != nil {
				return fmt.Errorf("demo: notifications: %w", err)
			}
			for _, n := range ns {
				if old[n.TicketNumber] {
					ids = append(ids, n.ID)
				}
				before = n.ID
			}
			if len(ns) < 500 {
				break
			}
		}
		if len(ids) > 0 {
			if err := st.MarkRead(ctx, a.UserID, ids, now); err != nil {
				return fmt.Errorf("demo: notifications: %w", err)
			}
		}
	}
	return nil
}

// seeded reports whether the desk has the demo already, and refuses a desk
// that has users of its own.
func seeded(ctx context.Context, st *store.Identity) (bool, error) {
	_, err := st.UserByLogin(ctx, adminLogin)
	if err == nil {
		// A real desk may have an "admin" too; the demo's has its supervisor.
		_, err := st.UserByLogin(ctx, markerLogin)
		if apperr.KindOf(err) == apperr.NotFound {
			return false, ErrNotEmpty
		}
		return err == nil, err
	}
	if apperr.KindOf(err) != apperr.NotFound {
		return false, err
	}
	users, err := st.ListUsers(ctx, identity.UserFilter{Limit: 1})
	if err != nil {
		return false, err
	}
	if len(users) > 0 {
		return false, ErrNotEmpty
	}
	return false, nil
}

// services builds the identity and ticket services as the app wires them,
// on the given clock.
func services(d Deps, now func() time.Time) (*identity.Service, *ticket.Service, error) {
	blobs, err := blob.NewFS(filepath.Join(d.DataDir, "attachments"))
	if err != nil {
		return nil, nil, err
	}
	st := d.DB.Identity()
	ids := identity.NewService(identity.Deps{Store: st, Now: now})
	// Demo tickets run on the desk's SLA policies like any other, so their
	// clocks, warnings and breaches look real; once the desk starts, the
	// timers of two weeks of history fire and the overdue ones escalate.
	tickets := ticket.NewService(ticket.Deps{Store: d.DB.Tickets(), Directory: st, Blobs: blobs, Now: now,
		Location: d.Location, SLA: sla.NewService(sla.Deps{Store: d.DB.SLA(), Now: now})})
	return ids, tickets, nil
}

// clock is the seeder's controllable time; it moves only between actions.
type clock struct{ t time.Time }

// Now returns the clock's time.
func (c *clock) Now() time.Time { return c.t }

func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

type seeder struct {
	clock   *clock
	ids     *identity.Service
	tickets *ticket.Service
	actors  map[string]identity.Actor
}

// people creates the organizations and every user but the admin, a minute
// apart; with the history's too when asked.
func (s *seeder) people(ctx context.Context, withHistory bool) error {
	names, cast := orgs(), users()
	if withHistory {
		o, u := historyUsers()
		names, cast = append(names, o...), append(cast, u...)
	}
	for _, name := range names {
		if _, err := s.ids.CreateOrg(ctx, identity.System, name); err != nil {
			return fmt.Errorf("demo: org %s: %w", name, err)
		}
	}
	for _, u := range cast {
		s.clock.t = s.clock.t.Add(time.Minute)
		if err := s.createUser(ctx, u); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) createUser(ctx context.Context, in identity.NewUser) error {
	in.Password = Password
	u, err := s.ids.CreateUser(ctx, identity.System, in)
	if err != nil {
		return fmt.Errorf("demo: user %s: %w", in.Login, err)
	}
	s.actors[u.Login] = identity.ActorOf(u)
	return nil
}

// actor returns who acts: a demo user by login, or the desk itself.
func (s *seeder) actor(login string) (identity.Actor, error) {
	if login == "" {
		return identity.System, nil
	}
	a, ok := s.actors[login]
	if !ok {
		return identity.Actor{}, fmt.Errorf("demo: no user %q", login)
	}
	return a, nil
}

// action is one thing that happens to one ticket at one time.
type action struct {
	at     time.Time
	ticket int // index into the scripts
	step   int // index into its steps; -1 files the ticket
}

// schedule places every ticket's filing and steps in time, oldest first.
// A ticket is filed in the office hours of its day; one whose last step
// would not yet have happened is moved back a day at a time, so nothing
// lies in the future whatever the hour of seeding.
func schedule(scripts []script, now time.Time, loc *time.Location) []action {
	today := startOfDay(now, loc)
	latest := now.Add(-time.Minute)
	var acts []action
	for i, sc := range scripts {
		date := today.AddDate(0, 0, -sc.day)
		for ; ; date = date.AddDate(0, 0, -1) {
			at := date.Add(sc.at)
			for _, st := range sc.steps {
				at = at.Add(st.after)
			}
			if at.Before(latest) {
				break
			}
		}
		at := date.Add(sc.at)
		acts = append(acts, action{at: at, ticket: i, step: -1})
		for j, st := range sc.steps {
			at = at.Add(st.after)
			acts = append(acts, action{at: at, ticket: i, step: j})
		}
	}
	slices.SortStableFunc(acts, func(a, b action) int { return a.at.Compare(b.at) })
	return acts
}

// play runs the actions in time order, then checks each ticket ended where
// its script says, so a script that no longer fits the rules fails loudly.
// The steps of the tickets from the first settled onwards (the history)
// run after the rest in parallel lanes, each on its own clock: tickets do
// not touch each other, and concurrent writes commit together. Filings
// stay in the one timeline, so numbers follow the order of filing.
func (s *seeder) play(ctx context.Context, d Deps, scripts []script, settled int, acts []action) ([]string, error) {
	numbers := make([]string, len(scripts))
	lanes := make([][]action, historyLanes)
	var main []action
	for _, a := range acts {
		if a.step >= 0 && a.ticket >= settled {
			lanes[a.ticket%historyLanes] = append(lanes[a.ticket%historyLanes], a)
			continue
		}
		main = append(main, a)
	}
	if err := s.run(ctx, scripts, main, numbers); err != nil {
		return nil, err
	}
	errs := make([]error, len(lanes))
	var wg sync.WaitGroup
	for i, lane := range lanes {
		if len(lane) == 0 {
			continue
		}
		clk := &clock{}
		ids, tickets, err := services(d, clk.Now)
		if err != nil {
			return nil, err
		}
		ls := &seeder{clock: clk, ids: ids, tickets: tickets, actors: s.actors}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = ls.run(ctx, scripts, lane, numbers)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i, sc := range scripts {
		t, err := s.tickets.Get(ctx, identity.System, numbers[i])
		if err != nil {
			return nil, fmt.Errorf("demo: ticket %q: %w", sc.title, err)
		}
		if t.Status != sc.want {
			return nil, fmt.Errorf("demo: ticket %q ended %s, want %s", sc.title, t.Status, sc.want)
		}
	}
	return numbers, nil
}

// historyLanes is how many lanes play the history's steps.
const historyLanes = 4

// run runs actions in order on the seeder's clock. A filing records the
// ticket's number, which the ticket's steps use; lanes only read numbers
// of tickets filed before they start.
func (s *seeder) run(ctx context.Context, scripts []script, acts []action, numbers []string) error {
	for _, a := range acts {
		s.clock.t = a.at
		sc := scripts[a.ticket]
		if a.step < 0 {
			n, err := s.file(ctx, sc)
			if err != nil {
				return fmt.Errorf("demo: ticket %q: %w", sc.title, err)
			}
			numbers[a.ticket] = n
			continue
		}
		if err := s.do(ctx, numbers[a.ticket], sc.steps[a.step]); err != nil {
			return fmt.Errorf("demo: ticket %q step %d: %w", sc.title, a.step+1, err)
		}
	}
	return nil
}

// file files a ticket: by the customer, or by staff taking a phone call.
func (s *seeder) file(ctx context.Context, sc script) (string, error) {
	in := ticket.CreateInput{Title: sc.title, Description: sc.body, Category: sc.cat, Priority: sc.pri,
		Channel: sc.ch, CustomFields: sc.fields}
	who := sc.by
	if sc.via != "" {
		in.Requester, who = sc.by, sc.via
	}
	by, err := s.actor(who)
	if err != nil {
		return "", err
	}
	t, err := s.tickets.Create(ctx, by, in)
	return t.Number, err
}

// do runs one step through the ticket service.
func (s *seeder) do(ctx context.Context, number string, st step) error {
	by, err := s.actor(st.by)
	if err != nil {
		return err
	}
	switch st.kind {
	case stepClaim:
		_, err = s.tickets.Claim(ctx, by, number)
	case stepAssign:
		_, err = s.tickets.Assign(ctx, by, number, 0, st.to, st.group, st.text)
	case stepReply, stepNote:
		_, err = s.tickets.AddMessage(ctx, by, number, ticket.MessageInput{Body: st.text, Internal: st.kind == stepNote})
	case stepStatus:
		_, err = s.tickets.ChangeStatus(ctx, by, number, 0, ticket.Status(st.to), st.text)
	case stepPriority:
		p := ticket.Priority(st.to)
		_, err = s.tickets.Update(ctx, by, number, 0, ticket.Patch{Priority: &p})
	case stepAttach:
		var content []byte
		if content, err = fileContent(st.file, s.clock.t); err == nil {
			_, err = s.tickets.AddAttachment(ctx, by, number, st.file, bytes.NewReader(content))
		}
	case stepRate:
		_, err = s.tickets.Rate(ctx, by, number, ticket.Score(st.to), st.text)
	case stepEscalate:
		_, err = s.tickets.Escalate(ctx, by, number, st.text)
	case stepFollowupDone:
		var fs []ticket.Followup
		if fs, err = s.tickets.Followups(ctx, by, number); err == nil {
			for _, f := range fs {
				if f.DoneAt.IsZero() && err == nil {
					_, err = s.tickets.CompleteFollowup(ctx, by, number, f.ID, st.text)
				}
			}
		}
	case stepFollowupOverdue:
		var fs []ticket.Followup
		if fs, err = s.tickets.Followups(ctx, identity.System, number); err == nil {
			for _, f := range fs {
				if f.DoneAt.IsZero() && err == nil {
					err = s.tickets.FollowupOverdue(ctx, number, f.ID)
				}
			}
		}
	case stepSLATick:
		err = s.tickets.SLATick(ctx, number)
	case stepAutoConfirm:
		err = s.tickets.AutoConfirm(ctx, number)
	case stepAutoClose:
		err = s.tickets.AutoClose(ctx, number)
	default:
		err = fmt.Errorf("unknown step kind %d", st.kind)
	}
	return err
}
