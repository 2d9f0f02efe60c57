package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/routing"
	"helpdesk/internal/ticket"
)

// Routing implements routing.Store.
type Routing struct{ db *DB }

// Routing returns the routing store.
func (db *DB) Routing() *Routing { return &Routing{db: db} }

// conditions is how a rule's conditions are stored (JSON in routing_rules.conditions).
type conditions struct {
	Categories []string     `json:"categories,omitempty"`
	Priorities []string     `json:"priorities,omitempty"`
	Channels   []string     `json:"channels,omitempty"`
	Orgs       []int64      `json:"orgs,omitempty"`
	Fields     []fieldMatch `json:"fields,omitempty"`
	Keywords   []string     `json:"keywords,omitempty"`
}

type fieldMatch struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

func encodeConditions(c routing.Conditions) string {
	var s conditions
	s.Categories, s.Keywords = c.Categories, c.Keywords
	for _, p := range c.Priorities {
		s.Priorities = append(s.Priorities, string(p))
	}
	for _, ch := range c.Channels {
		s.Channels = append(s.Channels, string(ch))
	}
	for _, o := range c.Orgs {
		s.Orgs = append(s.Orgs, o.ID)
	}
	for _, f := range c.Fields {
		s.Fields = append(s.Fields, fieldMatch{f.Key, f.Values})
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func decodeConditions(text string) (routing.Conditions, error) {
	var s conditions
	var c routing.Conditions
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		return c, err
	}
	c.Categories, c.Keywords = s.Categories, s.Keywords
	for _, p := range s.Priorities {
		c.Priorities = append(c.Priorities, ticket.Priority(p))
	}
	for _, ch := range s.Channels {
		c.Channels = append(c.Channels, ticket.Channel(ch))
	}
	for _, id := range s.Orgs {
		c.Orgs = append(c.Orgs, routing.OrgRef{ID: id})
	}
	for _, f := range s.Fields {
		c.Fields = append(c.Fields, routing.FieldMatch{Key: f.Key, Values: f.Values})
	}
	return c, nil
}

const ruleSelect = `SELECT r.id, r.position, r.name, r.enabled, r.conditions, r.group_id, g.key, r.agent_id,
	COALESCE(u.login, ''), r.set_priority, r.created_at, r.updated_at
	FROM routing_rules r JOIN support_groups g ON g.id = r.group_id LEFT JOIN users u ON u.id = r.agent_id`

func scanRule(row scanner) (routing.Rule, error) {
	var r routing.Rule
	var agent sql.NullInt64
	var conds string
	var created, updated int64
	err := row.Scan(&r.ID, &r.Position, &r.Name, &r.Enabled, &conds, &r.GroupID, &r.GroupKey, &agent, &r.Agent,
		&r.SetPriority, &created, &updated)
	if err != nil {
		return r, err
	}
	r.AgentID = agent.Int64
	r.CreatedAt, r.UpdatedAt = tm(sql.NullInt64{Int64: created, Valid: true}), tm(sql.NullInt64{Int64: updated, Valid: true})
	if r.Conditions, err = decodeConditions(conds); err != nil {
		return r, fmt.Errorf("conditions: %w", err)
	}
	return r, nil
}

// RoutingVersion returns the counter every rule or strategy change bumps:
// one primary-key read, the price of revalidating the cached rules.
func (s *Routing) RoutingVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.db.read().QueryRowContext(ctx, `SELECT version FROM routing_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: routing version: %w", err)
	}
	return v, nil
}

// bump increments the routing version inside a change. It runs first, so
// on PostgreSQL the row lock also serializes concurrent rule changes.
func bump(ctx context.Context, tx conn) error {
	if _, err := tx.ExecContext(ctx, `UPDATE routing_version SET version = version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("store: routing version: %w", err)
	}
	return nil
}

