package routing

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/ticket"
)

// maxCursorAttempts bounds the compare-and-swap retries of a round robin.
// Each failed swap means another request took a turn, so a request waits
// at most one turn per concurrent router; past the bound it takes the
// agent it computed without moving the cursor, rather than fail a ticket.
const maxCursorAttempts = 64

// maxReloads bounds how often one Route reloads rules that keep changing.
const maxReloads = 3

// Route decides the group, the agent and any priority change for a new
// ticket. It implements ticket.Router. t needs its category (CategoryKey,
// or CategoryID to look it up) and the category's default group, which
// the ticket service fills in from the category.
func (s *Service) Route(ctx context.Context, t ticket.Ticket) (ticket.Assignment, error) {
	d, err := s.decide(ctx, t, false)
	return d.Assignment, err
}

// DryRun reports what Route would decide for a sample ticket, including the
// agent it would pick, without moving the round-robin cursor. The sample
// needs CategoryKey; Title, Description, Priority (default P3), Channel
// (default web), OrgID or OrgName and CustomFields are used when set.
// Admins and supervisors may try.
func (s *Service) DryRun(ctx context.Context, by identity.Actor, sample ticket.Ticket) (Decision, error) {
	if !canView(by) {
		return Decision{}, errForbidden()
	}
	var m apperr.Multi
	if sample.Priority == "" {
		sample.Priority = ticket.P3
	}
	if !sample.Priority.Valid() {
		m.Add(apperr.FieldError("ticket.priority_invalid", "priority", nil))
	}
	if sample.Channel == "" {
		sample.Channel = ticket.ChannelWeb
	}
	if !sample.Channel.Valid() {
		m.Add(apperr.FieldError("ticket.channel_invalid", "channel", nil))
	}
	key := strings.TrimSpace(sample.CategoryKey)
	if key == "" {
		m.Add(apperr.FieldError("field.required", "category", nil))
	} else if c, err := s.cats.CategoryByKey(ctx, key); err != nil {
		if apperr.KindOf(err) != apperr.NotFound {
			return Decision{}, err
		}
		m.Add(apperr.FieldError("category.not_found", "category", map[string]any{"key": key}))
	} else {
		sample.CategoryID, sample.CategoryKey, sample.GroupID, sample.GroupKey = c.ID, c.Key, c.GroupID, c.GroupKey
	}
	if name := strings.TrimSpace(sample.OrgName); sample.OrgID == 0 && name != "" {
		o, err := s.dir.OrgByName(ctx, name)
		if err != nil {
			if apperr.KindOf(err) != apperr.NotFound {
				return Decision{}, err
			}
			m.Add(apperr.FieldError("org.not_found", "org", map[string]any{"name": name}))
		}
		sample.OrgID = o.ID
	}
	if err := m.Err(); err != nil {
		return Decision{}, err
	}
	return s.decide(ctx, sample, true)
}

// decide runs the rules and picks an agent; dry leaves the cursor alone.
func (s *Service) decide(ctx context.Context, t ticket.Ticket, dry bool) (Decision, error) {
	if t.CategoryKey == "" || t.GroupID == 0 {
		c, err := s.cats.CategoryByID(ctx, t.CategoryID)
		if err != nil {
			return Decision{}, fmt.Errorf("routing: category of ticket: %w", err)
		}
		t.CategoryKey = c.Key
		if t.GroupID == 0 {
			t.GroupID, t.GroupKey = c.GroupID, c.GroupKey
		}
	}
	rs := s.rules.Load()
	if rs == nil {
		var err error
		if rs, err = s.ruleSet(ctx); err != nil {
			return Decision{}, err
		}
	}
	// The pool query also reads the routing version. Should the rules have
	// changed since they were cached, reload them and decide again.
	var d Decision
	var wanted int64
	var pool Pool
	for attempt := 1; ; attempt++ {
		d, wanted = match(rs, &t)
		if d.Assignment.GroupID == 0 {
			return d, nil // a category always has a group; nothing to pick from otherwise
		}
		var err error
		if pool, err = s.store.Pool(ctx, d.Assignment.GroupID, OpenStatuses); err != nil {
			return Decision{}, err
		}
		if pool.Version <= rs.version || attempt == maxReloads {
			break
		}
		if rs, err = s.ruleSet(ctx); err != nil {
			return Decision{}, err
		}
	}
	g := d.Assignment.GroupID
	d.Strategy = rs.strategy(g)
	s.assess(pool.Agents)
	d.Agents = pool.Agents
	var pick *Agent
	switch {
	case wanted != 0 && s.available(pool.Agents, wanted) != nil:
		pick, d.PickedBy = s.available(pool.Agents, wanted), "rule"
	case d.Strategy == RoundRobin:
		var err error
		if pick, err = s.roundRobin(ctx, g, pool, dry); err != nil {
			return Decision{}, err
		}
		d.PickedBy = string(RoundRobin)
	case d.Strategy == Manual:
		// The ticket waits in the queue to be claimed.
	default:
		pick, d.PickedBy = leastOpen(pool.Agents), string(LeastOpen)
	}
	if pick == nil {
		d.PickedBy = ""
		return d, nil
	}
	d.Assignment.AssigneeID, d.Assignment.Assignee = pick.ID, pick.Login
	return d, nil
}

