package httpapi_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"helpdesk/internal/i18n"
)

func TestProblemLanguage(t *testing.T) {
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		missing := ticketPath("TS19990101001")
		tests := []struct {
			name, as, acceptLanguage, path string
			wantCode                       string
			wantLang                       i18n.Lang
		}{
			{"anonymous, no header: site default", "", "", missing, "auth.required", i18n.ZH},
			{"anonymous, en", "", "en", missing, "auth.required", i18n.EN},
			{"anonymous, en-US with q", "", "fr;q=1, en-US;q=0.8, zh;q=0.1", missing, "auth.required", i18n.EN},
			{"anonymous, zh-CN", "", "zh-CN,zh;q=0.9", missing, "auth.required", i18n.ZH},
			{"anonymous, unsupported language", "", "de-DE", missing, "auth.required", i18n.ZH},
			{"user without preference, en", "cust1", "en", missing, "ticket.not_found", i18n.EN},
			{"user without preference, no header", "cust1", "", missing, "ticket.not_found", i18n.ZH},
			{"profile en beats zh-CN header", "cust3", "zh-CN", missing, "ticket.not_found", i18n.EN},
			{"profile en, no header", "cust3", "", missing, "ticket.not_found", i18n.EN},
			{"huma-level error localized too", "cust3", "zh-CN", "/api/v1/tickets?limit=0", "request.validation", i18n.EN},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := map[string]string{}
				if tt.acceptLanguage != "" {
					h["Accept-Language"] = tt.acceptLanguage
				}
				r := e.do(t, call{as: tt.as, method: http.MethodGet, path: tt.path, headers: h})
				if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("Content-Type = %q, want application/problem+json", ct)
				}
				p := r.problem(t)
				if p.Code != tt.wantCode || p.Status != r.status || p.Title != http.StatusText(r.status) || p.Type == "" {
					t.Errorf("problem = %+v (HTTP %d), want code %s with matching status and title", p, r.status, tt.wantCode)
				}
				want := i18n.T(tt.wantLang, tt.wantCode, nil)
				if i := strings.Index(want, "{"); i >= 0 {
					want = want[:i] // only the fixed part of a message with parameters
				}
				if !strings.HasPrefix(p.Detail, want) {
					t.Errorf("detail = %q, want it in %s (%q)", p.Detail, tt.wantLang, want)
				}
			})
		}
	})
}

