package report

import (
	"context"
	"fmt"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/sla"
)

// Policies gives the SLA policy whose first-response target staffing aims at.
type Policies interface {
	ForPriority(ctx context.Context, priority string) (sla.Policy, sla.Calendar, error)
}

// StaffingInput are the assumptions of a staffing estimate.
type StaffingInput struct {
	// AHT is the average handling time of a ticket (default 20 minutes).
	AHT time.Duration
	// Share is the service level aimed at: the share of tickets answered
	// within the first-response target (default 0.8).
	Share float64
	// Priority selects the policy whose first-response target is the
	// wait allowed (default P2).
	Priority string
}

// StaffingHour is one hour of the day, averaged over the period's days.
type StaffingHour struct {
	Hour int
	// Arrivals per hour and staff on duty (distinct staff who acted on a
	// ticket in that hour), averaged over the days of the period.
	Arrivals, OnDuty float64
	// Needed is Erlang C's estimate of agents for the service level.
	Needed int
}

// Staffing is arrivals by hour against agents on duty, with the Erlang C
// estimate and the assumptions it was made under.
type Staffing struct {
	StaffingInput
	// Wait is the first-response target of the policy.
	Wait  time.Duration
	Days  int
	Hours [24]StaffingHour
}

// MaxStaffingDays bounds the period of a staffing estimate.
const MaxStaffingDays = 31

// Staffing estimates agents needed per hour of the day.
func (s *Service) Staffing(ctx context.Context, by identity.Actor, q Query, in StaffingInput) (Staffing, error) {
	if err := s.allowed(by); err != nil {
		return Staffing{}, err
	}
	if in.AHT == 0 {
		in.AHT = 20 * time.Minute
	}
	if in.Share == 0 {
		in.Share = 0.8
	}
	if in.Priority == "" {
		in.Priority = "P2"
	}
	var m apperr.Multi
	if in.AHT < time.Minute || in.AHT > 24*time.Hour {
		m.Add(apperr.FieldError("report.aht_invalid", "aht_minutes", map[string]any{"min": 1, "max": 1440}))
	}
	if in.Share <= 0 || in.Share >= 1 {
		m.Add(apperr.FieldError("report.share_invalid", "service_level", nil))
	}
	if indexOf(Priorities, in.Priority) == 0 {
		m.Add(apperr.FieldError("report.priority_invalid", "priority", map[string]any{"value": in.Priority}))
	}
	from, to := q.Days()
	days := int(to - from)
	if days > MaxStaffingDays {
		m.Add(apperr.FieldError("report.staffing_period_too_long", "to", map[string]any{"max": MaxStaffingDays}))
	}
	if err := m.Err(); err != nil {
		return Staffing{}, err
	}
	p, _, err := s.d.Policies.ForPriority(ctx, in.Priority)
	if err != nil {
		return Staffing{}, err
	}
	out := Staffing{StaffingInput: in, Wait: p.FirstResponse, Days: days}
	cells, err := s.d.Store.Cells(ctx, from, to, q.Filter)
	if err != nil {
		return out, err
	}
	duty, err := s.d.Ops.OnDuty(ctx, q.From, q.To, s.loc)
	if err != nil {
		return out, err
	}
	for h := range 24 {
		var n int64
		for _, c := range cells {
			n += c.Created[h]
		}
		hr := StaffingHour{Hour: h, Arrivals: float64(n) / float64(days), OnDuty: duty[h] / float64(days)}
		hr.Needed = AgentsNeeded(hr.Arrivals, in.AHT, out.Wait, in.Share)
		out.Hours[h] = hr
	}
	return out, nil
}

// Arrivals counts tickets created in the period by weekday (Monday first)
// and hour, for the heat map.
func (s *Service) Arrivals(ctx context.Context, by identity.Actor, q Query) ([7][24]int64, error) {
	var out [7][24]int64
	if err := s.allowed(by); err != nil {
		return out, err
	}
	from, to := q.Days()
	cells, err := s.d.Store.Cells(ctx, from, to, q.Filter)
	if err != nil {
		return out, err
	}
	for d, c := range cells {
		wd := (int(DayDate(d, time.UTC).Weekday()) + 6) % 7
		for h := range 24 {
			out[wd][h] += c.Created[h]
		}
	}
	return out, nil
}

// Weekdays name the rows of the arrivals heat map, Monday first (catalog keys).
var Weekdays = []Label{"report.weekday.mon", "report.weekday.tue", "report.weekday.wed", "report.weekday.thu",
	"report.weekday.fri", "report.weekday.sat", "report.weekday.sun"}

// ArrivalGrid lays out Arrivals' counts as a heat map takes them: a row per
// weekday (as Weekdays), a column per hour named "00" to "23".
func ArrivalGrid(m [7][24]int64) (cols []string, vals [][]float64) {
	vals = make([][]float64, 7)
	for d := range 7 {
		vals[d] = make([]float64, 24)
		for h := range 24 {
			vals[d][h] = float64(m[d][h])
		}
	}
	for h := range 24 {
		cols = append(cols, fmt.Sprintf("%02d", h))
	}
	return cols, vals
}

// Table is the staffing estimate as a table: a row per hour of the day.
func (st Staffing) Table() Table {
	t := Table{Title: "report.staffing", Columns: []Column{{"report.col.hour", Text}, {"report.col.arrivals_per_hour", Number},
		{"report.col.on_duty", Number}, {"report.col.needed", Int}}}
	for _, h := range st.Hours {
		t.Rows = append(t.Rows, []any{fmt.Sprintf("%02d:00", h.Hour), round1(h.Arrivals), round1(h.OnDuty), int64(h.Needed)})
	}
	return t
}

// AssumptionTable states what the staffing estimate assumed, so that an
// exported estimate is never read without them.
func (st Staffing) AssumptionTable() Table {
	return Table{Title: "report.staffing_assumptions", Columns: []Column{{"report.col.assumption", Text}, {"report.col.value", Text}},
		Rows: [][]any{
			{Label("report.assume.model"), Label("report.assume.erlang_c")},
			{Label("report.assume.aht_min"), fmt.Sprint(round1(st.AHT.Minutes()))},
			{Label("report.assume.service_level"), fmt.Sprintf("%g%%", round1(st.Share*100))},
			{Label("report.assume.priority"), st.Priority},
			{Label("report.assume.wait_min"), fmt.Sprint(round1(st.Wait.Minutes()))},
			{Label("report.assume.days"), fmt.Sprint(st.Days)},
		}}
}

// ArrivalTable is Arrivals' counts as a table: a row per weekday (Monday
// first), a column per hour.
func ArrivalTable(m [7][24]int64) Table {
	t := Table{Title: "report.arrivals", Columns: []Column{{"report.col.weekday", Text}}}
	for h := range 24 {
		t.Columns = append(t.Columns, Column{Label(fmt.Sprintf("%02d", h)), Int})
	}
	for d, day := range m {
		row := []any{Weekdays[d]}
		for _, n := range day {
			row = append(row, n)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
