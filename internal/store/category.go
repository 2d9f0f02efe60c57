package store

import (
	"context"
	"encoding/json"
	"fmt"

	"helpdesk/internal/apperr"
	"helpdesk/internal/ticket"
)

// fieldDef is how a custom field definition is stored (JSON in categories.fields).
type fieldDef struct {
	Key      string   `json:"key"`
	LabelZH  string   `json:"label_zh"`
	LabelEN  string   `json:"label_en"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Options  []string `json:"options,omitempty"`
	MaxLen   int      `json:"max_len,omitempty"`
}

func encodeFields(fs []ticket.FieldDef) string {
	out := make([]fieldDef, len(fs))
	for i, f := range fs {
		out[i] = fieldDef{f.Key, f.LabelZH, f.LabelEN, string(f.Type), f.Required, f.Options, f.MaxLen}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func decodeFields(s string) ([]ticket.FieldDef, error) {
	var in []fieldDef
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, err
	}
	out := make([]ticket.FieldDef, len(in))
	for i, f := range in {
		out[i] = ticket.FieldDef{Key: f.Key, LabelZH: f.LabelZH, LabelEN: f.LabelEN, Type: ticket.FieldType(f.Type),
			Required: f.Required, Options: f.Options, MaxLen: f.MaxLen}
	}
	return out, nil
}

const categoryCols = `c.id, c.key, c.name_zh, c.name_en, c.group_id, g.key, c.fields, c.guide_zh, c.guide_en, c.active, c.sort`
const categoryFrom = ` FROM categories c JOIN support_groups g ON g.id = c.group_id`

func scanCategory(row scanner) (ticket.Category, error) {
	var c ticket.Category
	var fields string
	err := row.Scan(&c.ID, &c.Key, &c.NameZH, &c.NameEN, &c.GroupID, &c.GroupKey, &fields, &c.GuideZH, &c.GuideEN, &c.Active, &c.Sort)
	if err != nil {
		return c, err
	}
	c.Fields, err = decodeFields(fields)
	return c, err
}

// Categories lists categories in display order.
func (s *Tickets) Categories(ctx context.Context) ([]ticket.Category, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT `+categoryCols+categoryFrom+` ORDER BY c.sort, c.id`)
	if err != nil {
		return nil, fmt.Errorf("store: categories: %w", err)
	}
	defer rows.Close()
	var out []ticket.Category
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			return nil, fmt.Errorf("store: categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CategoryByKey returns a category by key.
func (s *Tickets) CategoryByKey(ctx context.Context, key string) (ticket.Category, error) {
	c, err := scanCategory(s.db.read().QueryRowContext(ctx, `SELECT `+categoryCols+categoryFrom+` WHERE c.key = $1`, key))
	return c, notFound(err, "category.not_found", "category "+key)
}

// CategoryByID returns a category by id.
func (s *Tickets) CategoryByID(ctx context.Context, id int64) (ticket.Category, error) {
	c, err := scanCategory(s.db.read().QueryRowContext(ctx, `SELECT `+categoryCols+categoryFrom+` WHERE c.id = $1`, id))
	return c, notFound(err, "category.not_found", "category")
}

// CreateCategory inserts a category.
func (s *Tickets) CreateCategory(ctx context.Context, c ticket.Category) (ticket.Category, error) {
	err := s.db.write().QueryRowContext(ctx, `INSERT INTO categories (key, name_zh, name_en, group_id, fields, guide_zh, guide_en, active, sort)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
		c.Key, c.NameZH, c.NameEN, c.GroupID, encodeFields(c.Fields), c.GuideZH, c.GuideEN, c.Active, c.Sort).Scan(&c.ID)
	if isUnique(err) {
		return c, apperr.FieldError("category.key_taken", "key", map[string]any{"key": c.Key})
	}
	if err != nil {
		return c, fmt.Errorf("store: create category: %w", err)
	}
	return c, nil
}

// UpdateCategory saves a category.
func (s *Tickets) UpdateCategory(ctx context.Context, c ticket.Category) (ticket.Category, error) {
	_, err := s.db.write().ExecContext(ctx, `UPDATE categories SET name_zh=$1, name_en=$2, group_id=$3, fields=$4, guide_zh=$5,
		guide_en=$6, active=$7, sort=$8 WHERE id=$9`,
		c.NameZH, c.NameEN, c.GroupID, encodeFields(c.Fields), c.GuideZH, c.GuideEN, c.Active, c.Sort, c.ID)
	if err != nil {
		return c, fmt.Errorf("store: update category: %w", err)
	}
	return c, nil
}
