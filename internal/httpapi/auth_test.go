package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"helpdesk/internal/desktest"
	"helpdesk/internal/httpapi"
)

// sessionCookie returns the session cookie an answer sets, or nil.
func sessionCookie(r reply) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == httpapi.SessionCookie {
			return c
		}
	}
	return nil
}

func TestLoginSession(t *testing.T) {
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		login := func(name, password string, headers map[string]string, status int, code string, check func(*testing.T, reply)) scenario {
			return scenario{name: name, method: http.MethodPost, path: "/api/v1/auth/login", headers: headers,
				body: map[string]any{"login": name, "password": password}, wantStatus: status, wantCode: code, check: check}
		}
		var cookie *http.Cookie
		e.run(t, []scenario{
			login("cust1", desktest.Password, nil, http.StatusOK, "", func(t *testing.T, r reply) {
				cookie = sessionCookie(r)
				if cookie == nil {
					t.Fatalf("no %s cookie in %v", httpapi.SessionCookie, r.header.Values("Set-Cookie"))
				}
				if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || cookie.Secure {
					t.Errorf("cookie = %s, want HttpOnly, SameSite=Lax, Path=/, not Secure over http", cookie)
				}
				if !strings.HasPrefix(cookie.Value, "hd_") || cookie.MaxAge <= 0 {
					t.Errorf("cookie value %q max-age %d", cookie.Value, cookie.MaxAge)
				}
				if got := str(r.object(t), "login"); got != "cust1" {
					t.Errorf("login = %q", got)
				}
				if strings.Contains(string(r.body), "password") || strings.Contains(string(r.body), "argon") {
					t.Errorf("login answer leaks the password hash: %s", r.body)
				}
			}),
			login("agent1", desktest.Password, map[string]string{"X-Forwarded-Proto": "https"}, http.StatusOK, "",
				func(t *testing.T, r reply) {
					if c := sessionCookie(r); c == nil || !c.Secure || !c.HttpOnly {
						t.Errorf("behind TLS: cookie = %v, want Secure and HttpOnly", c)
					}
				}),
			login("cust1", "wrong-password", nil, http.StatusUnauthorized, "auth.bad_credentials", func(t *testing.T, r reply) {
				if sessionCookie(r) != nil {
					t.Errorf("failed login set a cookie")
				}
			}),
			login("nobody", desktest.Password, nil, http.StatusUnauthorized, "auth.bad_credentials", nil),
			login("", "", nil, http.StatusUnauthorized, "auth.bad_credentials", nil),
		})
		withCookie := func(c *http.Cookie) map[string]string { return map[string]string{"Cookie": c.Name + "=" + c.Value} }
		e.run(t, []scenario{
			{name: "me with the cookie", path: "/api/v1/me", headers: withCookie(cookie), wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					if m := r.object(t); str(m, "login") != "cust1" || str(m, "role") != "customer" {
						t.Errorf("me = %v", m)
					}
				}},
			{name: "tickets with the cookie", path: "/api/v1/tickets", headers: withCookie(cookie), wantStatus: http.StatusOK},
			{name: "logout", method: http.MethodPost, path: "/api/v1/auth/logout", headers: withCookie(cookie),
				wantStatus: http.StatusNoContent, check: func(t *testing.T, r reply) {
					c := sessionCookie(r)
					if c == nil || c.Value != "" || c.MaxAge >= 0 {
						t.Errorf("logout cookie = %v, want it cleared (empty, Max-Age=0)", c)
					}
				}},
			{name: "old cookie after logout", path: "/api/v1/me", headers: withCookie(cookie),
				wantStatus: http.StatusUnauthorized, wantCode: "auth.session_invalid"},
			{name: "logout without a session", method: http.MethodPost, path: "/api/v1/auth/logout", wantStatus: http.StatusNoContent},
		})
	})
}

