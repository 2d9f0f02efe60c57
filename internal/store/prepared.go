package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// The SQLite driver compiles every query text it is given; on the hot
// paths (creating, reading, listing tickets) compiling cost more than
// running. Queries therefore go through prepared statements, cached per
// pool and query text; database/sql keeps one prepared copy per
// connection and reuses it inside transactions.

// maxCachedStmts bounds the cache: listing queries vary with their
// filters, and a pathological caller must not grow it without end.
const maxCachedStmts = 2000

type stmtKey struct {
	pool  *sql.DB
	query string
}

type stmtCache struct {
	m sync.Map // stmtKey → *sql.Stmt
	n atomic.Int64
}

// lookup returns a cached statement, or nil.
func (c *stmtCache) lookup(pool *sql.DB, query string) *sql.Stmt {
	if s, ok := c.m.Load(stmtKey{pool, query}); ok {
		return s.(*sql.Stmt)
	}
	return nil
}

// get returns a prepared statement for query on pool, or nil when it
// cannot (the caller then runs the query unprepared and reports its error).
func (c *stmtCache) get(ctx context.Context, pool *sql.DB, query string) *sql.Stmt {
	k := stmtKey{pool, query}
	if s := c.lookup(pool, query); s != nil {
		return s
	}
	if c.n.Load() >= maxCachedStmts {
		return nil
	}
	s, err := pool.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	if prev, loaded := c.m.LoadOrStore(k, s); loaded {
		s.Close()
		return prev.(*sql.Stmt)
	}
	c.n.Add(1)
	return s
}

func (c *stmtCache) close() {
	c.m.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
}

// conn runs queries on a pool or inside a transaction, prepared.
type conn struct {
	cache *stmtCache
	pool  *sql.DB
	tx    *sql.Tx
	// missing collects queries a transaction ran unprepared. Preparing on
	// the pool needs a free connection, and on SQLite the transaction holds
	// the only writer, so they are prepared after the commit instead.
	missing *[]string
}

func (c conn) stmt(ctx context.Context, query string) *sql.Stmt {
	if c.tx == nil {
		return c.cache.get(ctx, c.pool, query)
	}
	if s := c.cache.lookup(c.pool, query); s != nil {
		return c.tx.StmtContext(ctx, s)
	}
	*c.missing = append(*c.missing, query)
	return nil
}

// QueryRowContext runs a query expected to return at most one row.
func (c conn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	if c.tx != nil {
		return c.tx.QueryRowContext(ctx, query, args...)
	}
	return c.pool.QueryRowContext(ctx, query, args...)
}

// QueryContext runs a query returning rows.
func (c conn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	if c.tx != nil {
		return c.tx.QueryContext(ctx, query, args...)
	}
	return c.pool.QueryContext(ctx, query, args...)
}

// ExecContext runs a statement.
func (c conn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	if c.tx != nil {
		return c.tx.ExecContext(ctx, query, args...)
	}
	return c.pool.ExecContext(ctx, query, args...)
}

// read is the read pool, prepared.
func (db *DB) read() conn { return conn{cache: db.stmts, pool: db.r} }

// write is the write pool, prepared (single statements outside a transaction).
func (db *DB) write() conn { return conn{cache: db.stmts, pool: db.w} }

// txConn runs prepared statements inside tx.
func (db *DB) txConn(tx *sql.Tx) conn {
	return conn{cache: db.stmts, pool: db.w, tx: tx, missing: new([]string)}
}

// prepareMissing prepares what a finished transaction ran unprepared.
func (db *DB) prepareMissing(ctx context.Context, c conn) {
	for _, q := range *c.missing {
		db.stmts.get(ctx, db.w, q)
	}
}
