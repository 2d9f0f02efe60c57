package e2e

// The knowledge base in a real browser, in zh-CN and en: an agent makes a
// draft from a resolved demo ticket and sees its maskings, submits it; a
// supervisor sends it back with a comment, is refused publishing until each
// masking is confirmed, confirms them and publishes; the version diff shows
// the author's change. An admin looks at the suggestion model, retrains it
// and creates a canned response, which the agent applies on a ticket. The
// pages are photographed on a desktop and on a 375 px phone.

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// kbCase is one language's run.
type kbCase struct {
	lang, htmlLang, agent, ticket string
	comment, addition             string
	unconfirmed, published        string
	macro, macroBody              string
}

func TestKnowledgeBaseJourney(t *testing.T) {
	needChromium(t)
	base := startDesk(t)
	b := browser(t)
	for _, c := range []kbCase{
		{lang: "zh", htmlLang: "zh-CN", agent: "wangwei", ticket: "邮箱收不到外部邮件",
			comment: "请补充：如何在网关查看隔离区。", addition: "在反垃圾网关的“隔离区”页面按发件域名筛选即可找到被拦截的邮件。",
			unconfirmed: "发布前请逐项确认已脱敏的个人信息。", published: "文章已发布。",
			macro: "已收到日志", macroBody: "{{requester.name}} 您好，工单 {{ticket.number}} 的日志已收到，我们正在分析。"},
		{lang: "en", htmlLang: "en", agent: "emily", ticket: "Wi-Fi drops in meeting room 3B",
			comment: "Please add how to pin the channel on the AP.", addition: "On the controller, open the AP's radio settings and set the 5 GHz channel to 36.",
			unconfirmed: "Confirm every masking of personal data before publishing.", published: "The article is published.",
			macro: "Logs received", macroBody: "Hello {{requester.name}}, we received the logs for ticket {{ticket.number}} and are looking into them."},
	} {
		t.Run(c.lang, func(t *testing.T) { runKB(t, b, base, c) })
	}
}

