package httpapi_test

import (
	"net/http"
	"os"
	"testing"
)

func TestSLAEndpoints(t *testing.T) {
	ics, err := os.ReadFile("../sla/testdata/cn-holidays-2026.ics")
	if err != nil {
		t.Fatal(err)
	}
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		e.run(t, []scenario{
			{name: "staff list calendars", as: "agent1", path: "/api/v1/sla/calendars", wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					keys := map[string]bool{}
					for _, c := range r.items(t) {
						keys[str(c, "key")] = true
					}
					if !keys["24x7"] || !keys["workdays"] {
						t.Errorf("calendars = %v, want 24x7 and workdays", keys)
					}
				}},
			{name: "customers may not", as: "cust1", path: "/api/v1/sla/calendars", wantStatus: http.StatusForbidden, wantCode: "auth.forbidden"},
			{name: "agent may not import", as: "agent1", method: http.MethodPost, path: "/api/v1/sla/calendars/workdays/import",
				body: ics, headers: map[string]string{"Content-Type": "text/calendar"}, wantStatus: http.StatusForbidden, wantCode: "auth.forbidden"},
			{name: "admin imports the year's holidays", as: "admin", method: http.MethodPost, path: "/api/v1/sla/calendars/workdays/import",
				body: ics, headers: map[string]string{"Content-Type": "text/calendar"}, wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					m := r.object(t)
					if m["holidays"].(float64) == 0 || m["workdays"].(float64) == 0 {
						t.Errorf("import = %v, want holidays and make-up workdays", m)
					}
				}},
			{name: "broken ics", as: "admin", method: http.MethodPost, path: "/api/v1/sla/calendars/workdays/import",
				body: "BEGIN:VCALENDAR\nthis is not ical", headers: map[string]string{"Content-Type": "text/calendar"},
				wantStatus: http.StatusUnprocessableEntity, wantCode: "sla.ics_invalid"},
			{name: "admin saves a calendar with a lunch break", as: "admin", method: http.MethodPut, path: "/api/v1/sla/calendars/office",
				body: map[string]any{"name_zh": "办公时间", "name_en": "Office hours", "time_zone": "Asia/Shanghai",
					"hours": map[string]any{"mon": []string{"09:00-12:00", "13:30-18:00"}, "tue": []string{"09:00-12:00", "13:30-18:00"}},
					"days":  []any{map[string]any{"date": "2026-10-01", "name": "国庆节"}}, "revision": 0},
				wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					m := r.object(t)
					if str(m, "key") != "office" || m["revision"].(float64) != 1 {
						t.Errorf("saved = %v", m)
					}
				}},
			{name: "overlapping spans refused", as: "admin", method: http.MethodPut, path: "/api/v1/sla/calendars/bad",
				body: map[string]any{"name_zh": "坏", "name_en": "Bad", "time_zone": "Asia/Shanghai",
					"hours": map[string]any{"mon": []string{"09:00-12:00", "11:00-18:00"}}, "days": []any{}, "revision": 0},
				wantStatus: http.StatusUnprocessableEntity},
			{name: "unknown time zone refused", as: "admin", method: http.MethodPut, path: "/api/v1/sla/calendars/bad",
				body: map[string]any{"name_zh": "坏", "name_en": "Bad", "time_zone": "Mars/Olympus",
					"hours": map[string]any{"mon": []string{"09:00-18:00"}}, "days": []any{}, "revision": 0},
				wantStatus: http.StatusUnprocessableEntity},
			{name: "admin tightens P4", as: "admin", method: http.MethodPut, path: "/api/v1/sla/policies/P4",
				body: map[string]any{"calendar": "office", "acknowledge_minutes": 60, "first_response_minutes": 480,
					"resolution_minutes": 2400, "warn_share": 0.8},
				wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					m := r.object(t)
					if str(m, "calendar") != "office" || m["first_response_minutes"].(float64) != 480 {
						t.Errorf("policy = %v", m)
					}
				}},
			{name: "policies listed", as: "super1", path: "/api/v1/sla/policies", wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					if n := len(r.items(t)); n != 4 {
						t.Errorf("%d policies, want 4", n)
					}
				}},
		})
	})
}
