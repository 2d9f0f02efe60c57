package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/sla"
)

// SLA implements sla.Store: business calendars with their special days,
// the policy of each priority, and the version counter every change of
// them bumps (so each node's cache can tell when to reload).
type SLA struct{ db *DB }

// SLA returns the SLA store.
func (db *DB) SLA() *SLA { return &SLA{db: db} }

// slaHoursDoc is how a calendar's weekly hours are stored (JSON in
// sla_calendars.hours): {"mon":["09:00-12:00","13:30-18:00"], …}.
type slaHoursDoc struct {
	Sun []string `json:"sun,omitempty"`
	Mon []string `json:"mon,omitempty"`
	Tue []string `json:"tue,omitempty"`
	Wed []string `json:"wed,omitempty"`
	Thu []string `json:"thu,omitempty"`
	Fri []string `json:"fri,omitempty"`
	Sat []string `json:"sat,omitempty"`
}

func (h *slaHoursDoc) days() [7]*[]string {
	return [7]*[]string{&h.Sun, &h.Mon, &h.Tue, &h.Wed, &h.Thu, &h.Fri, &h.Sat}
}

func encodeSLAHours(w sla.Week) string {
	var h slaHoursDoc
	for wd, p := range h.days() {
		for _, s := range w[wd] {
			*p = append(*p, s.String())
		}
	}
	b, _ := json.Marshal(h)
	return string(b)
}

func decodeSLAHours(s string) (sla.Week, error) {
	var h slaHoursDoc
	var w sla.Week
	if err := json.Unmarshal([]byte(s), &h); err != nil {
		return w, err
	}
	for wd, p := range h.days() {
		for _, v := range *p {
			sp, err := sla.ParseSpan(v)
			if err != nil {
				return w, err
			}
			w[wd] = append(w[wd], sp)
		}
	}
	return w, nil
}

// Version returns the change counter.
func (s *SLA) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := s.db.read().QueryRowContext(ctx, `SELECT version FROM sla_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: sla version: %w", err)
	}
	return v, nil
}

// Snapshot reads every calendar and policy in one read transaction, so
// calendars, their days and the policies belong together; the version is
// read first.
func (s *SLA) Snapshot(ctx context.Context) (sla.Snapshot, error) {
	var snap sla.Snapshot
	tx, err := s.db.r.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return snap, fmt.Errorf("store: sla snapshot: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT version FROM sla_version WHERE id = 1`).Scan(&snap.Version); err != nil {
		return snap, fmt.Errorf("store: sla snapshot: %w", err)
	}
	if snap.Calendars, err = s.calendars(ctx, tx); err != nil {
		return snap, err
	}
	if snap.Policies, err = s.policies(ctx, tx); err != nil {
		return snap, err
	}
	return snap, tx.Commit()
}

func (s *SLA) calendars(ctx context.Context, q queryer) ([]sla.Calendar, error) {
	rows, err := q.QueryContext(ctx, `SELECT key, name_zh, name_en, time_zone, hours, make_up_as, revision, updated_at
		FROM sla_calendars ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("store: sla calendars: %w", err)
	}
	defer rows.Close()
	var out []sla.Calendar
	idx := map[string]int{}
	for rows.Next() {
		var c sla.Calendar
		var hours string
		var makeUp int
		var updated int64
		if err := rows.Scan(&c.Key, &c.NameZH, &c.NameEN, &c.TimeZone, &hours, &makeUp, &c.Revision, &updated); err != nil {
			return nil, fmt.Errorf("store: sla calendars: %w", err)
		}
		if c.Hours, err = decodeSLAHours(hours); err != nil {
			return nil, fmt.Errorf("store: sla calendar %s: hours: %w", c.Key, err)
		}
		c.MakeUpAs, c.UpdatedAt = time.Weekday(makeUp), time.UnixMicro(updated).UTC()
		idx[c.Key] = len(out)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sla calendars: %w", err)
	}
	rows.Close()
	drows, err := q.QueryContext(ctx, `SELECT calendar_key, day, workday, name FROM sla_calendar_days ORDER BY calendar_key, day`)
	if err != nil {
		return nil, fmt.Errorf("store: sla calendar days: %w", err)
	}
	defer drows.Close()
	for drows.Next() {
		var key, day string
		var d sla.SpecialDay
		if err := drows.Scan(&key, &day, &d.Workday, &d.Name); err != nil {
			return nil, fmt.Errorf("store: sla calendar days: %w", err)
		}
		if d.Date, err = sla.ParseDate(day); err != nil {
			return nil, fmt.Errorf("store: sla calendar %s: %w", key, err)
		}
		if i, ok := idx[key]; ok {
			out[i].Days = append(out[i].Days, d)
		}
	}
	if err := drows.Err(); err != nil {
		return nil, fmt.Errorf("store: sla calendar days: %w", err)
	}
	return out, nil
}

func (s *SLA) policies(ctx context.Context, q queryer) ([]sla.Policy, error) {
	rows, err := q.QueryContext(ctx, `SELECT priority, calendar_key, acknowledge_secs, first_response_secs, resolution_secs,
		warn_share, updated_at FROM sla_policies ORDER BY priority`)
	if err != nil {
		return nil, fmt.Errorf("store: sla policies: %w", err)
	}
	defer rows.Close()
	var out []sla.Policy
	for rows.Next() {
		var p sla.Policy
		var ack, first, res, updated int64
		if err := rows.Scan(&p.Priority, &p.Calendar, &ack, &first, &res, &p.WarnShare, &updated); err != nil {
			return nil, fmt.Errorf("store: sla policies: %w", err)
		}
		p.Acknowledge, p.FirstResponse, p.Resolution = slaSecs(ack), slaSecs(first), slaSecs(res)
		p.UpdatedAt = time.UnixMicro(updated).UTC()
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sla policies: %w", err)
	}
	return out, nil
}

func slaSecs(n int64) time.Duration { return time.Duration(n) * time.Second }

// bumpSLAVersion tells every node's cache that calendars or policies changed.
func bumpSLAVersion(ctx context.Context, tx conn) error {
	if _, err := tx.ExecContext(ctx, `UPDATE sla_version SET version = version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("store: sla version: %w", err)
	}
	return nil
}