// match applies the first matching rule, or the category's group, and
// returns the decision so far with the agent the rule names.
func match(rs *ruleSet, t *ticket.Ticket) (Decision, int64) {
	d := Decision{Assignment: ticket.Assignment{GroupID: t.GroupID, GroupKey: t.GroupKey}}
	r := rs.first(t)
	if r == nil {
		return d, 0
	}
	d.RuleID = r.rule.ID
	d.Assignment.Rule = r.rule.Name
	d.Assignment.GroupID, d.Assignment.GroupKey = r.rule.GroupID, r.rule.GroupKey
	d.Assignment.Priority = r.rule.SetPriority
	return d, r.rule.AgentID
}

// assess fills in each agent's effective cap and availability.
func (s *Service) assess(agents []Agent) {
	for i := range agents {
		a := &agents[i]
		a.Cap = a.MaxOpen
		if a.Cap <= 0 {
			a.Cap = s.defaultMaxOpen
		}
		a.Available = !a.Away && a.Open < a.Cap
	}
}

// available returns the agent with the id if they can take a ticket.
func (s *Service) available(agents []Agent, id int64) *Agent {
	for i := range agents {
		if agents[i].ID == id && agents[i].Available {
			return &agents[i]
		}
	}
	return nil
}

// inPool reports whether the strategy may pick the agent. Supervisors
// manage the queue and take escalations; they get tickets only from a rule
// that names them. Admins, when in a group, are treated the same way.
func inPool(a Agent) bool { return a.Available && a.Role == identity.RoleAgent }

// leastOpen picks the pool agent with the fewest open tickets, at random
// among equals, so a burst of tickets routed at once (all seeing the same
// counts) spreads instead of piling on one agent.
func leastOpen(agents []Agent) *Agent {
	var best *Agent
	ties := 0
	for i := range agents {
		a := &agents[i]
		switch {
		case !inPool(*a):
		case best == nil || a.Open < best.Open:
			best, ties = a, 1
		case a.Open == best.Open:
			ties++
			if rand.IntN(ties) == 0 {
				best = a
			}
		}
	}
	return best
}

// next returns the first pool agent after the cursor in id order, wrapping
// around, or nil when nobody is available.
func next(agents []Agent, cursor int64) *Agent {
	var first *Agent
	for i := range agents {
		a := &agents[i]
		if !inPool(*a) {
			continue
		}
		if a.ID > cursor {
			return a
		}
		if first == nil {
			first = a
		}
	}
	return first
}

// roundRobin picks the next agent after the group's cursor and moves the
// cursor to them with a compare and swap, retrying on the fresh cursor when
// another request moved it first. Two requests thus never take the same
// turn, on one node or many. A dry run only reads.
func (s *Service) roundRobin(ctx context.Context, groupID int64, pool Pool, dry bool) (*Agent, error) {
	cursor := pool.Cursor
	for attempt := 1; ; attempt++ {
		a := next(pool.Agents, cursor)
		if a == nil || dry || a.ID == cursor {
			return a, nil
		}
		ok, err := s.store.AdvanceCursor(ctx, groupID, cursor, a.ID)
		if err != nil {
			return nil, err
		}
		if ok || attempt == maxCursorAttempts {
			return a, nil
		}
		if cursor, err = s.store.Cursor(ctx, groupID); err != nil {
			return nil, err
		}
	}
}
