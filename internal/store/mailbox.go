package store

import (
	"context"
	"fmt"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/mailin"
)

const mailboxCols = `id, name, address, mode, imap_host, imap_port, tls_mode, username, password, folder, processed_action,
	move_to, create_unknown, category, token_hash IS NOT NULL, uid_validity, last_uid, enabled, created_at, updated_at`

func scanMailbox(row scanner) (mailin.Mailbox, error) {
	var m mailin.Mailbox
	var mode, tls, action string
	var uv, lu, created, updated int64
	err := row.Scan(&m.ID, &m.Name, &m.Address, &mode, &m.IMAP.Host, &m.IMAP.Port, &tls, &m.IMAP.Username, &m.IMAP.Password,
		&m.IMAP.Folder, &action, &m.MoveTo, &m.CreateUnknown, &m.Category, &m.HasToken, &uv, &lu, &m.Enabled, &created, &updated)
	m.Mode, m.IMAP.TLS, m.Processed = mailin.Mode(mode), mailin.TLSMode(tls), mailin.Action(action)
	m.UIDValidity, m.LastUID = uint32(uv), uint32(lu)
	m.CreatedAt, m.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	return m, err
}

// Mailboxes lists every mailbox.
func (s *Mail) Mailboxes(ctx context.Context) ([]mailin.Mailbox, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT `+mailboxCols+` FROM mail_mailboxes ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: mailboxes: %w", err)
	}
	defer rows.Close()
	var out []mailin.Mailbox
	for rows.Next() {
		m, err := scanMailbox(rows)
		if err != nil {
			return nil, fmt.Errorf("store: mailboxes: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Mailbox returns one mailbox.
func (s *Mail) Mailbox(ctx context.Context, id int64) (mailin.Mailbox, error) {
	m, err := scanMailbox(s.db.read().QueryRowContext(ctx, `SELECT `+mailboxCols+` FROM mail_mailboxes WHERE id = $1`, id))
	return m, notFound(err, "mail.mailbox_not_found", "mailbox")
}

// MailboxByToken returns the mailbox whose intake token has the digest.
func (s *Mail) MailboxByToken(ctx context.Context, hash []byte) (mailin.Mailbox, error) {
	m, err := scanMailbox(s.db.read().QueryRowContext(ctx, `SELECT `+mailboxCols+` FROM mail_mailboxes WHERE token_hash = $1`, hash))
	return m, notFound(err, "mail.mailbox_not_found", "mailbox by token")
}

// SaveMailbox inserts a mailbox (ID 0) or updates one; an empty password
// on update keeps the stored one. The IMAP position is not touched here.
func (s *Mail) SaveMailbox(ctx context.Context, m mailin.Mailbox) (mailin.Mailbox, error) {
	now := time.Now().UnixMicro()
	var id int64
	var err error
	if m.ID == 0 {
		err = s.db.write().QueryRowContext(ctx, `INSERT INTO mail_mailboxes (name, address, mode, imap_host, imap_port, tls_mode,
			username, password, folder, processed_action, move_to, create_unknown, category, enabled, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$15) RETURNING id`,
			m.Name, m.Address, string(m.Mode), m.IMAP.Host, m.IMAP.Port, string(m.IMAP.TLS), m.IMAP.Username, m.IMAP.Password,
			m.IMAP.Folder, string(m.Processed), m.MoveTo, m.CreateUnknown, m.Category, m.Enabled, now).Scan(&id)
	} else {
		id = m.ID
		var res interface{ RowsAffected() (int64, error) }
		res, err = s.db.write().ExecContext(ctx, `UPDATE mail_mailboxes SET name=$1, address=$2, mode=$3, imap_host=$4, imap_port=$5,
			tls_mode=$6, username=$7, password=CASE WHEN $8 = '' THEN password ELSE $8 END, folder=$9, processed_action=$10,
			move_to=$11, create_unknown=$12, category=$13, enabled=$14, updated_at=$15 WHERE id=$16`,
			m.Name, m.Address, string(m.Mode), m.IMAP.Host, m.IMAP.Port, string(m.IMAP.TLS), m.IMAP.Username, m.IMAP.Password,
			m.IMAP.Folder, string(m.Processed), m.MoveTo, m.CreateUnknown, m.Category, m.Enabled, now, m.ID)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return mailin.Mailbox{}, apperr.New(apperr.NotFound, "mail.mailbox_not_found")
			}
		}
	}
	if isUnique(err) {
		return mailin.Mailbox{}, apperr.FieldError("mail.mailbox_name_taken", "name", map[string]any{"name": m.Name})
	}
	if err != nil {
		return mailin.Mailbox{}, fmt.Errorf("store: save mailbox: %w", err)
	}
	return s.Mailbox(ctx, id)
}

// DeleteMailbox removes a mailbox; its log entries stay, without it.
func (s *Mail) DeleteMailbox(ctx context.Context, id int64) error {
	return s.db.tx(ctx, func(tx conn) error {
		if _, err := tx.ExecContext(ctx, `UPDATE mail_log SET mailbox_id = NULL WHERE mailbox_id = $1`, id); err != nil {
			return fmt.Errorf("store: delete mailbox: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM mail_mailboxes WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("store: delete mailbox: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "mail.mailbox_not_found")
		}
		return nil
	})
}

// SetMailboxToken stores the digest of a mailbox's intake token.
func (s *Mail) SetMailboxToken(ctx context.Context, id int64, hash []byte) error {
	res, err := s.db.write().ExecContext(ctx, `UPDATE mail_mailboxes SET token_hash = $1, updated_at = $2 WHERE id = $3`,
		hash, time.Now().UnixMicro(), id)
	if err != nil {
		return fmt.Errorf("store: mailbox token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "mail.mailbox_not_found")
	}
	return nil
}

// SetPosition records the IMAP position a poller reached.
func (s *Mail) SetPosition(ctx context.Context, id int64, uidValidity, lastUID uint32) error {
	_, err := s.db.write().ExecContext(ctx, `UPDATE mail_mailboxes SET uid_validity = $1, last_uid = $2 WHERE id = $3`,
		int64(uidValidity), int64(lastUID), id)
	if err != nil {
		return fmt.Errorf("store: mailbox position: %w", err)
	}
	return nil
}
