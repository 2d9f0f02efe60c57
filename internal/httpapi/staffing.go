package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"helpdesk/internal/i18n"
	"helpdesk/internal/report"
	"helpdesk/internal/report/chart"
)

type staffingIn struct {
	ReportParams
	StaffingParams
}

// StaffingParams are the assumptions of a staffing estimate (the staffing
// report and its export).
type StaffingParams struct {
	AHTMinutes   int     `query:"aht_minutes" minimum:"1" maximum:"1440" default:"20" doc:"Assumed average handling time of a ticket (staffing)."`
	ServiceLevel float64 `query:"service_level" minimum:"0.01" maximum:"0.99" default:"0.8" doc:"Share of tickets to answer within the first-response target (staffing)."`
	SLAPriority  string  `query:"sla_priority" enum:"P1,P2,P3,P4" default:"P2" doc:"Whose first-response target is the allowed wait (staffing)."`
}

func (p StaffingParams) input() report.StaffingInput {
	return report.StaffingInput{AHT: time.Duration(p.AHTMinutes) * time.Minute, Share: p.ServiceLevel, Priority: p.SLAPriority}
}

// StaffingHourJSON is one hour of the day.
type StaffingHourJSON struct {
	Hour     int     `json:"hour"`
	Arrivals float64 `json:"arrivals" doc:"Tickets per hour, averaged over the period's days."`
	OnDuty   float64 `json:"on_duty" doc:"Distinct staff who acted on a ticket in that hour, averaged."`
	Needed   int     `json:"needed" doc:"Erlang C estimate of agents needed."`
}

// StaffingJSON is the staffing estimate with its assumptions.
type StaffingJSON struct {
	Assumptions struct {
		AHTSecs      int64   `json:"aht_secs"`
		ServiceLevel float64 `json:"service_level"`
		WaitSecs     int64   `json:"wait_secs" doc:"The policy's first-response target (working time, taken as wall time)."`
		SLAPriority  string  `json:"sla_priority"`
		Model        string  `json:"model"`
	} `json:"assumptions"`
	Days  int                `json:"days"`
	Hours []StaffingHourJSON `json:"hours"`
}

// ArrivalsJSON is arrivals by weekday (Monday first) and hour.
type ArrivalsJSON struct {
	Weekdays [7][24]int64 `json:"weekdays"`
}

func (a *API) registerStaffing() {
	tags := []string{"Reports"}
	huma.Register(a.h, huma.Operation{OperationID: "report-staffing", Method: http.MethodGet, Path: "/api/v1/reports/staffing",
		Summary: "Arrivals by hour against staff on duty, with an Erlang C estimate (supervisors, admins)", Tags: tags,
		Description: "At most 31 days. The estimate assumes Poisson arrivals, the given average handling time and service level, " +
			"and the first-response target of sla_priority as the wait allowed.", Errors: []int{401, 403, 422}},
		func(ctx context.Context, in *staffingIn) (*reportOut[StaffingJSON], error) {
			q, err := a.reportQuery(ctx, &in.ReportParams)
			if err != nil {
				return nil, err
			}
			st, err := a.d.Reports.Staffing(ctx, a.actor(ctx), q, in.input())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			var out StaffingJSON
			out.Assumptions.AHTSecs, out.Assumptions.ServiceLevel = int64(st.AHT/time.Second), st.Share
			out.Assumptions.WaitSecs, out.Assumptions.SLAPriority = int64(st.Wait/time.Second), st.Priority
			out.Assumptions.Model = "erlang-c"
			out.Days = st.Days
			for _, h := range st.Hours {
				out.Hours = append(out.Hours, StaffingHourJSON{h.Hour, h.Arrivals, h.OnDuty, h.Needed})
			}
			return &reportOut[StaffingJSON]{out}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "report-arrivals", Method: http.MethodGet, Path: "/api/v1/reports/arrivals",
		Summary: "Arrivals by weekday and hour (supervisors, admins)", Tags: tags, Errors: []int{401, 403, 422}},
		func(ctx context.Context, in *ReportParams) (*reportOut[ArrivalsJSON], error) {
			q, err := a.reportQuery(ctx, in)
			if err != nil {
				return nil, err
			}
			m, err := a.d.Reports.Arrivals(ctx, a.actor(ctx), q)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &reportOut[ArrivalsJSON]{ArrivalsJSON{m}}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "report-arrivals-chart", Method: http.MethodGet, Path: "/api/v1/reports/arrivals/chart",
		Summary: "Arrivals heat map as SVG, in the caller's language (supervisors, admins)", Tags: tags, Errors: []int{401, 403, 422},
		Responses: map[string]*huma.Response{"200": {Description: "SVG", Content: map[string]*huma.MediaType{
			"image/svg+xml": {Schema: &huma.Schema{Type: "string"}}}}}},
		func(ctx context.Context, in *ReportParams) (*huma.StreamResponse, error) {
			q, err := a.reportQuery(ctx, in)
			if err != nil {
				return nil, err
			}
			m, err := a.d.Reports.Arrivals(ctx, a.actor(ctx), q)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			lang := langFrom(ctx)
			var rows []string
			for _, k := range report.Weekdays {
				rows = append(rows, i18n.T(lang, string(k), nil))
			}
			cols, v := report.ArrivalGrid(m)
			svg := chart.HeatMap("arrivals", i18n.T(lang, "report.chart.arrivals", nil),
				i18n.T(lang, "report.chart.arrivals_desc", map[string]any{"from": in.From, "to": in.To}), rows, cols, v)
			return &huma.StreamResponse{Body: func(hctx huma.Context) {
				_, w := humago.Unwrap(hctx)
				w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
				w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
				w.Write([]byte(svg))
			}}, nil
		})
}
