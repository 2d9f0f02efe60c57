package report

import (
	"helpdesk/internal/sla"
)

// Label is a catalog key in a table (a header or a row name); the edge
// translates it.
type Label string

// Kind says how a column's values read.
type Kind int

// The column kinds.
const (
	Text    Kind = iota // a string or a Label
	Int                 // int64
	Minutes             // float64 minutes
	Percent             // float64 percent (0–100); nil when undefined
	Time                // time.Time
	Number              // float64, a figure that is not a duration or rate
)

// Column is one column of a table.
type Column struct {
	Label Label
	Kind  Kind
}

// Table is a report as rows: what exports write and charts' data tables show.
type Table struct {
	Title   Label
	Columns []Column
	// Rows hold string, Label, int64, float64, time.Time or nil (no value).
	Rows [][]any
}

func pct(r Rate) any {
	if v, ok := r.Value(); ok {
		return round1(v * 100)
	}
	return nil
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }

func minutes(secs float64) float64 { return round1(secs / 60) }

// Table is the volume report as a table.
func (v Volume) Table() Table {
	t := Table{Title: "report.volume", Columns: []Column{{"report.col.start", Time}, {"report.col.created", Int},
		{"report.col.resolved", Int}, {"report.col.closed", Int}, {"report.col.reopened", Int}, {"report.col.open", Int}}}
	for _, p := range v.Points {
		t.Rows = append(t.Rows, []any{p.Start, p.Created, p.Resolved, p.Closed, p.Reopened, p.Open})
	}
	return t
}

// Table is the time report as a table.
func (x Times) Table() Table {
	t := Table{Title: "report.times", Columns: []Column{{"report.col.measure", Text}, {"report.col.count", Int},
		{"report.col.avg_min", Minutes}, {"report.col.median_min", Minutes}, {"report.col.p90_min", Minutes}}}
	for _, r := range []struct {
		l Label
		s Stat
	}{{"report.row.first_response_cal", x.FirstResponseCal}, {"report.row.first_response_work", x.FirstResponseWork},
		{"report.row.resolution_cal", x.ResolutionCal}, {"report.row.resolution_work", x.ResolutionWork}} {
		t.Rows = append(t.Rows, []any{r.l, r.s.N, minutes(r.s.Avg), minutes(r.s.Median), minutes(r.s.P90)})
	}
	return t
}

// Table is the SLA compliance as a table.
func (s SLA) Table() Table {
	t := Table{Title: "report.sla", Columns: []Column{{"report.col.target", Text}, {"report.col.met", Int},
		{"report.col.breached", Int}, {"report.col.pending", Int}, {"report.col.compliance", Percent}}}
	for _, r := range []struct {
		k sla.Kind
		c Compliance
	}{{sla.Acknowledge, s.Acknowledge}, {sla.FirstResponse, s.FirstResponse}, {sla.Resolution, s.Resolution}} {
		t.Rows = append(t.Rows, []any{Label("report.target." + string(r.k)), r.c.Met, r.c.Breached, r.c.Pending, pct(r.c.Rate)})
	}
	return t
}

// BreachTable is the breach list as a table.
func (s SLA) BreachTable() Table {
	t := Table{Title: "report.breaches", Columns: []Column{{"report.col.number", Text}, {"report.col.priority", Text},
		{"report.col.created_at", Time}, {"report.col.target", Text}, {"report.col.breached_at", Time}, {"report.col.cause", Text}}}
	for _, b := range s.Breaches {
		t.Rows = append(t.Rows, []any{b.Number, b.Priority, b.CreatedAt, Label("report.target." + string(b.Kind)), b.At,
			Label("report.cause." + b.Cause)})
	}
	return t
}

// Table is the rates report as a table.
func (r Rates) Table() Table {
	t := Table{Title: "report.rates", Columns: []Column{{"report.col.measure", Text}, {"report.col.numerator", Int},
		{"report.col.denominator", Int}, {"report.col.rate", Percent}}}
	rows := []struct {
		l Label
		r Rate
	}{{"report.row.resolution_rate", r.Resolution}, {"report.row.first_contact_rate", r.FirstContact},
		{"report.row.reopen_rate", r.Reopen}, {"report.row.escalation_rate", r.Escalation}}
	for _, x := range rows {
		t.Rows = append(t.Rows, []any{x.l, x.r.Num, x.r.Den, pct(x.r)})
	}
	if r.DeflectionAvailable {
		t.Rows = append(t.Rows, []any{Label("report.row.deflection_rate"), r.Deflection.Num, r.Deflection.Den, pct(r.Deflection)})
	} else {
		// Under a filter deflections cannot answer for (group, agent, …).
		t.Rows = append(t.Rows, []any{Label("report.row.deflection_unavailable"), nil, nil, nil})
	}
	return t
}

// Table is the satisfaction report as a table.
func (s Satisfaction) Table() Table {
	t := Table{Title: "report.satisfaction", Columns: []Column{{"report.col.measure", Text}, {"report.col.count", Int},
		{"report.col.rate", Percent}}}
	n := s.Ratings[0] + s.Ratings[1] + s.Ratings[2] + s.Ratings[3]
	for i, k := range []Label{"report.score.very_satisfied", "report.score.satisfied", "report.score.neutral", "report.score.dissatisfied"} {
		t.Rows = append(t.Rows, []any{k, s.Ratings[i], pct(Rate{s.Ratings[i], n})})
	}
	t.Rows = append(t.Rows, []any{Label("report.row.csat"), s.CSAT.Num, pct(s.CSAT)},
		[]any{Label("report.row.response_rate"), s.Response.Num, pct(s.Response)},
		[]any{Label("report.row.followups_on_time"), s.FollowupsOnTime.Num, pct(s.FollowupsOnTime)})
	return t
}

// TeamTable is the per-agent or per-group report as a table.
func TeamTable(dim Dim, ms []Member) Table {
	t := Table{Title: Label("report.team." + string(dim)), Columns: []Column{{Label("report.col." + string(dim)), Text},
		{"report.col.handled", Int}, {"report.col.open", Int}, {"report.col.aht_min", Minutes}, {"report.col.csat", Percent},
		{"report.col.ratings", Int}}}
	for _, m := range ms {
		t.Rows = append(t.Rows, []any{m.Name, m.Handled, m.Open, minutes(m.HandlingWork.Avg), pct(m.CSAT), m.Ratings})
	}
	return t
}
