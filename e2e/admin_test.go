package e2e

// The admin console in a real browser: an admin adds a category with a
// custom field and the customer's form shows it, in zh-CN and in en; every
// console page is photographed on a desktop and on a 375 px phone (and
// must not scroll sideways there).

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// adminShots are the console pages photographed, by screenshot name.
var adminShots = []struct{ path, name string }{
	{"/admin", "home"}, {"/admin/users", "users"}, {"/admin/users/wangwei", "user"},
	{"/admin/groups", "groups"}, {"/admin/groups/software", "group"}, {"/admin/orgs", "orgs"},
	{"/admin/categories", "categories"}, {"/admin/categories/new", "category-new"}, {"/admin/categories/software", "category"},
	{"/admin/rules", "rules"}, {"/admin/rules/new", "rule-new"}, {"/admin/rules/dryrun?try=1&category=software&title=ERP", "dryrun"},
	{"/admin/sla", "sla"}, {"/admin/sla/calendars/workdays", "calendar"}, {"/admin/settings", "settings"},
}

// adminCase is one language's run: who checks the portal and what the
// admin types.
type adminCase struct {
	lang, htmlLang, customer, key string
	label, guide, option          string
}

func TestAdminAddsCategoryPortalShowsIt(t *testing.T) {
	needChromium(t)
	base := startDesk(t)
	b := browser(t)
	for _, c := range []adminCase{
		{lang: "zh", htmlLang: "zh-CN", customer: "zhangsan", key: "printer", label: "打印机型号", guide: "请写明打印机型号和面板上的错误代码。", option: "佳能 iR2625"},
		{lang: "en", htmlLang: "en", customer: "john", key: "scanner", label: "Scanner model", guide: "Give the scanner model and the error code on its panel.", option: "Canon DR-C225"},
	} {
		t.Run(c.lang, func(t *testing.T) { runAdmin(t, b, base, c) })
	}
}

func runAdmin(t *testing.T, b context.Context, base string, c adminCase) {
	admin := newPerson(t, b, base, "admin-"+c.lang)
	admin.signIn("admin")
	admin.useLang(c.htmlLang)

	// The admin fills in the new category form with one choice-list field.
	admin.do("new category form", chromedp.Navigate(base+"/admin/categories/new"), chromedp.WaitVisible(chromedp.CSS("#category-form")))
	admin.do("fill the category",
		chromedp.SendKeys(chromedp.CSS("#key"), c.key),
		chromedp.SendKeys(chromedp.CSS("#name_zh"), "外设："+c.key),
		chromedp.SendKeys(chromedp.CSS("#name_en"), "Peripherals: "+c.key),
		chromedp.SetValue(chromedp.CSS("#group"), "hardware"),
		chromedp.SendKeys(chromedp.CSS("#guide_zh"), c.guide),
		chromedp.SendKeys(chromedp.CSS("#guide_en"), c.guide),
		chromedp.SendKeys(chromedp.CSS("#f0-key"), "model"),
		chromedp.SendKeys(chromedp.CSS("#f0-label_zh"), c.label),
		chromedp.SendKeys(chromedp.CSS("#f0-label_en"), c.label),
		chromedp.SetValue(chromedp.CSS("#f0-type"), "select"),
	)
	// Choosing "choice list" reveals the options box (admin.js).
	admin.eval(`(function(){var s=document.querySelector("#f0-type");s.dispatchEvent(new Event("change"));return ""})()`)
	admin.waitFor("options box shown", `!document.querySelector("#f0-options").closest("[data-for-type]").hidden`)
	admin.do("options and save",
		chromedp.SendKeys(chromedp.CSS("#f0-options"), "HP LaserJet M404\n"+c.option),
		chromedp.Click(chromedp.CSS(`input[name="f.0.required"]`)),
		chromedp.Click(chromedp.CSS("#category-form button.btn-primary")),
		chromedp.WaitVisible(chromedp.CSS(".flash-ok")),
	)
	if got := admin.eval(`location.pathname`); got != "/admin/categories/"+c.key {
		t.Errorf("after saving the admin is on %s", got)
	}
	admin.shot("admin-" + c.lang + "-category-saved")

	// The customer's form offers the category with its field and guidance.
	cust := newPerson(t, b, base, "customer-"+c.lang)
	cust.signIn(c.customer)
	cust.do("portal form", chromedp.Navigate(base+"/portal/new?category="+c.key),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`label[for="cf-%s-model"]`, c.key))))
	pane := cust.eval(fmt.Sprintf(`document.querySelector('.catpane[data-cat="%s"]').innerText`, c.key))
	if !strings.Contains(pane, c.label) || !strings.Contains(pane, c.guide) {
		t.Errorf("the portal form's %s pane says %q; want the label %q and the guidance %q", c.key, pane, c.label, c.guide)
	}
	if opts := cust.eval(fmt.Sprintf(`document.querySelector("#cf-%s-model").innerText`, c.key)); !strings.Contains(opts, c.option) {
		t.Errorf("the field offers %q, want the option %q", opts, c.option)
	}
	if req := cust.eval(fmt.Sprintf(`String(document.querySelector("#cf-%s-model").required)`, c.key)); req != "true" {
		t.Error("the required field is not required on the form")
	}
	cust.shot("admin-" + c.lang + "-portal-form")

	// Every console page, on a desktop and on a phone.
	for _, pg := range adminShots {
		admin.do("open "+pg.path, chromedp.Navigate(base+pg.path), chromedp.WaitVisible(chromedp.CSS("main")))
		if got := admin.eval(`document.documentElement.lang`); got != c.htmlLang {
			t.Errorf("%s is in %q, want %q", pg.path, got, c.htmlLang)
		}
		admin.shot("admin-" + c.lang + "-" + pg.name)
	}
	admin.do("phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
	for _, pg := range adminShots {
		admin.do("open "+pg.path+" on a phone", chromedp.Navigate(base+pg.path), chromedp.WaitVisible(chromedp.CSS("main")))
		if w := admin.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
			t.Errorf("%s is %s px wide on a 375 px phone (scrolls sideways)", pg.path, w)
		}
		admin.shot("admin-" + c.lang + "-" + pg.name + "-phone")
	}
}

// useLang switches the signed-in person's language with the header's
// switch, as a person would, unless the page is in it already.
func (p *person) useLang(htmlLang string) {
	p.t.Helper()
	p.do("home", chromedp.Navigate(p.base+"/admin"), chromedp.WaitVisible(chromedp.CSS("main")))
	if p.eval(`document.documentElement.lang`) == htmlLang {
		return
	}
	p.do("switch language", chromedp.Click(chromedp.CSS("form.lang button")), chromedp.WaitVisible(chromedp.CSS("main")))
	p.waitFor("page in "+htmlLang, `document.documentElement.lang === "`+htmlLang+`"`)
}
