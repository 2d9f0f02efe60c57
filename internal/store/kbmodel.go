package store

import (
	"context"
	"fmt"
	"time"

	"helpdesk/internal/kb"
)

// TrainingTickets returns the newest resolved and closed tickets with
// their category and priority, for the suggestion models.
func (s *KB) TrainingTickets(ctx context.Context, limit int) ([]kb.TrainingTicket, error) {
	rows, err := s.db.read().QueryContext(ctx, fmt.Sprintf(`SELECT t.id, t.title, t.description, c.key, t.priority FROM tickets t
		JOIN categories c ON c.id = t.category_id WHERE t.status IN ('resolved', 'closed') ORDER BY t.id DESC LIMIT %d`, max(1, limit)))
	if err != nil {
		return nil, fmt.Errorf("store: training tickets: %w", err)
	}
	defer rows.Close()
	var out []kb.TrainingTicket
	for rows.Next() {
		var t kb.TrainingTicket
		if err := rows.Scan(&t.ID, &t.Title, &t.Description, &t.Category, &t.Priority); err != nil {
			return nil, fmt.Errorf("store: training tickets: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SaveModel stores (or replaces) a trained model.
func (s *KB) SaveModel(ctx context.Context, m kb.ModelRecord) error {
	_, err := s.db.write().ExecContext(ctx, `INSERT INTO kb_models (name, data, accuracy, n_train, n_test, trained_at)
		VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data, accuracy = EXCLUDED.accuracy,
		n_train = EXCLUDED.n_train, n_test = EXCLUDED.n_test, trained_at = EXCLUDED.trained_at`,
		m.Name, string(m.Data), m.Accuracy, m.NTrain, m.NTest, m.TrainedAt.UnixMicro())
	if err != nil {
		return fmt.Errorf("store: save model: %w", err)
	}
	return nil
}

func (s *KB) model(ctx context.Context, name string, withData bool) (kb.ModelRecord, error) {
	data := "''"
	if withData {
		data = "data"
	}
	m := kb.ModelRecord{Name: name}
	var d string
	var at int64
	err := s.db.read().QueryRowContext(ctx, `SELECT `+data+`, accuracy, n_train, n_test, trained_at FROM kb_models WHERE name = $1`,
		name).Scan(&d, &m.Accuracy, &m.NTrain, &m.NTest, &at)
	m.Data, m.TrainedAt = []byte(d), time.UnixMicro(at).UTC()
	return m, notFound(err, "kb.model_not_found", "model "+name)
}

// ModelInfo returns a model's figures without its data.
func (s *KB) ModelInfo(ctx context.Context, name string) (kb.ModelRecord, error) {
	return s.model(ctx, name, false)
}

// Model returns a model with its data.
func (s *KB) Model(ctx context.Context, name string) (kb.ModelRecord, error) {
	return s.model(ctx, name, true)
}

// Setting returns a knowledge base setting.
func (s *KB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.read().QueryRowContext(ctx, `SELECT value FROM kb_settings WHERE key = $1`, key).Scan(&v)
	return v, notFound(err, "kb.setting_not_found", "setting "+key)
}

// SetSetting writes a knowledge base setting.
func (s *KB) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.db.write().ExecContext(ctx, `INSERT INTO kb_settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, key, value)
	if err != nil {
		return fmt.Errorf("store: setting: %w", err)
	}
	return nil
}

var _ kb.ModelStore = (*KB)(nil)
