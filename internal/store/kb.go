package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/kb"
)

// KB implements kb.Store.
type KB struct{ db *DB }

// KB returns the knowledge base store.
func (db *DB) KB() *KB { return &KB{db: db} }

const articleCols = `a.id, a.title, a.body, COALESCE(a.category_id, 0), COALESCE(c.key, ''), a.tags, a.audience, a.lang, a.state,
	a.version, a.author_id, COALESCE(u.login, ''), COALESCE(a.source_ticket_id, 0), a.helpful, a.unhelpful,
	a.created_at, a.updated_at, a.published_at`
const articleFrom = ` FROM kb_articles a LEFT JOIN categories c ON c.id = a.category_id LEFT JOIN users u ON u.id = a.author_id`

func splitTags(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func scanArticle(row scanner) (kb.Article, error) {
	var a kb.Article
	var tags string
	var created, updated int64
	var published sql.NullInt64
	err := row.Scan(&a.ID, &a.Title, &a.Body, &a.CategoryID, &a.CategoryKey, &tags, &a.Audience, &a.Lang, &a.State,
		&a.Version, &a.AuthorID, &a.Author, &a.SourceTicketID, &a.Helpful, &a.Unhelpful, &created, &updated, &published)
	a.Tags = splitTags(tags)
	a.CreatedAt, a.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	a.PublishedAt = tm(published)
	return a, err
}

func (s *KB) article(ctx context.Context, q queryer, id int64) (kb.Article, error) {
	a, err := scanArticle(q.QueryRowContext(ctx, `SELECT `+articleCols+articleFrom+` WHERE a.id = $1`, id))
	return a, notFound(err, "kb.not_found", fmt.Sprintf("article %d", id))
}

// Article returns an article by id.
func (s *KB) Article(ctx context.Context, id int64) (kb.Article, error) {
	return s.article(ctx, s.db.read(), id)
}

func insertVersion(ctx context.Context, tx conn, a kb.Article, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO kb_versions (article_id, version, title, body, category_id, tags, audience, lang,
		editor_id, note, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`, a.ID, a.Version, a.Title, a.Body,
		nullID(a.CategoryID), strings.Join(a.Tags, ","), string(a.Audience), a.Lang, nullID(a.AuthorID), note, a.UpdatedAt.UnixMicro())
	if err != nil {
		return fmt.Errorf("store: article version: %w", err)
	}
	return nil
}

func insertReview(ctx context.Context, tx conn, id int64, r kb.Review) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO kb_reviews (article_id, version, actor_id, action, comment, created_at)
		VALUES ($1,$2,$3,$4,$5,$6)`, id, r.Version, nullID(r.ActorID), string(r.Action), r.Comment, r.CreatedAt.UnixMicro())
	if err != nil {
		return fmt.Errorf("store: article review: %w", err)
	}
	return nil
}

// CreateArticle inserts an article with its first version, trail entry,
// maskings and search document, in one transaction.
func (s *KB) CreateArticle(ctx context.Context, a kb.Article, r kb.Review, maskings []kb.Masking) (kb.Article, error) {
	var out kb.Article
	err := s.db.tx(ctx, func(tx conn) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO kb_articles (title, body, category_id, tags, audience, lang, state, version,
			author_id, source_ticket_id, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id`,
			a.Title, a.Body, nullID(a.CategoryID), strings.Join(a.Tags, ","), string(a.Audience), a.Lang, string(a.State), a.Version,
			a.AuthorID, nullID(a.SourceTicketID), a.CreatedAt.UnixMicro(), a.UpdatedAt.UnixMicro()).Scan(&a.ID)
		if err != nil {
			return fmt.Errorf("store: insert article: %w", err)
		}
		r.ActorID = a.AuthorID
		if err := insertVersion(ctx, tx, a, ""); err != nil {
			return err
		}
		if err := insertReview(ctx, tx, a.ID, r); err != nil {
			return err
		}
		for _, m := range maskings {
			if _, err := tx.ExecContext(ctx, `INSERT INTO kb_maskings (article_id, seq, kind, hint, replacement, confirmed)
				VALUES ($1,$2,$3,$4,$5,FALSE)`, a.ID, m.Seq, m.Kind, m.Hint, m.Replacement); err != nil {
				return fmt.Errorf("store: insert masking: %w", err)
			}
		}
		if err := s.db.indexArticle(ctx, tx, a.ID, a.Title, a.Body, true); err != nil {
			return err
		}
		out, err = s.article(ctx, tx, a.ID)
		return err
	})
	return out, err
}

// SaveArticle writes an article's new state (and content as a new version)
// if it is still at the expected state and version.
func (s *KB) SaveArticle(ctx context.Context, a kb.Article, expect kb.State, expectVersion int, newVersion bool, r kb.Review) (kb.Article, error) {
	var out kb.Article
	err := s.db.tx(ctx, func(tx conn) error {
		res, err := tx.ExecContext(ctx, `UPDATE kb_articles SET title=$1, body=$2, category_id=$3, tags=$4, audience=$5, lang=$6,
			state=$7, version=$8, updated_at=$9, published_at=$10 WHERE id=$11 AND state=$12 AND version=$13`,
			a.Title, a.Body, nullID(a.CategoryID), strings.Join(a.Tags, ","), string(a.Audience), a.Lang, string(a.State),
			a.Version, a.UpdatedAt.UnixMicro(), us(a.PublishedAt), a.ID, string(expect), expectVersion)
		if err != nil {
			return fmt.Errorf("store: update article: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "kb.conflict")
		}
		if newVersion {
			edited := a
			edited.AuthorID = r.ActorID
			if err := insertVersion(ctx, tx, edited, r.Comment); err != nil {
				return err
			}
			if err := s.db.indexArticle(ctx, tx, a.ID, a.Title, a.Body, false); err != nil {
				return err
			}
		}
		if err := insertReview(ctx, tx, a.ID, r); err != nil {
			return err
		}
		out, err = s.article(ctx, tx, a.ID)
		return err
	})
	return out, err
}

// ListArticles lists articles newest first.
func (s *KB) ListArticles(ctx context.Context, q kb.ListQuery) ([]kb.Article, error) {
	a := &sqlArgs{}
	var where []string
	if len(q.States) > 0 {
		ph := make([]string, len(q.States))
		for i, st := range q.States {
			ph[i] = a.add(string(st))
		}
		where = append(where, "a.state IN ("+strings.Join(ph, ",")+")")
	}
	if len(q.Audiences) > 0 {
		ph := make([]string, len(q.Audiences))
		for i, au := range q.Audiences {
			ph[i] = a.add(au)
		}
		where = append(where, "a.audience IN ("+strings.Join(ph, ",")+")")
	}
	if q.CategoryID != 0 {
		where = append(where, "a.category_id = "+a.add(q.CategoryID))
	}
	if q.Lang != "" {
		where = append(where, "a.lang = "+a.add(q.Lang))
	}
	if q.AfterID != 0 {
		where = append(where, "a.id < "+a.add(q.AfterID))
	}
	if q.SourceTicketID != 0 {
		where = append(where, "a.source_ticket_id = "+a.add(q.SourceTicketID))
	}
	if q.Title != "" {
		where = append(where, "LOWER(a.title) LIKE "+a.add("%"+likeEscape(q.Title)+"%")+` ESCAPE '\'`)
	}
	sqlq := `SELECT ` + articleCols + articleFrom
	if len(where) > 0 {
		sqlq += " WHERE " + strings.Join(where, " AND ")
	}
	sqlq += fmt.Sprintf(" ORDER BY a.id DESC LIMIT %d", max(1, q.Limit))
	rows, err := s.db.read().QueryContext(ctx, sqlq, a.vals...)
	if err != nil {
		return nil, fmt.Errorf("store: list articles: %w", err)
	}
	defer rows.Close()
	var out []kb.Article
	for rows.Next() {
		ar, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list articles: %w", err)
		}
		out = append(out, ar)
	}
	return out, rows.Err()
}

const versionCols = `v.article_id, v.version, v.title, v.body, COALESCE(v.category_id, 0), COALESCE(c.key, ''), v.tags, v.audience,
	v.lang, COALESCE(v.editor_id, 0), COALESCE(u.login, ''), v.note, v.created_at FROM kb_versions v
	LEFT JOIN categories c ON c.id = v.category_id LEFT JOIN users u ON u.id = v.editor_id`

func scanVersion(row scanner) (kb.Version, error) {
	var v kb.Version
	var tags string
	var at int64
	err := row.Scan(&v.ArticleID, &v.Version, &v.Title, &v.Body, &v.CategoryID, &v.CategoryKey, &tags, &v.Audience, &v.Lang,
		&v.EditorID, &v.Editor, &v.Note, &at)
	v.Tags, v.CreatedAt = splitTags(tags), time.UnixMicro(at).UTC()
	return v, err
}

// Versions lists an article's versions, oldest first.
func (s *KB) Versions(ctx context.Context, id int64) ([]kb.Version, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT `+versionCols+` WHERE v.article_id = $1 ORDER BY v.version`, id)
	if err != nil {
		return nil, fmt.Errorf("store: versions: %w", err)
	}
	defer rows.Close()
	var out []kb.Version
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("store: versions: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, apperr.NotFoundf("kb.not_found", "article %d", id)
	}
	return out, nil
}

// VersionOf returns one version of an article.
func (s *KB) VersionOf(ctx context.Context, id int64, n int) (kb.Version, error) {
	v, err := scanVersion(s.db.read().QueryRowContext(ctx, `SELECT `+versionCols+` WHERE v.article_id = $1 AND v.version = $2`, id, n))
	return v, notFound(err, "kb.version_not_found", fmt.Sprintf("article %d version %d", id, n))
}

// Reviews lists an article's review trail in order.
func (s *KB) Reviews(ctx context.Context, id int64) ([]kb.Review, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT r.id, r.article_id, r.version, COALESCE(r.actor_id, 0), COALESCE(u.login, 'system'),
		r.action, r.comment, r.created_at FROM kb_reviews r LEFT JOIN users u ON u.id = r.actor_id WHERE r.article_id = $1 ORDER BY r.id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: reviews: %w", err)
	}
	defer rows.Close()
	var out []kb.Review
	for rows.Next() {
		var r kb.Review
		var at int64
		if err := rows.Scan(&r.ID, &r.ArticleID, &r.Version, &r.ActorID, &r.Actor, &r.Action, &r.Comment, &at); err != nil {
			return nil, fmt.Errorf("store: reviews: %w", err)
		}
		r.CreatedAt = time.UnixMicro(at).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// Maskings lists the maskings of an article made from a ticket.
func (s *KB) Maskings(ctx context.Context, id int64) ([]kb.Masking, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT seq, kind, hint, replacement, confirmed FROM kb_maskings
		WHERE article_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("store: maskings: %w", err)
	}
	defer rows.Close()
	var out []kb.Masking
	for rows.Next() {
		var m kb.Masking
		if err := rows.Scan(&m.Seq, &m.Kind, &m.Hint, &m.Replacement, &m.Confirmed); err != nil {
			return nil, fmt.Errorf("store: maskings: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ConfirmMasking marks one masking confirmed.
func (s *KB) ConfirmMasking(ctx context.Context, id int64, seq int) error {
	res, err := s.db.write().ExecContext(ctx, `UPDATE kb_maskings SET confirmed = TRUE WHERE article_id = $1 AND seq = $2`, id, seq)
	if err != nil {
		return fmt.Errorf("store: confirm masking: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("kb.masking_not_found", "article %d masking %d", id, seq)
	}
	return nil
}

// AddFeedback records a helpful / not helpful vote and updates the
// article's counts; a signed-in reader's new vote replaces their old one.
func (s *KB) AddFeedback(ctx context.Context, f kb.Feedback) (kb.Article, error) {
	var out kb.Article
	id := f.Article
	err := s.db.tx(ctx, func(tx conn) error {
		if f.UserID != 0 {
			var old bool
			err := tx.QueryRowContext(ctx, `SELECT helpful FROM kb_feedback WHERE article_id = $1 AND user_id = $2`, id, f.UserID).Scan(&old)
			switch {
			case err == nil:
				if _, err := tx.ExecContext(ctx, `DELETE FROM kb_feedback WHERE article_id = $1 AND user_id = $2`, id, f.UserID); err != nil {
					return err
				}
				if err := bumpFeedback(ctx, tx, id, old, -1); err != nil {
					return err
				}
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("store: feedback: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_feedback (article_id, user_id, voter, helpful, created_at) VALUES ($1,$2,$3,$4,$5)`,
			id, nullID(f.UserID), f.Voter, f.Helpful, f.At.UnixMicro()); err != nil {
			return fmt.Errorf("store: feedback: %w", err)
		}
		if err := bumpFeedback(ctx, tx, id, f.Helpful, 1); err != nil {
			return err
		}
		var err error
		out, err = s.article(ctx, tx, id)
		return err
	})
	return out, err
}

