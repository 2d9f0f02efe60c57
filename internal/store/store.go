// Package store keeps every domain's data in SQL, on SQLite (the embedded
// default) or PostgreSQL (for several nodes sharing one desk).
//
// One set of portable queries serves both engines; the few places where they
// differ sit behind the dialect. Times travel as UTC microseconds. Writes run
// in transactions; on SQLite all writes share one connection opened with
// BEGIN IMMEDIATE, reads use a separate pool, so readers never wait for a
// writer and writers never deadlock on lock upgrades.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"

	"helpdesk/internal/apperr"
)

// Engine names a database engine.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

//go:embed migrations
var migrations embed.FS

// DB is the desk's database.
type DB struct {
	engine Engine
	w      *sql.DB // writes (one connection on SQLite)
	r      *sql.DB // reads (the same pool on PostgreSQL)
	stmts  *stmtCache
	// batch groups concurrent writes into shared transactions.
	batch *batcher
}

// Open connects to the database named by url, or, when url is empty, to
// the SQLite file helpdesk.db in dataDir. It does not migrate.
func Open(ctx context.Context, dbURL, dataDir string) (*DB, error) {
	if strings.HasPrefix(dbURL, "postgres://") || strings.HasPrefix(dbURL, "postgresql://") {
		return openPostgres(ctx, dbURL)
	}
	if dbURL != "" && !strings.HasPrefix(dbURL, "sqlite:") {
		return nil, fmt.Errorf("store: unsupported database URL (want postgres://… or empty for SQLite)")
	}
	path := strings.TrimPrefix(dbURL, "sqlite:")
	if path == "" {
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("store: data dir: %w", err)
		}
		path = filepath.Join(dataDir, "helpdesk.db")
	}
	return openSQLite(ctx, path)
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	dsn := "file:" + path + "?" + q.Encode()
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	// Readers map the first GiB of the file: a report that reads facts
	// through an index fetches rows all over the table, and through read()
	// each page missing from SQLite's cache was a system call (28% of the
	// CPU of the agents report under two filters at 1M tickets; with the
	// mapping 1.11 s → 0.75 s p95). Writes still go through the WAL.
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)&_pragma=cache_size(-65536)&_pragma=mmap_size(1073741824)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db := &DB{engine: SQLite, w: w, r: r, stmts: &stmtCache{}}
	db.batch = newBatcher(db)
	if err := w.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: sqlite %s: %w", path, err)
	}
	return db, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(32)
	p.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{engine: Postgres, w: p, r: p, stmts: &stmtCache{}}
	db.batch = newBatcher(db)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	return db, nil
}

// Engine reports which engine the desk runs on.
func (db *DB) Engine() Engine { return db.engine }

// Close closes every connection.
func (db *DB) Close() error {
	db.batch.stop()
	db.stmts.close()
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

func (db *DB) provider() (*goose.Provider, error) {
	dir, dialect := "migrations/sqlite", goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.engine == Postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
		// Several nodes may start at once: one migrates, the others wait.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, db.w, sub, opts...)
}

// Migrate applies every pending migration.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	// Rows written before the search index existed are indexed once (reindex.go).
	return db.reindexIfFlagged(ctx)
}

// Ready reports whether the database answers and has every migration applied.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.r.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	p, err := db.provider()
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if pending {
		return errors.New("store: migrations pending")
	}
	return nil
}

// MigrationVersions lists the migration versions embedded for an engine.
func MigrationVersions(e Engine) ([]string, error) {
	entries, err := fs.ReadDir(migrations, "migrations/"+string(e))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, en := range entries {
		if v, _, ok := strings.Cut(en.Name(), "_"); ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// tx runs fn in a write transaction, committing if it returns nil.
func (db *DB) tx(ctx context.Context, fn func(tx conn) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	c := db.txConn(tx)
	if err := fn(c); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	if len(*c.missing) > 0 {
		db.prepareMissing(ctx, c)
	}
	return nil
}

// isUnique reports whether err is a unique-constraint violation.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// notFound turns sql.ErrNoRows into a NotFound error with the code.
func notFound(err error, code, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Wrap(apperr.NotFound, code, fmt.Errorf("store: %s: %w", what, err))
	}
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

// us converts a time to stored microseconds; the zero time is NULL.
func us(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// tm converts stored microseconds back to a UTC time.
func tm(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

// nullID stores zero ids as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Analyze refreshes the planner's statistics, as after a bulk import. On
// PostgreSQL autovacuum does this in time on its own; right after loading
// many rows the plans are only good once it has run.
func (db *DB) Analyze(ctx context.Context) error {
	q := "ANALYZE"
	if db.engine == SQLite {
		// A bounded analysis: a few hundred rows per index are enough
		// for the planner, and opening a large desk stays fast.
		q = "PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002"
	}
	if _, err := db.w.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("store: analyze: %w", err)
	}
	return nil
}
