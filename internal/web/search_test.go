package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"helpdesk/internal/desktest"
	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
	"helpdesk/internal/kb"
	"helpdesk/internal/search"
	"helpdesk/internal/site"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// searchDesk is a test desk with the search and knowledge base services.
type searchDesk struct {
	*testDesk
	kb *kb.Service
}

func newSearchDesk(t *testing.T) *searchDesk {
	t.Helper()
	db := storetest.SQLite(t)
	d := desktest.New(t, db, desktest.Options{})
	srch := search.NewService(search.Deps{Store: db.Search(), Tickets: d.Tickets, Audiences: kb.AudiencesFor})
	kbs := kb.NewService(kb.Deps{Store: db.KB(), Tickets: d.Tickets, Search: srch, Users: d.Identity})
	mux := http.NewServeMux()
	w, err := New(mux, Deps{Identity: d.Identity, Tickets: d.Tickets, SLA: d.SLA, Routing: d.Routing, Search: srch, KB: kbs,
		Settings: site.NewService(db.Web(), site.Settings{Name: "测试服务台", DefaultLang: "zh-CN", TimeZone: "Asia/Shanghai"}, nil)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &searchDesk{testDesk: &testDesk{Desk: d, srv: srv, web: w}, kb: kbs}
}

// publish writes an article as agent1 and publishes it as super1 (or
// leaves it a draft).
func (d *searchDesk) publish(t *testing.T, title, body, audience, lang string, published bool) kb.Article {
	t.Helper()
	ctx := context.Background()
	a, err := d.kb.Create(ctx, d.Actors["agent1"], kb.Draft{Title: title, Body: body, Category: "hardware", Audience: audience, Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	if !published {
		return a
	}
	if _, err := d.kb.Submit(ctx, d.Actors["agent1"], a.ID, ""); err != nil {
		t.Fatal(err)
	}
	if a, err = d.kb.Approve(ctx, d.Actors["super1"], a.ID, ""); err != nil {
		t.Fatal(err)
	}
	return a
}

func (d *searchDesk) ticket(t *testing.T, login, title, desc string) ticket.Ticket {
	t.Helper()
	tk, err := d.Tickets.Create(context.Background(), d.Actors[login], ticket.CreateInput{Title: title, Description: desc,
		Category: "software", Priority: ticket.P3, ContactPhone: "13812341234"})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

var markRE = regexp.MustCompile(`<mark>([^<]*)</mark>`)

func TestDeskSearchHighlights(t *testing.T) {
	d := newSearchDesk(t)
	tk := d.ticket(t, "cust1", "打印机无法打印 printer jammed", "办公室的打印机卡纸，printer shows error E05")
	for _, c := range []struct {
		lang, q, mark, count string
	}{
		{"zh-CN", "打印", "打印", "找到 1 条结果"},
		{"en", "printer", "printer", "Results: 1"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			b := d.browser(t)
			b.lang = c.lang
			b.signIn("agent1")
			res, body := b.get("/desk/search?q=" + url.QueryEscape(c.q))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("got %d, want 200", res.StatusCode)
			}
			if !strings.Contains(body, `href="/t/`+tk.Number+`"`) {
				t.Errorf("the ticket %s is not listed", tk.Number)
			}
			if m := markRE.FindStringSubmatch(body); m == nil || !strings.EqualFold(m[1], c.mark) {
				t.Errorf("got highlight %v, want <mark>%s</mark>", m, c.mark)
			}
			if !strings.Contains(body, c.count) {
				t.Errorf("the page does not say %q", c.count)
			}
		})
	}
}

func TestSearchNeverInjectsMarkup(t *testing.T) {
	d := newSearchDesk(t)
	d.ticket(t, "cust1", `<img src=x onerror=alert(1)> 打印机`, `<script>alert("x")</script> 打印机坏了`)
	b := d.browser(t)
	b.signIn("agent1")
	_, body := b.get("/desk/search?q=" + url.QueryEscape("打印机"))
	if strings.Contains(body, "<img src=x") || strings.Contains(body, `<script>alert`) {
		t.Fatal("a ticket's text became markup on the search page")
	}
	if !strings.Contains(body, "&lt;script&gt;") || !strings.Contains(body, "<mark>打印机</mark>") {
		t.Error("the text is not shown escaped with its highlight")
	}
	if got := marks("a &lt;b&gt; <mark>x&amp;y</mark> c"); len(got) != 3 || got[1].Text != "x&y" || !got[1].Hit || got[0].Text != "a <b> " {
		t.Errorf("marks: got %+v", got)
	}
}

func TestSearchTicketNumberFirst(t *testing.T) {
	d := newSearchDesk(t)
	tk := d.ticket(t, "cust1", "网络很慢", "网络 slow")
	d.ticket(t, "cust1", "网络又慢了 "+tk.Number, "参见 "+tk.Number)
	b := d.browser(t)
	b.signIn("agent1")
	_, body := b.get("/desk/search?q=" + url.QueryEscape(tk.Number))
	first := strings.Index(body, `<li class="result exact"`)
	link := strings.Index(body, `href="/t/`+tk.Number+`"`)
	if first < 0 || link < first || strings.Index(body, `<li class="result`) != first {
		t.Fatalf("the ticket whose number was searched is not first and marked (exact at %d, link at %d)", first, link)
	}
}

func TestSearchErrorsAreShownNot500(t *testing.T) {
	d := newSearchDesk(t)
	for _, c := range []struct {
		lang, path, want string
	}{
		{"zh-CN", "/desk/search?q=", "请输入要搜索的内容。"},
		{"en", "/desk/search?q=", "Enter something to search for."},
		{"zh-CN", "/desk/search?q=-打印", "搜索不能只包含排除词"},
		{"en", "/desk/search?q=x&from=2026-13-40", "Invalid date: use year-month-day."},
		{"en", "/desk/search?q=x&status=nope", "nope"},
		{"zh-CN", "/portal/search?q=++", "请输入要搜索的内容。"},
		{"en", "/help?q=", "Enter something to search for."},
	} {
		t.Run(c.path, func(t *testing.T) {
			b := d.browser(t)
			b.lang = c.lang
			if strings.HasPrefix(c.path, "/desk") {
				b.signIn("agent1")
			} else if strings.HasPrefix(c.path, "/portal") {
				b.signIn("cust1")
			}
			res, body := b.get(c.path)
			if res.StatusCode >= 500 || res.StatusCode == http.StatusOK {
				t.Errorf("got %d, want a 4xx page", res.StatusCode)
			}
			if !strings.Contains(body, c.want) {
				t.Errorf("the page lacks %q", c.want)
			}
			if !strings.Contains(body, `name="q"`) {
				t.Error("the search form is not shown again")
			}
		})
	}
	b := d.browser(t)
	b.signIn("agent1")
	if res, body := b.get("/desk/search"); res.StatusCode != http.StatusOK || strings.Contains(body, "flash-error") {
		t.Errorf("an empty search page: %d, with an error shown", res.StatusCode)
	}
}

func TestPortalSearchScope(t *testing.T) {
	d := newSearchDesk(t)
	ctx := context.Background()
	mine := d.ticket(t, "cust1", "打印机卡纸 mine", "打印机卡纸")
	theirs := d.ticket(t, "cust3", "打印机坏了 theirs", "打印机坏了")
	if _, err := d.Tickets.AddMessage(ctx, d.Actors["agent1"], mine.Number, ticket.MessageInput{Body: "打印机 内部备注 secretnote", Internal: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Tickets.AddMessage(ctx, d.Actors["agent1"], mine.Number, ticket.MessageInput{Body: "打印机 请重启 publicreply"}); err != nil {
		t.Fatal(err)
	}
	b := d.browser(t)
	b.signIn("cust1")
	_, body := b.get("/portal/search?q=" + url.QueryEscape("打印机"))
	if !strings.Contains(body, "/t/"+mine.Number) || strings.Contains(body, theirs.Number) || strings.Contains(body, "theirs") {
		t.Errorf("the customer's ticket search: want only %s", mine.Number)
	}
	_, body = b.get("/portal/search?kind=message&q=" + url.QueryEscape("打印机"))
	if strings.Contains(body, "secretnote") || strings.Contains(body, "内部备注") {
		t.Error("an internal note is shown to the customer")
	}
	if !strings.Contains(body, "publicreply") {
		t.Error("the public reply is not found")
	}
	other := d.browser(t)
	other.signIn("cust3")
	_, body = other.get("/portal/search?q=" + url.QueryEscape("打印机"))
	if strings.Contains(body, mine.Number) || !strings.Contains(body, theirs.Number) {
		t.Error("another customer's search shows the wrong tickets")
	}
	// Staff have the workspace's search; customers may not open it.
	if res, _ := b.get("/desk/search?q=x"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a customer on /desk/search: got %d, want 403", res.StatusCode)
	}
	staff := d.browser(t)
	staff.signIn("agent1")
	_, body = staff.get("/desk/search?kind=message&q=" + url.QueryEscape("打印机"))
	if !strings.Contains(body, "secretnote") || !strings.Contains(body, "内部备注") {
		t.Error("the agent does not find the internal note, marked as one")
	}
}

func TestHelpCenterAnonymous(t *testing.T) {
	d := newSearchDesk(t)
	pub := d.publish(t, "打印机脱机怎么办", "取消勾选“脱机使用打印机”。", "public", "zh-CN", true)
	pubEN := d.publish(t, "Printer offline", "Untick *use printer offline*.<script>alert(1)</script>", "public", "en", true)
	cust := d.publish(t, "打印机驱动下载（客户专享）", "驱动下载地址。", "customers", "zh-CN", true)
	internal := d.publish(t, "打印机内部排障手册", "内部。", "internal", "zh-CN", true)
	draft := d.publish(t, "打印机草稿", "草稿。", "public", "zh-CN", false)
	anon := d.browser(t)
	_, body := anon.get("/help")
	if !strings.Contains(body, pub.Title) || strings.Contains(body, cust.Title) || strings.Contains(body, internal.Title) || strings.Contains(body, draft.Title) {
		t.Errorf("the anonymous help center lists the wrong articles")
	}
	if strings.Contains(body, pubEN.Title) {
		t.Error("a Chinese page lists English articles before asking for all languages")
	}
	if _, body = anon.get("/help?lang=all"); !strings.Contains(body, pubEN.Title) {
		t.Error("all languages: the English article is missing")
	}
	_, body = anon.get("/help?q=" + url.QueryEscape("打印机"))
	if !strings.Contains(body, "<mark>打印机</mark>") || strings.Contains(body, cust.Title) || strings.Contains(body, "内部排障") || strings.Contains(body, "草稿") {
		t.Error("the anonymous help search shows the wrong articles")
	}
	for _, a := range []kb.Article{cust, internal, draft} {
		if res, _ := anon.get("/help/articles/" + itoa(a.ID)); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: got %d, want 404", a.Title, res.StatusCode)
		}
	}
	res, body := anon.get("/help/articles/" + itoa(pubEN.ID))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "<em>use printer offline</em>") || strings.Contains(body, "<script>alert") {
		t.Errorf("the article page: %d, Markdown rendered and sanitized?", res.StatusCode)
	}
	// A signed-in customer also sees the articles for customers; staff
	// reading the help center still see only what is published.
	c := d.browser(t)
	c.signIn("cust1")
	if _, body = c.get("/help"); !strings.Contains(body, cust.Title) || strings.Contains(body, internal.Title) {
		t.Error("a customer's help center: want the customers' article, not the internal one")
	}
	staff := d.browser(t)
	staff.signIn("agent1")
	if res, _ := staff.get("/help/articles/" + itoa(draft.ID)); res.StatusCode != http.StatusNotFound {
		t.Errorf("a draft in the help center for staff: got %d, want 404", res.StatusCode)
	}
	// The sign-in page and the portal lead to the help center.
	if _, body = anon.get("/signin"); !strings.Contains(body, `href="/help"`) {
		t.Error("the sign-in page has no link to the help center")
	}
	if _, body = c.get("/portal"); !strings.Contains(body, `href="/help"`) {
		t.Error("the portal has no link to the help center")
	}
}

func TestHelpFeedback(t *testing.T) {
	d := newSearchDesk(t)
	a := d.publish(t, "Printer offline", "Untick it.", "public", "en", true)
	page := "/help/articles/" + itoa(a.ID)
	anon := d.browser(t)
	anon.lang = "en"
	if res, _ := anon.post(page+"/feedback", url.Values{"helpful": {"yes"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("feedback without the CSRF token: got %d, want 403", res.StatusCode)
	}
	res, _ := anon.submit(page, page+"/feedback", url.Values{"helpful": {"yes"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("anonymous feedback: got %d, want 303", res.StatusCode)
	}
	_, body := anon.get(page)
	if !strings.Contains(body, "Thank you for your feedback!") || strings.Contains(body, `name="helpful"`) {
		t.Error("after answering, the visitor is not thanked")
	}
	anon.submit(page, page+"/feedback", url.Values{"helpful": {"yes"}}) // the same browser again
	got, err := d.kb.Get(context.Background(), identity.Actor{}, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Helpful != 1 {
		t.Errorf("helpful: got %d, want 1 (one browser counts once)", got.Helpful)
	}
	cust := d.browser(t)
	cust.signIn("cust1")
	cust.submit(page, page+"/feedback", url.Values{"helpful": {"no"}})
	got, _ = d.kb.Get(context.Background(), identity.Actor{}, a.ID)
	if got.Helpful != 1 || got.Unhelpful != 1 {
		t.Errorf("got %d helpful, %d not, want 1 and 1", got.Helpful, got.Unhelpful)
	}
}

func TestDeflection(t *testing.T) {
	d := newSearchDesk(t)
	a := d.publish(t, "打印机显示脱机怎么办", "取消勾选“脱机使用打印机”。", "public", "zh-CN", true)
	d.publish(t, "Printer offline", "Untick it.", "public", "en", true)
	for _, lang := range []string{"zh-CN", "en"} {
		t.Run(lang, func(t *testing.T) {
			b := d.browser(t)
			b.lang = lang
			b.signIn("cust1")
			_, form := b.get("/portal/new")
			if !strings.Contains(form, `id="deflect"`) || !strings.Contains(form, `id="deflect-form"`) || !strings.Contains(form, `aria-live="polite"`) {
				t.Fatal("the new-ticket form has no suggestions region")
			}
			if strings.Index(form, `id="deflect-form"`) < strings.Index(form, "</form>") {
				t.Error("the deflection form is nested in the ticket form")
			}
			_, frag := b.get("/portal/suggest?category=hardware&title=" + url.QueryEscape("打印机脱机") + "&description=")
			if !strings.Contains(frag, "/help/articles/"+itoa(a.ID)+"?from=new&amp;category=hardware") ||
				!strings.Contains(frag, `data-deflect="`+itoa(a.ID)+`"`) || strings.Contains(frag, `type="submit"`) || strings.Contains(frag, "<html") {
				t.Fatalf("the suggestion fragment: %s", frag)
			}
			want := map[string]string{"zh-CN": "已解决我的问题", "en": "This solved my problem"}[lang]
			if !strings.Contains(frag, want) {
				t.Errorf("the fragment lacks %q", want)
			}
			if _, empty := b.get("/portal/suggest?title=&description="); strings.Contains(empty, "<li") {
				t.Error("suggestions for nothing typed")
			}
			before := deflections(t, d)
			res, body := b.submit("/portal/new", "/portal/deflect", url.Values{"article_id": {itoa(a.ID)}, "category": {"hardware"}})
			if res.StatusCode != http.StatusOK {
				t.Fatalf("deflect: got %d", res.StatusCode)
			}
			done := map[string]string{"zh-CN": "无需提交工单", "en": "No ticket is needed"}[lang]
			if !strings.Contains(body, done) {
				t.Errorf("the customer is not told %q", done)
			}
			if got := deflections(t, d); got != before+1 {
				t.Errorf("deflections: got %d, want %d", got, before+1)
			}
		})
	}
	// The article opened from a suggestion offers the same button.
	b := d.browser(t)
	b.signIn("cust1")
	if _, body := b.get("/help/articles/" + itoa(a.ID) + "?from=new&category=hardware"); !strings.Contains(body, `action="/portal/deflect"`) {
		t.Error("the article opened from the form does not offer \"this solved my problem\"")
	}
	// Only a signed-in customer can deflect.
	anon := d.browser(t)
	if res, _ := anon.submit("/help", "/portal/deflect", url.Values{"article_id": {itoa(a.ID)}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous deflection: got %d, want 401", res.StatusCode)
	}
}

func deflections(t *testing.T, d *searchDesk) int64 {
	t.Helper()
	n, err := d.DB.KB().Deflected(context.Background(), time.Unix(0, 0), time.Now().Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSearchPagesAccessible(t *testing.T) {
	d := newSearchDesk(t)
	a := d.publish(t, "打印机脱机怎么办", "取消勾选。", "public", "zh-CN", true)
	d.ticket(t, "cust1", "打印机卡纸", "打印机")
	cust, agent, anon := d.browser(t), d.browser(t), d.browser(t)
	cust.signIn("cust1")
	agent.signIn("agent1")
	for _, p := range []struct {
		who  *browser
		path string
	}{
		{agent, "/desk/search"}, {agent, "/desk/search?q=" + url.QueryEscape("打印")}, {cust, "/portal/search?q=" + url.QueryEscape("打印")},
		{anon, "/help"}, {anon, "/help?q=" + url.QueryEscape("打印")}, {anon, "/help/articles/" + itoa(a.ID)}, {cust, "/portal/new"},
	} {
		_, body := p.who.get(p.path)
		for _, c := range unlabelled(body) {
			t.Errorf("%s: control without a label: %s", p.path, c)
		}
		for _, want := range []string{`<html lang="zh-CN">`, `role="banner"`, `<main id="main"`, `role="contentinfo"`, `<h1`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s", p.path, want)
			}
		}
	}
}

// TestSearchKeysInCatalog: the keys the search pages build with print exist.
func TestSearchKeysInCatalog(t *testing.T) {
	for _, k := range []string{"web.search.kind.ticket", "web.search.kind.message", "web.search.kind.article",
		"web.help.lang.zh-CN", "web.help.lang.en"} {
		for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
			if !i18n.Has(l, k) {
				t.Errorf("%s has no %s text", k, l)
			}
		}
	}
}

func TestSearchPagination(t *testing.T) {
	d := newSearchDesk(t)
	for i := 0; i < searchPageSize+1; i++ {
		d.ticket(t, "cust1", "显示器闪屏 "+itoa(int64(i)), "显示器")
	}
	b := d.browser(t)
	b.lang = "en"
	b.signIn("agent1")
	_, body := b.get("/desk/search?q=" + url.QueryEscape("显示器"))
	if n := strings.Count(body, `<li class="result`); n != searchPageSize {
		t.Errorf("page 1: got %d results, want %d", n, searchPageSize)
	}
	if !strings.Contains(body, "Page 1 of 2") || !strings.Contains(body, `rel="next"`) || strings.Contains(body, `rel="prev"`) {
		t.Error("page 1 does not link to page 2 only")
	}
	_, body = b.get("/desk/search?page=2&q=" + url.QueryEscape("显示器"))
	if n := strings.Count(body, `<li class="result`); n != 1 || !strings.Contains(body, `rel="prev"`) {
		t.Errorf("page 2: got %d results, want 1 and a link back", n)
	}
}

// TestSearchPageFarBeyondTheEnd asks for pages no search has, up to the
// largest number a page parameter parses to: an empty page, never a 500
// (the offset of such a page used to overflow and panic).
func TestSearchPageFarBeyondTheEnd(t *testing.T) {
	d := newSearchDesk(t)
	d.ticket(t, "cust1", "显示器闪屏", "显示器")
	b := d.browser(t)
	b.lang = "en"
	b.signIn("agent1")
	for _, pg := range []string{"3", "922337203685477580", "9223372036854775807"} {
		res, body := b.get("/desk/search?page=" + pg + "&q=" + url.QueryEscape("显示器"))
		if res.StatusCode != http.StatusOK {
			t.Errorf("page %s: got %d, want 200", pg, res.StatusCode)
		}
		if n := strings.Count(body, `<li class="result`); n != 0 {
			t.Errorf("page %s: got %d results, want none", pg, n)
		}
	}
}

// TestSearchCappedNotice renders a capped page (a thousand matches are
// too many to file here) and checks the notice, in both languages.
func TestSearchCappedNotice(t *testing.T) {
	tpl, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang i18n.Lang
		want string
	}{{i18n.ZH, "匹配结果超过 1000 条"}, {i18n.EN, "More than 1000 matches"}} {
		p := &page{reqCtx: &reqCtx{Lang: c.lang, Loc: time.UTC}, Now: time.Now(), Data: &searchData{Action: "/desk/search", Searched: true,
			Q: "x", Kind: "ticket", Total: search.CandidateCap, Capped: true, Page: 1, Pages: 50}}
		var buf strings.Builder
		if err := tpl.pages["search.html"].ExecuteTemplate(&buf, "content", p); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), c.want) {
			t.Errorf("%s: the capped notice %q is missing", c.lang, c.want)
		}
	}
}

func TestHelpCenterHeaderSignIn(t *testing.T) {
	d := newSearchDesk(t)
	_, body := d.browser(t).get("/help?category=hardware")
	if !strings.Contains(body, `href="/signin?next=%2fhelp%3fcategory%3dhardware"`) {
		t.Error("the anonymous help center has no sign-in link back to the page")
	}
}

func TestPortalSearchDoesNotMentionNotes(t *testing.T) {
	d := newSearchDesk(t)
	b := d.browser(t)
	b.signIn("cust1")
	if _, body := b.get("/portal/search"); strings.Contains(body, "备注") {
		t.Error("the customer's search page mentions internal notes")
	}
	a := d.browser(t)
	a.signIn("agent1")
	if _, body := a.get("/desk/search"); !strings.Contains(body, "消息与内部备注") {
		t.Error("the agent's search page does not say notes are searched")
	}
}
