package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"helpdesk/internal/identity"
	"helpdesk/internal/report"
	"helpdesk/internal/report/chart"
)

// reportView is one report as the page shows it: headline figures, charts
// each with its data table, and tables of their own (the breach list, the
// team). Labels are translated here; the figures are the service's.
type reportView struct {
	Cards   []statCard
	Figures []figure
	Tables  []dataTable
	// Notes state assumptions (staffing) or limits (the breach list cut).
	Notes []string
}

// statCard is one big number.
type statCard struct {
	Label, Value, Hint string
	// Tone colours the number: "", "ok", "warn", "bad".
	Tone string
}

// figure is a chart and the table of its data.
type figure struct {
	SVG   template.HTML
	Table dataTable
	// Empty says every value is zero (the page says so above the chart).
	Empty bool
}

// dataTable is a table ready to show: every cell already text.
type dataTable struct {
	Caption string
	Headers []string
	// Num marks the columns of numbers (right-aligned).
	Num  []bool
	Rows [][]string
	// Link is the column holding ticket numbers to link (-1: none).
	Link int
}

// IsNum reports whether column i holds numbers.
func (t dataTable) IsNum(i int) bool { return i < len(t.Num) && t.Num[i] }

// IsLink reports whether column i holds ticket numbers.
func (t dataTable) IsLink(i int) bool { return i == t.Link }

func fromChartTable(t chart.Table) dataTable {
	d := dataTable{Caption: t.Caption, Headers: t.Headers, Rows: t.Rows, Link: -1}
	for i := range t.Headers {
		d.Num = append(d.Num, i > 0)
	}
	return d
}

// fromReportTable translates a report table (the one exports write).
func fromReportTable(p *page, t report.Table) dataTable {
	d := dataTable{Caption: p.T(string(t.Title)), Link: -1}
	for i, c := range t.Columns {
		d.Headers = append(d.Headers, p.T(string(c.Label)))
		d.Num = append(d.Num, c.Kind != report.Text && c.Kind != report.Time)
		if c.Label == "report.col.number" {
			d.Link = i
		}
	}
	for _, row := range t.Rows {
		var out []string
		for _, v := range row {
			out = append(out, cellText(p, v))
		}
		d.Rows = append(d.Rows, out)
	}
	return d
}

func cellText(p *page, v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case report.Label:
		return p.T(string(x))
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', 1, 64)
	case time.Time:
		return p.Date(x)
	}
	return fmt.Sprint(v)
}

// pctText is a rate as "87.5%", or "—" when undefined.
func pctText(r report.Rate) string {
	v, ok := r.Value()
	if !ok {
		return "—"
	}
	return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
}

func pctValue(r report.Rate) float64 {
	v, _ := r.Value()
	return float64(int64(v*1000+0.5)) / 10
}

// newFigure draws a chart with draw and pairs it with its data table.
func newFigure(c chart.Chart, xHeader string, draw func(chart.Chart) string) figure {
	// Drawn at 760 × 320: scaled to the card on a desktop, at its own size
	// (scrolling sideways in its card) on a phone, so labels stay readable.
	c.Width, c.Height = 760, 320
	empty := true
	for _, s := range c.Series {
		for _, v := range s.Values {
			empty = empty && v == 0
		}
	}
	return figure{SVG: template.HTML(draw(c)), Table: fromChartTable(c.Table(xHeader)), Empty: empty}
}

