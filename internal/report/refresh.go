package report

import (
	"context"
	"fmt"
	"helpdesk/internal/sla"
)

// Mark says a ticket changed at a version and its fact must be computed again.
type Mark struct {
	TicketID int64
	Version  int
}

// RefreshStore keeps the facts and rollups up to date.
type RefreshStore interface {
	// Marked returns up to limit changed tickets.
	Marked(ctx context.Context, limit int) ([]Mark, error)
	// Sources loads the tickets with their history, ratings and follow-ups
	// (without calendars); tickets that no longer exist are left out.
	Sources(ctx context.Context, ids []int64) ([]Source, error)
	// SaveFacts replaces the facts of the marked tickets, moves the
	// rollups by the difference, and clears the marks that are unchanged
	// since they were read, all in one transaction.
	SaveFacts(ctx context.Context, facts []Fact, marks []Mark) error
}

// RefreshBatch is how many changed tickets one transaction takes up.
const RefreshBatch = 500

// Refresh computes the facts of every ticket marked as changed and folds
// them into the rollups, batch by batch, until no mark is left or maxRounds
// batches ran. It returns how many tickets it took up. Safe to repeat: a
// mark is cleared only with the fact of the version it named.
func (s *Service) Refresh(ctx context.Context, maxRounds int) (int, error) {
	n := 0
	cals := map[string]*calEntry{}
	for range maxRounds {
		marks, err := s.d.Refresh.Marked(ctx, RefreshBatch)
		if err != nil || len(marks) == 0 {
			return n, err
		}
		ids := make([]int64, len(marks))
		for i, m := range marks {
			ids[i] = m.TicketID
		}
		srcs, err := s.d.Refresh.Sources(ctx, ids)
		if err != nil {
			return n, err
		}
		facts := make([]Fact, 0, len(srcs))
		for _, src := range srcs {
			if key := src.Ticket.SLA.Calendar; key != "" && s.d.Calendars != nil {
				e := cals[key]
				if e == nil {
					c, err := s.d.Calendars.CalendarByKey(ctx, key)
					e = &calEntry{}
					if err == nil {
						e.cal = &c
					}
					cals[key] = e
				}
				src.Calendar = e.cal
			}
			facts = append(facts, NewFact(src, s.loc))
		}
		if err := s.d.Refresh.SaveFacts(ctx, facts, marks); err != nil {
			return n, fmt.Errorf("report: refresh: %w", err)
		}
		n += len(marks)
		if len(marks) < RefreshBatch {
			return n, nil
		}
	}
	return n, nil
}

type calEntry struct{ cal *sla.Calendar }