func TestAdminEndpoints(t *testing.T) {
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		newUser := map[string]any{"login": "cust9", "password": "long-enough-1", "name": "新客户", "role": "customer",
			"organization": "Globex", "lang": "en"}
		category := map[string]any{"name_zh": "打印机", "name_en": "Printer", "group": "printers", "active": true,
			"fields": []map[string]any{
				{"key": "brand", "label_zh": "品牌", "label_en": "Brand", "type": "select", "required": true, "options": []string{"HP", "Canon"}},
				{"key": "pages", "label_zh": "页数", "label_en": "Pages", "type": "number"},
			}}
		group := map[string]any{"name_zh": "打印机组", "name_en": "Printers"}
		printerTicket := func(fields map[string]any) map[string]any {
			return map[string]any{"title": "卡纸", "description": "一直卡纸", "category": "printer", "custom_fields": fields}
		}
		e.run(t, []scenario{
			{name: "customer creates user", as: "cust1", method: http.MethodPost, path: "/api/v1/users", body: newUser,
				wantStatus: http.StatusForbidden, wantCode: "auth.forbidden"},
			{name: "agent creates user", as: "agent1", method: http.MethodPost, path: "/api/v1/users", body: newUser,
				wantStatus: http.StatusForbidden, wantCode: "auth.forbidden"},
			{name: "supervisor creates user", as: "super1", method: http.MethodPost, path: "/api/v1/users", body: newUser,
				wantStatus: http.StatusForbidden, wantCode: "auth.forbidden"},
			{name: "customer lists users", as: "cust1", path: "/api/v1/users", wantStatus: http.StatusForbidden},
			{name: "admin creates user", as: "admin", method: http.MethodPost, path: "/api/v1/users", body: newUser,
				wantStatus: http.StatusCreated, check: func(t *testing.T, r reply) {
					if m := r.object(t); str(m, "login") != "cust9" || str(m, "organization") != "Globex" || str(m, "lang") != "en" {
						t.Errorf("user = %v", m)
					}
				}},
			{name: "duplicate login", as: "admin", method: http.MethodPost, path: "/api/v1/users", body: newUser,
				wantStatus: http.StatusUnprocessableEntity, wantCode: "user.login_taken"},
			{name: "bad role", as: "admin", method: http.MethodPost, path: "/api/v1/users",
				body: map[string]any{"login": "x1", "password": "long-enough-1", "role": "root"}, wantStatus: http.StatusUnprocessableEntity},
			{name: "new user signs in", method: http.MethodPost, path: "/api/v1/auth/login",
				body: map[string]any{"login": "cust9", "password": "long-enough-1"}, wantStatus: http.StatusOK},
			{name: "agent saves group", as: "agent1", method: http.MethodPut, path: "/api/v1/groups/printers", body: group,
				wantStatus: http.StatusForbidden},
			{name: "admin saves group", as: "admin", method: http.MethodPut, path: "/api/v1/groups/printers", body: group,
				wantStatus: http.StatusOK, check: func(t *testing.T, r reply) {
					if m := r.object(t); str(m, "key") != "printers" || str(m, "name_en") != "Printers" {
						t.Errorf("group = %v", m)
					}
				}},
			{name: "groups list it", as: "agent1", path: "/api/v1/groups", wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					if !strings.Contains(string(r.body), `"printers"`) {
						t.Errorf("groups = %s", r.body)
					}
				}},
			{name: "agent saves category", as: "agent1", method: http.MethodPut, path: "/api/v1/categories/printer", body: category,
				wantStatus: http.StatusForbidden},
			{name: "category of an unknown group", as: "admin", method: http.MethodPut, path: "/api/v1/categories/fax",
				body:       map[string]any{"name_zh": "传真", "name_en": "Fax", "group": "nope", "active": true, "fields": []any{}},
				wantStatus: http.StatusUnprocessableEntity, wantCode: "group.not_found"},
			{name: "admin saves category", as: "admin", method: http.MethodPut, path: "/api/v1/categories/printer", body: category,
				wantStatus: http.StatusOK, check: func(t *testing.T, r reply) {
					if m := r.object(t); str(m, "key") != "printer" || str(m, "group") != "printers" || len(m["fields"].([]any)) != 2 {
						t.Errorf("category = %v", m)
					}
				}},
			{name: "customers see the category", as: "cust1", path: "/api/v1/categories", wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					if !strings.Contains(string(r.body), `"printer"`) {
						t.Errorf("categories = %s", r.body)
					}
				}},
			{name: "bad option", as: "cust1", method: http.MethodPost, path: "/api/v1/tickets",
				body: printerTicket(map[string]any{"brand": "Epson"}), wantStatus: http.StatusUnprocessableEntity,
				wantCode: "custom_field.option", check: func(t *testing.T, r reply) {
					if p := r.problem(t); len(p.Errors) != 1 || p.Errors[0].Field != "custom_fields.brand" || !strings.Contains(p.Detail, "HP") {
						t.Errorf("problem = %+v, want custom_fields.brand with the options", p)
					}
				}},
			{name: "missing required field", as: "cust1", method: http.MethodPost, path: "/api/v1/tickets",
				body: printerTicket(nil), wantStatus: http.StatusUnprocessableEntity, wantCode: "field.required"},
			{name: "number field given text", as: "cust1", method: http.MethodPost, path: "/api/v1/tickets",
				body: printerTicket(map[string]any{"brand": "HP", "pages": "many"}), wantStatus: http.StatusUnprocessableEntity,
				wantCode: "custom_field.type"},
			{name: "valid custom fields", as: "cust1", method: http.MethodPost, path: "/api/v1/tickets",
				body: printerTicket(map[string]any{"brand": "HP", "pages": 12}), wantStatus: http.StatusCreated,
				check: func(t *testing.T, r reply) {
					m := r.object(t)
					cf, _ := m["custom_fields"].(map[string]any)
					if str(m, "group") != "printers" || cf["brand"] != "HP" || cf["pages"] != float64(12) {
						t.Errorf("ticket = %v", m)
					}
				}},
			{name: "staff lists orgs", as: "agent1", path: "/api/v1/orgs", wantStatus: http.StatusOK},
			{name: "customer lists orgs", as: "cust1", path: "/api/v1/orgs", wantStatus: http.StatusForbidden},
		})
	})
}

