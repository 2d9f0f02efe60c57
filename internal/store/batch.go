package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// batcher commits concurrent writes together ("group commit").
//
// A ticket write touches a handful of pages that are the same for every
// write (the day's counter, the right edge of each index, the jobs table).
// Committed one by one, each write rewrites those pages to the WAL and the
// single SQLite writer becomes the ceiling; committed together, N writes
// cost little more than one. While one batch commits, the next gathers.
// Each write runs in its own savepoint, so one that fails (a version
// conflict, a lost idempotency race) rolls back alone — giving back a
// ticket number it took — and the others still commit.
//
// Ticket creations are batched on both engines: they all lock the same
// counter row, so a batch holds no lock another batch could wait for in a
// different order. Other ticket changes are batched on SQLite only: on
// PostgreSQL they run concurrently on their own connections, and a batch
// locking several tickets could deadlock with another node's.
type batcher struct {
	db   *DB
	reqs chan *batchReq
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
	shut sync.Once
}

type batchReq struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx conn) error
	done chan error
}

// maxBatch bounds how many writes share a transaction, so one commit never
// holds the writer long.
const maxBatch = 128

func newBatcher(db *DB) *batcher {
	return &batcher{db: db, reqs: make(chan *batchReq), quit: make(chan struct{})}
}

// errClosed is returned for writes after Close.
var errClosed = errors.New("store: closed")

func (b *batcher) start() {
	b.once.Do(func() {
		b.wg.Add(1)
		go b.loop()
	})
}

// stop ends the loop after the batch in progress; it is safe to call twice.
func (b *batcher) stop() {
	b.shut.Do(func() {
		close(b.quit)
		b.wg.Wait()
	})
}

// do runs fn in a shared transaction and returns its outcome once the
// transaction committed (or failed). fn gets ctx without its cancellation:
// interrupting a statement can roll back the whole SQLite transaction, and
// with it the other writes of the batch, so a write that has started runs
// to its end.
func (b *batcher) do(ctx context.Context, fn func(ctx context.Context, tx conn) error) error {
	b.start()
	req := &batchReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case b.reqs <- req:
	case <-b.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, wait for the outcome even if ctx ends: the write may be
	// committing, and the caller must learn whether it happened.
	return <-req.done
}

func (b *batcher) loop() {
	defer b.wg.Done()
	batch := make([]*batchReq, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case r := <-b.reqs:
			batch = append(batch, r)
		case <-b.quit:
			return
		}
	gather:
		for len(batch) < maxBatch {
			select {
			case r := <-b.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		b.commit(batch)
	}
}

// commit runs a batch in one transaction, each write in a savepoint.
func (b *batcher) commit(batch []*batchReq) {
	results := make([]error, len(batch))
	ctx := context.Background() // the batch outlives any one caller
	err := b.db.tx(ctx, func(tx conn) error {
		for i, r := range batch {
			if err := r.ctx.Err(); err != nil {
				results[i] = err
				continue
			}
			if _, err := tx.ExecContext(ctx, `SAVEPOINT batch_item`); err != nil {
				return fmt.Errorf("store: savepoint: %w", err)
			}
			if err := r.fn(context.WithoutCancel(r.ctx), tx); err != nil {
				results[i] = err
				if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT batch_item`); rerr != nil {
					return fmt.Errorf("store: rollback to savepoint: %w", rerr)
				}
			}
			if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT batch_item`); err != nil {
				return fmt.Errorf("store: release savepoint: %w", err)
			}
		}
		return nil
	})
	for i, r := range batch {
		if err != nil {
			results[i] = err
		}
		r.done <- results[i]
	}
}

// change runs fn in a transaction: batched with concurrent writes on
// SQLite, on its own on PostgreSQL.
func (db *DB) change(ctx context.Context, fn func(ctx context.Context, tx conn) error) error {
	if db.engine == SQLite {
		return db.batch.do(ctx, fn)
	}
	return db.tx(ctx, func(tx conn) error { return fn(ctx, tx) })
}