// reportView computes the chosen report and builds its view.
// names maps "agent:<login>" and "group:<key>" to display names.
func (w *Web) reportView(r *http.Request, p *page, by identity.Actor, f reportForm, q report.Query, names map[string]string) (*reportView, error) {
	ctx := r.Context()
	s := w.d.Reports
	v := &reportView{}
	desc := p.T("web.report.chart_desc", "from", f.From, "to", f.To)
	switch f.Report {
	case "volume":
		x, err := s.Volume(ctx, by, q)
		if err != nil {
			return nil, err
		}
		v.Cards = []statCard{{Label: p.T("report.col.created"), Value: n64(x.Created)},
			{Label: p.T("report.col.resolved"), Value: n64(x.Resolved)}, {Label: p.T("report.col.reopened"), Value: n64(x.Reopened)},
			{Label: p.T("web.report.backlog"), Value: n64(x.OpenAtEnd), Hint: p.T("web.report.backlog_from", "n", x.OpenAtStart)}}
		var labels []string
		flow := make([]chart.Series, 4)
		for i, k := range []string{"report.col.created", "report.col.resolved", "report.col.closed", "report.col.reopened"} {
			flow[i].Name = p.T(k)
		}
		backlog := chart.Series{Name: p.T("web.report.backlog")}
		for _, pt := range x.Points {
			labels = append(labels, pointLabel(pt.Start.In(s.Location()), q.Interval))
			for i, n := range []int64{pt.Created, pt.Resolved, pt.Closed, pt.Reopened} {
				flow[i].Values = append(flow[i].Values, float64(n))
			}
			backlog.Values = append(backlog.Values, float64(pt.Open))
		}
		xh := p.T("report.col.start")
		v.Figures = append(v.Figures,
			newFigure(chart.Chart{ID: "volume-flow", Title: p.T("web.report.chart.flow"), Desc: desc, X: labels, Series: flow}, xh, chart.Line),
			newFigure(chart.Chart{ID: "volume-backlog", Title: p.T("web.report.chart.backlog"), Desc: desc, X: labels,
				Series: []chart.Series{backlog}}, xh, chart.Bars))
	case "times":
		x, err := s.Times(ctx, by, q)
		if err != nil {
			return nil, err
		}
		v.Cards = []statCard{
			{Label: p.T("web.report.median_first_response"), Value: durText(p, x.FirstResponseWork.N, x.FirstResponseWork.Median), Hint: p.T("web.report.working_time")},
			{Label: p.T("web.report.p90_first_response"), Value: durText(p, x.FirstResponseWork.N, x.FirstResponseWork.P90), Hint: p.T("web.report.working_time")},
			{Label: p.T("web.report.median_resolution"), Value: durText(p, x.ResolutionWork.N, x.ResolutionWork.Median), Hint: p.T("web.report.working_time")},
			{Label: p.T("web.report.resolved_count"), Value: n64(x.ResolutionCal.N)}}
		kinds := []string{p.T("web.report.calendar"), p.T("web.report.working")}
		stat := func(unit float64, a, b report.Stat) []chart.Series {
			out := make([]chart.Series, 3)
			for i, k := range []string{"web.report.avg", "web.report.median", "web.report.p90"} {
				out[i].Name = p.T(k)
			}
			for _, st := range []report.Stat{a, b} {
				for i, val := range []float64{st.Avg, st.Median, st.P90} {
					out[i].Values = append(out[i].Values, round1(val/unit))
				}
			}
			return out
		}
		v.Figures = append(v.Figures,
			newFigure(chart.Chart{ID: "times-fr", Title: p.T("web.report.chart.first_response"), Desc: desc, X: kinds,
				Series: stat(60, x.FirstResponseCal, x.FirstResponseWork), Unit: p.T("web.report.unit_min")}, p.T("report.col.measure"), chart.Bars),
			newFigure(chart.Chart{ID: "times-res", Title: p.T("web.report.chart.resolution"), Desc: desc, X: kinds,
				Series: stat(3600, x.ResolutionCal, x.ResolutionWork), Unit: p.T("web.report.unit_h")}, p.T("report.col.measure"), chart.Bars))
		v.Tables = append(v.Tables, fromReportTable(p, x.Table()))
	case "sla":
		x, err := s.SLA(ctx, by, q)
		if err != nil {
			return nil, err
		}
		targets := []string{p.T("report.target.acknowledge"), p.T("report.target.first_response"), p.T("report.target.resolution")}
		series := []chart.Series{{Name: p.T("report.col.met")}, {Name: p.T("report.col.breached")}, {Name: p.T("report.col.pending")}}
		for i, c := range []report.Compliance{x.Acknowledge, x.FirstResponse, x.Resolution} {
			v.Cards = append(v.Cards, statCard{Label: targets[i], Value: pctText(c.Rate), Tone: complianceTone(c.Rate),
				Hint: p.T("web.report.met_of", "met", c.Met, "n", c.Met+c.Breached)})
			for j, n := range []int64{c.Met, c.Breached, c.Pending} {
				series[j].Values = append(series[j].Values, float64(n))
			}
		}
		v.Figures = append(v.Figures, newFigure(chart.Chart{ID: "sla", Title: p.T("web.report.chart.sla"), Desc: desc, X: targets,
			Series: series}, p.T("report.col.target"), chart.StackedBars))
		v.Tables = append(v.Tables, fromReportTable(p, x.BreachTable()))
		if x.More {
			v.Notes = append(v.Notes, p.T("web.report.breaches_cut", "n", report.MaxBreaches))
		}
	case "rates":
		x, err := s.Rates(ctx, by, q)
		if err != nil {
			return nil, err
		}
		rates := []struct {
			k string
			r report.Rate
		}{{"report.row.resolution_rate", x.Resolution}, {"report.row.first_contact_rate", x.FirstContact},
			{"report.row.reopen_rate", x.Reopen}, {"report.row.escalation_rate", x.Escalation}}
		var names []string
		ser := chart.Series{Name: p.T("report.col.rate")}
		for _, rt := range rates {
			v.Cards = append(v.Cards, statCard{Label: p.T(rt.k), Value: pctText(rt.r), Hint: p.T("web.report.of", "num", rt.r.Num, "den", rt.r.Den)})
			names = append(names, p.T(rt.k))
			ser.Values = append(ser.Values, pctValue(rt.r))
		}
		dfl := statCard{Label: p.T("web.report.deflection"), Value: "—", Hint: p.T("web.report.not_available")}
		if x.DeflectionAvailable {
			dfl.Value, dfl.Hint = pctText(x.Deflection), p.T("web.report.of", "num", x.Deflection.Num, "den", x.Deflection.Den)
		}
		v.Cards = append(v.Cards, dfl)
		v.Figures = append(v.Figures, newFigure(chart.Chart{ID: "rates", Title: p.T("web.report.chart.rates"), Desc: desc, X: names,
			Series: []chart.Series{ser}, Unit: "%"}, p.T("report.col.measure"), chart.Bars))
	case "satisfaction":
		x, err := s.Satisfaction(ctx, by, q)
		if err != nil {
			return nil, err
		}
		v.Cards = []statCard{{Label: "CSAT", Value: pctText(x.CSAT), Tone: complianceTone(x.CSAT), Hint: p.T("web.report.of", "num", x.CSAT.Num, "den", x.CSAT.Den)},
			{Label: p.T("report.row.response_rate"), Value: pctText(x.Response), Hint: p.T("web.report.of", "num", x.Response.Num, "den", x.Response.Den)},
			{Label: p.T("report.row.followups_on_time"), Value: pctText(x.FollowupsOnTime), Hint: p.T("web.report.followups_late", "n", x.FollowupsLate)}}
		var scores []string
		ser := chart.Series{Name: p.T("report.col.ratings")}
		for i, k := range []string{"very_satisfied", "satisfied", "neutral", "dissatisfied"} {
			scores = append(scores, p.T("report.score."+k))
			ser.Values = append(ser.Values, float64(x.Ratings[i]))
		}
		v.Figures = append(v.Figures, newFigure(chart.Chart{ID: "satisfaction", Title: p.T("web.report.chart.satisfaction"), Desc: desc,
			X: scores, Series: []chart.Series{ser}}, p.T("web.report.score"), chart.Bars))
	case "agents", "groups":
		dim := report.DimAgent
		if f.Report == "groups" {
			dim = report.DimGroup
		}
		ms, err := s.Team(ctx, by, q, dim)
		if err != nil {
			return nil, err
		}
		for i, m := range ms {
			if n, ok := names[string(dim)+":"+m.Name]; ok {
				ms[i].Name = n
			}
		}
		var labels []string
		series := []chart.Series{{Name: p.T("report.col.handled")}, {Name: p.T("report.col.open")}}
		for i, m := range ms {
			if i == 12 {
				break // the chart names the first 12; the table has everyone
			}
			labels = append(labels, m.Name)
			series[0].Values = append(series[0].Values, float64(m.Handled))
			series[1].Values = append(series[1].Values, float64(m.Open))
		}
		v.Figures = append(v.Figures, newFigure(chart.Chart{ID: f.Report, Title: p.T("web.report.chart." + f.Report), Desc: desc,
			X: labels, Series: series}, p.T("report.col."+string(dim)), chart.Bars))
		v.Tables = append(v.Tables, fromReportTable(p, report.TeamTable(dim, ms)))
	case "staffing":
		return w.staffingView(r, p, by, f, q, desc)
	case "arrivals":
		m, err := s.Arrivals(ctx, by, q)
		if err != nil {
			return nil, err
		}
		var rows []string
		for _, k := range report.Weekdays {
			rows = append(rows, p.T(string(k)))
		}
		cols, vals := report.ArrivalGrid(m)
		title := p.T("report.chart.arrivals")
		v.Figures = append(v.Figures, figure{
			SVG:   template.HTML(chart.HeatMap("arrivals", title, p.T("report.chart.arrivals_desc", "from", f.From, "to", f.To), rows, cols, vals)),
			Table: fromChartTable(chart.HeatTable(title, p.T("web.report.weekday_hour"), rows, cols, vals))})
	}
	return v, nil
}

