package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"helpdesk/internal/search"
	"helpdesk/internal/ticket"
)

// Search implements search.Store on the engine's own full-text index:
// SQLite FTS5 (contentless tables ticket_fts, message_fts, article_fts)
// or PostgreSQL tsvectors (ticket_search, message_search, article_search).
// Both are fed the Go tokenizer's tokens, written in the transaction of
// the change they index.
type Search struct{ db *DB }

// Search returns the search store.
func (db *DB) Search() *Search { return &Search{db: db} }

// ticketTitle is what a ticket's title field holds for the index: the
// number (so TS… finds it) and the title.
func ticketTitle(number, title string) string { return number + " " + title }

// scopeTokens are the tokens that say who may see a ticket: requester,
// organization, group and assignee (SQLite's scope column).
func scopeTokens(t ticket.Ticket) []string {
	var out []string
	for _, p := range []struct {
		prefix string
		id     int64
	}{{"r", t.RequesterID}, {"o", t.OrgID}, {"g", t.GroupID}, {"a", t.AssigneeID}} {
		if p.id != 0 {
			out = append(out, p.prefix+strconv.FormatInt(p.id, 10))
		}
	}
	return out
}

// scopeLexemes are scopeTokens as tsvector lexemes ('g:4'): the colon never
// occurs in a text token, so they cannot collide with words.
func scopeLexemes(toks []string) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(" '" + t[:1] + ":" + t[1:] + "'")
	}
	return b.String()
}

// ticketVector is a ticket's PostgreSQL search document: number and title
// (weight A), description, the scope lexemes and the id bucket.
func ticketVector(t ticket.Ticket) string {
	return search.TSVector(search.Field{Text: ticketTitle(t.Number, t.Title), Weight: 'A'}, search.Field{Text: t.Description}) +
		scopeLexemes(scopeTokens(t)) + " " + bucketLexeme(t.ID>>bucketShift)
}

// A PostgreSQL ticket vector holds the lexeme 'b:<id>>bucketShift>' (ids in
// buckets of 8,192). ANDed into a query, a few bucket lexemes bound the GIN
// scan to the newest tickets: GIN drives the scan from its rarest entries
// and skips through the posting trees of the common ones, so the cost of a
// common word follows the window searched, not the whole desk.
const bucketShift = 13

// bucketLexeme is the quoted lexeme of bucket b.
func bucketLexeme(b int64) string { return "'b:" + strconv.FormatInt(b, 10) + "'" }