func TestBadInput(t *testing.T) {
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		valid := `"description":"d","category":"software"`
		post := func(name, body string, status int, code string) scenario {
			return scenario{name: name, as: "cust1", method: http.MethodPost, path: "/api/v1/tickets", body: body,
				wantStatus: status, wantCode: code}
		}
		huge := `{"title":"t",` + valid + `,"custom_fields":{"version":"` + strings.Repeat("a", 1<<20) + `"}}`
		e.run(t, []scenario{
			post("malformed JSON", `{"title": "t", `, http.StatusBadRequest, "request.malformed"),
			post("not an object", `["t"]`, http.StatusUnprocessableEntity, ""),
			post("body over 1 MB", huge, http.StatusRequestEntityTooLarge, "request.too_large"),
			post("title of the wrong type", `{"title":5,`+valid+`}`, http.StatusUnprocessableEntity, "request.validation"),
			post("unknown field", `{"title":"t","titel":"x",`+valid+`}`, http.StatusUnprocessableEntity, "request.unknown_field"),
			post("title of 201 characters", `{"title":"`+strings.Repeat("长", 201)+`",`+valid+`}`, http.StatusUnprocessableEntity, ""),
			post("title of 200 characters", `{"title":"`+strings.Repeat("长", 200)+`",`+valid+`}`, http.StatusCreated, ""),
			post("blank title", `{"title":"   ",`+valid+`}`, http.StatusUnprocessableEntity, "field.required"),
			post("line break in title", `{"title":"a\nb",`+valid+`}`, http.StatusUnprocessableEntity, "field.control_char"),
			post("NUL in description", `{"title":"t","description":"a\u0000b","category":"software"}`, http.StatusUnprocessableEntity, "field.control_char"),
			post("invalid UTF-8", "{\"title\":\"\xff\xfe\xfd\","+valid+"}", http.StatusBadRequest, "request.invalid_utf8"),
			post("unknown category", `{"title":"t","description":"d","category":"nope"}`, http.StatusUnprocessableEntity, "category.not_found"),
			post("bad priority", `{"title":"t",`+valid+`,"priority":"P0"}`, http.StatusUnprocessableEntity, ""),
			post("invalid email", `{"title":"t",`+valid+`,"contact_email":"'; DROP TABLE tickets; --"}`,
				http.StatusUnprocessableEntity, "field.email_invalid"),
			post("unknown custom field", `{"title":"t",`+valid+`,"custom_fields":{"colour":"red"}}`,
				http.StatusUnprocessableEntity, "custom_field.unknown"),
			post("several errors at once", `{"title":"","description":"","category":"software"}`,
				http.StatusUnprocessableEntity, "validation_failed"),
			{name: "unknown field lists the field", as: "cust1", method: http.MethodPost, path: "/api/v1/tickets",
				body: `{"title":"t","titel":"x",` + valid + `}`, wantStatus: http.StatusUnprocessableEntity,
				check: func(t *testing.T, r reply) {
					if p := r.problem(t); len(p.Errors) != 1 || p.Errors[0].Field != "titel" || !strings.Contains(p.Detail, "titel") {
						t.Errorf("problem = %+v, want the field titel named", p)
					}
				}},
			{name: "field errors are listed", as: "cust1", method: http.MethodPost, path: "/api/v1/tickets",
				body: `{"title":"","description":"","category":"software"}`, wantStatus: http.StatusUnprocessableEntity,
				check: func(t *testing.T, r reply) {
					fields := map[string]string{}
					for _, fe := range r.problem(t).Errors {
						fields[fe.Field] = fe.Code
					}
					if fields["title"] != "field.required" || fields["description"] != "field.required" {
						t.Errorf("errors = %v, want title and description required", fields)
					}
				}},
			{name: "no credentials", method: http.MethodGet, path: "/api/v1/tickets", wantStatus: http.StatusUnauthorized,
				wantCode: "auth.required"},
			{name: "unknown token", method: http.MethodGet, path: "/api/v1/tickets", wantStatus: http.StatusUnauthorized,
				wantCode: "auth.token_invalid", headers: map[string]string{"Authorization": "Bearer hd_bm90LWEtdG9rZW4"}},
			{name: "not a bearer token", method: http.MethodGet, path: "/api/v1/me", wantStatus: http.StatusUnauthorized,
				wantCode: "auth.token_invalid", headers: map[string]string{"Authorization": "Basic Y3VzdDE6eA=="}},
			{name: "token without prefix", method: http.MethodGet, path: "/api/v1/me", wantStatus: http.StatusUnauthorized,
				wantCode: "auth.token_invalid", headers: map[string]string{"Authorization": "Bearer ' OR 1=1 --"}},
			{name: "bad session cookie", method: http.MethodGet, path: "/api/v1/me", wantStatus: http.StatusUnauthorized,
				headers: map[string]string{"Cookie": "helpdesk_session=hd_forged"}},
			{name: "anonymous create", method: http.MethodPost, path: "/api/v1/tickets", body: `{"title":"t",` + valid + `}`,
				wantStatus: http.StatusUnauthorized, wantCode: "auth.required"},
		})
		t.Run("nothing was stored by the rejected requests", func(t *testing.T) {
			r := e.do(t, call{as: "admin", method: http.MethodGet, path: "/api/v1/tickets"})
			if items := r.items(t); len(items) != 1 {
				t.Errorf("admin sees %d tickets, want only the 200-character one", len(items))
			}
		})
	})
}

