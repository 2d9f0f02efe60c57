package store

import (
	"context"
	"fmt"
	"strings"

	"helpdesk/internal/ticket"
)

// ReindexCounts says how many rows a reindex indexed.
type ReindexCounts struct {
	Tickets, Messages, Articles int
}

// reindexChunk is how many rows one reindex transaction indexes.
const reindexChunk = 2000

// Reindex rebuilds the whole search index from the data, in chunks of
// reindexChunk rows per transaction. Each chunk reads its rows and writes
// their documents in one transaction (on PostgreSQL the rows are locked
// FOR SHARE), so a change committed meanwhile is never overwritten by a
// stale document; while it runs, searches may miss rows not yet reached.
func (s *Search) Reindex(ctx context.Context) (ReindexCounts, error) {
	return s.db.reindex(ctx, false)
}

// reindex clears and refills the index. exclusive says nothing else
// writes meanwhile (at migration), so rows need no delete before insert.
func (db *DB) reindex(ctx context.Context, exclusive bool) (ReindexCounts, error) {
	var n ReindexCounts
	fresh := exclusive
	if db.engine == SQLite {
		for _, t := range []string{"ticket_fts", "message_fts", "article_fts"} {
			if _, err := db.w.ExecContext(ctx, `INSERT INTO `+t+`(`+t+`) VALUES ('delete-all')`); err != nil {
				return n, fmt.Errorf("store: reindex: clear %s: %w", t, err)
			}
		}
	}
	var err error
	if n.Tickets, err = db.reindexTable(ctx, "tickets", `SELECT id, number, title, description, COALESCE(group_id, 0),
		COALESCE(assignee_id, 0), requester_id, COALESCE(org_id, 0) FROM tickets`, fresh,
		func(ctx context.Context, tx conn, rs []reindexRow) error {
			ts := make([]ticket.Ticket, len(rs))
			for i, r := range rs {
				ts[i] = ticket.Ticket{ID: r.id, Number: r.f[1], Title: r.f[2], Description: r.f[3],
					GroupID: r.n[0], AssigneeID: r.n[1], RequesterID: r.n[2], OrgID: r.n[3]}
			}
			return db.indexTickets(ctx, tx, ts, fresh)
		}); err != nil {
		return n, err
	}
	if n.Messages, err = db.reindexTable(ctx, "ticket_messages", `SELECT id, '', '', body FROM ticket_messages`, fresh,
		eachRow(func(ctx context.Context, tx conn, r reindexRow) error {
			return db.indexMessage(ctx, tx, r.id, r.f[3], fresh)
		})); err != nil {
		return n, err
	}
	if n.Articles, err = db.reindexTable(ctx, "kb_articles", `SELECT id, '', title, body FROM kb_articles`, fresh,
		eachRow(func(ctx context.Context, tx conn, r reindexRow) error {
			return db.indexArticle(ctx, tx, r.id, r.f[2], r.f[3], fresh)
		})); err != nil {
		return n, err
	}
	return n, nil
}

// reindexRow is one row read for reindexing: the id, up to three texts
// (f[1:]) and, for tickets, four ids (group, assignee, requester, org).
type reindexRow struct {
	id int64
	f  [4]string
	n  [4]int64
}

// eachRow turns a one-row index function into a chunk one.
func eachRow(index func(ctx context.Context, tx conn, r reindexRow) error) func(ctx context.Context, tx conn, rs []reindexRow) error {
	return func(ctx context.Context, tx conn, rs []reindexRow) error {
		for _, r := range rs {
			if err := index(ctx, tx, r); err != nil {
				return err
			}
		}
		return nil
	}
}

// reindexTable walks a table in id order, chunk by chunk; sel selects the
// id, three texts and optionally four ids.
func (db *DB) reindexTable(ctx context.Context, table, sel string, fresh bool,
	index func(ctx context.Context, tx conn, rs []reindexRow) error) (int, error) {
	lock := ""
	if db.engine == Postgres {
		lock = " FOR SHARE"
	}
	q := sel + fmt.Sprintf(` WHERE id > $1 ORDER BY id LIMIT %d`, reindexChunk) + lock
	var after int64
	total := 0
	for {
		var got int
		err := db.tx(ctx, func(tx conn) error {
			rows, err := tx.QueryContext(ctx, q, after)
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			var batch []reindexRow
			for rows.Next() {
				var r reindexRow
				dst := []any{&r.id, &r.f[1], &r.f[2], &r.f[3]}
				if len(cols) > 4 {
					dst = append(dst, &r.n[0], &r.n[1], &r.n[2], &r.n[3])
				}
				if err := rows.Scan(dst...); err != nil {
					rows.Close()
					return err
				}
				batch = append(batch, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(batch) > 0 {
				if err := index(ctx, tx, batch); err != nil {
					return err
				}
			}
			if len(batch) > 0 {
				after = batch[len(batch)-1].id
			}
			got = len(batch)
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("store: reindex %s: %w", table, err)
		}
		total += got
		if got < reindexChunk {
			return total, nil
		}
	}
}

// reindexIfFlagged runs the reindex that migration 00009 asks for (rows
// that existed before the index did) and clears the flag.
func (db *DB) reindexIfFlagged(ctx context.Context) error {
	var flag bool
	if err := db.w.QueryRowContext(ctx, `SELECT reindex FROM search_state WHERE id = 1`).Scan(&flag); err != nil {
		if strings.Contains(err.Error(), "no rows") {
			return nil
		}
		return fmt.Errorf("store: search state: %w", err)
	}
	if !flag {
		return nil
	}
	if _, err := db.reindex(ctx, true); err != nil {
		return err
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE search_state SET reindex = FALSE WHERE id = 1`); err != nil {
		return fmt.Errorf("store: search state: %w", err)
	}
	return nil
}
