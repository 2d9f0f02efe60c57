package e2e

// Search, the help center and deflection in a real browser: a customer
// types a new ticket, sees a suggested article and says it solved the
// problem (the deflection is recorded), then searches the help center and
// answers "was this helpful?"; an agent searches the workspace from the
// header (a two-character Chinese query and an English word) and sees the
// matches highlighted. In zh-CN and en, on a desktop and a 375 px phone.

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"helpdesk/internal/app"
)

// searchCase is one language's run.
type searchCase struct {
	lang, htmlLang, customer, agent string
	// title is typed into the new ticket; article is the suggestion expected.
	title, article, solved, done string
	// help is the help-center query; queries are the agent's.
	help, helpful, thanks string
	queries               []string
}

func TestSearchHelpAndDeflection(t *testing.T) {
	needChromium(t)
	base, a := startApp(t)
	b := browser(t)
	for _, c := range []searchCase{
		{lang: "zh", htmlLang: "zh-CN", customer: "zhangsan", agent: "wangwei", title: "打印机显示脱机，打印任务卡住",
			article: "打印机显示“脱机”怎么办", solved: "已解决我的问题", done: "无需提交工单",
			help: "密码", helpful: "有帮助", thanks: "感谢您的反馈", queries: []string{"打印", "ERP"}},
		{lang: "en", htmlLang: "en", customer: "john", agent: "emily", title: "Printer shows offline, jobs stuck in the queue",
			article: "Printer shows \"offline\"", solved: "This solved my problem", done: "No ticket is needed",
			help: "password", helpful: "Yes", thanks: "Thank you for your feedback", queries: []string{"macros", "打印"}},
	} {
		t.Run(c.lang, func(t *testing.T) { runSearch(t, b, base, a, c) })
	}
}