// indexTicket writes a ticket's search document inside tx: number and
// title, description, and who may see it. fresh skips removing an old one
// (a ticket just inserted has none).
func (db *DB) indexTicket(ctx context.Context, tx conn, t ticket.Ticket, fresh bool) error {
	var err error
	scope := scopeTokens(t)
	if db.engine == Postgres {
		_, err = tx.ExecContext(ctx, `INSERT INTO ticket_search (ticket_id, doc) VALUES ($1, $2::tsvector)`+pgIndexConflict("ticket_id", fresh), t.ID, ticketVector(t))
	} else {
		if !fresh {
			if _, err = tx.ExecContext(ctx, `DELETE FROM ticket_fts WHERE rowid = $1`, t.ID); err != nil {
				return fmt.Errorf("store: index ticket: %w", err)
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO ticket_fts (rowid, title, body, scope) VALUES ($1, $2, $3, $4)`, t.ID,
			search.IndexText(ticketTitle(t.Number, t.Title)), search.IndexText(t.Description), strings.Join(scope, " "))
	}
	if err != nil {
		return fmt.Errorf("store: index ticket: %w", err)
	}
	return nil
}

// indexMessage writes a message's search document inside tx; messages
// are never edited, so it is always a new one unless fresh is false.
func (db *DB) indexMessage(ctx context.Context, tx conn, id int64, body string, fresh bool) error {
	var err error
	if db.engine == Postgres {
		_, err = tx.ExecContext(ctx, `INSERT INTO message_search (message_id, doc) VALUES ($1, $2::tsvector)`+pgIndexConflict("message_id", fresh), id, search.TSVector(search.Field{Text: body}))
	} else {
		if !fresh {
			if _, err = tx.ExecContext(ctx, `DELETE FROM message_fts WHERE rowid = $1`, id); err != nil {
				return fmt.Errorf("store: index message: %w", err)
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO message_fts (rowid, body) VALUES ($1, $2)`, id, search.IndexText(body))
	}
	if err != nil {
		return fmt.Errorf("store: index message: %w", err)
	}
	return nil
}

// indexArticle writes an article's search document inside tx.
func (db *DB) indexArticle(ctx context.Context, tx conn, id int64, title, body string, fresh bool) error {
	var err error
	if db.engine == Postgres {
		_, err = tx.ExecContext(ctx, `INSERT INTO article_search (article_id, doc) VALUES ($1, $2::tsvector)`+pgIndexConflict("article_id", fresh), id,
			search.TSVector(search.Field{Text: title, Weight: 'A'}, search.Field{Text: body}))
	} else {
		if !fresh {
			if _, err = tx.ExecContext(ctx, `DELETE FROM article_fts WHERE rowid = $1`, id); err != nil {
				return fmt.Errorf("store: index article: %w", err)
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO article_fts (rowid, title, body) VALUES ($1, $2, $3)`, id,
			search.IndexText(title), search.IndexText(body))
	}
	if err != nil {
		return fmt.Errorf("store: index article: %w", err)
	}
	return nil
}

// contentChanged reports whether a change edits what a ticket's search
// document holds: title, description, group or assignee.
func contentChanged(c ticket.Change) bool {
	for _, e := range c.Events {
		if e.Kind == ticket.EventField && (e.Field == "title" || e.Field == "description") ||
			e.Kind == ticket.EventAssignee || e.Kind == ticket.EventGroup {
			return true
		}
	}
	return false
}

// scopeMatch narrows a ticket search inside the index to the tickets a
// scope may see: an FTS5 column filter or a tsquery disjunction. Empty
// for a scope that sees everything. The SQL condition on tickets stays as
// well, so the index can only narrow, never widen, what is shown.
func (s *Search) scopeMatch(sc ticket.Scope) string {
	var toks []string
	switch {
	case sc.All:
		return ""
	case sc.RequesterID != 0:
		toks = append(toks, "r"+strconv.FormatInt(sc.RequesterID, 10))
		if sc.OrgID != 0 {
			toks = append(toks, "o"+strconv.FormatInt(sc.OrgID, 10))
		}
	default:
		for _, g := range sc.GroupIDs {
			toks = append(toks, "g"+strconv.FormatInt(g, 10))
		}
		if sc.UserID != 0 {
			toks = append(toks, "a"+strconv.FormatInt(sc.UserID, 10))
		}
	}
	if len(toks) == 0 {
		return ""
	}
	if s.db.engine == Postgres {
		lex := strings.Fields(scopeLexemes(toks))
		return " & (" + strings.Join(lex, " | ") + ")"
	}
	return " AND scope : (" + strings.Join(toks, " OR ") + ")"
}

// sqlArgs collects query parameters as $n placeholders.
type sqlArgs struct{ vals []any }

func (a *sqlArgs) add(v any) string {
	a.vals = append(a.vals, v)
	return fmt.Sprintf("$%d", len(a.vals))
}

// scopeWhere translates a ticket.Scope (the ticket package's rule of who
// sees which tickets) into a condition on tickets t; ok is false for a
// scope that sees nothing.
func scopeWhere(sc ticket.Scope, a *sqlArgs) (string, bool) {
	switch {
	case sc.All:
		return "", true
	case sc.RequesterID != 0 && sc.OrgID != 0:
		return "(t.requester_id = " + a.add(sc.RequesterID) + " OR t.org_id = " + a.add(sc.OrgID) + ")", true
	case sc.RequesterID != 0:
		return "t.requester_id = " + a.add(sc.RequesterID), true
	case len(sc.GroupIDs) > 0:
		ph := make([]string, len(sc.GroupIDs))
		for i, g := range sc.GroupIDs {
			ph[i] = a.add(g)
		}
		return "(t.group_id IN (" + strings.Join(ph, ",") + ") OR t.assignee_id = " + a.add(sc.UserID) + ")", true
	case sc.UserID != 0:
		return "t.assignee_id = " + a.add(sc.UserID), true
	}
	return "", false
}

// ticketFilters returns the plan's scope and filters as conditions on t:
// the scope ("" for a scope that sees all) and then the filters.
func ticketFilters(p search.Plan, a *sqlArgs) (scope string, where []string, ok bool) {
	sc, ok := scopeWhere(p.Scope, a)
	if !ok {
		return "", nil, false
	}
	if len(p.Statuses) > 0 {
		ph := make([]string, len(p.Statuses))
		for i, s := range p.Statuses {
			ph[i] = a.add(string(s))
		}
		where = append(where, "t.status IN ("+strings.Join(ph, ",")+")")
	}
	if p.CategoryID != 0 {
		where = append(where, "t.category_id = "+a.add(p.CategoryID))
	}
	if p.GroupID != 0 {
		where = append(where, "t.group_id = "+a.add(p.GroupID))
	}
	if !p.From.IsZero() {
		where = append(where, "t.created_at >= "+a.add(p.From.UnixMicro()))
	}
	if !p.To.IsZero() {
		where = append(where, "t.created_at < "+a.add(p.To.UnixMicro()))
	}
	return sc, where, true
}

// withScope is the scope and the filters as one list of conditions.
func withScope(scope string, where []string) []string {
	if scope == "" {
		return where
	}
	return append([]string{scope}, where...)
}

// candidates runs a candidate query: the newest Limit matches and their scores.
func (s *Search) candidates(ctx context.Context, what, q string, args []any) ([]search.Candidate, error) {
	return s.candidatesOn(ctx, s.db.read(), what, q, args)
}

// candidatesOn runs a candidate query on q's connection or transaction.
func (s *Search) candidatesOn(ctx context.Context, on queryer, what, q string, args []any) ([]search.Candidate, error) {
	rows, err := on.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search %s: %w", what, err)
	}
	defer rows.Close()
	var out []search.Candidate
	for rows.Next() {
		var c search.Candidate
		if err := rows.Scan(&c.ID, &c.Score); err != nil {
			return nil, fmt.Errorf("store: search %s: %w", what, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// match returns the MATCH / @@ condition for the engine, its argument added.
func (s *Search) match(p search.Plan, a *sqlArgs, fts, doc string) string {
	if s.db.engine == Postgres {
		return doc + " @@ " + a.add(p.Query.TSQuery()) + "::tsquery"
	}
	return fts + " MATCH " + a.add(p.Query.FTS5())
}

func limit(p search.Plan) string {
	return fmt.Sprintf(" LIMIT %d", max(1, min(p.Limit, search.CandidateCap)))
}

// SearchTickets returns the newest matching tickets the plan admits, scored
// (title and number weigh ten times the description).
func (s *Search) SearchTickets(ctx context.Context, p search.Plan) ([]search.Candidate, error) {
	a := &sqlArgs{}
	var m string
	if s.db.engine == Postgres {
		a.add(p.Query.TSQuery()) // $1 ranks; $2, the match, is set per window
		a.add("")
	} else {
		m = "ticket_fts MATCH " + a.add("("+p.Query.FTS5()+")"+s.scopeMatch(p.Scope))
	}
	scope, filters, ok := ticketFilters(p, a)
	if !ok {
		return nil, nil
	}
	if s.db.engine == Postgres {
		return s.searchTicketsPG(ctx, p, a, scope, filters)
	}
	where := withScope(scope, filters)
	cond := strings.Join(append([]string{m}, where...), " AND ")
	q := `SELECT ticket_fts.rowid, -bm25(ticket_fts, 10.0, 1.0, 0.0) FROM ticket_fts` + ticketJoin(where, "ticket_fts.rowid") +
		` WHERE ` + cond + ` ORDER BY ticket_fts.rowid DESC` + limit(p)
	return s.candidates(ctx, "tickets", q, a.vals)
}

// ticketJoin joins tickets t to the index rows when a condition needs its
// columns. A search of everything without filters (an admin's) needs none:
// every indexed ticket passes, and joining cost a row lookup per candidate
// (a third of an admin's one-character search on SQLite at 400,000 tickets).
func ticketJoin(where []string, id string) string {
	if len(where) == 0 {
		return ""
	}
	return " JOIN tickets t ON t.id = " + id
}

// Windows of the PostgreSQL ticket search: the first covers
// firstBuckets buckets. Once matches were seen, the next is sized from
// their density to finish the search, if that takes at most maxFillBuckets;
// otherwise (no or sparse matches) windows double, and once one would span
// more than maxWindowBuckets the rest of the desk is searched in one
// unbounded query, where a sparse word's own short posting list drives the
// scan and a union of many bucket lists would cost more than it saves.
const (
	firstBuckets     = 1
	maxWindowBuckets = 8
	maxFillBuckets   = 48
)

// searchTicketsPG finds the newest matches window by window, newest
// first: each window's query ANDs the bucket lexemes of its ids, so the
// index visits only that window's rows (see bucketShift). The args hold
// the ranking query ($1), the full match ($2, replaced per window) and the
// scope's and filters' parameters.
//
// Without filters the scope's SQL condition is checked on the chosen ids
// (after the limit) rather than while choosing them: the index's scope
// lexemes already chose within the scope, and a join that chooses would
// have the planner, misjudging how few documents match, hash every ticket
// of the agent's groups first (43 of 51 ms for a word with no match in
// scope at 1M tickets, plus JIT compiling the plan). It can still only
// narrow what is shown.
func (s *Search) searchTicketsPG(ctx context.Context, p search.Plan, a *sqlArgs, scope string, filters []string) ([]search.Candidate, error) {
	where, after := withScope(scope, filters), ""
	if len(filters) == 0 && scope != "" {
		where, after = nil, " JOIN tickets t ON t.id = c.id WHERE "+scope
	}
	want := max(1, min(p.Limit, search.CandidateCap))
	base := "(" + p.Query.TSQuery() + ")" + s.scopeMatch(p.Scope)
	// One read-only transaction without parallel workers: a search is a
	// few small queries, and starting workers for the unbounded one cost
	// more than its scan (90 of 93 ms for an agent's word at 1M tickets).
	// Plans are made for each query's own tsquery: the driver prepares
	// statements, and a generic plan, blind to how common the words are,
	// took 154 ms for a window that a custom plan runs in 1.
	tx, err := s.db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: search tickets: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT set_config('max_parallel_workers_per_gather', '0', true),
		set_config('plan_cache_mode', 'force_custom_plan', true), set_config('jit', 'off', true)`); err != nil {
		return nil, fmt.Errorf("store: search tickets: %w", err)
	}
	var top int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(ticket_id), 0) FROM ticket_search`).Scan(&top); err != nil {
		return nil, fmt.Errorf("store: search tickets: %w", err)
	}
	hiArg := a.add(top + 1)
	cond := strings.Join(append([]string{"d.doc @@ $2::tsquery", "d.ticket_id < " + hiArg}, where...), " AND ")
	// The inner query picks ids only (sorting whole vectors cost 10 of 15 ms
	// for a window of 900) and orders by ticket_id + 0, so the planner
	// cannot walk the primary key backwards testing every vector (seconds
	// for a word with no match); the outer one ranks the chosen few.
	q := func(n int) string {
		return `SELECT c.id, ts_rank_cd('{0.1,0.2,0.4,1.0}', s.doc, $1::tsquery) FROM (SELECT d.ticket_id AS id
			FROM ticket_search d` + ticketJoin(where, "d.ticket_id") + ` WHERE ` + cond + ` ORDER BY d.ticket_id + 0 DESC LIMIT ` +
			strconv.Itoa(n) + `) c JOIN ticket_search s ON s.ticket_id = c.id` + after + ` ORDER BY c.id DESC`
	}
	hiIdx := len(a.vals) - 1
	var out []search.Candidate
	hi := top + 1                // exclusive upper bound of what is left
	width := int64(firstBuckets) // buckets in the next window
	if p.Query.Number != "" {
		// A ticket number is a lexeme of one document: the GIN scan
		// starts from it, windows would only add round trips.
		width = maxWindowBuckets + 1
	}
	scanned := int64(0) // ids covered so far
	fill := false       // the window is sized to finish the search
	for hi > 0 && len(out) < want {
		topB := (hi - 1) >> bucketShift
		lowB := topB - width + 1
		m := base
		unbounded := width > maxFillBuckets || width > maxWindowBuckets && !fill || lowB <= 0
		if !unbounded {
			bs := make([]string, 0, width)
			for b := topB; b >= lowB; b-- {
				bs = append(bs, bucketLexeme(b))
			}
			m = "(" + base + ") & (" + strings.Join(bs, " | ") + ")"
		}
		a.vals[1], a.vals[hiIdx] = m, hi
		got, err := s.candidatesOn(ctx, tx, "tickets", q(want-len(out)), a.vals)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
		if unbounded || len(out) >= want {
			break
		}
		// The window is exhausted: continue below it.
		lo := lowB << bucketShift
		scanned += hi - lo
		hi = lo
		fill = false
		if len(out) > 0 {
			// Size the next window for what is missing at the density seen;
			// a window expected to finish the search is worth its buckets.
			need := float64(want-len(out)) * float64(scanned) / float64(len(out)) * 1.2
			if nb := int64(need)>>bucketShift + 1; nb <= maxFillBuckets {
				width, fill = nb, true
				continue
			}
		}
		width = min(width*2, maxWindowBuckets+1)
	}
	return out, nil
}

// SearchMessages returns the newest matching messages on tickets the plan
// admits; internal notes only when the plan allows them.
func (s *Search) SearchMessages(ctx context.Context, p search.Plan) ([]search.Candidate, error) {
	a := &sqlArgs{}
	m := s.match(p, a, "message_fts", "d.doc")
	scope, filters, ok := ticketFilters(p, a)
	if !ok {
		return nil, nil
	}
	where := withScope(scope, filters)
	if p.PublicOnly {
		where = append(where, "m.internal = FALSE")
	}
	cond := strings.Join(append([]string{m}, where...), " AND ")
	var q string
	if s.db.engine == Postgres {
		q = `SELECT c.id, ts_rank_cd(c.doc, $1::tsquery) FROM (SELECT d.message_id AS id, d.doc
			FROM message_search d JOIN ticket_messages m ON m.id = d.message_id JOIN tickets t ON t.id = m.ticket_id
			WHERE ` + cond + ` ORDER BY d.message_id DESC` + limit(p) + `) c`
	} else {
		q = `SELECT message_fts.rowid, -bm25(message_fts) FROM message_fts JOIN ticket_messages m ON m.id = message_fts.rowid
			JOIN tickets t ON t.id = m.ticket_id WHERE ` + cond + ` ORDER BY message_fts.rowid DESC` + limit(p)
	}
	return s.candidates(ctx, "messages", q, a.vals)
}

// SearchArticles returns the newest matching articles of the plan's
// audiences: published ones, or any state when the plan says so.
func (s *Search) SearchArticles(ctx context.Context, p search.Plan) ([]search.Candidate, error) {
	if len(p.Audiences) == 0 {
		return nil, nil
	}
	a := &sqlArgs{}
	where := []string{s.match(p, a, "article_fts", "d.doc")}
	ph := make([]string, len(p.Audiences))
	for i, au := range p.Audiences {
		ph[i] = a.add(au)
	}
	where = append(where, "a.audience IN ("+strings.Join(ph, ",")+")")
	if !p.AnyState {
		where = append(where, "a.state = 'published'")
	}
	if p.CategoryID != 0 {
		where = append(where, "a.category_id = "+a.add(p.CategoryID))
	}
	if p.Lang != "" {
		where = append(where, "a.lang = "+a.add(p.Lang))
	}
	cond := strings.Join(where, " AND ")
	var q string
	if s.db.engine == Postgres {
		q = `SELECT c.id, ts_rank_cd('{0.1,0.2,0.4,1.0}', c.doc, $1::tsquery) FROM (SELECT d.article_id AS id, d.doc
			FROM article_search d JOIN kb_articles a ON a.id = d.article_id WHERE ` + cond + ` ORDER BY d.article_id DESC` + limit(p) + `) c`
	} else {
		q = `SELECT article_fts.rowid, -bm25(article_fts, 10.0, 1.0) FROM article_fts JOIN kb_articles a ON a.id = article_fts.rowid
			WHERE ` + cond + ` ORDER BY article_fts.rowid DESC` + limit(p)
	}
	return s.candidates(ctx, "articles", q, a.vals)
}

// Rows loads what the results of one page show.
func (s *Search) Rows(ctx context.Context, kind search.Kind, ids []int64) ([]search.Row, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	a := &sqlArgs{}
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = a.add(id)
	}
	in := "(" + strings.Join(ph, ",") + ")"
	var q string
	switch kind {
	case search.KindTicket:
		q = `SELECT t.id, t.id, t.number, t.title, t.description, t.status, c.key, COALESCE(g.key, ''), '', '', FALSE,
			t.created_at, t.updated_at FROM tickets t JOIN categories c ON c.id = t.category_id
			LEFT JOIN support_groups g ON g.id = t.group_id WHERE t.id IN ` + in
	case search.KindMessage:
		q = `SELECT m.id, t.id, t.number, t.title, m.body, t.status, c.key, COALESCE(g.key, ''), '', '', m.internal,
			m.created_at, m.created_at FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
			JOIN categories c ON c.id = t.category_id LEFT JOIN support_groups g ON g.id = t.group_id WHERE m.id IN ` + in
	default:
		q = `SELECT a.id, 0, '', a.title, a.body, a.state, COALESCE(c.key, ''), '', a.audience, a.lang, FALSE,
			a.created_at, a.updated_at FROM kb_articles a LEFT JOIN categories c ON c.id = a.category_id WHERE a.id IN ` + in
	}
	rows, err := s.db.read().QueryContext(ctx, q, a.vals...)
	if err != nil {
		return nil, fmt.Errorf("store: search rows: %w", err)
	}
	defer rows.Close()
	var out []search.Row
	for rows.Next() {
		var r search.Row
		var created, updated int64
		if err := rows.Scan(&r.ID, &r.TicketID, &r.Number, &r.Title, &r.Body, &r.Status, &r.Category, &r.Group,
			&r.Audience, &r.Lang, &r.Internal, &created, &updated); err != nil {
			return nil, fmt.Errorf("store: search rows: %w", err)
		}
		r.CreatedAt, r.UpdatedAt = tm(sql.NullInt64{Int64: created, Valid: true}), tm(sql.NullInt64{Int64: updated, Valid: true})
		out = append(out, r)
	}
	return out, rows.Err()
}

// CategoryID returns the id of a category by key.
func (s *Search) CategoryID(ctx context.Context, key string) (int64, error) {
	var id int64
	err := s.db.read().QueryRowContext(ctx, `SELECT id FROM categories WHERE key = $1`, key).Scan(&id)
	return id, notFound(err, "category.not_found", "category "+key)
}

// GroupID returns the id of a support group by key.
func (s *Search) GroupID(ctx context.Context, key string) (int64, error) {
	var id int64
	err := s.db.read().QueryRowContext(ctx, `SELECT id FROM support_groups WHERE key = $1`, key).Scan(&id)
	return id, notFound(err, "group.not_found", "group "+key)
}

var _ search.Store = (*Search)(nil)
