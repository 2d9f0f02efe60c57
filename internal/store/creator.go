package store

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"helpdesk/internal/ticket"
)

// creator commits concurrent ticket creations together ("group commit").
//
// Creating a ticket writes a handful of rows whose pages (the counter, the
// right edge of each index) are the same for every new ticket. Committed
// one by one, each creation rewrites those pages to the WAL and the single
// SQLite writer becomes the ceiling; committed together, N creations cost
// little more than one. While one batch commits, the next one gathers.
// Each creation runs in its own savepoint, so one failing creation rolls
// back alone (giving its number back) and the others still commit.
type creator struct {
	db   *DB
	reqs chan *createReq
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
	shut sync.Once
}

type createReq struct {
	ctx  context.Context
	rec  ticket.NewRecord
	done chan createRes
}

type createRes struct {
	t   ticket.Ticket
	err error
}

// maxBatch bounds how many creations share a transaction, so one commit
// never holds the writer long.
const maxBatch = 128

func newCreator(db *DB) *creator {
	return &creator{db: db, reqs: make(chan *createReq), quit: make(chan struct{})}
}

// errClosed is returned for creations after Close.
var errClosed = errors.New("store: closed")

func (c *creator) start() {
	c.once.Do(func() {
		c.wg.Add(1)
		go c.loop()
	})
}

// stop ends the loop after the batch in progress; it is safe to call twice.
func (c *creator) stop() {
	c.shut.Do(func() {
		close(c.quit)
		c.wg.Wait()
	})
}

// create queues one creation and waits for its outcome.
func (c *creator) create(ctx context.Context, rec ticket.NewRecord) (ticket.Ticket, error) {
	c.start()
	req := &createReq{ctx: ctx, rec: rec, done: make(chan createRes, 1)}
	select {
	case c.reqs <- req:
	case <-c.quit:
		return ticket.Ticket{}, errClosed
	case <-ctx.Done():
		return ticket.Ticket{}, ctx.Err()
	}
	// Once queued, wait for the outcome even if ctx ends: the creation may
	// be committing, and the caller must learn whether it happened.
	res := <-req.done
	return res.t, res.err
}

func (c *creator) loop() {
	defer c.wg.Done()
	batch := make([]*createReq, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case r := <-c.reqs:
			batch = append(batch, r)
		case <-c.quit:
			return
		}
	gather:
		for len(batch) < maxBatch {
			select {
			case r := <-c.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		c.commit(batch)
	}
}

// commit runs a batch in one transaction, each creation in a savepoint.
func (c *creator) commit(batch []*createReq) {
	results := make([]createRes, len(batch))
	ctx := context.Background() // the batch outlives any one caller
	err := c.db.tx(ctx, func(tx conn) error {
		for i, r := range batch {
			if err := r.ctx.Err(); err != nil {
				results[i].err = err
				continue
			}
			if _, err := tx.ExecContext(ctx, `SAVEPOINT create_ticket`); err != nil {
				return fmt.Errorf("store: savepoint: %w", err)
			}
			t, err := insertTicket(ctx, tx, r.rec)
			if err != nil {
				results[i].err = err
				if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT create_ticket`); rerr != nil {
					return fmt.Errorf("store: rollback to savepoint: %w", rerr)
				}
			} else {
				results[i].t = t
			}
			if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT create_ticket`); err != nil {
				return fmt.Errorf("store: release savepoint: %w", err)
			}
		}
		return nil
	})
	for i, r := range batch {
		res := results[i]
		if err != nil {
			res = createRes{err: err}
		}
		r.done <- res
	}
}
