// Package reportgen generates a large, plausible ticket corpus for report
// benchmarks: tickets with histories, SLA clocks, ratings and follow-ups,
// written with bulk inserts together with their report facts (computed by
// report.NewFact, the code the refresh job runs), then the rollups.
package reportgen

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"helpdesk/internal/identity"
	"helpdesk/internal/report"
	"helpdesk/internal/sla"
	"helpdesk/internal/store"
	"helpdesk/internal/ticket"
)

// Options size the corpus.
type Options struct {
	// N tickets created over Days days before End, in Loc.
	N    int
	Days int
	End  time.Time
	Loc  *time.Location
	Seed uint64
	// Agents, Customers and Orgs to create (defaults 40, 500, 50).
	Agents, Customers, Orgs int
}

// Corpus says what was generated.
type Corpus struct {
	Tickets  int
	Groups   []identity.Group
	Agents   []identity.User
	Orgs     []identity.Org
	Elapsed  time.Duration
	Facts    int
	Breaches int
}

type world struct {
	rnd        *rand.Rand
	o          Options
	cals       map[string]sla.Calendar
	pols       map[string]sla.Policy
	groups     []identity.Group
	catOf      map[int64]int64
	agentsOf   map[int64][]identity.User
	customers  []identity.User
	corpus     *Corpus
	breachSeen int
}

