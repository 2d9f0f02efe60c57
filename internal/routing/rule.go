package routing

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/ticket"
)

// errForbidden is the error for an actor who may not do what they asked.
func errForbidden() error { return apperr.New(apperr.Forbidden, "auth.forbidden") }

// canView reports whether the actor may read the rules and try them:
// admins and supervisors.
func canView(by identity.Actor) bool { return by.IsAdmin() || by.Role == identity.RoleSupervisor }

// Rules lists the rules in order, disabled ones included. Admins and
// supervisors may read them.
func (s *Service) Rules(ctx context.Context, by identity.Actor) ([]Rule, error) {
	if !canView(by) {
		return nil, errForbidden()
	}
	rules, err := s.store.Rules(ctx)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for i := range rules {
		if err := s.orgNames(ctx, &rules[i], names); err != nil {
			return nil, err
		}
	}
	return rules, nil
}

// Rule returns one rule.
func (s *Service) Rule(ctx context.Context, by identity.Actor, id int64) (Rule, error) {
	if !canView(by) {
		return Rule{}, errForbidden()
	}
	r, err := s.store.RuleByID(ctx, id)
	if err != nil {
		return Rule{}, err
	}
	return r, s.orgNames(ctx, &r, map[int64]string{})
}

// orgNames fills in the names of the organizations a rule names by id.
func (s *Service) orgNames(ctx context.Context, r *Rule, names map[int64]string) error {
	for i := range r.Conditions.Orgs {
		o := &r.Conditions.Orgs[i]
		name, ok := names[o.ID]
		if !ok {
			org, err := s.dir.OrgByID(ctx, o.ID)
			if err != nil && apperr.KindOf(err) != apperr.NotFound {
				return err
			}
			name, names[o.ID] = org.Name, org.Name
		}
		o.Name = name
	}
	return nil
}

// SaveRule creates a rule (ID zero, appended at the end) or replaces the
// rule with r.ID, keeping its position. Only admins may.
func (s *Service) SaveRule(ctx context.Context, by identity.Actor, r Rule) (Rule, error) {
	if !by.IsAdmin() {
		return Rule{}, errForbidden()
	}
	if err := s.check(ctx, &r); err != nil {
		return Rule{}, err
	}
	now := s.now().UTC()
	r.UpdatedAt = now
	var out Rule
	var err error
	if r.ID == 0 {
		r.CreatedAt = now
		out, err = s.store.CreateRule(ctx, r, MaxRules)
	} else {
		out, err = s.store.UpdateRule(ctx, r)
	}
	if err != nil {
		return Rule{}, err
	}
	return out, s.orgNames(ctx, &out, map[int64]string{})
}

// DeleteRule removes a rule. Only admins may.
func (s *Service) DeleteRule(ctx context.Context, by identity.Actor, id int64) error {
	if !by.IsAdmin() {
		return errForbidden()
	}
	return s.store.DeleteRule(ctx, id)
}

// Reorder puts the rules in the order of ids, which must name every rule
// exactly once, and returns them in their new order. Only admins may.
func (s *Service) Reorder(ctx context.Context, by identity.Actor, ids []int64) ([]Rule, error) {
	if !by.IsAdmin() {
		return nil, errForbidden()
	}
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return nil, apperr.FieldError("routing.reorder_invalid", "ids", nil)
		}
		seen[id] = true
	}
	if err := s.store.ReorderRules(ctx, ids); err != nil {
		return nil, err
	}
	return s.Rules(ctx, by)
}

var fieldKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// check validates and normalizes a rule, resolving its group, agent and
// organizations. It reports every problem at once.
func (s *Service) check(ctx context.Context, r *Rule) error {
	var m apperr.Multi
	r.Name = strings.TrimSpace(r.Name)
	if e := checkText("name", r.Name, MaxNameLen, true); e != nil {
		m.Add(e)
	}
	if r.SetPriority != "" && !r.SetPriority.Valid() {
		m.Add(apperr.FieldError("ticket.priority_invalid", "set_priority", nil))
	}
	if err := s.checkTarget(ctx, r, &m); err != nil {
		return err
	}
	if err := s.checkConditions(ctx, &r.Conditions, &m); err != nil {
		return err
	}
	return m.Err()
}

// checkTarget resolves the rule's group and agent. The agent must be active
// staff of the group.
func (s *Service) checkTarget(ctx context.Context, r *Rule, m *apperr.Multi) error {
	r.GroupKey, r.Agent = strings.TrimSpace(r.GroupKey), strings.TrimSpace(r.Agent)
	r.GroupID, r.AgentID = 0, 0
	if r.GroupKey == "" {
		m.Add(apperr.FieldError("routing.group_required", "group", nil))
		return nil
	}
	g, err := s.dir.GroupByKey(ctx, r.GroupKey)
	if apperr.KindOf(err) == apperr.NotFound {
		m.Add(apperr.FieldError("group.not_found", "group", map[string]any{"key": r.GroupKey}))
		return nil
	}
	if err != nil {
		return err
	}
	r.GroupID = g.ID
	if r.Agent == "" {
		return nil
	}
	u, err := s.dir.UserByLogin(ctx, r.Agent)
	if err != nil && apperr.KindOf(err) != apperr.NotFound {
		return err
	}
	if err != nil || !u.Active || !u.Role.Staff() || !slices.Contains(u.GroupIDs, g.ID) {
		m.Add(apperr.FieldError("routing.agent_invalid", "agent", map[string]any{"login": r.Agent, "group": r.GroupKey}))
		return nil
	}
	r.AgentID, r.Agent = u.ID, u.Login
	return nil
}

