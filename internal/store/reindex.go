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
// reindexChunk rows per transaction, while the desk serves. Each chunk
// reads its rows and writes their documents in one transaction (on
// PostgreSQL the rows are locked FOR SHARE), so a change committed
// meanwhile is never overwritten by a stale document; while it runs,
// searches may miss rows not yet reached.
func (s *Search) Reindex(ctx context.Context) (ReindexCounts, error) {
	return s.db.reindex(ctx, false)
}

// Rebuild rebuilds the whole search index for a maintenance window (and
// at migration, when a new index format needs every document written
// again). On PostgreSQL it empties the document tables and drops their GIN
// indexes, refills them without row locks, and builds each GIN index once
// at the end: building an index over all documents is several times faster
// than adding every document's entries to it one at a time. Searches
// during a rebuild scan without the index (slowly) and miss documents not
// yet written; changes made meanwhile are kept (pgIndexConflict). If it
// stops half-way the next start rebuilds again (search_state.reindex). On
// SQLite it is Reindex after clearing the index, with no locks to skip.
func (s *Search) Rebuild(ctx context.Context) (ReindexCounts, error) {
	if s.db.engine != Postgres {
		return s.db.reindex(ctx, true)
	}
	if _, err := s.db.w.ExecContext(ctx, `UPDATE search_state SET reindex = TRUE WHERE id = 1`); err != nil {
		return ReindexCounts{}, fmt.Errorf("store: search state: %w", err)
	}
	return s.db.rebuildFlagged(ctx)
}

// searchDocs are PostgreSQL's search document tables and their GIN
// indexes, as the migrations create them.
var searchDocs = []struct{ table, index string }{
	{"ticket_search", "ticket_search_doc"}, {"message_search", "message_search_doc"}, {"article_search", "article_search_doc"},
}

// rebuildLock is the advisory lock key (any constant) that lets one node
// rebuild while others starting at the same time wait for it.
const rebuildLock = 7_262_019_410

// rebuildWorkMem is the memory a GIN index build may use: one sorted pass
// instead of many small merges (the default 64 MB spills at 1M tickets).
const rebuildWorkMem = "256MB"

// rebuildFlagged rebuilds the PostgreSQL index if search_state asks for it,
// under an advisory lock, and clears the flag when done. A node that waited
// for the lock finds the flag cleared and does nothing.
func (db *DB) rebuildFlagged(ctx context.Context) (ReindexCounts, error) {
	var n ReindexCounts
	c, err := db.w.Conn(ctx)
	if err != nil {
		return n, fmt.Errorf("store: rebuild: %w", err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, rebuildLock); err != nil {
		return n, fmt.Errorf("store: rebuild: lock: %w", err)
	}
	defer c.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, rebuildLock)
	var flag bool
	if err := c.QueryRowContext(ctx, `SELECT reindex FROM search_state WHERE id = 1`).Scan(&flag); err != nil || !flag {
		return n, err
	}
	for _, d := range searchDocs {
		if _, err := c.ExecContext(ctx, `DROP INDEX IF EXISTS `+d.index); err != nil {
			return n, fmt.Errorf("store: rebuild: %w", err)
		}
		if _, err := c.ExecContext(ctx, `TRUNCATE `+d.table); err != nil {
			return n, fmt.Errorf("store: rebuild: %w", err)
		}
	}
	if n, err = db.reindex(ctx, true); err != nil {
		return n, err
	}
	if _, err := c.ExecContext(ctx, `SET maintenance_work_mem = '`+rebuildWorkMem+`'`); err != nil {
		return n, fmt.Errorf("store: rebuild: %w", err)
	}
	for _, d := range searchDocs {
		if _, err := c.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS `+d.index+` ON `+d.table+` USING gin (doc)`); err != nil {
			return n, fmt.Errorf("store: rebuild: index %s: %w", d.table, err)
		}
		if _, err := c.ExecContext(ctx, `ANALYZE `+d.table); err != nil {
			return n, fmt.Errorf("store: rebuild: %w", err)
		}
	}
	c.ExecContext(ctx, `RESET maintenance_work_mem`)
	if _, err := c.ExecContext(ctx, `UPDATE search_state SET reindex = FALSE WHERE id = 1`); err != nil {
		return n, fmt.Errorf("store: search state: %w", err)
	}
	return n, nil
}

// reindex fills the index from the data. exclusive says the index was
// just emptied (a rebuild: PostgreSQL's tables truncated by the caller,
// SQLite's cleared here) and nothing holds row locks for it: documents are
// inserted, not replaced, and rows are not locked.
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
		COALESCE(assignee_id, 0), requester_id, COALESCE(org_id, 0) FROM tickets`, !exclusive,
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
	if n.Messages, err = db.reindexTable(ctx, "ticket_messages", `SELECT id, '', '', body FROM ticket_messages`, !exclusive,
		func(ctx context.Context, tx conn, rs []reindexRow) error {
			ids, bodies := make([]int64, len(rs)), make([]string, len(rs))
			for i, r := range rs {
				ids[i], bodies[i] = r.id, r.f[3]
			}
			return db.indexMessages(ctx, tx, ids, bodies, fresh)
		}); err != nil {
		return n, err
	}
	if n.Articles, err = db.reindexTable(ctx, "kb_articles", `SELECT id, '', title, body FROM kb_articles`, !exclusive,
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
// id, three texts and optionally four ids. lock locks the chunk's rows
// (PostgreSQL) until their documents are written.
func (db *DB) reindexTable(ctx context.Context, table, sel string, lock bool,
	index func(ctx context.Context, tx conn, rs []reindexRow) error) (int, error) {
	forShare := ""
	if db.engine == Postgres && lock {
		forShare = " FOR SHARE"
	}
	q := sel + fmt.Sprintf(` WHERE id > $1 ORDER BY id LIMIT %d`, reindexChunk) + forShare
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

// reindexIfFlagged runs the rebuild that a migration asks for (rows that
// existed before the index did, or a new document format) and clears the
// flag.
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
	if db.engine == Postgres {
		_, err := db.rebuildFlagged(ctx)
		return err
	}
	if _, err := db.reindex(ctx, true); err != nil {
		return err
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE search_state SET reindex = FALSE WHERE id = 1`); err != nil {
		return fmt.Errorf("store: search state: %w", err)
	}
	return nil
}
