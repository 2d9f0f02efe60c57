package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// Identity implements identity.Store.
type Identity struct{ db *DB }

// Identity returns the identity store.
func (db *DB) Identity() *Identity { return &Identity{db: db} }

const userCols = `u.id, u.login, u.name, u.email, u.phone, u.role, u.org_id, COALESCE(o.name, ''), u.org_visible,
	u.lang, u.active, u.password_hash, u.created_at, u.updated_at`

const userFrom = ` FROM users u LEFT JOIN orgs o ON o.id = u.org_id`

type scanner interface{ Scan(dest ...any) error }

func scanUser(row scanner) (identity.User, error) {
	var u identity.User
	var org sql.NullInt64
	var created, updated int64
	err := row.Scan(&u.ID, &u.Login, &u.Name, &u.Email, &u.Phone, &u.Role, &org, &u.OrgName, &u.OrgVisible,
		&u.Lang, &u.Active, &u.PasswordHash, &created, &updated)
	u.OrgID = org.Int64
	u.CreatedAt, u.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	return u, err
}

// loadGroups fills the group memberships of users.
func (s *Identity) loadGroups(ctx context.Context, q queryer, users []identity.User) error {
	if len(users) == 0 {
		return nil
	}
	idx := make(map[int64]int, len(users))
	args := make([]any, len(users))
	ph := make([]string, len(users))
	for i, u := range users {
		idx[u.ID] = i
		args[i] = u.ID
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	rows, err := q.QueryContext(ctx, `SELECT ug.user_id, g.id, g.key FROM user_groups ug
		JOIN support_groups g ON g.id = ug.group_id WHERE ug.user_id IN (`+strings.Join(ph, ",")+`) ORDER BY g.id`, args...)
	if err != nil {
		return fmt.Errorf("store: user groups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid, gid int64
		var key string
		if err := rows.Scan(&uid, &gid, &key); err != nil {
			return fmt.Errorf("store: user groups: %w", err)
		}
		u := &users[idx[uid]]
		u.GroupIDs = append(u.GroupIDs, gid)
		u.GroupKeys = append(u.GroupKeys, key)
	}
	return rows.Err()
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *Identity) oneUser(ctx context.Context, where string, arg any) (identity.User, error) {
	u, err := scanUser(s.db.read().QueryRowContext(ctx, `SELECT `+userCols+userFrom+` WHERE `+where, arg))
	if err != nil {
		return identity.User{}, notFound(err, "user.not_found", "user")
	}
	us := []identity.User{u}
	if err := s.loadGroups(ctx, s.db.read(), us); err != nil {
		return identity.User{}, err
	}
	return us[0], nil
}

// UserByLogin returns a user by login.
func (s *Identity) UserByLogin(ctx context.Context, login string) (identity.User, error) {
	return s.oneUser(ctx, `u.login = $1`, login)
}

// UserByID returns a user by id.
func (s *Identity) UserByID(ctx context.Context, id int64) (identity.User, error) {
	return s.oneUser(ctx, `u.id = $1`, id)
}

func setGroups(ctx context.Context, tx conn, u identity.User) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_groups WHERE user_id = $1`, u.ID); err != nil {
		return fmt.Errorf("store: user groups: %w", err)
	}
	for _, g := range u.GroupIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_groups (user_id, group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, u.ID, g); err != nil {
			return fmt.Errorf("store: user groups: %w", err)
		}
	}
	return nil
}

// CreateUser inserts a user with their group memberships.
func (s *Identity) CreateUser(ctx context.Context, u identity.User) (identity.User, error) {
	err := s.db.tx(ctx, func(tx conn) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO users (login, name, email, phone, role, org_id, org_visible, lang, active,
			password_hash, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id`,
			u.Login, u.Name, u.Email, u.Phone, string(u.Role), nullID(u.OrgID), u.OrgVisible, u.Lang, u.Active,
			u.PasswordHash, u.CreatedAt.UnixMicro(), u.UpdatedAt.UnixMicro()).Scan(&u.ID)
		if isUnique(err) {
			return apperr.FieldError("user.login_taken", "login", map[string]any{"login": u.Login})
		}
		if err != nil {
			return fmt.Errorf("store: create user: %w", err)
		}
		return setGroups(ctx, tx, u)
	})
	return u, err
}

