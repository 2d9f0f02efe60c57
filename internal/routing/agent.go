package routing

import (
	"context"
	"slices"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// manages reports whether the actor looks after the user's routing
// settings: admins for everyone, supervisors for members of their groups.
func manages(by identity.Actor, u identity.User) bool {
	if by.IsAdmin() {
		return true
	}
	return by.Role == identity.RoleSupervisor && slices.ContainsFunc(u.GroupIDs, by.InGroup)
}

// staffMember looks up a staff member the actor may see the routing of:
// themselves, or someone they manage.
func (s *Service) staffMember(ctx context.Context, by identity.Actor, login string) (identity.User, error) {
	if !by.Role.Staff() && !by.System {
		return identity.User{}, errForbidden()
	}
	u, err := s.dir.UserByLogin(ctx, login)
	if err != nil {
		return identity.User{}, err
	}
	if u.ID != by.UserID && !manages(by, u) {
		return identity.User{}, errForbidden()
	}
	if !u.Role.Staff() {
		return identity.User{}, apperr.FieldError("routing.not_staff", "login", map[string]any{"login": u.Login})
	}
	return u, nil
}

// agent returns a user's routing settings and load.
func (s *Service) agent(ctx context.Context, userID int64) (Agent, error) {
	a, err := s.store.AgentByID(ctx, userID, OpenStatuses)
	if err != nil {
		return Agent{}, err
	}
	as := []Agent{a}
	s.assess(as)
	return as[0], nil
}

// Agent returns a staff member's availability, cap and load. Staff see
// their own; supervisors the members of their groups; admins everyone.
func (s *Service) Agent(ctx context.Context, by identity.Actor, login string) (Agent, error) {
	u, err := s.staffMember(ctx, by, login)
	if err != nil {
		return Agent{}, err
	}
	return s.agent(ctx, u.ID)
}

// SetAway marks a staff member away (no new tickets) or back. Agents set
// themselves; supervisors anyone in their groups; admins anyone.
func (s *Service) SetAway(ctx context.Context, by identity.Actor, login string, away bool) (Agent, error) {
	u, err := s.staffMember(ctx, by, login)
	if err != nil {
		return Agent{}, err
	}
	if err := s.store.SetAway(ctx, u.ID, away); err != nil {
		return Agent{}, err
	}
	return s.agent(ctx, u.ID)
}

// SetMaxOpen sets a staff member's cap on open tickets, 0 to MaxMaxOpen;
// zero follows the desk default. Supervisors set it for members of their
// groups, admins for anyone.
func (s *Service) SetMaxOpen(ctx context.Context, by identity.Actor, login string, n int) (Agent, error) {
	u, err := s.staffMember(ctx, by, login)
	if err != nil {
		return Agent{}, err
	}
	if !manages(by, u) {
		return Agent{}, errForbidden()
	}
	if n < 0 || n > MaxMaxOpen {
		return Agent{}, apperr.FieldError("field.out_of_range", "max_open", map[string]any{"min": 0, "max": MaxMaxOpen})
	}
	if err := s.store.SetMaxOpen(ctx, u.ID, n); err != nil {
		return Agent{}, err
	}
	return s.agent(ctx, u.ID)
}

// group looks up a group by key as a field of the request.
func (s *Service) group(ctx context.Context, key string) (identity.Group, error) {
	g, err := s.dir.GroupByKey(ctx, key)
	if apperr.KindOf(err) == apperr.NotFound {
		return g, apperr.NotFoundf("group.not_found", "group %q", key).With("key", key)
	}
	return g, err
}

// GroupAgents lists a group's staff with their availability, cap and load.
// Members of the group and admins may see it.
func (s *Service) GroupAgents(ctx context.Context, by identity.Actor, groupKey string) ([]Agent, error) {
	g, err := s.group(ctx, groupKey)
	if err != nil {
		return nil, err
	}
	if !by.IsAdmin() && !(by.Role.Staff() && by.InGroup(g.ID)) {
		return nil, errForbidden()
	}
	p, err := s.store.Pool(ctx, g.ID, OpenStatuses)
	if err != nil {
		return nil, err
	}
	s.assess(p.Agents)
	return p.Agents, nil
}

// GroupSetting returns a group's routing configuration; staff may read it.
func (s *Service) GroupSetting(ctx context.Context, by identity.Actor, groupKey string) (GroupSetting, error) {
	if !by.Role.Staff() && !by.System {
		return GroupSetting{}, errForbidden()
	}
	g, err := s.group(ctx, groupKey)
	if err != nil {
		return GroupSetting{}, err
	}
	rs, err := s.ruleSet(ctx)
	if err != nil {
		return GroupSetting{}, err
	}
	return GroupSetting{GroupID: g.ID, GroupKey: g.Key, Strategy: rs.strategy(g.ID)}, nil
}

// SetGroupStrategy sets how a group picks agents. Admins and the group's
// supervisors may.
func (s *Service) SetGroupStrategy(ctx context.Context, by identity.Actor, groupKey string, st Strategy) (GroupSetting, error) {
	g, err := s.group(ctx, groupKey)
	if err != nil {
		return GroupSetting{}, err
	}
	if !by.IsAdmin() && !(by.Role == identity.RoleSupervisor && by.InGroup(g.ID)) {
		return GroupSetting{}, errForbidden()
	}
	if !st.Valid() {
		return GroupSetting{}, apperr.FieldError("routing.strategy_invalid", "strategy", map[string]any{"value": string(st)})
	}
	if err := s.store.SetGroupStrategy(ctx, g.ID, st); err != nil {
		return GroupSetting{}, err
	}
	return GroupSetting{GroupID: g.ID, GroupKey: g.Key, Strategy: st}, nil
}
