package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
	"helpdesk/internal/report"
	"helpdesk/internal/report/export"
)

// ReportParams is the period and filter every report takes.
type ReportParams struct {
	From     string `query:"from" required:"true" example:"2026-10-01" doc:"First day (site time zone), YYYY-MM-DD."`
	To       string `query:"to" required:"true" example:"2026-10-31" doc:"Last day, inclusive."`
	Interval string `query:"interval" enum:"hour,day,week,month" default:"day" doc:"Step of time series (hour: at most 31 days)."`
	Group    string `query:"group" doc:"Support group key."`
	Agent    string `query:"agent" doc:"Agent login."`
	Category string `query:"category" doc:"Category key."`
	Priority string `query:"priority" enum:"P1,P2,P3,P4,"`
	Channel  string `query:"channel" enum:"web,email,phone,api,"`
	Org      string `query:"org" doc:"Organization name."`
}

func (a *API) reportQuery(ctx context.Context, in *ReportParams) (report.Query, error) {
	by, err := a.caller(ctx)
	if err != nil {
		return report.Query{}, err
	}
	q, err := a.d.Reports.Resolve(ctx, by, in.From, in.To, report.FilterKeys{Group: in.Group, Agent: in.Agent,
		Category: in.Category, Priority: in.Priority, Channel: in.Channel, Org: in.Org}, report.Interval(in.Interval))
	if err != nil {
		return q, a.fail(ctx, err)
	}
	return q, nil
}

// ReportRateJSON is a share with its parts; value is absent when undefined.
type ReportRateJSON struct {
	Num   int64    `json:"num"`
	Den   int64    `json:"den"`
	Value *float64 `json:"value,omitempty" doc:"num/den, 0–1; absent when den is 0."`
}

func rateJSON(r report.Rate) ReportRateJSON {
	out := ReportRateJSON{Num: r.Num, Den: r.Den}
	if v, ok := r.Value(); ok {
		out.Value = &v
	}
	return out
}

// ReportStatJSON summarises durations in seconds.
type ReportStatJSON struct {
	Count      int64   `json:"count"`
	AvgSecs    float64 `json:"avg_secs"`
	MedianSecs float64 `json:"median_secs" doc:"Nearest rank on 1-minute (under 2 h), 5-minute (under a day), hourly, then daily buckets."`
	P90Secs    float64 `json:"p90_secs"`
}

func statJSON(s report.Stat) ReportStatJSON {
	return ReportStatJSON{Count: s.N, AvgSecs: s.Avg, MedianSecs: s.Median, P90Secs: s.P90}
}

// ReportPointJSON is one step of the volume series.
type ReportPointJSON struct {
	Start    time.Time `json:"start"`
	Created  int64     `json:"created"`
	Resolved int64     `json:"resolved"`
	Closed   int64     `json:"closed"`
	Reopened int64     `json:"reopened"`
	Open     int64     `json:"open" doc:"Backlog at the end of the step."`
}

// VolumeJSON is the volume and backlog report.
type VolumeJSON struct {
	Points      []ReportPointJSON `json:"points"`
	Created     int64             `json:"created"`
	Resolved    int64             `json:"resolved"`
	Closed      int64             `json:"closed"`
	Reopened    int64             `json:"reopened"`
	OpenAtStart int64             `json:"open_at_start"`
	OpenAtEnd   int64             `json:"open_at_end"`
}

// TimesJSON is the response and resolution time report.
type TimesJSON struct {
	FirstResponseCalendar ReportStatJSON `json:"first_response_calendar"`
	FirstResponseWorking  ReportStatJSON `json:"first_response_working"`
	ResolutionCalendar    ReportStatJSON `json:"resolution_calendar"`
	ResolutionWorking     ReportStatJSON `json:"resolution_working"`
}

// ReportComplianceJSON is one SLA target's outcome.
type ReportComplianceJSON struct {
	Met        int64          `json:"met"`
	Breached   int64          `json:"breached"`
	Pending    int64          `json:"pending"`
	Compliance ReportRateJSON `json:"compliance"`
}

