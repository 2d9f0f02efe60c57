package ticket

// Announcer turns a ticket change into durable jobs — the outbound
// notifications (email, SMS, IM, webhooks) — that the store writes in the
// change's own transaction, like every other timer: a change and its
// announcement commit or roll back together (outbox), and the job key makes
// a retried announcement a no-op. The mail engineer's notify package
// implements it; the ticket package only calls it.
//
// Announce is called with the ticket before the change (zero for a new
// ticket) and the change about to be written (c.Ticket is the new state,
// with its version still the old one for an update). It must not do I/O:
// the jobs it returns do the work.
type Announcer interface {
	Announce(before Ticket, c Change) []Timer
}

// announce appends the announcement of an update to the change.
func (s *Service) announce(before Ticket, c *Change) {
	if s.announcer != nil {
		c.Timers = append(c.Timers, s.announcer.Announce(before, *c)...)
	}
}

// announceCreation returns the timers of a new ticket, its announcement
// included; the store calls it once the ticket has its id and number.
func (s *Service) announceCreation(events []Event) func(t Ticket) []Timer {
	return func(t Ticket) []Timer {
		timers := s.creationTimers(t)
		if s.announcer != nil {
			timers = append(timers, s.announcer.Announce(Ticket{}, Change{Ticket: t, Events: events})...)
		}
		return timers
	}
}
