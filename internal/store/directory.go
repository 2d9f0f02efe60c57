package store

import (
	"context"
	"fmt"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

const groupCols = `id, key, name_zh, name_en, email, created_at`

func scanGroup(row scanner) (identity.Group, error) {
	var g identity.Group
	var created int64
	err := row.Scan(&g.ID, &g.Key, &g.NameZH, &g.NameEN, &g.Email, &created)
	g.CreatedAt = time.UnixMicro(created).UTC()
	return g, err
}

// CreateGroup inserts a support group.
func (s *Identity) CreateGroup(ctx context.Context, g identity.Group) (identity.Group, error) {
	err := s.db.write().QueryRowContext(ctx, `INSERT INTO support_groups (key, name_zh, name_en, email, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING id`,
		g.Key, g.NameZH, g.NameEN, g.Email, g.CreatedAt.UnixMicro()).Scan(&g.ID)
	if isUnique(err) {
		return g, apperr.FieldError("group.key_taken", "key", map[string]any{"key": g.Key})
	}
	if err != nil {
		return g, fmt.Errorf("store: create group: %w", err)
	}
	return g, nil
}

// UpdateGroup saves a group's names and email.
func (s *Identity) UpdateGroup(ctx context.Context, g identity.Group) (identity.Group, error) {
	_, err := s.db.write().ExecContext(ctx, `UPDATE support_groups SET name_zh=$1, name_en=$2, email=$3 WHERE id=$4`,
		g.NameZH, g.NameEN, g.Email, g.ID)
	if err != nil {
		return g, fmt.Errorf("store: update group: %w", err)
	}
	return g, nil
}

// GroupByKey returns a group by key.
func (s *Identity) GroupByKey(ctx context.Context, key string) (identity.Group, error) {
	g, err := scanGroup(s.db.read().QueryRowContext(ctx, `SELECT `+groupCols+` FROM support_groups WHERE key = $1`, key))
	return g, notFound(err, "group.not_found", "group "+key)
}

// ListGroups lists every group in creation order.
func (s *Identity) ListGroups(ctx context.Context) ([]identity.Group, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT `+groupCols+` FROM support_groups ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: list groups: %w", err)
	}
	defer rows.Close()
	var out []identity.Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list groups: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// CreateOrg inserts an organization.
func (s *Identity) CreateOrg(ctx context.Context, o identity.Org) (identity.Org, error) {
	err := s.db.write().QueryRowContext(ctx, `INSERT INTO orgs (name, created_at) VALUES ($1,$2) RETURNING id`,
		o.Name, o.CreatedAt.UnixMicro()).Scan(&o.ID)
	if isUnique(err) {
		return o, apperr.FieldError("org.name_taken", "name", map[string]any{"name": o.Name})
	}
	if err != nil {
		return o, fmt.Errorf("store: create org: %w", err)
	}
	return o, nil
}

// UpdateOrg renames an organization.
func (s *Identity) UpdateOrg(ctx context.Context, o identity.Org) (identity.Org, error) {
	_, err := s.db.write().ExecContext(ctx, `UPDATE orgs SET name=$1 WHERE id=$2`, o.Name, o.ID)
	if isUnique(err) {
		return o, apperr.FieldError("org.name_taken", "name", map[string]any{"name": o.Name})
	}
	if err != nil {
		return o, fmt.Errorf("store: update org: %w", err)
	}
	return o, nil
}

func (s *Identity) oneOrg(ctx context.Context, where string, arg any) (identity.Org, error) {
	var o identity.Org
	var created int64
	err := s.db.read().QueryRowContext(ctx, `SELECT id, name, created_at FROM orgs WHERE `+where, arg).Scan(&o.ID, &o.Name, &created)
	o.CreatedAt = time.UnixMicro(created).UTC()
	return o, notFound(err, "org.not_found", "org")
}

// OrgByName returns an organization by name.
func (s *Identity) OrgByName(ctx context.Context, name string) (identity.Org, error) {
	return s.oneOrg(ctx, "name = $1", name)
}

// OrgByID returns an organization by id.
func (s *Identity) OrgByID(ctx context.Context, id int64) (identity.Org, error) {
	return s.oneOrg(ctx, "id = $1", id)
}

// ListOrgs lists organizations by name.
func (s *Identity) ListOrgs(ctx context.Context) ([]identity.Org, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT id, name, created_at FROM orgs ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: list orgs: %w", err)
	}
	defer rows.Close()
	var out []identity.Org
	for rows.Next() {
		var o identity.Org
		var created int64
		if err := rows.Scan(&o.ID, &o.Name, &created); err != nil {
			return nil, fmt.Errorf("store: list orgs: %w", err)
		}
		o.CreatedAt = time.UnixMicro(created).UTC()
		out = append(out, o)
	}
	return out, rows.Err()
}

// GroupSupervisors lists the ids of a group's active supervisors: one
// indexed query, as SLA breaches and escalations notify them.
func (s *Identity) GroupSupervisors(ctx context.Context, groupID int64) ([]int64, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT u.id FROM user_groups ug JOIN users u ON u.id = ug.user_id
		WHERE ug.group_id = $1 AND u.role = 'supervisor' AND u.active = TRUE ORDER BY u.id`, groupID)
	if err != nil {
		return nil, fmt.Errorf("store: group supervisors: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: group supervisors: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