// Rules lists every rule in order.
func (s *Routing) Rules(ctx context.Context) ([]routing.Rule, error) {
	rows, err := s.db.read().QueryContext(ctx, ruleSelect+` ORDER BY r.position, r.id`)
	if err != nil {
		return nil, fmt.Errorf("store: routing rules: %w", err)
	}
	defer rows.Close()
	var out []routing.Rule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, fmt.Errorf("store: routing rules: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: routing rules: %w", err)
	}
	return out, nil
}

// RuleByID returns one rule.
func (s *Routing) RuleByID(ctx context.Context, id int64) (routing.Rule, error) {
	return ruleByID(ctx, s.db.read(), id)
}

func ruleByID(ctx context.Context, q queryer, id int64) (routing.Rule, error) {
	r, err := scanRule(q.QueryRowContext(ctx, ruleSelect+` WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("routing.rule_not_found", "routing rule %d", id)
	}
	if err != nil {
		return r, fmt.Errorf("store: routing rule %d: %w", id, err)
	}
	return r, nil
}

// CreateRule appends a rule after the last one. The count is checked in
// the transaction, after the version bump has serialized rule changes.
func (s *Routing) CreateRule(ctx context.Context, r routing.Rule, max int) (routing.Rule, error) {
	var out routing.Rule
	err := s.db.tx(ctx, func(tx conn) error {
		if err := bump(ctx, tx); err != nil {
			return err
		}
		var n, last int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(position), 0) FROM routing_rules`).Scan(&n, &last); err != nil {
			return fmt.Errorf("store: count routing rules: %w", err)
		}
		if n >= int64(max) {
			return apperr.New(apperr.Conflict, "routing.too_many_rules").With("max", max)
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO routing_rules (position, name, enabled, conditions, group_id, agent_id,
			set_priority, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
			last+1, r.Name, r.Enabled, encodeConditions(r.Conditions), r.GroupID, nullID(r.AgentID), string(r.SetPriority),
			r.CreatedAt.UnixMicro(), r.UpdatedAt.UnixMicro()).Scan(&id)
		if err != nil {
			return fmt.Errorf("store: create routing rule: %w", err)
		}
		out, err = ruleByID(ctx, tx, id)
		return err
	})
	return out, err
}

// UpdateRule saves a rule's fields, keeping its position and creation time.
func (s *Routing) UpdateRule(ctx context.Context, r routing.Rule) (routing.Rule, error) {
	var out routing.Rule
	err := s.db.tx(ctx, func(tx conn) error {
		if err := bump(ctx, tx); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE routing_rules SET name=$1, enabled=$2, conditions=$3, group_id=$4, agent_id=$5,
			set_priority=$6, updated_at=$7 WHERE id=$8`,
			r.Name, r.Enabled, encodeConditions(r.Conditions), r.GroupID, nullID(r.AgentID), string(r.SetPriority),
			r.UpdatedAt.UnixMicro(), r.ID)
		if err != nil {
			return fmt.Errorf("store: update routing rule: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("routing.rule_not_found", "routing rule %d", r.ID)
		}
		out, err = ruleByID(ctx, tx, r.ID)
		return err
	})
	return out, err
}

// DeleteRule removes a rule.
func (s *Routing) DeleteRule(ctx context.Context, id int64) error {
	return s.db.tx(ctx, func(tx conn) error {
		if err := bump(ctx, tx); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM routing_rules WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("store: delete routing rule: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("routing.rule_not_found", "routing rule %d", id)
		}
		return nil
	})
}

// ReorderRules numbers the rules in the order of ids, which must list every
// rule exactly once (routing.reorder_invalid otherwise).
func (s *Routing) ReorderRules(ctx context.Context, ids []int64) error {
	return s.db.tx(ctx, func(tx conn) error {
		if err := bump(ctx, tx); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM routing_rules`)
		if err != nil {
			return fmt.Errorf("store: reorder routing rules: %w", err)
		}
		have := map[int64]bool{}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("store: reorder routing rules: %w", err)
			}
			have[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: reorder routing rules: %w", err)
		}
		seen := map[int64]bool{}
		for _, id := range ids {
			if !have[id] || seen[id] {
				return apperr.FieldError("routing.reorder_invalid", "ids", nil)
			}
			seen[id] = true
		}
		if len(seen) != len(have) {
			return apperr.FieldError("routing.reorder_invalid", "ids", nil)
		}
		for i, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE routing_rules SET position = $1 WHERE id = $2`, i+1, id); err != nil {
				return fmt.Errorf("store: reorder routing rules: %w", err)
			}
		}
		return nil
	})
}

// GroupStrategies returns the strategy of every configured group.
func (s *Routing) GroupStrategies(ctx context.Context) (map[int64]routing.Strategy, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT group_id, strategy FROM group_routing`)
	if err != nil {
		return nil, fmt.Errorf("store: group strategies: %w", err)
	}
	defer rows.Close()
	out := map[int64]routing.Strategy{}
	for rows.Next() {
		var id int64
		var st string
		if err := rows.Scan(&id, &st); err != nil {
			return nil, fmt.Errorf("store: group strategies: %w", err)
		}
		out[id] = routing.Strategy(st)
	}
	return out, rows.Err()
}

