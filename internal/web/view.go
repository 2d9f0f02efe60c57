package web

import (
	"slices"

	"helpdesk/internal/i18n"
	"time"

	"helpdesk/internal/sla"
	"helpdesk/internal/ticket"
)

// clockView is one SLA clock as a person reads it.
type clockView struct {
	Kind  string
	Label string
	Text  string
	// Class is sla-ok, sla-warn or sla-bad.
	Class string
	Due   time.Time
	// Seconds is the working time left (negative when overdue), for the
	// page script's countdown; Running says whether it counts at all.
	Seconds int64
	Running bool
}

// warnWithin is the remaining working time under which a clock shows as close.
const warnWithin = time.Hour

// Clocks lists a ticket's SLA clocks (acknowledge only for staff).
func (p *page) Clocks(t ticket.Ticket) []clockView {
	var out []clockView
	for _, k := range sla.Kinds {
		if k == sla.Acknowledge && (p.Actor == nil || !p.Actor.Role.Staff()) {
			continue
		}
		if c, ok := p.clock(t, k); ok {
			out = append(out, c)
		}
	}
	return out
}

func (p *page) clock(t ticket.Ticket, k sla.Kind) (clockView, bool) {
	st := t.SLAStatus
	if st == nil {
		return clockView{}, false
	}
	c := clockView{Kind: string(k), Label: p.T("sla.kind_" + string(k)), Class: "sla-ok"}
	breached := slices.Contains(st.Breached, k)
	switch {
	case slices.Contains(st.Met, k):
		c.Text = p.T("web.sla.met")
		if breached {
			c.Text, c.Class = p.T("web.sla.met_late"), "sla-bad"
		}
	case slices.Contains(st.Paused, k):
		c.Text = p.T("web.sla.paused")
	default:
		left, ok := st.Remaining[k]
		if !ok {
			return clockView{}, false
		}
		c.Running, c.Seconds, c.Due = true, int64(left/time.Second), st.Due[k]
		switch {
		case left < 0 || breached:
			c.Text, c.Class = p.T("web.sla.overdue", "d", p.Dur(left)), "sla-bad"
		case left < warnWithin:
			c.Text, c.Class = p.T("web.sla.left", "d", p.Dur(left)), "sla-warn"
		default:
			c.Text = p.T("web.sla.left", "d", p.Dur(left))
		}
	}
	return c, true
}

// Promise is the one clock a ticket list shows: the first response while
// it runs, then the resolution.
func (p *page) Promise(t ticket.Ticket) *clockView {
	if !t.Status.Open() && t.Status != ticket.StatusAwaitingConfirmation {
		return nil
	}
	for _, k := range []sla.Kind{sla.FirstResponse, sla.Resolution} {
		if c, ok := p.clock(t, k); ok && (c.Running || k == sla.Resolution) {
			return &c
		}
	}
	return nil
}

// StatusLabel is a status's name in the page's language.
func (p *page) StatusLabel(s ticket.Status) string { return p.T("status." + string(s)) }

// PriorityLabel is a priority's name in the page's language.
func (p *page) PriorityLabel(pr ticket.Priority) string { return p.T("web.priority." + string(pr)) }

// categoryNames maps category keys to their names in the page's language.
func categoryNames(p *page, cats []ticket.Category) map[string]string {
	m := make(map[string]string, len(cats))
	for _, c := range cats {
		m[c.Key] = p.Pick(c.NameZH, c.NameEN)
	}
	return m
}

// EventText describes a history event ("status: 待处理 → 处理中").
func (p *page) EventText(e ticket.Event) string {
	label := p.T("web.event." + string(e.Kind))
	from, to := e.From, e.To
	if e.Kind == ticket.EventCreated {
		return label
	}
	if e.Kind == ticket.EventField && i18n.Has(p.Lang, "web.field."+e.Field) {
		label = p.T("web.field." + e.Field)
	}
	switch e.Field {
	case "status":
		from, to = p.statusOrEmpty(from), p.statusOrEmpty(to)
	}
	switch {
	case from != "" && to != "":
		return label + p.sep() + from + " → " + to
	case to != "":
		return label + p.sep() + to
	case from != "":
		return label + p.sep() + from + " → —"
	}
	return label
}

func (p *page) statusOrEmpty(s string) string {
	if s == "" {
		return ""
	}
	return p.StatusLabel(ticket.Status(s))
}

func (p *page) sep() string {
	if p.IsZH() {
		return "："
	}
	return ": "
}
