package httpapi_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"helpdesk/internal/i18n"
	"helpdesk/internal/notify"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

// catalogTexts serves templates from the catalog, as the app does.
type catalogTexts struct{}

func (catalogTexts) Default(key, lang string) (notify.Template, bool) {
	l, b := i18n.Lang(lang), "notify.tpl."+key+"."
	if !i18n.Has(l, b+"subject") {
		return notify.Template{}, false
	}
	return notify.Template{Subject: i18n.T(l, b+"subject", nil), Text: i18n.T(l, b+"text", nil), HTML: i18n.T(l, b+"html", nil)}, true
}
func (catalogTexts) Label(lang, key string) string { return i18n.T(i18n.Lang(lang), key, nil) }

func TestNotifyAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := mailEnv(t, db)
		t.Run("templates: list, edit, refuse broken, reset", func(t *testing.T) {
			r := e.do(t, call{as: "admin", method: "GET", path: "/api/v1/notify/templates"})
			if items := r.items(t); len(items) != 2*len(notify.Templates) {
				t.Fatalf("templates = %d: %s", len(items), r.body)
			}
			p := "/api/v1/notify/templates/ticket_received/en"
			r = e.do(t, call{as: "admin", method: "PUT", path: p, body: map[string]any{"subject": "Got it: {{.title}}",
				"text": "Ticket {{.number}}", "html": "<p>{{.number}}</p>"}})
			if o := r.object(t); r.status != 200 || o["custom"] != true || str(o, "subject") != "Got it: {{.title}}" {
				t.Errorf("put: %d %s", r.status, r.body)
			}
			r = e.do(t, call{as: "admin", method: "PUT", path: p, body: map[string]any{"subject": "{{.title", "text": "x", "html": "x"}})
			if r.status != 422 || r.problem(t).Code != "notify.template_invalid" {
				t.Errorf("broken template: %d %s", r.status, r.body)
			}
			if r := e.do(t, call{as: "admin", method: "DELETE", path: p}); r.status != 204 {
				t.Errorf("reset: %d", r.status)
			}
			if r := e.do(t, call{as: "agent1", method: "GET", path: "/api/v1/notify/templates"}); r.status != 403 {
				t.Errorf("agent: %d", r.status)
			}
		})
		t.Run("my channel preferences", func(t *testing.T) {
			r := e.do(t, call{as: "cust1", method: "GET", path: "/api/v1/me/notify-prefs"})
			if o := r.object(t); o["email"] != true || o["sms"] != false {
				t.Errorf("defaults = %s", r.body)
			}
			r = e.do(t, call{as: "cust1", method: "PUT", path: "/api/v1/me/notify-prefs", body: map[string]any{"email": false, "inbox": true, "sms": true, "im": false}})
			if o := r.object(t); o["email"] != false || o["sms"] != true {
				t.Errorf("saved = %s", r.body)
			}
		})
		t.Run("webhook subscriptions and their log", func(t *testing.T) {
			r := e.do(t, call{as: "admin", method: "POST", path: "/api/v1/webhooks", body: map[string]any{"name": "crm",
				"url": "https://crm.example/hook", "secret": "0123456789abcdef0123", "events": []string{"ticket.created"}, "active": true}})
			if r.status != 201 || strings.Contains(string(r.body), "0123456789abcdef") {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			id := strconv.FormatInt(int64(r.object(t)["id"].(float64)), 10)
			r = e.do(t, call{as: "admin", method: "POST", path: "/api/v1/webhooks", body: map[string]any{"name": "x",
				"url": "https://crm.example/hook", "secret": "short", "events": []string{"ticket.created"}, "active": true}})
			if r.status != 422 {
				t.Errorf("short secret: %d %s", r.status, r.body)
			}
			if r := e.do(t, call{as: "admin", method: "GET", path: "/api/v1/webhooks/" + id + "/deliveries"}); r.status != 200 {
				t.Errorf("log: %d", r.status)
			}
			if r := e.do(t, call{as: "admin", method: "POST", path: "/api/v1/webhooks/" + id + "/deliveries/999/replay"}); r.status != 404 {
				t.Errorf("replay of nothing: %d", r.status)
			}
			if r := e.do(t, call{as: "admin", method: "DELETE", path: "/api/v1/webhooks/" + id}); r.status != 204 {
				t.Errorf("delete: %d", r.status)
			}
		})
		t.Run("robots", func(t *testing.T) {
			r := e.do(t, call{as: "admin", method: "POST", path: "/api/v1/notify/robots", body: map[string]any{"name": "钉钉值班群",
				"kind": "dingtalk", "url": "https://oapi.dingtalk.example/robot/send?access_token=t", "secret": "SECxyz",
				"events": []string{"sla.breached"}, "active": true}})
			if r.status != 201 || strings.Contains(string(r.body), "SECxyz") {
				t.Errorf("create robot: %d %s", r.status, r.body)
			}
			r = e.do(t, call{as: "admin", method: "POST", path: "/api/v1/notify/robots", body: map[string]any{"name": "bad",
				"kind": "webhook", "url": "https://x.example", "body_template": "{{.Text}}", "events": []string{}, "active": true}})
			if r.status != 422 {
				t.Errorf("non-JSON body template: %d %s", r.status, r.body)
			}
			r = e.do(t, call{as: "admin", method: "POST", path: "/api/v1/notify/robots", body: map[string]any{"name": "告警群",
				"kind": "wecom", "url": "https://qyapi.weixin.example/cgi-bin/webhook/send?key=k",
				"events": []string{"alert.opened", "alert.resolved"}, "active": true}})
			if r.status != 201 {
				t.Errorf("robot for alert events: %d %s", r.status, r.body)
			}
		})
		t.Run("alert rules choose their channels", func(t *testing.T) {
			for _, tc := range []struct {
				name     string
				channels []string
				want     []string
			}{
				{"none named: all", nil, []string{"inbox", "email", "im"}},
				{"email and im, once each", []string{"email", "im", "email"}, []string{"email", "im"}},
				{"all named: all", []string{"im", "email", "inbox"}, []string{"inbox", "email", "im"}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					body := map[string]any{"kind": "unassigned_backlog", "threshold": 5, "for_minutes": 10, "recipients": []string{"super1"},
						"enabled": true}
					if tc.channels != nil {
						body["channels"] = tc.channels
					}
					r := e.do(t, call{as: "admin", method: "POST", path: "/api/v1/alert-rules", body: body})
					if r.status != 200 {
						t.Fatalf("save: %d %s", r.status, r.body)
					}
					got := []string{}
					for _, c := range r.object(t)["channels"].([]any) {
						got = append(got, c.(string))
					}
					if !slices.Equal(got, tc.want) {
						t.Errorf("channels: got %v, want %v", got, tc.want)
					}
				})
			}
			for _, tc := range []struct{ lang, want string }{
				{"en", "Unknown alert channel sms (use inbox, email or im)."},
				{"zh-CN", "未知的告警渠道 sms（可选 inbox、email、im）。"},
			} {
				r := e.do(t, call{as: "admin", method: "POST", path: "/api/v1/alert-rules", headers: map[string]string{"Accept-Language": tc.lang},
					body: map[string]any{"kind": "unassigned_backlog", "threshold": 5, "for_minutes": 10, "recipients": []string{"super1"},
						"channels": []string{"sms"}, "enabled": true}})
				p := r.problem(t)
				if r.status != 422 || len(p.Errors) != 1 || p.Errors[0].Code != "alert.channel_invalid" || p.Errors[0].Field != "channels" ||
					p.Errors[0].Message != tc.want {
					t.Errorf("%s: channel sms: %d %s; want 422 alert.channel_invalid %q", tc.lang, r.status, r.body, tc.want)
				}
			}
		})
	})
}