// UpdateUser saves every field of a user and their group memberships.
func (s *Identity) UpdateUser(ctx context.Context, u identity.User) (identity.User, error) {
	err := s.db.tx(ctx, func(tx conn) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET name=$1, email=$2, phone=$3, role=$4, org_id=$5, org_visible=$6,
			lang=$7, active=$8, password_hash=$9, updated_at=$10 WHERE id=$11`,
			u.Name, u.Email, u.Phone, string(u.Role), nullID(u.OrgID), u.OrgVisible, u.Lang, u.Active, u.PasswordHash,
			u.UpdatedAt.UnixMicro(), u.ID)
		if err != nil {
			return fmt.Errorf("store: update user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "user.not_found")
		}
		return setGroups(ctx, tx, u)
	})
	return u, err
}

// ListUsers lists users by filter, ordered by login.
func (s *Identity) ListUsers(ctx context.Context, f identity.UserFilter) ([]identity.User, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Role != "" {
		where = append(where, "u.role = "+arg(string(f.Role)))
	}
	if f.OrgID != 0 {
		where = append(where, "u.org_id = "+arg(f.OrgID))
	}
	if f.GroupID != 0 {
		where = append(where, "u.id IN (SELECT user_id FROM user_groups WHERE group_id = "+arg(f.GroupID)+")")
	}
	if f.Query != "" {
		p := "%" + likeEscape(strings.ToLower(f.Query)) + "%"
		a := arg(p)
		where = append(where, "(LOWER(u.login) LIKE "+a+" ESCAPE '\\' OR LOWER(u.name) LIKE "+a+" ESCAPE '\\' OR LOWER(u.email) LIKE "+a+" ESCAPE '\\')")
	}
	q := `SELECT ` + userCols + userFrom
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	// A literal LIMIT: SQLite re-prepares statements whose LIMIT is bound.
	q += fmt.Sprintf(" ORDER BY u.login LIMIT %d", max(1, f.Limit))
	rows, err := s.db.read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	defer rows.Close()
	var out []identity.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	return out, s.loadGroups(ctx, s.db.read(), out)
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CreateSession stores a new session.
func (s *Identity) CreateSession(ctx context.Context, ss identity.Session) error {
	_, err := s.db.write().ExecContext(ctx, `INSERT INTO sessions (hash, user_id, created_at, expires_at, seen_at) VALUES ($1,$2,$3,$4,$5)`,
		ss.Hash, ss.UserID, ss.CreatedAt.UnixMicro(), ss.ExpiresAt.UnixMicro(), ss.SeenAt.UnixMicro())
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// SessionUser returns a session and its user.
func (s *Identity) SessionUser(ctx context.Context, hash []byte) (identity.Session, identity.User, error) {
	var ss identity.Session
	var created, expires, seen int64
	err := s.db.read().QueryRowContext(ctx, `SELECT user_id, created_at, expires_at, seen_at FROM sessions WHERE hash = $1`, hash).
		Scan(&ss.UserID, &created, &expires, &seen)
	if err != nil {
		return ss, identity.User{}, notFound(err, "auth.session_invalid", "session")
	}
	ss.Hash = hash
	ss.CreatedAt, ss.ExpiresAt, ss.SeenAt = time.UnixMicro(created).UTC(), time.UnixMicro(expires).UTC(), time.UnixMicro(seen).UTC()
	u, err := s.UserByID(ctx, ss.UserID)
	return ss, u, err
}

// TouchSession extends a session.
func (s *Identity) TouchSession(ctx context.Context, hash []byte, seen, expires time.Time) error {
	_, err := s.db.write().ExecContext(ctx, `UPDATE sessions SET seen_at = $1, expires_at = $2 WHERE hash = $3`,
		seen.UnixMicro(), expires.UnixMicro(), hash)
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// DeleteSession removes a session.
func (s *Identity) DeleteSession(ctx context.Context, hash []byte) error {
	if _, err := s.db.write().ExecContext(ctx, `DELETE FROM sessions WHERE hash = $1`, hash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// CreateToken stores a token digest.
func (s *Identity) CreateToken(ctx context.Context, t identity.Token) (identity.Token, error) {
	err := s.db.write().QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, hash, created_at) VALUES ($1,$2,$3,$4) RETURNING id`,
		t.UserID, t.Name, t.Hash, t.CreatedAt.UnixMicro()).Scan(&t.ID)
	if err != nil {
		return t, fmt.Errorf("store: create token: %w", err)
	}
	return t, nil
}