// SetGroupStrategy sets a group's strategy, keeping its cursor.
func (s *Routing) SetGroupStrategy(ctx context.Context, groupID int64, st routing.Strategy) error {
	return s.db.tx(ctx, func(tx conn) error {
		if err := bump(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO group_routing (group_id, strategy, cursor) VALUES ($1, $2, 0)
			ON CONFLICT (group_id) DO UPDATE SET strategy = excluded.strategy`, groupID, string(st))
		if err != nil {
			return fmt.Errorf("store: set group strategy: %w", err)
		}
		return nil
	})
}

// poolQuery returns the routing version, the group's cursor and its
// active staff with their open tickets. The version rides along so that
// Route revalidates its cached rules without a query of its own; the outer
// join returns it even for a group without staff. The first %s is the
// count of an agent's open tickets (openCount).
const poolQuery = `SELECT v.version, COALESCE((SELECT gr.cursor FROM group_routing gr WHERE gr.group_id = $1), 0),
	u.id, u.login, u.role, u.away, u.max_open, %s
	FROM routing_version v
	LEFT JOIN (user_groups ug JOIN users u ON u.id = ug.user_id AND u.active AND u.role <> 'customer') ON ug.group_id = $1
	WHERE v.id = 1
	ORDER BY u.id`

// openCount returns the expression counting the open tickets of user u,
// with args extended by its parameters. Either way the count walks
// tickets_assignee (assignee_id, status) alone. On PostgreSQL it stops at
// routing.MaxCounted: past the highest cap the number decides nothing, and
// an agent with a backlog of thousands must not cost every new ticket a
// long index scan. On SQLite the bounded form (a LIMIT subquery per agent)
// costs more than it saves at any realistic load, so it counts them all.
func (s *Routing) openCount(args []any, open []ticket.Status) ([]any, string) {
	var limit string
	if s.db.engine == Postgres {
		args = append(args, routing.MaxCounted)
		limit = fmt.Sprintf(" LIMIT $%d", len(args))
	}
	ph := make([]string, len(open))
	for i, st := range open {
		args = append(args, string(st))
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	where := `t.assignee_id = u.id AND t.status IN (` + strings.Join(ph, ",") + `)`
	if limit == "" {
		return args, `(SELECT COUNT(*) FROM tickets t WHERE ` + where + `)`
	}
	return args, `(SELECT COUNT(*) FROM (SELECT 1 FROM tickets t WHERE ` + where + limit + `) o)`
}

// Pool returns a group's active staff in id order with their open tickets
// (in the given statuses, in every group), the group's cursor and the
// routing version: one query.
func (s *Routing) Pool(ctx context.Context, groupID int64, open []ticket.Status) (routing.Pool, error) {
	args, count := s.openCount([]any{groupID}, open)
	rows, err := s.db.read().QueryContext(ctx, fmt.Sprintf(poolQuery, count), args...)
	if err != nil {
		return routing.Pool{}, fmt.Errorf("store: routing pool: %w", err)
	}
	defer rows.Close()
	var p routing.Pool
	for rows.Next() {
		var id, maxOpen sql.NullInt64
		var login, role sql.NullString
		var away sql.NullBool
		var n int
		if err := rows.Scan(&p.Version, &p.Cursor, &id, &login, &role, &away, &maxOpen, &n); err != nil {
			return routing.Pool{}, fmt.Errorf("store: routing pool: %w", err)
		}
		if id.Valid {
			p.Agents = append(p.Agents, routing.Agent{ID: id.Int64, Login: login.String, Role: identity.Role(role.String),
				Away: away.Bool, MaxOpen: int(maxOpen.Int64), Open: n})
		}
	}
	if err := rows.Err(); err != nil {
		return routing.Pool{}, fmt.Errorf("store: routing pool: %w", err)
	}
	return p, nil
}

// Cursor returns a group's round-robin cursor, zero when it has none.
func (s *Routing) Cursor(ctx context.Context, groupID int64) (int64, error) {
	var c int64
	err := s.db.read().QueryRowContext(ctx, `SELECT cursor FROM group_routing WHERE group_id = $1`, groupID).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: routing cursor: %w", err)
	}
	return c, nil
}

// advanceCursorQuery is the compare and swap of a round-robin turn. On
// PostgreSQL a concurrent swap waits for the row lock and then finds the
// cursor moved; on SQLite writes are serial anyway.
//
// On PostgreSQL the statement also turns synchronous_commit off for its
// own transaction (set_config with is_local): the commit then does not
// wait for the WAL flush, which costs over ten times the update itself
// (2.8 ms against 0.19 ms on the test server). A crash
// can lose at most the last turns, giving an agent one extra ticket; the
// ticket the turn was taken for commits synchronously after it and so
// flushes it anyway.
func advanceCursorQuery(e Engine) string {
	if e == Postgres {
		return `WITH async AS (SELECT set_config('synchronous_commit', 'off', true))
		UPDATE group_routing SET cursor = $1 FROM async WHERE group_id = $2 AND cursor = $3`
	}
	return `UPDATE group_routing SET cursor = $1 WHERE group_id = $2 AND cursor = $3`
}

// AdvanceCursor moves a group's cursor from one agent to the next if it
// still points at from, in one statement.
func (s *Routing) AdvanceCursor(ctx context.Context, groupID, from, to int64) (bool, error) {
	res, err := s.db.write().ExecContext(ctx, advanceCursorQuery(s.db.engine), to, groupID, from)
	if err != nil {
		return false, fmt.Errorf("store: advance routing cursor: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: advance routing cursor: %w", err)
	}
	return n == 1, nil
}

// AgentByID returns a user's routing settings and open tickets.
func (s *Routing) AgentByID(ctx context.Context, userID int64, open []ticket.Status) (routing.Agent, error) {
	args, count := s.openCount([]any{userID}, open)
	var a routing.Agent
	err := s.db.read().QueryRowContext(ctx, `SELECT u.id, u.login, u.role, u.away, u.max_open, `+count+`
		FROM users u WHERE u.id = $1`, args...).Scan(&a.ID, &a.Login, &a.Role, &a.Away, &a.MaxOpen, &a.Open)
	return a, notFound(err, "user.not_found", "user")
}

// SetAway marks a user away or back.
func (s *Routing) SetAway(ctx context.Context, userID int64, away bool) error {
	return s.setUser(ctx, `UPDATE users SET away = $1 WHERE id = $2`, away, userID)
}

// SetMaxOpen sets a user's cap on open tickets.
func (s *Routing) SetMaxOpen(ctx context.Context, userID int64, n int) error {
	return s.setUser(ctx, `UPDATE users SET max_open = $1 WHERE id = $2`, n, userID)
}

func (s *Routing) setUser(ctx context.Context, query string, v any, userID int64) error {
	res, err := s.db.write().ExecContext(ctx, query, v, userID)
	if err != nil {
		return fmt.Errorf("store: user routing setting: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "user.not_found")
	}
	return nil
}