func complianceJSON(c report.Compliance) ReportComplianceJSON {
	return ReportComplianceJSON{Met: c.Met, Breached: c.Breached, Pending: c.Pending, Compliance: rateJSON(c.Rate)}
}

// ReportBreachJSON is one missed target.
type ReportBreachJSON struct {
	Number     string    `json:"number"`
	Priority   string    `json:"priority"`
	CreatedAt  time.Time `json:"created_at"`
	Target     string    `json:"target" enum:"acknowledge,first_response,resolution"`
	BreachedAt time.Time `json:"breached_at"`
	Cause      string    `json:"cause" enum:"unassigned,transferred,no_action,met_late"`
	CauseText  string    `json:"cause_text"`
}

// SLAReportJSON is the SLA compliance report.
type SLAReportJSON struct {
	Acknowledge   ReportComplianceJSON `json:"acknowledge"`
	FirstResponse ReportComplianceJSON `json:"first_response"`
	Resolution    ReportComplianceJSON `json:"resolution"`
	Breaches      []ReportBreachJSON   `json:"breaches"`
	More          bool                 `json:"more" doc:"The breach list was cut at 500."`
}

// RatesJSON is the rates report.
type RatesJSON struct {
	Tickets             int64          `json:"tickets"`
	Resolution          ReportRateJSON `json:"resolution"`
	FirstContact        ReportRateJSON `json:"first_contact"`
	Reopen              ReportRateJSON `json:"reopen"`
	Escalation          ReportRateJSON `json:"escalation"`
	Deflection          ReportRateJSON `json:"deflection"`
	DeflectionAvailable bool           `json:"deflection_available" doc:"False until the knowledge base reports deflections."`
}

// SatisfactionJSON is the satisfaction report.
type SatisfactionJSON struct {
	Ratings         map[string]int64 `json:"ratings" doc:"very_satisfied, satisfied, neutral, dissatisfied."`
	CSAT            ReportRateJSON   `json:"csat"`
	Response        ReportRateJSON   `json:"response"`
	FollowupsDue    int64            `json:"followups_due"`
	FollowupsLate   int64            `json:"followups_late"`
	FollowupsOnTime ReportRateJSON   `json:"followups_on_time"`
}

// ReportMemberJSON is one agent's or group's line.
type ReportMemberJSON struct {
	Name            string         `json:"name"`
	Handled         int64          `json:"handled"`
	Open            int64          `json:"open"`
	HandlingCount   int64          `json:"handling_count"`
	HandlingAvgSecs float64        `json:"handling_avg_working_secs" doc:"Average working time from creation to resolution."`
	CSAT            ReportRateJSON `json:"csat"`
	Ratings         int64          `json:"ratings"`
}

type reportOut[T any] struct{ Body T }