// AnonymousFeedback counts an anonymous voter's answers (see kb.Store).
func (s *KB) AnonymousFeedback(ctx context.Context, voter string, article int64, onArticleSince, anySince time.Time) (int, int, error) {
	var onArticle, any int
	earliest := anySince
	if onArticleSince.Before(earliest) {
		earliest = onArticleSince
	}
	err := s.db.read().QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN article_id = $2 AND created_at >= $3 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN created_at >= $4 THEN 1 ELSE 0 END), 0)
		FROM kb_feedback WHERE voter = $1 AND voter <> '' AND created_at >= $5`,
		voter, article, onArticleSince.UnixMicro(), anySince.UnixMicro(), earliest.UnixMicro()).Scan(&onArticle, &any)
	if err != nil {
		return 0, 0, fmt.Errorf("store: anonymous feedback: %w", err)
	}
	return onArticle, any, nil
}

func bumpFeedback(ctx context.Context, tx conn, id int64, helpful bool, by int) error {
	col := "unhelpful"
	if helpful {
		col = "helpful"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE kb_articles SET `+col+` = `+col+` + $1 WHERE id = $2`, by, id); err != nil {
		return fmt.Errorf("store: feedback: %w", err)
	}
	return nil
}

// AddDeflection records a deflected ticket.
func (s *KB) AddDeflection(ctx context.Context, d kb.Deflection) (kb.Deflection, error) {
	err := s.db.write().QueryRowContext(ctx, `INSERT INTO kb_deflections (user_id, article_id, category_id, created_at)
		VALUES ($1,$2,$3,$4) RETURNING id`, nullID(d.UserID), d.ArticleID, nullID(d.CategoryID), d.CreatedAt.UnixMicro()).Scan(&d.ID)
	if err != nil {
		return d, fmt.Errorf("store: deflection: %w", err)
	}
	return d, nil
}

