package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"helpdesk/internal/ticket"
)

func TestKBAPI(t *testing.T) {
	kbEngines(t, func(t *testing.T, e *env) {
		r := e.do(t, call{as: "agent1", method: "POST", path: "/api/v1/kb/articles", body: map[string]any{
			"title": "VPN 连不上怎么办", "body": "# 步骤\n\n1. 检查网络\n<script>x</script>", "category": "network", "audience": "public",
			"tags": []string{"vpn"}}})
		if r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		art := r.object(t)
		id := int64(art["id"].(float64))
		path := fmt.Sprintf("/api/v1/kb/articles/%d", id)
		if html := art["body_html"].(string); !strings.Contains(html, "<h1>步骤</h1>") || strings.Contains(html, "<script>") {
			t.Errorf("body_html = %q, want rendered and sanitized", html)
		}
		if r := e.do(t, call{method: "GET", path: path}); r.status != 404 {
			t.Errorf("anonymous reads a draft: %d, want 404", r.status)
		}
		r = e.do(t, call{as: "agent1", method: "PUT", path: path, headers: map[string]string{"If-Match": `"1"`},
			body: map[string]any{"title": "VPN 连不上怎么办", "body": "1. 检查网络\n2. 重新登录", "audience": "public", "category": "network", "note": "v2"}})
		if r.status != 200 || r.header.Get("ETag") != `"2"` {
			t.Fatalf("update: %d %s", r.status, r.body)
		}
		if r := e.do(t, call{as: "agent1", method: "PUT", path: path, headers: map[string]string{"If-Match": `"1"`},
			body: map[string]any{"title": "x", "body": "y"}}); r.status != 409 || r.problem(t).Code != "kb.conflict" {
			t.Errorf("stale update: %d %s, want 409 kb.conflict", r.status, r.body)
		}
		for _, step := range []struct{ as, action, comment string }{{"agent1", "submit", ""}, {"super1", "approve", "ok"}} {
			if r := e.do(t, call{as: step.as, method: "POST", path: path + "/" + step.action, body: map[string]any{"comment": step.comment}}); r.status != 200 {
				t.Fatalf("%s: %d %s", step.action, r.status, r.body)
			}
		}
		// The public help center: browse, read, search, feedback — no sign-in.
		if items := e.do(t, call{method: "GET", path: "/api/v1/kb/articles?category=network"}).items(t); len(items) != 1 {
			t.Errorf("anonymous browse: %v", items)
		}
		if r := e.do(t, call{method: "GET", path: path}); r.status != 200 {
			t.Errorf("anonymous read: %d", r.status)
		}
		if r := e.do(t, call{method: "POST", path: path + "/feedback", body: map[string]any{"helpful": true}}); r.status != 200 || r.object(t)["helpful"] != 1.0 {
			t.Errorf("anonymous feedback: %d %s", r.status, r.body)
		}
		if r := e.do(t, call{as: "cust1", method: "GET", path: "/api/v1/search?kind=article&q=" + url.QueryEscape("连不上")}); len(r.items(t)) != 1 {
			t.Errorf("customer searches articles: %s", r.body)
		}
		// History.
		if r := e.do(t, call{as: "agent1", method: "GET", path: path + "/versions"}); len(r.items(t)) != 2 {
			t.Errorf("versions: %s", r.body)
		}
		if r := e.do(t, call{as: "agent1", method: "GET", path: path + "/diff?from=1&to=2"}); r.status != 200 || !strings.Contains(string(r.body), `"op":"add"`) {
			t.Errorf("diff: %d %s", r.status, r.body)
		}
		if r := e.do(t, call{as: "cust1", method: "GET", path: path + "/versions"}); r.status != 404 {
			t.Errorf("customer reads versions: %d, want 404", r.status)
		}
		if r := e.do(t, call{as: "agent1", method: "GET", path: path + "/reviews"}); len(r.items(t)) != 4 {
			t.Errorf("reviews: %s", r.body)
		}
		// Deflection: suggestions while typing, then "this solved it".
		r = e.do(t, call{as: "cust1", method: "GET", path: "/api/v1/kb/suggest?title=" + url.QueryEscape("VPN 一直连不上") + "&description=" + url.QueryEscape("公司网络")})
		if items := r.items(t); len(items) != 1 || int64(items[0]["id"].(float64)) != id {
			t.Fatalf("suggest: %s", r.body)
		}
		if r := e.do(t, call{as: "cust1", method: "POST", path: "/api/v1/kb/suggest", body: map[string]any{"article_id": id, "category": "network"}}); r.status != 201 {
			t.Errorf("deflect: %d %s", r.status, r.body)
		}
		if n, err := e.d.DB.KB().CountDeflections(context.Background(), time.Time{}, time.Time{}); err != nil || n != 1 {
			t.Errorf("deflections recorded: %d (%v), want 1", n, err)
		}
		if r := e.do(t, call{method: "POST", path: "/api/v1/kb/suggest", body: map[string]any{"article_id": id}}); r.status != 401 {
			t.Errorf("anonymous deflect: %d, want 401", r.status)
		}
		// Draft from a ticket and the agent's related panel.
		tk := e.createTicket(t, "cust1", map[string]any{"title": "VPN 连不上", "description": "我的手机 13812341234，VPN 连不上"})
		number := tk["number"].(string)
		r = e.do(t, call{as: "agent1", method: "POST", path: "/api/v1/tickets/" + number + "/kb-draft", headers: map[string]string{"Accept-Language": "en"}})
		if r.status != 201 || strings.Contains(string(r.body), "13812341234") || !strings.Contains(string(r.body), "## Problem") {
			t.Errorf("kb-draft: %d %s", r.status, r.body)
		}
		// Again: the open draft, not a second one.
		again := e.do(t, call{as: "agent1", method: "POST", path: "/api/v1/tickets/" + number + "/kb-draft"})
		if again.status != 200 || !strings.Contains(string(again.body), `"existing":true`) {
			t.Errorf("kb-draft again: %d %s", again.status, again.body)
		}
		r = e.do(t, call{as: "agent1", method: "GET", path: "/api/v1/tickets/" + number + "/related"})
		if r.status != 200 || !strings.Contains(string(r.body), `"suggested_articles":[{`) {
			t.Errorf("related: %d %s", r.status, r.body)
		}
		if r := e.do(t, call{as: "cust1", method: "GET", path: "/api/v1/tickets/" + number + "/related"}); r.status != 403 {
			t.Errorf("customer related: %d, want 403", r.status)
		}
	})
}