// TokenUser returns a token by digest and its user: one indexed lookup
// plus the user row.
func (s *Identity) TokenUser(ctx context.Context, hash []byte) (identity.Token, identity.User, error) {
	var t identity.Token
	var created int64
	var used, revoked sql.NullInt64
	err := s.db.read().QueryRowContext(ctx, `SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE hash = $1`, hash).
		Scan(&t.ID, &t.UserID, &t.Name, &created, &used, &revoked)
	if err != nil {
		return t, identity.User{}, notFound(err, "auth.token_invalid", "token")
	}
	t.Hash, t.CreatedAt, t.LastUsedAt, t.RevokedAt = hash, time.UnixMicro(created).UTC(), tm(used), tm(revoked)
	u, err := s.UserByID(ctx, t.UserID)
	return t, u, err
}

// ListTokens lists a user's tokens, newest first.
func (s *Identity) ListTokens(ctx context.Context, userID int64) ([]identity.Token, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens
		WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: list tokens: %w", err)
	}
	defer rows.Close()
	var out []identity.Token
	for rows.Next() {
		var t identity.Token
		var created int64
		var used, revoked sql.NullInt64
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &created, &used, &revoked); err != nil {
			return nil, fmt.Errorf("store: list tokens: %w", err)
		}
		t.CreatedAt, t.LastUsedAt, t.RevokedAt = time.UnixMicro(created).UTC(), tm(used), tm(revoked)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken marks a token revoked; userID zero revokes anyone's.
func (s *Identity) RevokeToken(ctx context.Context, id, userID int64, at time.Time) error {
	res, err := s.db.write().ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND ($3 = 0 OR user_id = $3) AND revoked_at IS NULL`,
		at.UnixMicro(), id, userID)
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "token.not_found")
	}
	return nil
}

// LoginFailures counts the failed sign-ins of a login since a time.
func (s *Identity) LoginFailures(ctx context.Context, login string, since time.Time) (int, error) {
	var n int
	err := s.db.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures WHERE login = $1 AND at >= $2`,
		login, since.UnixMicro()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: login failures: %w", err)
	}
	return n, nil
}

// RecordLoginFailure notes a failed sign-in and forgets those older than before.
func (s *Identity) RecordLoginFailure(ctx context.Context, login string, at, before time.Time) error {
	return s.db.tx(ctx, func(tx conn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (login, at) VALUES ($1, $2)`, login, at.UnixMicro()); err != nil {
			return fmt.Errorf("store: login failure: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at < $1`, before.UnixMicro()); err != nil {
			return fmt.Errorf("store: login failure: %w", err)
		}
		return nil
	})
}

// ClearLoginFailures forgets a login's failures after a successful sign-in.
func (s *Identity) ClearLoginFailures(ctx context.Context, login string) error {
	if _, err := s.db.write().ExecContext(ctx, `DELETE FROM login_failures WHERE login = $1`, login); err != nil {
		return fmt.Errorf("store: login failures: %w", err)
	}
	return nil
}
