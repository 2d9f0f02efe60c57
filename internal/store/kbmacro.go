package store

import (
	"context"
	"fmt"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/kb"
)

const macroCols = `id, name, body, set_status, set_category, set_assignee, COALESCE(created_by, 0), created_at, updated_at FROM kb_macros`

func scanMacro(row scanner) (kb.Macro, error) {
	var m kb.Macro
	var c, u int64
	err := row.Scan(&m.ID, &m.Name, &m.Body, &m.SetStatus, &m.SetCategory, &m.SetAssignee, &m.CreatedBy, &c, &u)
	m.CreatedAt, m.UpdatedAt = time.UnixMicro(c).UTC(), time.UnixMicro(u).UTC()
	return m, err
}

// SaveMacro inserts a macro (ID zero) or replaces one; names are unique.
func (s *KB) SaveMacro(ctx context.Context, m kb.Macro) (kb.Macro, error) {
	var err error
	if m.ID == 0 {
		err = s.db.write().QueryRowContext(ctx, `INSERT INTO kb_macros (name, body, set_status, set_category, set_assignee, created_by,
			created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`, m.Name, m.Body, m.SetStatus, m.SetCategory,
			m.SetAssignee, nullID(m.CreatedBy), m.CreatedAt.UnixMicro(), m.UpdatedAt.UnixMicro()).Scan(&m.ID)
	} else {
		var res interface{ RowsAffected() (int64, error) }
		res, err = s.db.write().ExecContext(ctx, `UPDATE kb_macros SET name=$1, body=$2, set_status=$3, set_category=$4,
			set_assignee=$5, updated_at=$6 WHERE id=$7`, m.Name, m.Body, m.SetStatus, m.SetCategory, m.SetAssignee,
			m.UpdatedAt.UnixMicro(), m.ID)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return m, apperr.NotFoundf("kb.macro_not_found", "macro %d", m.ID)
			}
		}
	}
	if isUnique(err) {
		return m, apperr.FieldError("kb.macro_name_taken", "name", map[string]any{"name": m.Name})
	}
	if err != nil {
		return m, fmt.Errorf("store: save macro: %w", err)
	}
	return s.Macro(ctx, m.ID)
}

// Macros lists macros by name.
func (s *KB) Macros(ctx context.Context) ([]kb.Macro, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT `+macroCols+` ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: macros: %w", err)
	}
	defer rows.Close()
	var out []kb.Macro
	for rows.Next() {
		m, err := scanMacro(rows)
		if err != nil {
			return nil, fmt.Errorf("store: macros: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Macro returns one macro.
func (s *KB) Macro(ctx context.Context, id int64) (kb.Macro, error) {
	m, err := scanMacro(s.db.read().QueryRowContext(ctx, `SELECT `+macroCols+` WHERE id = $1`, id))
	return m, notFound(err, "kb.macro_not_found", fmt.Sprintf("macro %d", id))
}

// DeleteMacro removes a macro.
func (s *KB) DeleteMacro(ctx context.Context, id int64) error {
	res, err := s.db.write().ExecContext(ctx, `DELETE FROM kb_macros WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: delete macro: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("kb.macro_not_found", "macro %d", id)
	}
	return nil
}

var _ kb.MacroStore = (*KB)(nil)
