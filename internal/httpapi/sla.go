package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"helpdesk/internal/apperr"
	"helpdesk/internal/sla"
)

var weekdayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// SpecialDayJSON is a holiday or make-up workday.
type SpecialDayJSON struct {
	Date    string `json:"date" example:"2026-10-01" doc:"YYYY-MM-DD"`
	Workday bool   `json:"workday,omitempty" doc:"A make-up workday (调休上班); otherwise a holiday."`
	Name    string `json:"name,omitempty" example:"国庆节"`
}

// CalendarJSON is a business calendar.
type CalendarJSON struct {
	Key      string              `json:"key,omitempty" doc:"Taken from the path on PUT."`
	NameZH   string              `json:"name_zh"`
	NameEN   string              `json:"name_en"`
	TimeZone string              `json:"time_zone" example:"Asia/Shanghai"`
	Hours    map[string][]string `json:"hours" doc:"Working spans per weekday (sun … sat), e.g. {\"mon\": [\"09:00-12:00\", \"13:30-18:00\"]}."`
	MakeUpAs string              `json:"make_up_as,omitempty" enum:"sun,mon,tue,wed,thu,fri,sat," doc:"Whose hours a make-up workday has (default mon)."`
	Days     []SpecialDayJSON    `json:"days"`
	Revision int64               `json:"revision" doc:"Send back the revision you edited; 0 creates."`
}

func calendarJSON(c sla.Calendar) CalendarJSON {
	h := map[string][]string{}
	for wd, spans := range c.Hours {
		for _, sp := range spans {
			h[weekdayKeys[wd]] = append(h[weekdayKeys[wd]], sp.String())
		}
	}
	days := make([]SpecialDayJSON, len(c.Days))
	for i, d := range c.Days {
		days[i] = SpecialDayJSON{Date: d.Date.String(), Workday: d.Workday, Name: d.Name}
	}
	return CalendarJSON{Key: c.Key, NameZH: c.NameZH, NameEN: c.NameEN, TimeZone: c.TimeZone, Hours: h,
		MakeUpAs: weekdayKeys[c.MakeUpAs], Days: days, Revision: c.Revision}
}

func calendarFrom(j CalendarJSON) (sla.Calendar, error) {
	var m apperr.Multi
	c := sla.Calendar{Key: j.Key, NameZH: j.NameZH, NameEN: j.NameEN, TimeZone: j.TimeZone, Revision: j.Revision, MakeUpAs: time.Monday}
	index := map[string]int{}
	for i, k := range weekdayKeys {
		index[k] = i
	}
	for k, spans := range j.Hours {
		wd, ok := index[k]
		if !ok {
			m.Add(apperr.FieldError("sla.span_invalid", "hours."+k, nil))
			continue
		}
		for _, s := range spans {
			sp, err := sla.ParseSpan(s)
			if err != nil {
				m.Add(apperr.FieldError("sla.span_invalid", "hours."+k, nil))
				continue
			}
			c.Hours[wd] = append(c.Hours[wd], sp)
		}
	}
	if j.MakeUpAs != "" {
		c.MakeUpAs = time.Weekday(index[j.MakeUpAs])
	}
	for i, d := range j.Days {
		date, err := sla.ParseDate(d.Date)
		if err != nil {
			m.Add(apperr.FieldError("sla.date_invalid", "days["+itoa(int64(i))+"].date", nil))
			continue
		}
		c.Days = append(c.Days, sla.SpecialDay{Date: date, Workday: d.Workday, Name: d.Name})
	}
	return c, m.Err()
}

// PolicyJSON is the SLA of one priority.
type PolicyJSON struct {
	Priority             string  `json:"priority,omitempty" doc:"Taken from the path on PUT."`
	Calendar             string  `json:"calendar" example:"24x7"`
	AcknowledgeMinutes   int64   `json:"acknowledge_minutes" minimum:"1"`
	FirstResponseMinutes int64   `json:"first_response_minutes" minimum:"1"`
	ResolutionMinutes    int64   `json:"resolution_minutes" minimum:"1"`
	WarnShare            float64 `json:"warn_share" exclusiveMinimum:"0" exclusiveMaximum:"1" example:"0.75"`
}