// CategoryID returns the id of a category by key.
func (s *KB) CategoryID(ctx context.Context, key string) (int64, error) {
	return s.db.Search().CategoryID(ctx, key)
}

var _ kb.Store = (*KB)(nil)

// CountDeflections counts the deflected tickets recorded in [from, to)
// (zero times leave that end open), for reports.
func (s *KB) CountDeflections(ctx context.Context, from, to time.Time) (int, error) {
	var n int
	hi := int64(1<<63 - 1)
	if !to.IsZero() {
		hi = to.UnixMicro()
	}
	var lo int64
	if !from.IsZero() {
		lo = from.UnixMicro()
	}
	err := s.db.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM kb_deflections WHERE created_at >= $1 AND created_at < $2`, lo, hi).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count deflections: %w", err)
	}
	return n, nil
}

// AddAttachment records an article's file.
func (s *KB) AddAttachment(ctx context.Context, a kb.Attachment) (kb.Attachment, error) {
	err := s.db.write().QueryRowContext(ctx, `INSERT INTO kb_attachments (article_id, uploader_id, filename, content_type, size, sha256,
		created_at) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, a.ArticleID, nullID(a.UploaderID), a.Filename, a.ContentType, a.Size,
		a.SHA256, a.CreatedAt.UnixMicro()).Scan(&a.ID)
	if err != nil {
		return a, fmt.Errorf("store: article attachment: %w", err)
	}
	return a, nil
}

// Attachments lists an article's files in upload order.
func (s *KB) Attachments(ctx context.Context, articleID int64) ([]kb.Attachment, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT id, article_id, COALESCE(uploader_id, 0), filename, content_type, size, sha256,
		created_at FROM kb_attachments WHERE article_id = $1 ORDER BY id`, articleID)
	if err != nil {
		return nil, fmt.Errorf("store: article attachments: %w", err)
	}
	defer rows.Close()
	var out []kb.Attachment
	for rows.Next() {
		var a kb.Attachment
		var at int64
		if err := rows.Scan(&a.ID, &a.ArticleID, &a.UploaderID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &at); err != nil {
			return nil, fmt.Errorf("store: article attachments: %w", err)
		}
		a.CreatedAt = time.UnixMicro(at).UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

var _ kb.AttachmentStore = (*KB)(nil)