func TestClassifierAPI(t *testing.T) {
	kbEngines(t, func(t *testing.T, e *env) {
		cats, _ := e.d.DB.Tickets().Categories(context.Background())
		byKey := map[string]ticket.Category{}
		for _, c := range cats {
			byKey[c.Key] = c
		}
		var recs []ticket.NewRecord
		now := time.Now()
		for _, c := range []struct{ title, cat string }{{"打印机卡纸", "hardware"}, {"VPN 连不上", "network"}, {"系统崩溃", "software"}} {
			for i := range 3 {
				k := byKey[c.cat]
				recs = append(recs, ticket.NewRecord{Day: now.Format("20060102"), Ticket: ticket.Ticket{Title: c.title, Description: c.title,
					CategoryID: k.ID, GroupID: k.GroupID, Priority: ticket.Priorities[i], Status: ticket.StatusResolved, Channel: ticket.ChannelWeb,
					RequesterID: e.d.Users["cust1"].ID, Version: 1, CreatedAt: now, UpdatedAt: now}})
			}
		}
		if _, err := e.d.DB.Tickets().ImportTickets(context.Background(), recs); err != nil {
			t.Fatal(err)
		}
		if r := e.do(t, call{as: "agent1", method: "POST", path: "/api/v1/admin/kb/classifier/retrain"}); r.status != 403 {
			t.Errorf("agent retrains: %d", r.status)
		}
		r := e.do(t, call{as: "admin", method: "POST", path: "/api/v1/admin/kb/classifier/retrain"})
		if r.status != 200 || !strings.Contains(string(r.body), `"n_train":`) {
			t.Fatalf("retrain: %d %s", r.status, r.body)
		}
		r = e.do(t, call{as: "agent1", method: "GET", path: "/api/v1/kb/classify?title=" + url.QueryEscape("打印机卡纸")})
		if r.status != 200 || r.object(t)["category"].(map[string]any)["value"] != "hardware" {
			t.Errorf("classify: %d %s", r.status, r.body)
		}
		if r := e.do(t, call{as: "admin", method: "PUT", path: "/api/v1/admin/kb/classifier", body: map[string]any{"auto_apply_threshold": 0.3}}); r.status != 422 || r.problem(t).Code != "kb.threshold_invalid" {
			t.Errorf("threshold 0.3: %d %s", r.status, r.body)
		}
		if r := e.do(t, call{as: "admin", method: "PUT", path: "/api/v1/admin/kb/classifier", body: map[string]any{"auto_apply_threshold": 0.9}}); r.status != 204 {
			t.Errorf("threshold 0.9: %d %s", r.status, r.body)
		}
		if r := e.do(t, call{as: "admin", method: "GET", path: "/api/v1/admin/kb/classifier"}); r.object(t)["auto_apply_threshold"] != 0.9 {
			t.Errorf("status: %s", r.body)
		}
	})
}

