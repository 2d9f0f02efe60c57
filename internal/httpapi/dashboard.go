package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

// DashboardJSON is the live state of the desk.
type DashboardJSON struct {
	At                   time.Time            `json:"at"`
	Open                 []DashboardCountJSON `json:"open" doc:"Open tickets by status and priority."`
	Unassigned           int64                `json:"unassigned"`
	OldestUnassignedSecs int64                `json:"oldest_unassigned_secs" doc:"Age of the oldest unassigned ticket."`
	DueWithinHour        int64                `json:"due_within_hour" doc:"Tickets that breach an SLA target within the hour unless someone acts."`
	DueWithinHourList    []string             `json:"due_within_hour_list"`
	BreachedNow          int64                `json:"breached_now" doc:"Open tickets with a breached target."`
	Agents               []DashboardAgentJSON `json:"agents"`
	Today                int64                `json:"today" doc:"Tickets created since local midnight."`
	SameWeekday          float64              `json:"same_weekday_avg" doc:"Average of the previous four same weekdays up to this hour."`
}

// DashboardCountJSON counts open tickets of one status and priority.
type DashboardCountJSON struct {
	Status   string `json:"status"`
	Priority string `json:"priority"`
	Count    int64  `json:"count"`
}

// DashboardAgentJSON is one staff member's presence and load.
type DashboardAgentJSON struct {
	Login  string `json:"login"`
	Name   string `json:"name"`
	Online bool   `json:"online"`
	Away   bool   `json:"away"`
	Open   int64  `json:"open"`
}

func (a *API) registerDashboard() {
	huma.Register(a.h, huma.Operation{OperationID: "dashboard", Method: http.MethodGet, Path: "/api/v1/dashboard",
		Summary: "Live operations figures (supervisors, admins)", Tags: []string{"Reports"}, Errors: []int{401, 403}},
		func(ctx context.Context, _ *struct{}) (*reportOut[DashboardJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			d, err := a.d.Reports.Dashboard(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := DashboardJSON{Open: []DashboardCountJSON{}, Agents: []DashboardAgentJSON{}, At: d.At, Unassigned: d.Unassigned, OldestUnassignedSecs: int64(d.OldestUnassigned / time.Second),
				DueWithinHour: d.DueSoon, DueWithinHourList: append([]string{}, d.DueSoonList...), BreachedNow: d.BreachedNow,
				Today: d.Today, SameWeekday: d.SameWeekday}
			for _, c := range d.Open {
				out.Open = append(out.Open, DashboardCountJSON{c.Status, c.Priority, c.N})
			}
			for _, ag := range d.Agents {
				out.Agents = append(out.Agents, DashboardAgentJSON{ag.Login, ag.Name, ag.Online, ag.Away, ag.Open})
			}
			return &reportOut[DashboardJSON]{out}, nil
		})
}