// staffing reads the staffing assumptions of the form; what does not
// parse becomes a value the service rejects with its own message.
func (f reportForm) staffing() report.StaffingInput {
	in := report.StaffingInput{Priority: f.SLAPriority}
	if f.AHT != "" {
		n, err := strconv.Atoi(f.AHT)
		if err != nil || n < 1 {
			n = -1 // the service explains the range (0 would mean its default)
		}
		in.AHT = time.Duration(n) * time.Minute
	}
	if f.Share != "" {
		x, err := strconv.ParseFloat(strings.TrimSuffix(f.Share, "%"), 64)
		if err != nil {
			x = -1
		} else if x >= 1 {
			x /= 100 // "80" means 80 %
		}
		in.Share = x
	}
	return in
}

// staffingView is arrivals per hour against staff on duty and Erlang C's
// estimate, with the assumptions it was made under.
func (w *Web) staffingView(r *http.Request, p *page, by identity.Actor, f reportForm, q report.Query, desc string) (*reportView, error) {
	st, err := w.d.Reports.Staffing(r.Context(), by, q, f.staffing())
	if err != nil {
		return nil, err
	}
	v := &reportView{}
	var hours []string
	series := []chart.Series{{Name: p.T("web.report.arrivals_per_hour")}, {Name: p.T("web.report.on_duty")}, {Name: p.T("web.report.needed")}}
	peak := 0
	for _, h := range st.Hours {
		hours = append(hours, fmt.Sprintf("%02d", h.Hour))
		series[0].Values = append(series[0].Values, round1(h.Arrivals))
		series[1].Values = append(series[1].Values, round1(h.OnDuty))
		series[2].Values = append(series[2].Values, float64(h.Needed))
		if h.Needed > st.Hours[peak].Needed {
			peak = h.Hour
		}
	}
	v.Cards = []statCard{{Label: p.T("web.report.peak_needed"), Value: strconv.Itoa(st.Hours[peak].Needed), Hint: p.T("web.report.at_hour", "h", fmt.Sprintf("%02d:00", peak))},
		{Label: p.T("web.report.days"), Value: strconv.Itoa(st.Days)}}
	v.Figures = append(v.Figures, newFigure(chart.Chart{ID: "staffing", Title: p.T("web.report.chart.staffing"), Desc: desc, X: hours,
		Series: series}, p.T("web.report.hour"), chart.Line))
	v.Notes = append(v.Notes, p.T("web.report.assumptions", "aht", int(st.AHT/time.Minute), "share", int(st.Share*100+0.5),
		"priority", st.Priority, "wait", p.Dur(st.Wait)))
	return v, nil
}

func complianceTone(r report.Rate) string {
	v, ok := r.Value()
	switch {
	case !ok:
		return ""
	case v >= 0.9:
		return "ok"
	case v >= 0.75:
		return "warn"
	}
	return "bad"
}

// durText is a duration in seconds for people, "—" when nothing was measured.
func durText(p *page, n int64, secs float64) string {
	if n == 0 {
		return "—"
	}
	return p.Dur(time.Duration(secs) * time.Second)
}

func n64(n int64) string { return strconv.FormatInt(n, 10) }

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }

// pointLabel names a step of a time series on the chart's axis.
func pointLabel(t time.Time, iv report.Interval) string {
	switch iv {
	case report.Hour:
		return t.Format("01-02 15h")
	case report.Month:
		return t.Format("2006-01")
	}
	return t.Format("01-02")
}