func TestMacroAPI(t *testing.T) {
	kbEngines(t, func(t *testing.T, e *env) {
		r := e.do(t, call{as: "super1", method: "POST", path: "/api/v1/kb/macros", body: map[string]any{"name": "转硬件组",
			"body": "{{requester.name}}，您的工单 {{ticket.number}} 已转交硬件组。", "set_category": "hardware"}})
		if r.status != 201 {
			t.Fatalf("create macro: %d %s", r.status, r.body)
		}
		id := int64(r.object(t)["id"].(float64))
		if r := e.do(t, call{as: "super1", method: "POST", path: "/api/v1/kb/macros", body: map[string]any{"name": "bad", "body": "{{x.y}}"}}); r.status != 422 {
			t.Errorf("unknown variable: %d %s", r.status, r.body)
		}
		if items := e.do(t, call{as: "agent1", method: "GET", path: "/api/v1/kb/macros"}).items(t); len(items) != 1 {
			t.Errorf("list macros: %v", items)
		}
		tk := e.createTicket(t, "cust1", nil)
		r = e.do(t, call{as: "agent1", method: "POST", path: fmt.Sprintf("/api/v1/tickets/%s/macros/%d", tk["number"], id)})
		if r.status != 200 || r.object(t)["category"] != "hardware" {
			t.Fatalf("apply macro: %d %s", r.status, r.body)
		}
		msgs := e.do(t, call{as: "cust1", method: "GET", path: fmt.Sprintf("/api/v1/tickets/%s/messages", tk["number"])})
		if !strings.Contains(string(msgs.body), "张三，您的工单 "+tk["number"].(string)+" 已转交硬件组。") {
			t.Errorf("messages after macro: %s", msgs.body)
		}
		if r := e.do(t, call{as: "cust1", method: "POST", path: fmt.Sprintf("/api/v1/tickets/%s/macros/%d", tk["number"], id)}); r.status != 403 {
			t.Errorf("customer applies a macro: %d", r.status)
		}
	})
}

func TestArticleAttachments(t *testing.T) {
	kbEngines(t, func(t *testing.T, e *env) {
		r := e.do(t, call{as: "agent1", method: "POST", path: "/api/v1/kb/articles", body: map[string]any{
			"title": "截图说明", "body": "见附件", "audience": "public"}})
		id := int64(r.object(t)["id"].(float64))
		upload := func(as, name string, content []byte) reply {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			fw, _ := mw.CreateFormFile("file", name)
			fw.Write(content)
			mw.Close()
			req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/kb/articles/%d/attachments", e.srv.URL, id), &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.Header.Set("Authorization", "Bearer "+e.token(t, as))
			return e.send(t, req)
		}
		png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
		r = upload("agent1", "shot.png", png)
		if r.status != 201 || r.object(t)["content_type"] != "image/png" {
			t.Fatalf("upload png: %d %s", r.status, r.body)
		}
		url := r.object(t)["url"].(string)
		if r := upload("agent1", "x.exe", []byte("MZ\x00\x00\x01\x02")); r.status != 422 || r.problem(t).Code != "kb.attachment_type" {
			t.Errorf("upload exe: %d %s", r.status, r.body)
		}
		if r := upload("cust1", "a.txt", []byte("hi")); r.status != 403 {
			t.Errorf("customer uploads: %d", r.status)
		}
		if r := e.do(t, call{method: "GET", path: url}); r.status != 404 {
			t.Errorf("anonymous downloads from a draft: %d, want 404", r.status)
		}
		if r := e.do(t, call{as: "agent1", method: "GET", path: url}); r.status != 200 || !bytes.Equal(r.body, png) || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("staff download: %d", r.status)
		}
	})
}