func TestOpenAPIAndProbes(t *testing.T) {
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		var spec struct {
			OpenAPI string                               `json:"openapi"`
			Paths   map[string]map[string]map[string]any `json:"paths"`
		}
		r := e.do(t, call{method: http.MethodGet, path: "/api/v1/openapi.json"})
		if r.status != http.StatusOK {
			t.Fatalf("openapi.json: %d", r.status)
		}
		if err := json.Unmarshal(r.body, &spec); err != nil {
			t.Fatalf("openapi.json is not valid JSON: %v", err)
		}
		if !strings.HasPrefix(spec.OpenAPI, "3.1") {
			t.Errorf("openapi = %q, want 3.1.x", spec.OpenAPI)
		}
		for _, p := range []string{"/api/v1/tickets", "/api/v1/tickets/{number}", "/api/v1/tickets/{number}/status",
			"/api/v1/tickets/{number}/messages", "/api/v1/tickets/{number}/history", "/api/v1/tickets/{number}/attachments",
			"/api/v1/me", "/api/v1/users", "/api/v1/groups", "/api/v1/categories", "/api/v1/orgs", "/api/v1/auth/login"} {
			if _, ok := spec.Paths[p]; !ok {
				t.Errorf("path %s missing from the OpenAPI document", p)
			}
		}
		// Every operation on a path with {number} declares the parameter.
		for path, ops := range spec.Paths {
			if !strings.Contains(path, "{number}") {
				continue
			}
			for method, op := range ops {
				params, _ := op["parameters"].([]any)
				found := false
				for _, p := range params {
					if pm, _ := p.(map[string]any); pm["name"] == "number" && pm["in"] == "path" {
						found = true
					}
				}
				if !found {
					t.Errorf("%s %s does not declare the number path parameter", method, path)
				}
			}
		}

		docs := e.do(t, call{method: http.MethodGet, path: "/api/docs"})
		if docs.status != http.StatusOK || !strings.HasPrefix(docs.header.Get("Content-Type"), "text/html") {
			t.Fatalf("docs: %d %s", docs.status, docs.header.Get("Content-Type"))
		}
		for _, ops := range spec.Paths {
			for _, op := range ops {
				if id, _ := op["operationId"].(string); id != "" && !strings.Contains(string(docs.body), `id="`+id+`"`) {
					t.Errorf("docs page does not list operation %s", id)
				}
			}
		}
		if strings.Contains(string(docs.body), "<script") {
			t.Errorf("docs page loads scripts")
		}

		e.run(t, []scenario{
			{name: "healthz", path: "/healthz", wantStatus: http.StatusOK},
			{name: "readyz", path: "/readyz", wantStatus: http.StatusOK},
			{name: "unknown API route", as: "cust1", path: "/api/v1/nope", wantStatus: http.StatusNotFound},
			{name: "nosniff on API answers", as: "cust1", path: "/api/v1/me", wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Cache-Control") != "no-store" {
						t.Errorf("headers = %v", r.header)
					}
				}},
		})
	})
}