// checkConditions validates each condition list against what exists.
func (s *Service) checkConditions(ctx context.Context, c *Conditions, m *apperr.Multi) error {
	invalid := func(field string, i int, v any) {
		m.Add(apperr.FieldError("routing.condition_invalid", fmt.Sprintf("conditions.%s[%d]", field, i), map[string]any{"value": v}))
	}
	before := len(m.Errors)
	for _, l := range []struct {
		name string
		n    int
	}{{"categories", len(c.Categories)}, {"priorities", len(c.Priorities)}, {"channels", len(c.Channels)},
		{"orgs", len(c.Orgs)}, {"fields", len(c.Fields)}, {"keywords", len(c.Keywords)}} {
		if l.n > MaxValues {
			m.Add(apperr.FieldError("routing.too_many_values", "conditions."+l.name, map[string]any{"max": MaxValues}))
		}
	}
	if len(m.Errors) > before {
		return nil // do not look up thousands of values
	}
	all, err := s.cats.Categories(ctx)
	if err != nil {
		return err
	}
	var cats []ticket.Category // the categories the rule can apply to
	c.Categories = dedupe(c.Categories, strings.TrimSpace)
	for i, k := range c.Categories {
		j := slices.IndexFunc(all, func(x ticket.Category) bool { return x.Key == k })
		if j < 0 {
			invalid("categories", i, k)
			continue
		}
		cats = append(cats, all[j])
	}
	if len(c.Categories) == 0 {
		cats = all
	}
	c.Priorities = dedupe(c.Priorities, nil)
	for i, p := range c.Priorities {
		if !p.Valid() {
			invalid("priorities", i, string(p))
		}
	}
	c.Channels = dedupe(c.Channels, nil)
	for i, ch := range c.Channels {
		if !ch.Valid() {
			invalid("channels", i, string(ch))
		}
	}
	if err := s.checkOrgs(ctx, c, invalid); err != nil {
		return err
	}
	for i := range c.Fields {
		f := &c.Fields[i]
		f.Key = strings.TrimSpace(f.Key)
		f.Values = dedupe(f.Values, strings.TrimSpace)
		if !fieldKeyRE.MatchString(f.Key) || len(f.Values) == 0 || len(f.Values) > MaxValues ||
			slices.ContainsFunc(f.Values, func(v string) bool { return checkText("", v, MaxValueLen, true) != nil }) {
			invalid("fields", i, f.Key)
			continue
		}
		if !fieldDefined(cats, *f) {
			invalid("fields", i, f.Key)
		}
	}
	c.Keywords = dedupe(c.Keywords, strings.TrimSpace)
	for i, k := range c.Keywords {
		if e := checkText(fmt.Sprintf("conditions.keywords[%d]", i), k, MaxKeywordLen, true); e != nil {
			if e.Code == "field.too_long" {
				e = apperr.FieldError("routing.keyword_too_long", e.Field, map[string]any{"max": MaxKeywordLen})
			}
			m.Add(e)
		}
	}
	return nil
}

// checkOrgs resolves organizations named by id or name to ids.
func (s *Service) checkOrgs(ctx context.Context, c *Conditions, invalid func(string, int, any)) error {
	seen := map[int64]bool{}
	var out []OrgRef
	for i, o := range c.Orgs {
		var org identity.Org
		var err error
		if o.ID != 0 {
			org, err = s.dir.OrgByID(ctx, o.ID)
		} else {
			org, err = s.dir.OrgByName(ctx, strings.TrimSpace(o.Name))
		}
		if apperr.KindOf(err) == apperr.NotFound {
			v := any(o.Name)
			if o.ID != 0 {
				v = o.ID
			}
			invalid("orgs", i, v)
			continue
		}
		if err != nil {
			return err
		}
		if !seen[org.ID] {
			seen[org.ID] = true
			out = append(out, OrgRef{ID: org.ID, Name: org.Name})
		}
	}
	c.Orgs = out
	return nil
}

// fieldDefined reports whether a custom field condition makes sense for one
// of the categories: the field exists there and, for a select field, the
// values are options of it.
func fieldDefined(cats []ticket.Category, f FieldMatch) bool {
	for _, c := range cats {
		def, ok := c.Field(f.Key)
		if !ok {
			continue
		}
		if def.Type != ticket.FieldSelect {
			return true
		}
		if !slices.ContainsFunc(f.Values, func(v string) bool { return !slices.Contains(def.Options, v) }) {
			return true
		}
	}
	return false
}

// dedupe normalizes each value with norm (when given), drops empty values
// and repeats, and keeps the order.
func dedupe[T ~string](vs []T, norm func(string) string) []T {
	var out []T
	for _, v := range vs {
		if norm != nil {
			v = T(norm(string(v)))
		}
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// checkText validates a text input: valid UTF-8, no control characters,
// within max characters, present when required.
func checkText(field, s string, max int, required bool) *apperr.Error {
	if !utf8.ValidString(s) {
		return apperr.FieldError("field.invalid_utf8", field, nil)
	}
	if required && strings.TrimSpace(s) == "" {
		return apperr.FieldError("field.required", field, nil)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return apperr.FieldError("field.too_long", field, map[string]any{"max": max, "len": n})
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return apperr.FieldError("field.control_char", field, nil)
		}
	}
	return nil
}
