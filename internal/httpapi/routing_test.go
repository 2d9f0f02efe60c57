package httpapi_test

import (
	"net/http"
	"testing"
)

func TestRoutingEndpoints(t *testing.T) {
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		var ruleID float64
		e.run(t, []scenario{
			{name: "agent may not add rules", as: "agent1", method: http.MethodPost, path: "/api/v1/routing/rules",
				body:       map[string]any{"name": "x", "enabled": true, "conditions": map[string]any{}, "group": "hardware"},
				wantStatus: http.StatusForbidden, wantCode: "auth.forbidden"},
			{name: "admin adds a keyword rule", as: "admin", method: http.MethodPost, path: "/api/v1/routing/rules",
				body: map[string]any{"name": "VPN 归网络组", "enabled": true, "group": "network", "set_priority": "P2",
					"conditions": map[string]any{"keywords": []string{"vpn", "翻墙"}, "categories": []string{"software"}}},
				wantStatus: http.StatusCreated,
				check: func(t *testing.T, r reply) {
					m := r.object(t)
					ruleID, _ = m["id"].(float64)
					if str(m, "group") != "network" || ruleID == 0 {
						t.Errorf("rule = %v", m)
					}
				}},
			{name: "rule without group refused", as: "admin", method: http.MethodPost, path: "/api/v1/routing/rules",
				body:       map[string]any{"name": "x", "enabled": true, "conditions": map[string]any{}, "group": ""},
				wantStatus: http.StatusUnprocessableEntity},
			{name: "dry run matches", as: "super1", method: http.MethodPost, path: "/api/v1/routing/dry-run",
				body: map[string]any{"title": "VPN 连不上", "category": "software"}, wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					m := r.object(t)
					rule, _ := m["rule"].(map[string]any)
					if str(m, "group") != "network" || str(m, "priority") != "P2" || rule == nil || str(rule, "name") != "VPN 归网络组" {
						t.Errorf("dry run = %v", m)
					}
				}},
			{name: "dry run without match", as: "admin", method: http.MethodPost, path: "/api/v1/routing/dry-run",
				body: map[string]any{"title": "打不开", "category": "hardware"}, wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					m := r.object(t)
					if m["rule"] != nil || str(m, "group") != "hardware" || m["assignee"] != nil {
						t.Errorf("dry run = %v, want the category default, nobody picked", m)
					}
				}},
			{name: "supervisor turns on round robin", as: "super1", method: http.MethodPut, path: "/api/v1/groups/software/strategy",
				body: map[string]any{"strategy": "round_robin"}, wantStatus: http.StatusOK},
			{name: "agent sets themself away", as: "agent1", method: http.MethodPut, path: "/api/v1/users/agent1/availability",
				body: map[string]any{"away": true}, wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					if m := r.object(t); m["away"] != true || m["available"] != false {
						t.Errorf("agent = %v", m)
					}
				}},
			{name: "new software ticket goes to the available agent", as: "cust1", method: http.MethodPost, path: "/api/v1/tickets",
				body: map[string]any{"title": "ERP 报错", "description": "500", "category": "software"}, wantStatus: http.StatusCreated,
				check: func(t *testing.T, r reply) {
					if m := r.object(t); str(m, "assignee") != "agent2" || str(m, "status") != "assigned" {
						t.Errorf("ticket = %v, want assigned to agent2 (agent1 is away)", m)
					}
				}},
			{name: "group agents listed", as: "super1", path: "/api/v1/groups/software/agents", wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					if n := len(r.items(t)); n < 2 {
						t.Errorf("%d agents, want the software group's staff", n)
					}
				}},
		})
	})
}