func TestRevokedToken(t *testing.T) {
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		created := e.do(t, call{as: "cust1", method: http.MethodPost, path: "/api/v1/tokens", body: map[string]any{"name": "脚本"}})
		if created.status != http.StatusCreated {
			t.Fatalf("create token: %d %s", created.status, created.body)
		}
		m := created.object(t)
		secret, id := str(m, "token"), strconv.FormatFloat(m["id"].(float64), 'f', -1, 64)
		if !strings.HasPrefix(secret, "hd_") {
			t.Fatalf("token = %q, want hd_ prefix", secret)
		}
		bearer := map[string]string{"Authorization": "Bearer " + secret}
		e.run(t, []scenario{
			{name: "new token works", path: "/api/v1/me", headers: bearer, wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					if got := str(r.object(t), "login"); got != "cust1" {
						t.Errorf("login = %q, want cust1", got)
					}
				}},
			{name: "listing never shows the secret", as: "cust1", path: "/api/v1/tokens", wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					if bytes.Contains(r.body, []byte(secret)) || len(r.items(t)) < 2 {
						t.Errorf("token list = %s", r.body)
					}
				}},
			{name: "someone else cannot revoke it", as: "cust3", method: http.MethodDelete, path: "/api/v1/tokens/" + id,
				wantStatus: http.StatusNotFound},
			{name: "still works", path: "/api/v1/me", headers: bearer, wantStatus: http.StatusOK},
			{name: "owner revokes", as: "cust1", method: http.MethodDelete, path: "/api/v1/tokens/" + id,
				wantStatus: http.StatusNoContent},
			{name: "revoked token", path: "/api/v1/me", headers: bearer, wantStatus: http.StatusUnauthorized,
				wantCode: "auth.token_invalid"},
			{name: "revoked token cannot create", method: http.MethodPost, path: "/api/v1/tickets", headers: bearer,
				body:       map[string]any{"title": "t", "description": "d", "category": "software"},
				wantStatus: http.StatusUnauthorized, wantCode: "auth.token_invalid"},
		})
	})
}

// TestHostileText sends SQL and HTML metacharacters through every text field:
// they are stored and returned byte for byte, and the tables still work.
func TestHostileText(t *testing.T) {
	payloads := map[string]string{
		"sql":     `'; DROP TABLE tickets; --`,
		"html":    `<script>alert(1)</script><img src=x onerror=alert(1)>`,
		"quotes":  `Robert'); DELETE FROM users WHERE ('1'='1 "双引号" \反斜杠\ %_`,
		"unicode": "零宽\u200b字符 emoji 🙂 RTL \u202e",
	}
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		for name, p := range payloads {
			t.Run(name, func(t *testing.T) {
				m := e.createTicket(t, "cust1", map[string]any{"title": p, "description": p + "\n" + p,
					"category": "hardware", "custom_fields": map[string]any{"model": p}})
				n := str(m, "number")
				got := e.do(t, call{as: "cust1", method: http.MethodGet, path: ticketPath(n)}).object(t)
				cf, _ := got["custom_fields"].(map[string]any)
				for field, v := range map[string]any{"title": got["title"], "description": got["description"], "custom_fields.model": cf["model"]} {
					want := p
					if field == "description" {
						want = p + "\n" + p
					}
					if v != want {
						t.Errorf("%s = %q, want %q", field, v, want)
					}
				}
				if r := e.do(t, call{as: "cust1", method: http.MethodPost, path: ticketPath(n, "messages"), body: map[string]any{"body": p}}); r.status != http.StatusCreated {
					t.Fatalf("post message: %d %s", r.status, r.body)
				}
				msgs := e.do(t, call{as: "cust1", method: http.MethodGet, path: ticketPath(n, "messages")}).items(t)
				if len(msgs) != 1 || msgs[0]["body"] != p {
					t.Errorf("messages = %v, want the body verbatim", msgs)
				}
				upd := e.do(t, call{as: "cust1", method: http.MethodPatch, path: ticketPath(n), body: map[string]any{"title": p + " v2"}})
				if str(upd.object(t), "title") != p+" v2" {
					t.Errorf("patched title = %q", str(upd.object(t), "title"))
				}
				for _, q := range []string{"requester=", "category=", "group=", "assignee="} {
					r := e.do(t, call{as: "admin", method: http.MethodGet, path: "/api/v1/tickets?" + q + url.QueryEscape(p)})
					if r.status != http.StatusOK || len(r.items(t)) != 0 {
						t.Errorf("filter %s<payload>: %d %s, want 200 and nothing", q, r.status, r.body)
					}
				}
			})
		}
		t.Run("the tables still work", func(t *testing.T) {
			r := e.do(t, call{as: "cust1", method: http.MethodGet, path: "/api/v1/tickets"})
			if r.status != http.StatusOK || len(r.items(t)) != len(payloads) {
				t.Fatalf("list: %d, %d items, want %d", r.status, len(r.items(t)), len(payloads))
			}
			e.createTicket(t, "cust1", nil)
		})
		t.Run("a payload as ticket number", func(t *testing.T) {
			r := e.do(t, call{as: "cust1", method: http.MethodGet, path: ticketPath(url.PathEscape(payloads["sql"]))})
			if r.status != http.StatusNotFound && r.status != http.StatusUnprocessableEntity {
				t.Errorf("status %d, want 404 or 422", r.status)
			}
		})
	})
}
