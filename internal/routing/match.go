package routing

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/width"

	"helpdesk/internal/ticket"
)

// ruleSet is the cached, compiled rule list and group strategies as of one
// routing version.
type ruleSet struct {
	version    int64
	rules      []compiled // enabled rules only, in order
	strategies map[int64]Strategy
}

// compiled is a rule prepared for matching: keywords lowercased once.
type compiled struct {
	rule       Rule
	categories []string
	priorities []ticket.Priority
	channels   []ticket.Channel
	orgs       []int64
	fields     []FieldMatch
	keywords   []string
}

func compile(r Rule) compiled {
	c := compiled{rule: r, categories: r.Conditions.Categories, priorities: r.Conditions.Priorities,
		channels: r.Conditions.Channels, fields: r.Conditions.Fields}
	for _, o := range r.Conditions.Orgs {
		c.orgs = append(c.orgs, o.ID)
	}
	for _, k := range r.Conditions.Keywords {
		c.keywords = append(c.keywords, fold(k))
	}
	return c
}

// fold prepares text for keyword matching: full-width letters and digits
// (ＶＰＮ, as Chinese input methods often type them) become ASCII, and
// letters lowercase.
func fold(s string) string { return strings.ToLower(width.Fold.String(s)) }

// text folds a ticket's title and description once, and only when a rule
// with keywords asks.
type text struct {
	t           *ticket.Ticket
	title, body string
	done        bool
}

func (x *text) lower() (string, string) {
	if !x.done {
		x.title, x.body, x.done = fold(x.t.Title), fold(x.t.Description), true
	}
	return x.title, x.body
}

// match reports whether every condition of the rule holds for t.
func (c *compiled) match(t *ticket.Ticket, x *text) bool {
	if len(c.categories) > 0 && !slices.Contains(c.categories, t.CategoryKey) ||
		len(c.priorities) > 0 && !slices.Contains(c.priorities, t.Priority) ||
		len(c.channels) > 0 && !slices.Contains(c.channels, t.Channel) ||
		len(c.orgs) > 0 && (t.OrgID == 0 || !slices.Contains(c.orgs, t.OrgID)) {
		return false
	}
	for _, f := range c.fields {
		v, ok := fieldText(t.CustomFields[f.Key])
		if !ok || !slices.Contains(f.Values, v) {
			return false
		}
	}
	if len(c.keywords) == 0 {
		return true
	}
	title, body := x.lower()
	for _, k := range c.keywords {
		if strings.Contains(title, k) || strings.Contains(body, k) {
			return true
		}
	}
	return false
}

// fieldText is a custom field value as conditions compare it.
func fieldText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, v != ""
	case bool:
		return strconv.FormatBool(v), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	}
	return "", false
}

// first returns the first enabled rule matching t, or nil.
func (rs *ruleSet) first(t *ticket.Ticket) *compiled {
	x := text{t: t}
	for i := range rs.rules {
		if rs.rules[i].match(t, &x) {
			return &rs.rules[i]
		}
	}
	return nil
}

// strategy returns a group's strategy.
func (rs *ruleSet) strategy(groupID int64) Strategy {
	if s, ok := rs.strategies[groupID]; ok {
		return s
	}
	return DefaultStrategy
}

// ruleSet returns the compiled rules, reloading them when the routing
// version moved. The version is read before the rules, so a cached set is
// never older than its version says; a change committed in between only
// makes the next call reload once more.
func (s *Service) ruleSet(ctx context.Context) (*ruleSet, error) {
	v, err := s.store.RoutingVersion(ctx)
	if err != nil {
		return nil, err
	}
	if rs := s.rules.Load(); rs != nil && rs.version == v {
		return rs, nil
	}
	s.loading.Lock()
	defer s.loading.Unlock()
	if rs := s.rules.Load(); rs != nil && rs.version >= v {
		return rs, nil
	}
	rules, err := s.store.Rules(ctx)
	if err != nil {
		return nil, err
	}
	strategies, err := s.store.GroupStrategies(ctx)
	if err != nil {
		return nil, err
	}
	rs := &ruleSet{version: v, strategies: strategies}
	for _, r := range rules {
		if r.Enabled {
			rs.rules = append(rs.rules, compile(r))
		}
	}
	s.rules.Store(rs)
	return rs, nil
}
