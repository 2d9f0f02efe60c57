package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"helpdesk/internal/alert"
	"helpdesk/internal/desktest"
	"helpdesk/internal/httpapi"
	"helpdesk/internal/mailin"
	"helpdesk/internal/notify"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

// mailEnv is a desk with mail intake served over HTTP.
func mailEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	d := desktest.New(t, db, desktest.Options{})
	mail := mailin.NewService(mailin.Deps{Store: db.Mail(), Tickets: d.Tickets, Users: mailin.NewUsers(d.Identity, db.Identity())})
	mux := http.NewServeMux()
	httpapi.New(mux, httpapi.Deps{Identity: d.Identity, Tickets: d.Tickets, Inbox: notify.NewInbox(db.Notify(), nil), SLA: d.SLA,
		Routing: d.Routing, Mail: mail, NotifySettings: notify.NewSettings(db.Outbound(), notify.NewRenderer(db.Outbound(), catalogTexts{})),
		Webhooks: notify.NewWebhooks(db.Outbound(), nil), Alerts: alert.NewService(alert.Deps{Store: db.Alerts(), Conditions: db.Alerts(),
			Directory: db.Identity(), Announcer: notify.AlertAnnouncer{}}), Ready: db.Ready, Version: "test", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{d: d, srv: srv, tokens: map[string]string{}}
}

const rfc822 = "message/rfc822"

func rawMail(from, subject, id, body string) string {
	return "From: " + from + "\r\nTo: support@desk.example\r\nSubject: " + subject + "\r\nMessage-ID: <" + id + ">\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
}

func TestMailAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := mailEnv(t, db)
		hdr := map[string]string{"Content-Type": rfc822}
		var number string
		t.Run("admin posts a raw message", func(t *testing.T) {
			r := e.do(t, call{as: "admin", method: "POST", path: "/api/v1/intake/email", headers: hdr,
				body: []byte(rawMail("Li Ming <li@corp.example>", "VPN 连不上", "a1@corp.example", "从早上开始 VPN 连不上。"))})
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			o := r.object(t)
			number = str(o, "ticket_number")
			if str(o, "status") != "created" || !strings.HasPrefix(number, "TS") {
				t.Errorf("outcome = %v", o)
			}
		})
		t.Run("duplicate answers with the first ticket", func(t *testing.T) {
			r := e.do(t, call{as: "admin", method: "POST", path: "/api/v1/intake/email", headers: map[string]string{
				"Content-Type": rfc822, "Accept-Language": "zh-CN"},
				body: []byte(rawMail("li@corp.example", "VPN 连不上", "a1@corp.example", "again"))})
			o := r.object(t)
			if str(o, "status") != "ignored" || str(o, "reason") != "duplicate" || str(o, "ticket_number") != number ||
				!strings.Contains(str(o, "reason_text"), "重复") {
				t.Errorf("outcome = %v", o)
			}
		})
		t.Run("agents may not post mail", func(t *testing.T) {
			r := e.do(t, call{as: "agent1", method: "POST", path: "/api/v1/intake/email", headers: hdr, body: []byte(rawMail("x@y.example", "s", "a2@y", "b"))})
			if r.status != 403 {
				t.Errorf("status %d", r.status)
			}
		})
		t.Run("no token is 401, wrong content type is 415", func(t *testing.T) {
			if r := e.do(t, call{method: "POST", path: "/api/v1/intake/email", headers: hdr, body: []byte("x")}); r.status != 401 {
				t.Errorf("no token: status %d", r.status)
			}
			r := e.do(t, call{as: "admin", method: "POST", path: "/api/v1/intake/email", body: []byte("{}")})
			if r.status != 415 || r.problem(t).Code != "mail.content_type" {
				t.Errorf("json body: status %d %s", r.status, r.body)
			}
		})
		var mbID int64
		t.Run("mailbox CRUD; password never listed", func(t *testing.T) {
			r := e.do(t, call{as: "admin", method: "POST", path: "/api/v1/mail/mailboxes", body: map[string]any{
				"name": "imap-support", "address": "support@desk.example", "mode": "imap", "imap_host": "127.0.0.1", "imap_port": 1143,
				"tls_mode": "plain", "username": "support", "password": "s3cret", "folder": "INBOX", "processed_action": "move",
				"move_to": "Processed", "create_unknown_senders": false, "category": "network", "enabled": true}})
			if r.status != 201 {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			o := r.object(t)
			mbID = int64(o["id"].(float64))
			if strings.Contains(string(r.body), "s3cret") || str(o, "move_to") != "Processed" || o["create_unknown_senders"] != false {
				t.Errorf("created = %s", r.body)
			}
			r = e.do(t, call{as: "admin", method: "GET", path: "/api/v1/mail/mailboxes"})
			if items := r.items(t); len(items) != 1 || strings.Contains(string(r.body), "s3cret") {
				t.Errorf("list = %s", r.body)
			}
			r = e.do(t, call{as: "admin", method: "POST", path: "/api/v1/mail/mailboxes", body: map[string]any{
				"name": "bad", "mode": "imap", "tls_mode": "starttls", "processed_action": "move", "enabled": true,
				"create_unknown_senders": true}})
			if r.status != 422 {
				t.Errorf("invalid mailbox: %d %s", r.status, r.body)
			}
			codes := map[string]bool{}
			for _, fe := range r.problem(t).Errors {
				codes[fe.Code] = true
			}
			for _, c := range []string{"field.required"} {
				if !codes[c] {
					t.Errorf("missing error %s in %s", c, r.body)
				}
			}
			r = e.do(t, call{as: "admin", method: "POST", path: "/api/v1/mail/mailboxes", body: map[string]any{
				"name": "bad", "mode": "imap", "tls_mode": "ssl3", "enabled": true, "create_unknown_senders": true}})
			if r.status != 422 || r.problem(t).Code != "request.validation" {
				t.Errorf("unknown tls mode: %d %s", r.status, r.body)
			}
			if r := e.do(t, call{as: "agent1", method: "GET", path: "/api/v1/mail/mailboxes"}); r.status != 403 {
				t.Errorf("agent list: %d", r.status)
			}
		})
		t.Run("mailbox token posts with the mailbox's settings", func(t *testing.T) {
			r := e.do(t, call{as: "admin", method: "POST", path: "/api/v1/mail/mailboxes/" + strconv.FormatInt(mbID, 10) + "/token"})
			tok := str(r.object(t), "token")
			if tok == "" {
				t.Fatalf("token: %s", r.body)
			}
			// create_unknown_senders is off for this mailbox.
			r = e.do(t, call{method: "POST", path: "/api/v1/intake/email", headers: map[string]string{"Content-Type": rfc822,
				"Authorization": "Bearer " + tok}, body: []byte(rawMail("nobody@x.example", "hi", "a3@x.example", "hello"))})
			if o := r.object(t); r.status != 200 || str(o, "reason") != "unknown_sender" {
				t.Errorf("with mailbox token: %d %s", r.status, r.body)
			}
			r = e.do(t, call{as: "admin", method: "GET", path: "/api/v1/mail/mailboxes/" + strconv.FormatInt(mbID, 10) + "/log"})
			if items := r.items(t); len(items) != 1 || str(items[0], "reason") != "unknown_sender" {
				t.Errorf("log = %s", r.body)
			}
		})
		t.Run("dead letters: list, retry refused for a malformed one, discard", func(t *testing.T) {
			r := e.do(t, call{as: "admin", method: "POST", path: "/api/v1/intake/email", headers: hdr, body: []byte("no header at all")})
			o := r.object(t)
			if str(o, "status") != "dead" || str(o, "reason") != "malformed" {
				t.Fatalf("outcome = %s", r.body)
			}
			id := strconv.FormatInt(int64(o["log_id"].(float64)), 10)
			r = e.do(t, call{as: "admin", method: "GET", path: "/api/v1/mail/dead-letters"})
			if items := r.items(t); len(items) != 1 || str(items[0], "status") != "dead" {
				t.Errorf("dead letters = %s", r.body)
			}
			if r := e.do(t, call{as: "admin", method: "POST", path: "/api/v1/mail/log/" + id + "/retry"}); r.status != 202 {
				t.Errorf("retry: %d %s", r.status, r.body)
			}
			if r := e.do(t, call{as: "admin", method: "POST", path: "/api/v1/mail/log/" + id + "/discard"}); r.status != 204 {
				t.Errorf("discard: %d %s", r.status, r.body)
			}
			if r := e.do(t, call{as: "admin", method: "POST", path: "/api/v1/mail/log/" + id + "/discard"}); r.status != 404 {
				t.Errorf("discard twice: %d", r.status)
			}
		})
	})
}