func runKB(t *testing.T, b context.Context, base string, c kbCase) {
	agent := newPerson(t, b, base, c.agent+"-kb")
	agent.signIn(c.agent)
	agent.useLang(c.htmlLang)
	sup := newPerson(t, b, base, "super-kb-"+c.lang)
	sup.signIn("super")
	sup.useLang(c.htmlLang)

	// The agent opens the resolved ticket (found through the API with the
	// same session) and sees the assistance beside it.
	agent.do("resolved tickets", chromedp.Navigate(base+"/api/v1/tickets?status=resolved&limit=200"), chromedp.WaitVisible(chromedp.CSS("body")))
	number := agent.eval(fmt.Sprintf(`(JSON.parse(document.body.innerText).items.find(function(x){return x.title === %q}) || {}).number || ""`, c.ticket))
	if number == "" {
		t.Fatalf("no resolved demo ticket %q for %s", c.ticket, c.agent)
	}
	agent.do("open ticket", chromedp.Navigate(base+"/t/"+number), chromedp.WaitVisible(chromedp.CSS("#assist-h")))
	agent.shot("kb-" + c.lang + "-1-ticket-assist")

	// Draft from the ticket: the draft lists what was masked.
	agent.do("draft from ticket", chromedp.Click(chromedp.CSS("#kb-draft")), chromedp.WaitVisible(chromedp.CSS("#maskings")))
	article := agent.eval(`location.pathname`)
	masks := agent.eval(`String(document.querySelectorAll("#maskings .mask").length)`)
	if masks == "0" {
		t.Error("the draft lists no maskings")
	}
	if text := agent.eval(`document.querySelector("#maskings").innerText`); !strings.Contains(text, "[") {
		t.Errorf("the masking list shows no placeholders: %q", text)
	}
	agent.shot("kb-" + c.lang + "-2-draft-maskings")
	// Back on the ticket, the assistance offers that draft, not another.
	agent.do("ticket offers the draft", chromedp.Navigate(base+"/t/"+number), chromedp.WaitVisible(chromedp.CSS("#kb-open-draft")))
	if href := agent.eval(`document.querySelector("#kb-open-draft").getAttribute("href")`); href != article {
		t.Errorf("the ticket's draft link goes to %q, want %q", href, article)
	}
	agent.shot("kb-" + c.lang + "-2b-ticket-open-draft")
	agent.do("open the draft again", chromedp.Click(chromedp.CSS("#kb-open-draft")), chromedp.WaitVisible(chromedp.CSS("#kb-submit")))
	agent.do("submit for review", chromedp.Click(chromedp.CSS("#kb-submit")), chromedp.WaitVisible(chromedp.CSS(".page-head .kb-in_review")))

	// The supervisor sends it back with a comment.
	sup.do("open for review", chromedp.Navigate(base+article), chromedp.WaitVisible(chromedp.CSS("#kb-reject")))
	sup.shot("kb-" + c.lang + "-3-review")
	sup.do("send back", chromedp.SendKeys(chromedp.CSS("#rj-comment"), c.comment), chromedp.Click(chromedp.CSS("#kb-reject")),
		chromedp.WaitVisible(chromedp.CSS(".page-head .kb-draft")))

	// The author sees why, adds a line and resubmits.
	agent.do("see comment", chromedp.Navigate(base+article), chromedp.WaitVisible(chromedp.CSS(".kb-comment")))
	if got := agent.eval(`document.querySelector(".kb-comment").innerText`); got != c.comment {
		t.Errorf("the author sees %q, want the reviewer's comment", got)
	}
	agent.shot("kb-" + c.lang + "-4-sent-back")
	agent.do("edit", chromedp.Navigate(base+article+"/edit"), chromedp.WaitVisible(chromedp.CSS("#kb-body")))
	agent.eval(fmt.Sprintf(`(function(){var b=document.querySelector("#kb-body");b.value=b.value.trimEnd()+"\n\n"+%q+"\n";return ""})()`, c.addition))
	agent.do("preview", chromedp.Click(chromedp.CSS(`button[name="preview"]`)), chromedp.WaitVisible(chromedp.CSS(".kb-edit .kb-body")))
	if got := agent.eval(`document.querySelector(".kb-edit .kb-body").innerText`); !strings.Contains(got, c.addition) {
		t.Errorf("the preview lacks the addition: %q", got)
	}
	agent.shot("kb-" + c.lang + "-5-edit-preview")
	agent.do("save", chromedp.Click(chromedp.CSS("#kb-form button.btn-primary")), chromedp.WaitVisible(chromedp.CSS("#kb-submit")))
	agent.do("resubmit", chromedp.Click(chromedp.CSS("#kb-submit")), chromedp.WaitVisible(chromedp.CSS(".page-head .kb-in_review")))

	// Publishing waits for every masking to be confirmed.
	sup.do("approve too early", chromedp.Navigate(base+article), chromedp.WaitVisible(chromedp.CSS("#kb-approve")),
		chromedp.Click(chromedp.CSS("#kb-approve")), chromedp.WaitVisible(chromedp.CSS(".flash-error")))
	if got := sup.eval(`document.querySelector(".flash-error").innerText`); got != c.unconfirmed {
		t.Errorf("approving with unconfirmed maskings says %q, want %q", got, c.unconfirmed)
	}
	sup.shot("kb-" + c.lang + "-6-unconfirmed")
	for i := 0; i < 20; i++ {
		n := sup.eval(`String(document.querySelectorAll("[data-confirm-mask]").length)`)
		if n == "0" {
			break
		}
		sup.do("confirm a masking", chromedp.Click(chromedp.CSS("[data-confirm-mask]")))
		sup.waitFor("masking confirmed", `document.readyState === "complete" && String(document.querySelectorAll("[data-confirm-mask]").length) !== "`+n+`"`)
	}
	sup.do("approve", chromedp.Click(chromedp.CSS("#kb-approve")), chromedp.WaitVisible(chromedp.CSS(".page-head .kb-published")))
	if got := sup.eval(`document.querySelector(".flash-ok").innerText`); got != c.published {
		t.Errorf("approving says %q, want %q", got, c.published)
	}
	sup.shot("kb-" + c.lang + "-7-published")

	// The versions page shows what the author added.
	sup.do("versions", chromedp.Navigate(base+article+"/versions"), chromedp.WaitVisible(chromedp.CSS("pre.diff")))
	if got := sup.eval(`Array.prototype.map.call(document.querySelectorAll(".diff .d-add"), function(e){return e.innerText}).join("\n")`); !strings.Contains(got, c.addition) {
		t.Errorf("the diff's added lines are %q, want the addition", got)
	}
	sup.shot("kb-" + c.lang + "-8-versions-diff")
	sup.do("list", chromedp.Navigate(base+"/desk/kb?state=published"), chromedp.WaitVisible(chromedp.CSS("main table")))
	sup.shot("kb-" + c.lang + "-9-list")

	// The admin retrains the suggestion model and adds a canned response.
	admin := newPerson(t, b, base, "admin-kb-"+c.lang)
	admin.signIn("admin")
	admin.useLang(c.htmlLang)
	admin.do("assist page", chromedp.Navigate(base+"/admin/assist"), chromedp.WaitVisible(chromedp.CSS("#retrain")),
		chromedp.Click(chromedp.CSS("#retrain")), chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	if got := admin.eval(`String(document.querySelectorAll("main tbody tr .acc").length)`); got != "2" {
		t.Errorf("the assist page shows %s model accuracies, want 2", got)
	}
	admin.shot("kb-" + c.lang + "-10-admin-assist")
	admin.do("new macro", chromedp.Navigate(base+"/admin/macros/new"), chromedp.WaitVisible(chromedp.CSS("#macro-form")),
		chromedp.SendKeys(chromedp.CSS("#m-name"), c.macro),
		chromedp.SetValue(chromedp.CSS("#m-body"), c.macroBody),
		chromedp.SendKeys(chromedp.CSS("#m-assignee"), "me"),
		chromedp.Click(chromedp.CSS("#macro-form button.btn-primary")), chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	admin.do("macro list", chromedp.Navigate(base+"/admin/macros"), chromedp.WaitVisible(chromedp.CSS("main table")))
	admin.shot("kb-" + c.lang + "-11-admin-macros")

	// The agent applies it on one of their tickets.
	agent.do("my queue", chromedp.Navigate(base+"/desk?q=mine"), chromedp.WaitVisible(chromedp.CSS("#queue")))
	mine := agent.eval(`(document.querySelector("#queue tr[data-number]") || {dataset:{}}).dataset.number || ""`)
	if mine == "" {
		t.Fatalf("%s has no ticket of their own to apply the macro on", c.agent)
	}
	agent.do("open my ticket", chromedp.Navigate(base+"/t/"+mine), chromedp.WaitVisible(chromedp.CSS("#macro-sel")))
	value := agent.eval(fmt.Sprintf(`(Array.prototype.find.call(document.querySelectorAll("#macro-sel option"), function(o){return o.textContent === %q}) || {}).value || ""`, c.macro))
	if value == "" {
		t.Fatalf("the picker does not offer %q", c.macro)
	}
	agent.do("apply macro", chromedp.SetValue(chromedp.CSS("#macro-sel"), value), chromedp.Click(chromedp.CSS("#macro-apply")),
		chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	agent.waitFor("the macro's reply", fmt.Sprintf(`document.querySelector("#conv-h").parentNode.innerText.indexOf(%q) >= 0`, mine))
	if conv := agent.eval(`document.querySelector("#conv-h").parentNode.innerText`); strings.Contains(conv, "{{") {
		t.Error("the macro's variables were not filled in")
	}
	agent.shot("kb-" + c.lang + "-12-macro-applied")

	// The pages on a 375 px phone, without sideways scrolling.
	for _, p := range []struct {
		who  *person
		path string
		name string
	}{
		{sup, "/desk/kb", "list"}, {sup, article, "article"}, {sup, article + "/versions", "versions"}, {sup, article + "/edit", "edit"},
		{agent, "/t/" + number, "ticket-assist"}, {agent, "/t/" + mine, "ticket-macro"},
		{admin, "/admin/assist", "admin-assist"}, {admin, "/admin/macros", "admin-macros"}, {admin, "/admin/macros/new", "admin-macro"},
	} {
		p.who.do("phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
		p.who.do("open "+p.path+" on a phone", chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS("main")))
		if w := p.who.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
			t.Errorf("%s is %s px wide on a 375 px phone (scrolls sideways)", p.path, w)
		}
		p.who.shot("kb-" + c.lang + "-phone-" + p.name)
	}
}