// calendarDayBatch is how many special days one INSERT writes.
const calendarDayBatch = 100

// SaveCalendar creates a calendar (c.Revision 0) or replaces the one at
// revision c.Revision, special days included, and returns it as stored.
func (s *SLA) SaveCalendar(ctx context.Context, c sla.Calendar) (sla.Calendar, error) {
	c.UpdatedAt = time.UnixMicro(c.UpdatedAt.UnixMicro()).UTC()
	err := s.db.tx(ctx, func(tx conn) error {
		hours := encodeSLAHours(c.Hours)
		if c.Revision == 0 {
			_, err := tx.ExecContext(ctx, `INSERT INTO sla_calendars (key, name_zh, name_en, time_zone, hours, make_up_as,
				revision, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7)`,
				c.Key, c.NameZH, c.NameEN, c.TimeZone, hours, int(c.MakeUpAs), c.UpdatedAt.UnixMicro())
			if isUnique(err) {
				return apperr.New(apperr.Conflict, "sla.calendar_exists").With("key", c.Key)
			}
			if err != nil {
				return fmt.Errorf("store: create sla calendar %s: %w", c.Key, err)
			}
		} else {
			res, err := tx.ExecContext(ctx, `UPDATE sla_calendars SET name_zh = $1, name_en = $2, time_zone = $3, hours = $4,
				make_up_as = $5, revision = revision + 1, updated_at = $6 WHERE key = $7 AND revision = $8`,
				c.NameZH, c.NameEN, c.TimeZone, hours, int(c.MakeUpAs), c.UpdatedAt.UnixMicro(), c.Key, c.Revision)
			if err != nil {
				return fmt.Errorf("store: update sla calendar %s: %w", c.Key, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				var one int
				err := tx.QueryRowContext(ctx, `SELECT 1 FROM sla_calendars WHERE key = $1`, c.Key).Scan(&one)
				if err != nil {
					return notFound(err, "sla.calendar_not_found", "sla calendar "+c.Key)
				}
				return apperr.New(apperr.Conflict, "sla.calendar_changed").With("key", c.Key)
			}
		}
		c.Revision++
		if err := writeCalendarDays(ctx, tx, c); err != nil {
			return err
		}
		return bumpSLAVersion(ctx, tx)
	})
	if err != nil {
		return sla.Calendar{}, err
	}
	return c, nil
}

// writeCalendarDays replaces a calendar's special days.
func writeCalendarDays(ctx context.Context, tx conn, c sla.Calendar) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sla_calendar_days WHERE calendar_key = $1`, c.Key); err != nil {
		return fmt.Errorf("store: sla calendar %s days: %w", c.Key, err)
	}
	for from := 0; from < len(c.Days); from += calendarDayBatch {
		batch := c.Days[from:min(from+calendarDayBatch, len(c.Days))]
		ph := make([]string, len(batch))
		args := make([]any, 0, 4*len(batch))
		for i, d := range batch {
			ph[i] = fmt.Sprintf("($%d, $%d, $%d, $%d)", 4*i+1, 4*i+2, 4*i+3, 4*i+4)
			args = append(args, c.Key, d.Date.String(), d.Workday, d.Name)
		}
		// Unprepared: the statement's length varies with the batch, and the
		// statement cache is for queries that repeat.
		q := `INSERT INTO sla_calendar_days (calendar_key, day, workday, name) VALUES ` + strings.Join(ph, ", ")
		if _, err := tx.tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: sla calendar %s days: %w", c.Key, err)
		}
	}
	return nil
}

// SavePolicy replaces the policy of p.Priority.
func (s *SLA) SavePolicy(ctx context.Context, p sla.Policy) (sla.Policy, error) {
	p.UpdatedAt = time.UnixMicro(p.UpdatedAt.UnixMicro()).UTC()
	err := s.db.tx(ctx, func(tx conn) error {
		res, err := tx.ExecContext(ctx, `UPDATE sla_policies SET calendar_key = $1, acknowledge_secs = $2,
			first_response_secs = $3, resolution_secs = $4, warn_share = $5, updated_at = $6 WHERE priority = $7`,
			p.Calendar, int64(p.Acknowledge/time.Second), int64(p.FirstResponse/time.Second), int64(p.Resolution/time.Second),
			p.WarnShare, p.UpdatedAt.UnixMicro(), p.Priority)
		if err != nil {
			return fmt.Errorf("store: sla policy %s: %w", p.Priority, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "sla.policy_not_found").With("priority", p.Priority)
		}
		return bumpSLAVersion(ctx, tx)
	})
	if err != nil {
		return sla.Policy{}, err
	}
	return p, nil
}

var _ sla.Store = (*SLA)(nil)