// Generate fills db with the corpus.
func Generate(ctx context.Context, db *store.DB, o Options) (Corpus, error) {
	start := time.Now()
	if o.Agents == 0 {
		o.Agents = 40
	}
	if o.Customers == 0 {
		o.Customers = 500
	}
	if o.Orgs == 0 {
		o.Orgs = 50
	}
	if o.Loc == nil {
		o.Loc = time.UTC
	}
	c := &Corpus{}
	w := &world{rnd: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), o: o, cals: map[string]sla.Calendar{},
		pols: map[string]sla.Policy{}, catOf: map[int64]int64{}, agentsOf: map[int64][]identity.User{}, corpus: c}
	for _, cal := range sla.DefaultCalendars() {
		cc, err := cal.Compile()
		if err != nil {
			return *c, err
		}
		w.cals[cal.Key] = cc
	}
	for _, p := range sla.DefaultPolicies() {
		w.pols[p.Priority] = p
	}
	ids := db.Identity()
	groups, err := ids.ListGroups(ctx)
	if err != nil {
		return *c, err
	}
	w.groups, c.Groups = groups, groups
	cats, err := db.Tickets().Categories(ctx)
	if err != nil {
		return *c, err
	}
	for _, cat := range cats {
		if _, ok := w.catOf[cat.GroupID]; !ok {
			w.catOf[cat.GroupID] = cat.ID
		}
	}
	now := o.End
	for i := range o.Orgs {
		org, err := ids.CreateOrg(ctx, identity.Org{Name: fmt.Sprintf("客户单位 %03d", i), CreatedAt: now})
		if err != nil {
			return *c, err
		}
		c.Orgs = append(c.Orgs, org)
	}
	for i := range o.Agents {
		g := groups[i%len(groups)]
		u, err := ids.CreateUser(ctx, identity.User{Login: fmt.Sprintf("agent%03d", i), Name: fmt.Sprintf("客服 %03d", i),
			Role: identity.RoleAgent, GroupIDs: []int64{g.ID}, Active: true, PasswordHash: "!", CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return *c, err
		}
		w.agentsOf[g.ID] = append(w.agentsOf[g.ID], u)
		c.Agents = append(c.Agents, u)
	}
	for i := range o.Customers {
		org := c.Orgs[i%len(c.Orgs)]
		u, err := ids.CreateUser(ctx, identity.User{Login: fmt.Sprintf("cust%05d", i), Name: fmt.Sprintf("客户 %05d", i),
			Role: identity.RoleCustomer, OrgID: org.ID, Active: true, PasswordHash: "!", Phone: fmt.Sprintf("138%08d", i),
			Email: fmt.Sprintf("cust%05d@example.com", i), CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return *c, err
		}
		w.customers = append(w.customers, u)
	}
	rep := db.Reports()
	const batch = 10000
	for done := 0; done < o.N; done += batch {
		n := min(batch, o.N-done)
		ts := make([]ticket.Ticket, n)
		srcs := make([]report.Source, n)
		for i := range n {
			srcs[i] = w.ticket(done + i)
			ts[i] = srcs[i].Ticket
		}
		if err := rep.BulkTickets(ctx, ts); err != nil {
			return *c, err
		}
		facts := make([]report.Fact, n)
		for i := range n {
			srcs[i].Ticket.ID = ts[i].ID
			facts[i] = report.NewFact(srcs[i], o.Loc)
			c.Breaches += len(facts[i].Breaches)
		}
		if err := rep.BulkFacts(ctx, facts); err != nil {
			return *c, err
		}
		c.Tickets += n
		c.Facts += n
	}
	if err := rep.RebuildRollups(ctx); err != nil {
		return *c, err
	}
	if err := db.Analyze(ctx); err != nil {
		return *c, err
	}
	c.Elapsed = time.Since(start)
	return *c, nil
}

// hourWeights shape arrivals: office hours busy, nights quiet.
var hourWeights = [24]float64{1, 0.5, 0.3, 0.3, 0.3, 0.5, 1, 2, 5, 9, 10, 9, 6, 8, 10, 10, 9, 7, 4, 3, 2, 2, 1.5, 1}

func (w *world) pickHour() int {
	var total float64
	for _, x := range hourWeights {
		total += x
	}
	r := w.rnd.Float64() * total
	for h, x := range hourWeights {
		if r -= x; r < 0 {
			return h
		}
	}
	return 23
}

func (w *world) exp(mean time.Duration) time.Duration {
	return time.Duration(-math.Log(1-w.rnd.Float64()) * float64(mean))
}

func (w *world) pick(weights ...float64) int {
	var total float64
	for _, x := range weights {
		total += x
	}
	r := w.rnd.Float64() * total
	for i, x := range weights {
		if r -= x; r < 0 {
			return i
		}
	}
	return len(weights) - 1
}

// ticket simulates one ticket's life up to End.
func (w *world) ticket(i int) report.Source {
	o := w.o
	end := o.End
	day := end.In(o.Loc).AddDate(0, 0, -o.Days+w.rnd.IntN(o.Days))
	y, m, d := day.Date()
	created := time.Date(y, m, d, w.pickHour(), w.rnd.IntN(60), w.rnd.IntN(60), 0, o.Loc).UTC()
	if !created.Before(end) {
		created = end.Add(-time.Minute)
	}
	pri := []ticket.Priority{ticket.P1, ticket.P2, ticket.P3, ticket.P4}[w.pick(5, 20, 55, 20)]
	pol := w.pols[string(pri)]
	cal := w.cals[pol.Calendar]
	g := w.groups[w.rnd.IntN(len(w.groups))]
	cust := w.customers[w.rnd.IntN(len(w.customers))]
	t := ticket.Ticket{Number: fmt.Sprintf("BX%08d", i), Title: "生成的工单 generated ticket", Description: "",
		CategoryID: w.catOf[g.ID], Priority: pri, Channel: ticket.Channels[w.pick(50, 30, 15, 5)],
		RequesterID: cust.ID, OrgID: cust.OrgID, ContactPhone: cust.Phone, ContactEmail: cust.Email,
		GroupID: g.ID, Status: ticket.StatusUnassigned, Version: 1, CreatedAt: created}
	if t.CategoryID == 0 {
		for _, id := range w.catOf {
			t.CategoryID = id
			break
		}
	}
	var evs []ticket.Event
	ev := func(at time.Time, kind ticket.EventKind, field, from, to string, actor int64) {
		evs = append(evs, ticket.Event{Kind: kind, Field: field, From: from, To: to, At: at, ActorID: actor})
	}
	ev(created, ticket.EventCreated, "", "", "", cust.ID)
	t.SLA = sla.Clocks{Calendar: pol.Calendar, Acknowledge: sla.NewClock(sla.Acknowledge, pol),
		FirstResponse: sla.NewClock(sla.FirstResponse, pol), Resolution: sla.NewClock(sla.Resolution, pol)}
	meet := func(c *sla.Clock, at time.Time) {
		c.Started, c.Met = created, at
		if cal.Between(created, at) > c.Target {
			c.Breached = true
		}
	}
	overdue := func(c *sla.Clock) {
		c.Started, c.RunningSince = created, created
		if cal.Between(created, end) > c.Target {
			c.Breached = true
			ev(cal.Add(created, c.Target), ticket.EventSLA, string(c.Kind), "running", "breached", 0)
		}
	}
	agents := w.agentsOf[g.ID]
	var agent identity.User
	if len(agents) > 0 && w.rnd.Float64() < 0.97 {
		agent = agents[w.rnd.IntN(len(agents))]
	}
	last := created
	if agent.ID != 0 {
		at := created.Add(w.exp(15 * time.Minute))
		if at.Before(end) {
			t.AssigneeID, t.Status = agent.ID, ticket.StatusAssigned
			ev(at, ticket.EventAssignee, "assignee", "", agent.Login, 0)
			ev(at, ticket.EventStatus, "status", string(ticket.StatusUnassigned), string(ticket.StatusAssigned), 0)
			meet(&t.SLA.Acknowledge, at.Add(w.exp(10*time.Minute)))
			last = at
		}
	}
	if t.AssigneeID != 0 {
		fr := last.Add(w.exp(pol.FirstResponse / 3))
		if fr.Before(end) {
			t.FirstResponseAt = fr
			ev(fr, ticket.EventMessage, "", "", "", agent.ID)
			ev(fr, ticket.EventStatus, "status", string(ticket.StatusAssigned), string(ticket.StatusInProgress), agent.ID)
			t.Status = ticket.StatusInProgress
			meet(&t.SLA.FirstResponse, fr)
			last = fr
			if w.rnd.Float64() < 0.3 {
				last = last.Add(w.exp(2 * time.Hour))
				ev(last, ticket.EventMessage, "", "", "", agent.ID)
			}
		} else {
			overdue(&t.SLA.FirstResponse)
		}
	} else {
		overdue(&t.SLA.FirstResponse)
	}
	var ratings []ticket.Rating
	var fus []ticket.Followup
	resolve := func(at time.Time) bool {
		if !at.Before(end) || t.Status != ticket.StatusInProgress && t.Status != ticket.StatusFollowUp {
			return false
		}
		prop := at.Add(-time.Duration(w.rnd.IntN(3600)) * time.Second)
		if prop.Before(last) {
			prop = last
		}
		ev(prop, ticket.EventStatus, "status", string(t.Status), string(ticket.StatusAwaitingConfirmation), agent.ID)
		ev(at, ticket.EventStatus, "status", string(ticket.StatusAwaitingConfirmation), string(ticket.StatusResolved), cust.ID)
		t.Status, t.ResolvedAt = ticket.StatusResolved, at
		t.Resolutions++
		last = at
		if w.rnd.Float64() < 0.4 {
			ra := at.Add(w.exp(3 * time.Hour))
			if ra.Before(end) {
				sc := ticket.Scores[w.pick(50, 30, 12, 8)]
				ratings = append(ratings, ticket.Rating{Resolution: t.Resolutions, Score: sc, CreatedAt: ra})
				if sc.Poor() {
					f := ticket.Followup{DueAt: ra.Add(ticket.FollowupDue), CreatedAt: ra}
					if done := ra.Add(w.exp(12 * time.Hour)); done.Before(end) {
						f.DoneAt = done
					}
					fus = append(fus, f)
				}
			}
		}
		return true
	}
	if t.Status == ticket.StatusInProgress && w.rnd.Float64() < 0.93 {
		if resolve(last.Add(w.exp(pol.Resolution / 3))) {
			meet(&t.SLA.Resolution, t.ResolvedAt)
			if w.rnd.Float64() < 0.06 {
				ro := last.Add(w.exp(24 * time.Hour))
				if ro.Before(end) {
					ev(ro, ticket.EventStatus, "status", string(ticket.StatusResolved), string(ticket.StatusFollowUp), cust.ID)
					t.Status, last = ticket.StatusFollowUp, ro
					resolve(ro.Add(w.exp(8 * time.Hour)))
				}
			}
			if t.Status == ticket.StatusResolved {
				if cl := t.ResolvedAt.Add(7 * 24 * time.Hour); cl.Before(end) {
					ev(cl, ticket.EventStatus, "status", string(ticket.StatusResolved), string(ticket.StatusClosed), 0)
					t.Status, t.ClosedAt, last = ticket.StatusClosed, cl, cl
				}
			}
		}
	}
	if t.ResolvedAt.IsZero() && t.Status.Open() {
		overdue(&t.SLA.Resolution)
	}
	for _, c := range t.SLA.All() {
		if c.Breached {
			t.EscalationLevel++
		}
	}
	t.UpdatedAt = last
	// Events in time order, as the store returns them.
	sortEvents(evs)
	return report.Source{Ticket: t, Events: evs, Ratings: ratings, Followups: fus, Calendar: &cal}
}

func sortEvents(evs []ticket.Event) {
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].At.Before(evs[j-1].At); j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
}