func (a *API) registerReports() {
	if a.d.Reports == nil {
		return
	}
	tags := []string{"Reports"}
	op := func(name, summary string) huma.Operation {
		return huma.Operation{OperationID: "report-" + name, Method: http.MethodGet, Path: "/api/v1/reports/" + name,
			Summary: summary + " (supervisors, admins)", Tags: tags, Errors: []int{401, 403, 422}}
	}
	huma.Register(a.h, op("volume", "Ticket volume and backlog"), func(ctx context.Context, in *ReportParams) (*reportOut[VolumeJSON], error) {
		v, err := a.runReport(ctx, in, func(q report.Query) (any, error) { return a.d.Reports.Volume(ctx, a.actor(ctx), q) })
		if err != nil {
			return nil, err
		}
		return &reportOut[VolumeJSON]{volumeJSON(v.(report.Volume))}, nil
	})
	huma.Register(a.h, op("times", "First response and resolution times"), func(ctx context.Context, in *ReportParams) (*reportOut[TimesJSON], error) {
		v, err := a.runReport(ctx, in, func(q report.Query) (any, error) { return a.d.Reports.Times(ctx, a.actor(ctx), q) })
		if err != nil {
			return nil, err
		}
		t := v.(report.Times)
		return &reportOut[TimesJSON]{TimesJSON{statJSON(t.FirstResponseCal), statJSON(t.FirstResponseWork),
			statJSON(t.ResolutionCal), statJSON(t.ResolutionWork)}}, nil
	})
	huma.Register(a.h, op("sla", "SLA compliance and breaches"), func(ctx context.Context, in *ReportParams) (*reportOut[SLAReportJSON], error) {
		v, err := a.runReport(ctx, in, func(q report.Query) (any, error) { return a.d.Reports.SLA(ctx, a.actor(ctx), q) })
		if err != nil {
			return nil, err
		}
		return &reportOut[SLAReportJSON]{a.slaJSON(ctx, v.(report.SLA))}, nil
	})
	huma.Register(a.h, op("rates", "Resolution, first-contact, reopen, escalation and deflection rates"), func(ctx context.Context, in *ReportParams) (*reportOut[RatesJSON], error) {
		v, err := a.runReport(ctx, in, func(q report.Query) (any, error) { return a.d.Reports.Rates(ctx, a.actor(ctx), q) })
		if err != nil {
			return nil, err
		}
		r := v.(report.Rates)
		return &reportOut[RatesJSON]{RatesJSON{Tickets: r.Tickets, Resolution: rateJSON(r.Resolution), FirstContact: rateJSON(r.FirstContact),
			Reopen: rateJSON(r.Reopen), Escalation: rateJSON(r.Escalation), Deflection: rateJSON(r.Deflection),
			DeflectionAvailable: r.DeflectionAvailable}}, nil
	})
	huma.Register(a.h, op("satisfaction", "Satisfaction"), func(ctx context.Context, in *ReportParams) (*reportOut[SatisfactionJSON], error) {
		v, err := a.runReport(ctx, in, func(q report.Query) (any, error) { return a.d.Reports.Satisfaction(ctx, a.actor(ctx), q) })
		if err != nil {
			return nil, err
		}
		s := v.(report.Satisfaction)
		return &reportOut[SatisfactionJSON]{SatisfactionJSON{Ratings: map[string]int64{"very_satisfied": s.Ratings[0],
			"satisfied": s.Ratings[1], "neutral": s.Ratings[2], "dissatisfied": s.Ratings[3]}, CSAT: rateJSON(s.CSAT),
			Response: rateJSON(s.Response), FollowupsDue: s.FollowupsDue, FollowupsLate: s.FollowupsLate,
			FollowupsOnTime: rateJSON(s.FollowupsOnTime)}}, nil
	})
	for _, dim := range []report.Dim{report.DimAgent, report.DimGroup} {
		huma.Register(a.h, op(string(dim)+"s", "Figures per "+string(dim)), func(ctx context.Context, in *ReportParams) (*items[ReportMemberJSON], error) {
			v, err := a.runReport(ctx, in, func(q report.Query) (any, error) { return a.d.Reports.Team(ctx, a.actor(ctx), q, dim) })
			if err != nil {
				return nil, err
			}
			return list(v.([]report.Member), func(m report.Member) ReportMemberJSON {
				return ReportMemberJSON{Name: m.Name, Handled: m.Handled, Open: m.Open, HandlingCount: m.HandlingWork.N, HandlingAvgSecs: m.HandlingWork.Avg,
					CSAT: rateJSON(m.CSAT), Ratings: m.Ratings}
			}), nil
		})
	}
	a.registerReportExports()
	a.registerDashboard()
	a.registerStaffing()
}

// actor is the caller once reportQuery has checked there is one.
func (a *API) actor(ctx context.Context) identity.Actor {
	by, _ := actorFrom(ctx)
	return by
}