func deflections(t *testing.T, a *app.App) int64 {
	t.Helper()
	n, err := a.DB.KB().Deflected(context.Background(), time.Unix(0, 0), time.Now().Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func runSearch(t *testing.T, b context.Context, base string, a *app.App, c searchCase) {
	cust := newPerson(t, b, base, "search-"+c.customer)
	cust.signIn(c.customer)

	// The customer types a new ticket; a matching article is suggested.
	cust.do("new ticket form",
		chromedp.Navigate(base+"/portal/new"),
		chromedp.WaitVisible(chromedp.CSS("#title")),
		chromedp.SetValue(chromedp.CSS("#category"), "hardware"),
		chromedp.SendKeys(chromedp.CSS("#title"), c.title),
	)
	cust.waitFor("suggestion shown", fmt.Sprintf(`(function(){var d=document.getElementById("deflect");return d&&!d.hidden&&d.textContent.includes(%q)})()`, c.article))
	// Typing may outlast the debounce: let the last answer land before clicking.
	time.Sleep(time.Second)
	cust.waitFor("suggestion settled", fmt.Sprintf(`document.getElementById("deflect").textContent.includes(%q)`, c.article))
	if got := cust.eval(`document.getElementById("deflect").getAttribute("aria-live")`); got != "polite" {
		t.Errorf("the suggestions are not a polite live region (%q)", got)
	}
	if got := cust.eval(`document.querySelector("#deflect mark") ? document.querySelector("#deflect mark").textContent : ""`); got == "" {
		t.Error("the suggestion does not highlight what matched")
	}
	cust.shot("search-" + c.lang + "-1-suggestion")
	before := deflections(t, a)
	cust.do("this solved it", chromedp.Click(chromedp.CSS("#deflect button[data-deflect]")))
	cust.waitFor("told no ticket is needed", fmt.Sprintf(`document.getElementById("deflect").textContent.includes(%q)`, c.done))
	if got := deflections(t, a); got != before+1 {
		t.Errorf("deflections recorded: got %d, want %d", got, before+1)
	}
	if p := cust.eval(`location.pathname`); p != "/portal/new" {
		t.Errorf("after deflecting the customer is on %s, want to stay on the form", p)
	}
	cust.shot("search-" + c.lang + "-2-deflected")

	// The suggestion's link opens the article with the same button.
	cust.do("article from the form", chromedp.Navigate(base+"/help?lang=all"), chromedp.WaitVisible(chromedp.CSS(".results")))
	link := cust.eval(fmt.Sprintf(`Array.from(document.querySelectorAll(".results a")).filter(function(a){return a.textContent === %q})[0].getAttribute("href")`, c.article))
	cust.do("open it as the form does", chromedp.Navigate(base+link+"?from=new&category=hardware"), chromedp.WaitVisible(chromedp.CSS("#solved-h")))
	cust.shot("search-" + c.lang + "-2b-article-from-form")
	before = deflections(t, a)
	cust.do("solved on the article", chromedp.Click(chromedp.CSS(".deflect form button")))
	cust.waitFor("deflected page", fmt.Sprintf(`location.pathname === "/portal/deflect" && document.body.textContent.includes(%q)`, c.done))
	if got := deflections(t, a); got != before+1 {
		t.Errorf("deflections recorded from the article page: got %d, want %d", got, before+1)
	}
	cust.shot("search-" + c.lang + "-2c-deflected-page")

	// The help center: the portal's nav leads there; search, read, answer.
	cust.do("help center", chromedp.Click(chromedp.CSS(`header nav a[href="/help"]`)), chromedp.WaitVisible(chromedp.CSS("#hq")))
	cust.shot("search-" + c.lang + "-3-help")
	cust.do("help search",
		chromedp.SendKeys(chromedp.CSS("#hq"), c.help+"\r"),
		chromedp.WaitVisible(chromedp.CSS(".results mark")),
	)
	cust.shot("search-" + c.lang + "-4-help-results")
	cust.do("open article", chromedp.Click(chromedp.CSS(".results .result a")), chromedp.WaitVisible(chromedp.CSS("#feedback")))
	if got := cust.eval(`document.querySelector(".article .md ol") ? "list" : ""`); got != "list" {
		t.Error("the article's Markdown list is not rendered")
	}
	cust.do("helpful", chromedp.Click(chromedp.CSS(`#feedback button[value=yes]`)))
	cust.waitFor("thanked", fmt.Sprintf(`document.body.textContent.includes(%q)`, c.thanks))
	cust.shot("search-" + c.lang + "-5-article")

	// The agent searches from the header box.
	agent := newPerson(t, b, base, "search-"+c.agent)
	agent.signIn(c.agent)
	for i, q := range c.queries {
		agent.do("header search "+q,
			chromedp.Navigate(base+"/desk"),
			chromedp.WaitVisible(chromedp.CSS(".hsearch input")),
			chromedp.SendKeys(chromedp.CSS(".hsearch input"), q+"\r"),
		)
		agent.waitFor("results for "+q, `location.pathname === "/desk/search" && !!document.querySelector(".results")`)
		if got := agent.eval(`decodeURIComponent(location.search)`); !strings.Contains(got, "q="+q) {
			t.Errorf("the search page got %q, want q=%s", got, q)
		}
		hl := agent.eval(`Array.from(document.querySelectorAll(".results mark")).map(function(m){return m.textContent}).join("|")`)
		if !strings.Contains(strings.ToLower(hl), strings.ToLower(q)) {
			t.Errorf("%s: highlights %q, want %q", q, hl, q)
		}
		agent.shot(fmt.Sprintf("search-%s-%d-agent-q%d", c.lang, 6+i, i+1))
	}
	if got := agent.eval(`document.documentElement.lang`); got != c.htmlLang {
		t.Errorf("the agent's page is in %q, want %q", got, c.htmlLang)
	}

	// The help center on a phone: anonymous, no sideways scrolling.
	phone := newPerson(t, b, base, "search-phone-"+c.lang)
	phone.do("phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	phone.do("sign-in page", chromedp.Navigate(base+"/signin"), chromedp.WaitVisible(chromedp.CSS(`main a[href="/help"]`)))
	phone.useAnonLang(c.htmlLang)
	for _, pg := range []struct{ path, name string }{
		{"/help", "help"}, {"/help?q=" + url.QueryEscape(c.help), "help-results"},
	} {
		phone.do("open "+pg.path, chromedp.Navigate(base+pg.path), chromedp.WaitVisible(chromedp.CSS("main")))
		if w := phone.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
			t.Errorf("%s is %s px wide on a 375 px phone", pg.path, w)
		}
		phone.shot("search-" + c.lang + "-phone-" + pg.name)
	}
	phone.do("open article", chromedp.Click(chromedp.CSS(".results .result a")), chromedp.WaitVisible(chromedp.CSS("#feedback")))
	if w := phone.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
		t.Errorf("the article is %s px wide on a 375 px phone", w)
	}
	phone.shot("search-" + c.lang + "-phone-article")
	cust.do("phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	cust.do("new ticket on a phone",
		chromedp.Navigate(base+"/portal/new"),
		chromedp.WaitVisible(chromedp.CSS("#title")),
		chromedp.SendKeys(chromedp.CSS("#title"), c.title),
	)
	cust.waitFor("suggestion on a phone", `!document.getElementById("deflect").hidden`)
	if w := cust.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
		t.Errorf("the new-ticket form with suggestions is %s px wide on a phone", w)
	}
	cust.eval(`(document.getElementById("deflect").scrollIntoView(), "")`)
	cust.shot("search-" + c.lang + "-phone-suggestion")
	agent.do("phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	agent.do("search on a phone", chromedp.Navigate(base+"/desk/search?q="+url.QueryEscape(c.queries[0])), chromedp.WaitVisible(chromedp.CSS(".results")))
	if w := agent.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
		t.Errorf("the search page is %s px wide on a phone", w)
	}
	agent.shot("search-" + c.lang + "-phone-agent-search")
}

// useAnonLang switches a visitor who is not signed in to a language with
// the header's switch.
func (p *person) useAnonLang(htmlLang string) {
	p.t.Helper()
	if p.eval(`document.documentElement.lang`) == htmlLang {
		return
	}
	p.do("switch language", chromedp.Click(chromedp.CSS("form.lang button")), chromedp.WaitVisible(chromedp.CSS("main")))
	p.waitFor("language "+htmlLang, fmt.Sprintf(`document.documentElement.lang === %q`, htmlLang))
}
