package app

import (
	"context"
	"time"

	"helpdesk/internal/ticket"
)

// wakingStore wakes the live pages after every ticket write on SQLite,
// where one process holds the database and no NOTIFY exists.
type wakingStore struct {
	ticket.Store
	wake func()
}

func (s wakingStore) CreateTicket(ctx context.Context, rec ticket.NewRecord) (ticket.Ticket, bool, error) {
	t, replayed, err := s.Store.CreateTicket(ctx, rec)
	if err == nil {
		s.wake()
	}
	return t, replayed, err
}

func (s wakingStore) ApplyChange(ctx context.Context, c ticket.Change) (ticket.Ticket, error) {
	t, err := s.Store.ApplyChange(ctx, c)
	if err == nil {
		s.wake()
	}
	return t, err
}

// StartLive runs the live feed's background work until ctx ends: the
// PostgreSQL LISTEN loop (reconnecting) and the pruning of stale presence
// heartbeats. The returned channel closes when it has stopped.
func (a *App) StartLive(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		listened := make(chan struct{})
		go func() {
			defer close(listened)
			a.Live.Listen(ctx, func(ctx context.Context, wake func()) error {
				return a.DB.Listen(ctx, a.Config.DatabaseURL, wake)
			}, func(err error) { a.Log.Warn("live: listen", "err", err) })
		}()
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				<-listened
				return
			case now := <-t.C:
				if err := a.Live.Store().PrunePresence(ctx, now.Add(-10*time.Minute)); err != nil && ctx.Err() == nil {
					a.Log.Warn("live: prune presence", "err", err)
				}
			}
		}
	}()
	return done
}