func (a *API) runReport(ctx context.Context, in *ReportParams, fn func(report.Query) (any, error)) (any, error) {
	q, err := a.reportQuery(ctx, in)
	if err != nil {
		return nil, err
	}
	v, err := fn(q)
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	return v, nil
}

func volumeJSON(v report.Volume) VolumeJSON {
	out := VolumeJSON{Points: make([]ReportPointJSON, len(v.Points)), Created: v.Created, Resolved: v.Resolved, Closed: v.Closed,
		Reopened: v.Reopened, OpenAtStart: v.OpenAtStart, OpenAtEnd: v.OpenAtEnd}
	for i, p := range v.Points {
		out.Points[i] = ReportPointJSON{Start: p.Start, Created: p.Created, Resolved: p.Resolved, Closed: p.Closed, Reopened: p.Reopened, Open: p.Open}
	}
	return out
}

func (a *API) slaJSON(ctx context.Context, s report.SLA) SLAReportJSON {
	out := SLAReportJSON{Acknowledge: complianceJSON(s.Acknowledge), FirstResponse: complianceJSON(s.FirstResponse),
		Resolution: complianceJSON(s.Resolution), Breaches: []ReportBreachJSON{}, More: s.More}
	lang := langFrom(ctx)
	for _, b := range s.Breaches {
		out.Breaches = append(out.Breaches, ReportBreachJSON{Number: b.Number, Priority: b.Priority, CreatedAt: b.CreatedAt,
			Target: string(b.Kind), BreachedAt: b.At, Cause: b.Cause, CauseText: i18n.T(lang, "report.cause."+b.Cause, nil)})
	}
	return out
}

type reportExportIn struct {
	Name   string `path:"name" enum:"volume,times,sla,rates,satisfaction,agents,groups,staffing,arrivals"`
	Format string `query:"format" enum:"csv,xlsx" default:"csv"`
	ReportParams
	StaffingParams
}

func (a *API) registerReportExports() {
	tags := []string{"Reports"}
	huma.Register(a.h, huma.Operation{OperationID: "export-report", Method: http.MethodGet, Path: "/api/v1/reports/{name}/export",
		Summary: "Download a report as CSV (UTF-8 with BOM) or XLSX (supervisors, admins)", Tags: tags, Errors: []int{401, 403, 422},
		Responses: map[string]*huma.Response{"200": {Description: "The file", Content: map[string]*huma.MediaType{
			"text/csv":                {Schema: &huma.Schema{Type: "string", Format: "binary"}},
			export.XLSX.ContentType(): {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}}},
		func(ctx context.Context, in *reportExportIn) (*huma.StreamResponse, error) {
			q, err := a.reportQuery(ctx, &in.ReportParams)
			if err != nil {
				return nil, err
			}
			tables, err := a.d.Reports.Tables(ctx, a.actor(ctx), in.Name, q, in.StaffingParams.input())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			lang := langFrom(ctx)
			label := func(k report.Label) string { return i18n.T(lang, string(k), nil) }
			f := export.Format(in.Format)
			var buf bytes.Buffer
			for i, t := range tables {
				if f == export.XLSX && i > 0 {
					break // one sheet per file; the breach list has its own CSV section
				}
				if i > 0 {
					buf.WriteString("\r\n")
				}
				sheet := export.FromTable(t, label, a.d.Reports.Location())
				sheet.NoBOM = i > 0
				if err := export.Write(&buf, f, sheet); err != nil {
					return nil, a.fail(ctx, err)
				}
			}
			a.audit(ctx, "export", "report."+in.Name, map[string]any{"format": in.Format, "from": in.From, "to": in.To})
			name := fmt.Sprintf("%s_%s_%s.%s", in.Name, in.From, in.To, in.Format)
			return &huma.StreamResponse{Body: func(hctx huma.Context) {
				_, w := humago.Unwrap(hctx)
				w.Header().Set("Content-Type", f.ContentType())
				w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
				w.Write(buf.Bytes())
			}}, nil
		})
}
