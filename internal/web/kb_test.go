package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"helpdesk/internal/blob"
	"helpdesk/internal/desktest"
	"helpdesk/internal/kb"
	"helpdesk/internal/live"
	"helpdesk/internal/notify"
	"helpdesk/internal/search"
	"helpdesk/internal/site"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// kbDesk is a test desk with the knowledge base, search and suggestions
// wired as the app wires them.
type kbDesk struct {
	*testDesk
	KB *kb.Service
}

func newKBDesk(t testing.TB) *kbDesk {
	t.Helper()
	db := storetest.SQLite(t)
	d := desktest.New(t, db, desktest.Options{})
	blobs, err := blob.NewFS(filepath.Join(t.TempDir(), "kbblobs"))
	if err != nil {
		t.Fatal(err)
	}
	sr := search.NewService(search.Deps{Store: db.Search(), Tickets: d.Tickets, Audiences: kb.AudiencesFor})
	sg := kb.NewSuggester(db.KB(), nil)
	k := kb.NewService(kb.Deps{Store: db.KB(), Tickets: d.Tickets, Search: sr, Users: d.Identity, Suggester: sg,
		Macros: db.KB(), Actions: d.Tickets, Blobs: blobs, Attachments: db.KB()})
	hub := live.NewHub(db.Web(), db.Engine() == store.SQLite, nil)
	mux := http.NewServeMux()
	w, err := New(mux, Deps{Identity: d.Identity, Tickets: d.Tickets, SLA: d.SLA, Routing: d.Routing, Live: hub,
		Inbox: notify.NewInbox(db.Notify(), nil), Search: sr, KB: k, Suggester: sg,
		Settings: site.NewService(db.Web(), site.Settings{Name: "测试服务台", DefaultLang: "zh-CN", TimeZone: "Asia/Shanghai"}, nil)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &kbDesk{testDesk: &testDesk{Desk: d, srv: srv, web: w, hub: hub}, KB: k}
}

func (d *kbDesk) as(t *testing.T, login, lang string) *browser {
	b := d.browser(t)
	b.lang = lang
	b.signIn(login)
	return b
}

// resolved files a ticket with personal data in it, answers and resolves it.
func resolved(t *testing.T, d *kbDesk) ticket.Ticket {
	t.Helper()
	ctx := context.Background()
	tk := d.NewTicket(t, "cust1", "ERP 登录后闪退")
	if _, err := d.Tickets.AddMessage(ctx, d.Actors["cust1"], tk.Number, ticket.MessageInput{
		Body: "我是张三，电话 13812341234，邮箱 zhang.san@example.com，电脑 IP 192.168.1.23。"}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Tickets.Claim(ctx, d.Actors["agent1"], tk.Number); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Tickets.AddMessage(ctx, d.Actors["agent1"], tk.Number, ticket.MessageInput{Body: "请升级到 5.3 版本并清除缓存。"}); err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		who string
		to  ticket.Status
	}{{"agent1", ticket.StatusAwaitingConfirmation}, {"cust1", ticket.StatusResolved}} {
		if _, err := d.Tickets.ChangeStatus(ctx, d.Actors[st.who], tk.Number, 0, st.to, ""); err != nil {
			t.Fatal(err)
		}
	}
	tk, _ = d.Tickets.Get(ctx, d.Actors["agent1"], tk.Number)
	return tk
}

var articleLocRE = regexp.MustCompile(`^/desk/kb/(\d+)$`)

// newArticle writes a draft through the form and returns its page.
func newArticle(t *testing.T, b *browser, title string) string {
	t.Helper()
	res, body := b.submit("/desk/kb/new", "/desk/kb", url.Values{"title": {title}, "category": {"software"},
		"tags": {"ERP，登录"}, "audience": {"customers"}, "lang": {"zh-CN"}, "body": {"## 步骤\n\n1. 清除缓存\n2. 重新登录\n"}})
	wantRedirect(t, "create article", res, body)
	loc := res.Header.Get("Location")
	if !articleLocRE.MatchString(loc) {
		t.Fatalf("create article went to %q", loc)
	}
	return loc
}

func articleState(t *testing.T, d *kbDesk, path string) kb.State {
	t.Helper()
	id := articleLocRE.FindStringSubmatch(path)[1]
	a, err := d.KB.Get(context.Background(), d.Actors["admin"], int64(mustAtoi(t, id)))
	if err != nil {
		t.Fatal(err)
	}
	return a.State
}

func mustAtoi(t *testing.T, s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not a number: %q", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// flashOn opens a page and returns its flash message.
func flashOn(b *browser, path string) string {
	_, body := b.get(path)
	m := regexp.MustCompile(`<p class="flash flash-(?:ok|error)">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestKBPagesOnlyForStaff(t *testing.T) {
	d := newKBDesk(t)
	agent := d.as(t, "agent1", "zh-CN")
	art := newArticle(t, agent, "客户看不到草稿")
	cust := d.as(t, "cust1", "zh-CN")
	for _, path := range []string{"/desk/kb", "/desk/kb/new", art, art + "/edit", art + "/versions", "/admin/macros", "/admin/macros/new", "/admin/assist"} {
		if res, _ := cust.get(path); res.StatusCode != http.StatusForbidden {
			t.Errorf("customer GET %s: %d, want 403", path, res.StatusCode)
		}
	}
	if res, _ := cust.submit("/portal", art+"/submit", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("customer submits an article: %d, want 403", res.StatusCode)
	}
	for _, login := range []string{"agent1", "super1"} {
		b := d.as(t, login, "zh-CN")
		for _, path := range []string{"/admin/macros", "/admin/macros/new", "/admin/assist"} {
			if res, _ := b.get(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", login, path, res.StatusCode)
			}
		}
		if res, _ := b.submit("/desk", "/admin/assist/retrain", nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s retrains: %d, want 403", login, res.StatusCode)
		}
	}
	anon := d.browser(t)
	if res, _ := anon.get("/desk/kb"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
		t.Errorf("anonymous /desk/kb: %d, want a redirect to sign in", res.StatusCode)
	}
	if res, _ := agent.get("/desk/kb/999999"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown article: %d, want 404", res.StatusCode)
	}
	if res, _ := agent.get("/desk/kb/x"); res.StatusCode != http.StatusNotFound {
		t.Errorf("malformed article id: %d, want 404", res.StatusCode)
	}
}

// TestKBPagesRender opens every knowledge base page in both languages:
// each is in the visitor's language, shows no catalog key, labels every
// control and has the landmarks.
func TestKBPagesRender(t *testing.T) {
	d := newKBDesk(t)
	tk := resolved(t, d)
	if _, err := d.KB.SaveMacro(context.Background(), d.Actors["admin"], kb.Macro{Name: "问候", Body: "您好 {{requester.name}}"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, nav, state, diff, assist string }{
		{"zh-CN", "知识库", "草稿", "版本对比", "智能辅助"},
		{"en", "Knowledge base", "Draft", "Compare versions", "Assistance"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			agent := d.as(t, "agent1", c.lang)
			art := newArticle(t, agent, "渲染测试 "+c.lang)
			admin := d.as(t, "admin", c.lang)
			pages := []struct {
				b          *browser
				path, want string
			}{
				{agent, "/desk/kb", c.state}, {agent, "/desk/kb?state=draft&lang=zh-CN&q=" + url.QueryEscape("渲染"), "渲染测试"},
				{agent, "/desk/kb/new", c.nav}, {agent, art, "<h2>"}, {agent, art + "/edit", c.nav},
				{agent, art + "/versions", c.diff}, {agent, "/t/" + tk.Number, c.assist}, {agent, "/t/" + tk.Number, `id="macro-sel"`},
				{admin, "/admin", "/admin/macros"}, {admin, "/admin/macros", c.nav}, {admin, "/admin/macros/new", "{{requester.name}}"},
				{admin, "/admin/assist", "0.5"},
			}
			for _, p := range pages {
				res, body := p.b.get(p.path)
				if res.StatusCode != http.StatusOK {
					t.Errorf("%s: %d %s", p.path, res.StatusCode, errorsIn(body))
					continue
				}
				if !strings.Contains(body, p.want) || !strings.Contains(body, `<html lang="`+c.lang+`"`) {
					t.Errorf("%s: want %q in %s", p.path, p.want, c.lang)
				}
				if k := regexp.MustCompile(`web\.(kb|assist|macro)\.[a-z_.]+`).FindString(body); k != "" {
					t.Errorf("%s: an untranslated catalog key shows: %s", p.path, k)
				}
				for _, ctl := range unlabelled(body) {
					t.Errorf("%s: control without a label: %s", p.path, ctl)
				}
				for _, want := range []string{`<main id="main"`, `role="banner"`, `role="contentinfo"`} {
					if !strings.Contains(body, want) {
						t.Errorf("%s lacks %s", p.path, want)
					}
				}
			}
		})
	}
}

func TestKBReviewWorkflow(t *testing.T) {
	d := newKBDesk(t)
	agent := d.as(t, "agent1", "zh-CN")
	super := d.as(t, "super1", "zh-CN")
	art := newArticle(t, agent, "ERP 闪退的处理")
	if _, body := agent.get(art); !strings.Contains(body, "<li>清除缓存</li>") || !strings.Contains(body, "提交审核") {
		t.Errorf("the article page lacks its rendered body or the submit button:\n%s", errorsIn(body))
	}
	// An agent does not review, not even their own article.
	agent.submit(art, art+"/submit", nil)
	if res, _ := agent.submit(art, art+"/approve", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("agent approves: %d, want 403", res.StatusCode)
	}
	if got := articleState(t, d, art); got != kb.StateInReview {
		t.Fatalf("after submit: %s", got)
	}
	agent.submit(art, art+"/submit", nil)
	if f := flashOn(agent, art); f != "文章当前状态（待审核）不允许此操作。" {
		t.Errorf("submitting twice says %q", f)
	}
	// Sending back needs a comment.
	res, _ := super.submit(art, art+"/reject", url.Values{"comment": {"  "}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject without comment: %d", res.StatusCode)
	}
	if f := flashOn(super, art); f != "请填写审核意见。" {
		t.Errorf("reject without comment says %q", f)
	}
	super.submit(art, art+"/reject", url.Values{"comment": {"请补充版本号"}})
	if got := articleState(t, d, art); got != kb.StateDraft {
		t.Fatalf("after send back: %s", got)
	}
	if _, body := agent.get(art); !strings.Contains(body, "孙主管 退回了这篇文章") && !strings.Contains(body, "super1 退回了这篇文章") || !strings.Contains(body, "请补充版本号") {
		t.Errorf("the author does not see the send-back comment:\n%s", errorsIn(body))
	}
	// The author edits and resubmits; the supervisor publishes.
	res, body := agent.submit(art+"/edit", art, url.Values{"version": {"1"}, "title": {"ERP 闪退的处理"}, "body": {"## 步骤\n\n适用于 5.2 版本。\n"},
		"audience": {"customers"}, "lang": {"zh-CN"}, "note": {"补充版本号"}})
	wantRedirect(t, "edit", res, body)
	agent.submit(art, art+"/submit", nil)
	super.submit(art, art+"/approve", nil)
	if got := articleState(t, d, art); got != kb.StatePublished {
		t.Fatalf("after approve: %s", got)
	}
	// A supervisor may not approve their own article.
	own := newArticle(t, super, "主管自己写的")
	super.submit(own, own+"/submit", nil)
	super.submit(own, own+"/approve", nil)
	if f := flashOn(super, own); f != "不能审核自己撰写的文章。" {
		t.Errorf("self-approval says %q", f)
	}
	if got := articleState(t, d, own); got != kb.StateInReview {
		t.Errorf("self-approved article is %s", got)
	}
}

func TestKBEditConflictAndPreview(t *testing.T) {
	d := newKBDesk(t)
	agent := d.as(t, "agent1", "en")
	art := newArticle(t, agent, "Conflicts")
	form := url.Values{"version": {"1"}, "title": {"Conflicts"}, "body": {"first **edit**"}, "audience": {"internal"}, "lang": {"en"}}
	// Preview renders (sanitized) and saves nothing.
	form.Set("preview", "1")
	form.Set("body", "first **edit** <script>alert(1)</script>")
	res, body := agent.submit(art+"/edit", art, form)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "<strong>edit</strong>") || strings.Contains(body, "<script>alert") {
		t.Errorf("preview: %d, want the rendered, sanitized body", res.StatusCode)
	}
	form.Del("preview")
	if res, body := agent.submit(art+"/edit", art, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first edit: %d %s", res.StatusCode, errorsIn(body))
	}
	// A second edit from the same (now stale) form is a conflict.
	form.Set("body", "second edit")
	res, body = agent.submit(art+"/edit", art, form)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone else changed the article") || !strings.Contains(body, "second edit") ||
		!strings.Contains(body, "Open the latest version") {
		t.Errorf("stale edit: %d, want 409 with the message and the text kept:\n%s", res.StatusCode, errorsIn(body))
	}
	// A missing title is shown beside the field.
	res, body = agent.submit("/desk/kb/new", "/desk/kb", url.Values{"title": {""}, "body": {"x"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="err"`) {
		t.Errorf("empty title: %d", res.StatusCode)
	}
}

func TestKBVersionsDiffAndRestore(t *testing.T) {
	d := newKBDesk(t)
	agent := d.as(t, "agent1", "zh-CN")
	art := newArticle(t, agent, "版本测试")
	res, body := agent.submit(art+"/edit", art, url.Values{"version": {"1"}, "title": {"版本测试"}, "body": {"## 步骤\r\n\r\n1. 重启电脑\r\n2. 重新登录\r\n"}, // as a browser sends a textarea
		"audience": {"internal"}, "lang": {"zh-CN"}})
	wantRedirect(t, "edit", res, body)
	_, body = agent.get(art + "/versions")
	for _, want := range []string{`<span class="d-remove">- 1. 清除缓存</span>`, `<span class="d-add">+ 1. 重启电脑</span>`, `<span class="d-same">  2. 重新登录</span>`, "恢复 v1"} {
		if !strings.Contains(body, want) {
			t.Errorf("versions page lacks %s", want)
		}
	}
	res, _ = agent.submit(art+"/versions", art+"/restore", url.Values{"version": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore: %d", res.StatusCode)
	}
	a, _ := d.KB.Get(context.Background(), d.Actors["agent1"], int64(mustAtoi(t, articleLocRE.FindStringSubmatch(art)[1])))
	if a.Version != 3 || !strings.Contains(a.Body, "清除缓存") {
		t.Errorf("after restore: v%d %q", a.Version, a.Body)
	}
}

func TestKBDraftFromTicketGatesPublishing(t *testing.T) {
	d := newKBDesk(t)
	tk := resolved(t, d)
	agent := d.as(t, "agent1", "zh-CN")
	_, body := agent.get("/t/" + tk.Number)
	if !strings.Contains(body, `action="/t/`+tk.Number+`/kb-draft"`) {
		t.Fatal("the resolved ticket offers no draft button")
	}
	res, _ := agent.submit("/t/"+tk.Number, "/t/"+tk.Number+"/kb-draft", nil)
	art := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !articleLocRE.MatchString(art) {
		t.Fatalf("draft from ticket: %d %q", res.StatusCode, art)
	}
	_, body = agent.get(art)
	for _, want := range []string{"已脱敏的个人信息", "电话", "邮箱", "IP 地址", "138****1234", "待审核人确认", "已生成草稿"} {
		if !strings.Contains(body, want) {
			t.Errorf("draft page lacks %q", want)
		}
	}
	for _, leak := range []string{"13812341234", "zhang.san@example.com", "192.168.1.23"} {
		if strings.Contains(body, leak) {
			t.Errorf("the draft shows %s unmasked", leak)
		}
	}
	// The ticket now offers to open that draft instead of making another.
	_, body = agent.get("/t/" + tk.Number)
	if !strings.Contains(body, `id="kb-open-draft" href="`+art+`"`) || strings.Contains(body, `id="kb-draft"`) {
		t.Error("the ticket page does not offer the open draft instead of a new one")
	}
	// A second click (a page loaded before) opens the same draft and says so.
	if res, _ := agent.submit("/t/"+tk.Number, "/t/"+tk.Number+"/kb-draft", nil); res.Header.Get("Location") != art {
		t.Errorf("drafting again went to %q, want the open draft %q", res.Header.Get("Location"), art)
	}
	if f := flashOn(agent, art); !strings.Contains(f, "已有一篇未发布的草稿") {
		t.Errorf("drafting again says %q", f)
	}
	agent.submit(art, art+"/submit", nil)
	super := d.as(t, "super1", "zh-CN")
	super.submit(art, art+"/approve", nil)
	if f := flashOn(super, art); f != "发布前请逐项确认已脱敏的个人信息。" {
		t.Errorf("approving with unconfirmed maskings says %q", f)
	}
	if got := articleState(t, d, art); got != kb.StateInReview {
		t.Fatalf("published with unconfirmed maskings: %s", got)
	}
	_, body = super.get(art)
	seqs := regexp.MustCompile(`action="`+art+`/maskings/(\d+)/confirm"`).FindAllStringSubmatch(body, -1)
	if len(seqs) < 3 {
		t.Fatalf("the reviewer sees %d confirm buttons, want one per masking", len(seqs))
	}
	// The agent may not confirm.
	if res, _ := agent.submit(art, art+"/maskings/"+seqs[0][1]+"/confirm", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("agent confirms a masking: %d, want 403", res.StatusCode)
	}
	for _, s := range seqs {
		if res, _ := super.submit(art, art+"/maskings/"+s[1]+"/confirm", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm %s: %d", s[1], res.StatusCode)
		}
	}
	super.submit(art, art+"/approve", nil)
	if got := articleState(t, d, art); got != kb.StatePublished {
		t.Errorf("after confirming all: %s", got)
	}
}

func TestMacroAdminAndApply(t *testing.T) {
	d := newKBDesk(t)
	admin := d.as(t, "admin", "zh-CN")
	bad := url.Values{"name": {"坏模板"}, "body": {"您好 {{customer.nickname}}"}}
	res, body := admin.submit("/admin/macros/new", "/admin/macros", bad)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "未知变量 {{customer.nickname}}") {
		t.Errorf("unknown variable: %d, want 422 with the message:\n%s", res.StatusCode, errorsIn(body))
	}
	res, body = admin.submit("/admin/macros/new", "/admin/macros", url.Values{"name": {"已处理待确认"},
		"body": {"{{requester.name}} 您好，工单 {{ticket.number}} 已处理，请确认。"}, "set_status": {"awaiting_confirmation"}, "set_assignee": {"me"}})
	wantRedirect(t, "save macro", res, body)
	edit := res.Header.Get("Location")
	if _, body := admin.get("/admin/macros"); !strings.Contains(body, "已处理待确认") || !strings.Contains(body, "使用者本人") {
		t.Error("the macro list lacks the macro")
	}
	tk := d.NewTicket(t, "cust1", "打印机卡纸")
	agent := d.as(t, "agent2", "zh-CN")
	_, body = agent.get("/t/" + tk.Number)
	id := regexp.MustCompile(`<option value="(\d+)">已处理待确认</option>`).FindStringSubmatch(body)
	if id == nil {
		t.Fatal("the reply form offers no macro")
	}
	res, body = agent.submit("/t/"+tk.Number, "/t/"+tk.Number+"/macro", url.Values{"macro": {id[1]}})
	wantRedirect(t, "apply macro", res, body)
	got, _ := d.Tickets.Get(context.Background(), d.Actors["admin"], tk.Number)
	if got.Status != ticket.StatusAwaitingConfirmation || got.Assignee != "agent2" {
		t.Errorf("after the macro: %s, assignee %q", got.Status, got.Assignee)
	}
	msgs, _ := d.Tickets.Messages(context.Background(), d.Actors["admin"], tk.Number)
	if last := msgs[len(msgs)-1]; last.Body != "张三 您好，工单 "+tk.Number+" 已处理，请确认。" || last.Internal {
		t.Errorf("the macro's reply is %q (internal %v)", last.Body, last.Internal)
	}
	// A step the status machine refuses is reported on the ticket page.
	res, body = admin.submit("/admin/macros/new", "/admin/macros", url.Values{"name": {"直接关闭"}, "set_status": {"closed"}})
	wantRedirect(t, "save closing macro", res, body)
	closing := strings.TrimPrefix(res.Header.Get("Location"), "/admin/macros/")
	fresh := d.NewTicket(t, "cust1", "新的问题")
	res, body = agent.submit("/t/"+fresh.Number, "/t/"+fresh.Number+"/macro", url.Values{"macro": {closing}})
	if res.StatusCode < 400 || !strings.Contains(body, `role="alert"`) {
		t.Errorf("a refused macro step: %d, want an error on the ticket page", res.StatusCode)
	}
	if got, _ := d.Tickets.Get(context.Background(), d.Actors["admin"], fresh.Number); got.Status == ticket.StatusClosed {
		t.Error("the refused macro closed the ticket")
	}
	// Delete.
	res, _ = admin.submit(edit, strings.Replace(edit, "/admin/macros/", "/admin/macros/", 1)+"/delete", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("delete: %d", res.StatusCode)
	}
	if _, body := admin.get("/admin/macros"); strings.Contains(body, "已处理待确认") {
		t.Error("the deleted macro is still listed")
	}
}

func TestAssistModelAdminAndTicketPanel(t *testing.T) {
	d := newKBDesk(t)
	for range 3 {
		resolved(t, d)
	}
	admin := d.as(t, "admin", "en")
	if _, body := admin.get("/admin/assist"); !strings.Contains(body, "Not trained yet") {
		t.Error("an untrained model is not said so")
	}
	res, _ := admin.submit("/admin/assist", "/admin/assist/retrain", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("retrain: %d", res.StatusCode)
	}
	_, body := admin.get("/admin/assist")
	for _, want := range []string{"The models are retrained.", "Category", "Priority", "Accuracy (held out)", "Off"} {
		if !strings.Contains(body, want) {
			t.Errorf("assist page lacks %q", want)
		}
	}
	res, body = admin.submit("/admin/assist", "/admin/assist/threshold", url.Values{"threshold": {"0.3"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "between 0.5 and 1") {
		t.Errorf("threshold 0.3: %d, want 422 with the range", res.StatusCode)
	}
	res, _ = admin.submit("/admin/assist", "/admin/assist/threshold", url.Values{"threshold": {"0.8"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("threshold 0.8: %d", res.StatusCode)
	}
	if _, body := admin.get("/admin/assist"); !strings.Contains(body, "On: confidence ≥ 80.0%") {
		t.Error("the threshold is not shown as on")
	}
	// The agent's ticket page suggests a category and priority with their
	// confidence, and similar tickets.
	tk := d.NewTicket(t, "cust1", "ERP 登录后闪退")
	agent := d.as(t, "agent1", "en")
	_, body = agent.get("/t/" + tk.Number)
	for _, want := range []string{"Assistance", "Suggested category and priority", "% confident", "Similar tickets", "ERP 登录后闪退"} {
		if !strings.Contains(body, want) {
			t.Errorf("ticket page lacks %q", want)
		}
	}
}

func TestKBAttachments(t *testing.T) {
	d := newKBDesk(t)
	agent := d.as(t, "agent1", "en")
	art := newArticle(t, agent, "With a screenshot")
	upload := func(name string, content []byte) *http.Response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("csrf", agent.token(art))
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(content)
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, agent.base+art+"/attach", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, _ := agent.do(req)
		return res
	}
	if res := upload("error.png", pngBytes()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	_, body := agent.get(art)
	link := regexp.MustCompile(`href="(` + art + `/a/\d+)">error.png</a>`).FindStringSubmatch(body)
	if link == nil {
		t.Fatal("the article does not list its attachment")
	}
	res, got := agent.get(link[1])
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || got != string(pngBytes()) {
		t.Errorf("download: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res := upload("tool.exe", []byte("MZ\x90\x00\x03\x00\x00\x00")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("refused upload: %d", res.StatusCode)
	}
	if f := flashOn(agent, art); !strings.Contains(f, "Only PNG, JPEG, PDF or text") {
		t.Errorf("a refused file says %q", f)
	}
	cust := d.as(t, "cust1", "en")
	if res, _ := cust.get(link[1]); res.StatusCode != http.StatusForbidden {
		t.Errorf("customer downloads a draft's file: %d, want 403", res.StatusCode)
	}
}

// TestKBListTitleFilterSearchesEveryPage filters by title words across the
// whole list: a match older than a page of newer articles is still found
// (the filter used to narrow only the page already read), any case.
func TestKBListTitleFilterSearchesEveryPage(t *testing.T) {
	d := newKBDesk(t)
	ctx := context.Background()
	draft := func(title string) {
		if _, err := d.KB.Create(ctx, d.Actors["agent1"], kb.Draft{Title: title, Body: "正文 body", Category: "hardware",
			Audience: "internal", Lang: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	draft("Printer shows Offline")
	for i := range kbListPage {
		draft("Filler " + itoa(int64(i)))
	}
	agent := d.as(t, "agent1", "en")
	res, body := agent.get("/desk/kb?q=" + url.QueryEscape("printer SHOWS"))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Printer shows Offline") {
		t.Errorf("got %d, want the older matching article listed", res.StatusCode)
	}
	if strings.Contains(body, "Filler ") {
		t.Error("articles that do not match are listed")
	}
}