func policyJSON(p sla.Policy) PolicyJSON {
	return PolicyJSON{Priority: p.Priority, Calendar: p.Calendar, AcknowledgeMinutes: int64(p.Acknowledge / time.Minute),
		FirstResponseMinutes: int64(p.FirstResponse / time.Minute), ResolutionMinutes: int64(p.Resolution / time.Minute), WarnShare: p.WarnShare}
}

// ImportJSON summarises an .ics import.
type ImportJSON struct {
	Holidays int `json:"holidays"`
	Workdays int `json:"workdays"`
	Skipped  []struct {
		Summary string `json:"summary"`
		Reason  string `json:"reason"`
	} `json:"skipped"`
}

func (a *API) registerSLA() {
	tags := []string{"SLA"}
	huma.Register(a.h, huma.Operation{OperationID: "list-calendars", Method: http.MethodGet, Path: "/api/v1/sla/calendars",
		Summary: "List business calendars (staff)", Tags: tags, Errors: []int{401, 403}},
		func(ctx context.Context, _ *struct{}) (*items[CalendarJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			cs, err := a.d.SLA.Calendars(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(cs, calendarJSON), nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "save-calendar", Method: http.MethodPut, Path: "/api/v1/sla/calendars/{key}",
		Summary: "Create or change a business calendar (admin)", Tags: tags, Errors: []int{401, 403, 409, 422}},
		func(ctx context.Context, in *struct {
			Key  string `path:"key" maxLength:"32"`
			Body CalendarJSON
		}) (*one[CalendarJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			in.Body.Key = in.Key
			c, err := calendarFrom(in.Body)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			c, err = a.d.SLA.SaveCalendar(ctx, by, c)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &one[CalendarJSON]{Status: http.StatusOK, Body: calendarJSON(c)}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "import-calendar", Method: http.MethodPost, Path: "/api/v1/sla/calendars/{key}/import",
		Summary:     "Import holidays and make-up workdays from an iCalendar file (admin)",
		Description: "Send the .ics file as the body (Content-Type: text/calendar). All-day events become holidays; events whose summary says 班 / 补班 / 上班 / workday become make-up workdays.",
		Tags:        tags, MaxBodyBytes: 2 << 20, Errors: []int{401, 403, 404, 413, 422}},
		func(ctx context.Context, in *struct {
			Key     string `path:"key" maxLength:"32"`
			RawBody []byte `contentType:"text/calendar"`
		}) (*one[ImportJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			res, err := a.d.SLA.ImportICS(ctx, by, in.Key, bytes.NewReader(in.RawBody))
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := ImportJSON{Holidays: res.Holidays, Workdays: res.Workdays}
			for _, s := range res.Skipped {
				out.Skipped = append(out.Skipped, struct {
					Summary string `json:"summary"`
					Reason  string `json:"reason"`
				}{s.Summary, s.Reason})
			}
			return &one[ImportJSON]{Status: http.StatusOK, Body: out}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "list-policies", Method: http.MethodGet, Path: "/api/v1/sla/policies",
		Summary: "List SLA policies (staff)", Tags: tags, Errors: []int{401, 403}},
		func(ctx context.Context, _ *struct{}) (*items[PolicyJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			ps, err := a.d.SLA.Policies(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(ps, policyJSON), nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "save-policy", Method: http.MethodPut, Path: "/api/v1/sla/policies/{priority}",
		Summary: "Change the SLA of a priority (admin)", Tags: tags, Errors: []int{401, 403, 422}},
		func(ctx context.Context, in *struct {
			Priority string `path:"priority" enum:"P1,P2,P3,P4"`
			Body     PolicyJSON
		}) (*one[PolicyJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			b := in.Body
			p, err := a.d.SLA.SavePolicy(ctx, by, sla.Policy{Priority: in.Priority, Calendar: b.Calendar,
				Acknowledge: time.Duration(b.AcknowledgeMinutes) * time.Minute, FirstResponse: time.Duration(b.FirstResponseMinutes) * time.Minute,
				Resolution: time.Duration(b.ResolutionMinutes) * time.Minute, WarnShare: b.WarnShare})
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &one[PolicyJSON]{Status: http.StatusOK, Body: policyJSON(p)}, nil
		})
}
