package e2e

// Reports and the live dashboard in a real browser: a supervisor opens the
// reports, changes the period and a filter, downloads the report as CSV
// and XLSX by clicking the links (the files are parsed and their figures
// checked against the page), starts a ticket-list export and waits for its
// progress bar to finish; the dashboard is photographed in zh-CN and en on
// a desktop and a 375 px phone and shown updating live when a customer
// files a ticket.

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

func TestSupervisorReportsAndDashboard(t *testing.T) {
	needChromium(t)
	base := startDesk(t)
	b := browser(t)
	sup := newPerson(t, b, base, "supervisor")
	sup.signIn("super")
	sup.useLang("zh-CN")

	// The demo desk has report data once the refresh job has run (every 5 s).
	created := sup.reportFigure(base+"/reports?r=volume&preset=30d", "新建")
	if created == 0 {
		t.Fatal("the demo desk's volume report shows no tickets in the last 30 days")
	}
	sup.shot("report-zh-volume")

	// Change the period with a preset, then a filter with the form.
	sup.do("preset 7 days", chromedp.Click(chromedp.CSS(`.rp-presets a[href*="preset=7d"]`)))
	sup.waitFor("7-day period", `location.search.includes("preset=7d") && !!document.querySelector(".kpis")`)
	week := sup.kpi("新建")
	if week > created {
		t.Errorf("7 days show %d created, more than 30 days (%d)", week, created)
	}
	sup.do("filter P2",
		chromedp.SetValue(chromedp.CSS("#rp-priority"), "P2"),
		chromedp.Click(chromedp.CSS(".rp-form button.btn-primary")))
	sup.waitFor("filtered", `location.search.includes("priority=P2") && !!document.querySelector(".kpis")`)
	p2 := sup.kpi("新建")
	if p2 > week {
		t.Errorf("P2 shows %d created, more than all priorities (%d)", p2, week)
	}
	sup.shot("report-zh-volume-p2")

	// Download the filtered report as CSV and XLSX by clicking the links.
	dir := t.TempDir()
	sup.allowDownloads(dir)
	csvFile := sup.download(dir, `a[data-export="csv"]`)
	raw, _ := os.ReadFile(csvFile)
	if !strings.HasPrefix(string(raw), "\xef\xbb\xbf") {
		t.Error("the CSV has no UTF-8 BOM")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\xef\xbb\xbf"))).ReadAll()
	if err != nil || len(rows) < 2 || rows[0][1] != "新建" {
		t.Fatalf("CSV rows %v (%v)", rows, err)
	}
	if got := sumColumn(t, rows[1:], 1); got != p2 {
		t.Errorf("CSV created adds up to %d, the page says %d", got, p2)
	}
	xlsxFile := sup.download(dir, `a[data-export="xlsx"]`)
	f, err := excelize.OpenFile(xlsxFile)
	if err != nil {
		t.Fatalf("XLSX: %v", err)
	}
	xrows, _ := f.GetRows(f.GetSheetName(0))
	if len(xrows) != len(rows) || xrows[0][1] != "新建" {
		t.Fatalf("XLSX has %d rows (%v), the CSV %d", len(xrows), xrows[0], len(rows))
	}
	if got := sumColumn(t, xrows[1:], 1); got != p2 {
		t.Errorf("XLSX created adds up to %d, the page says %d", got, p2)
	}

	sup.do("by the hour", chromedp.Navigate(base+"/reports?r=volume&preset=7d&interval=hour"), chromedp.WaitVisible(chromedp.CSS(".rp-chart")))
	sup.shot("report-zh-volume-hour")

	// Every report renders with a chart in both languages.
	for _, lang := range []string{"zh", "en"} {
		if lang == "en" {
			sup.useLang("en")
		}
		for _, name := range []string{"volume", "times", "sla", "rates", "satisfaction", "agents", "groups", "staffing", "arrivals"} {
			sup.do("open "+name, chromedp.Navigate(base+"/reports?preset=30d&r="+name), chromedp.WaitVisible(chromedp.CSS("main")))
			if n := sup.eval(`String(document.querySelectorAll(".rp-chart svg[role=img]").length)`); n == "0" {
				t.Errorf("%s %s: no chart", lang, name)
			}
			sup.shot("report-" + lang + "-" + name)
		}
	}

	// A ticket-list export runs in the background; the bar fills, the link appears.
	sup.do("reports", chromedp.Navigate(base+"/reports?r=volume&preset=30d"), chromedp.WaitVisible(chromedp.CSS("#export")))
	sup.do("start export", chromedp.SetValue(chromedp.CSS("#ex-format"), "csv"), chromedp.Click(chromedp.CSS("[data-start-export]")))
	sup.waitFor("progress bar", `!!document.querySelector("#export-progress progress")`)
	sup.shot("report-en-export-started")
	sup.waitFor("download link", `!!document.getElementById("export-download")`)
	if v := sup.eval(`String(document.querySelector("#export-progress progress").value)`); v != "100" {
		t.Errorf("the finished export's bar is at %s", v)
	}
	sup.shot("report-en-export-done")
	tickets := sup.download(dir, `#export-download`)
	raw, _ = os.ReadFile(tickets)
	trows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\xef\xbb\xbf"))).ReadAll()
	// The list is the supervisor's own listing, so at most all tickets created.
	if err != nil || len(trows) < 2 || len(trows)-1 > created {
		t.Errorf("the ticket list has %d rows (%v); the volume report says %d created", len(trows)-1, err, created)
	}

	// The dashboard, both languages, desktop and phone.
	for _, lang := range []string{"en", "zh-CN"} {
		sup.useLang(lang)
		short := map[string]string{"en": "en", "zh-CN": "zh"}[lang]
		sup.do("dashboard", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(chromedp.CSS("#dash-cards")))
		sup.shot("dashboard-" + short)
		sup.do("dashboard on a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile), chromedp.Navigate(base+"/dashboard"),
			chromedp.WaitVisible(chromedp.CSS("#dash-cards")))
		if w := sup.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
			t.Errorf("the %s dashboard is %s px wide on a 375 px phone", lang, w)
		}
		sup.shot("dashboard-" + short + "-phone")
		sup.do("reports on a phone", chromedp.Navigate(base+"/reports?r=volume&preset=30d"), chromedp.WaitVisible(chromedp.CSS(".rp-chart")))
		if w := sup.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
			t.Errorf("the %s reports page is %s px wide on a 375 px phone", lang, w)
		}
		sup.shot("report-" + short + "-volume-phone")
	}

	// Live: a customer files a ticket; the open count moves without a reload.
	sup.do("dashboard", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(chromedp.CSS("#dash-cards")))
	sup.waitFor("live connected", `document.getElementById("live-dot").classList.contains("on")`)
	before := sup.eval(`document.querySelector('[data-kpi="open"]').textContent`)
	sup.eval(`window.__noReload = "yes"`)
	cust := newPerson(t, b, base, "customer")
	cust.signIn("zhangsan")
	cust.do("new ticket",
		chromedp.Navigate(base+"/portal/new"),
		chromedp.WaitVisible(chromedp.CSS("#title")),
		chromedp.SetValue(chromedp.CSS("#category"), "software"),
		chromedp.SendKeys(chromedp.CSS("#cf-software-version"), "5.2.1"),
		chromedp.SendKeys(chromedp.CSS("#title"), "看板实时更新 dashboard live"),
		chromedp.SendKeys(chromedp.CSS("#description"), "打开就闪退 / crashes on start"),
		chromedp.Click(chromedp.CSS("input[name=priority][value=P2]")),
		chromedp.Click(chromedp.CSS("#new-ticket button[type=submit]")))
	cust.waitFor("ticket filed", `location.pathname.startsWith("/t/")`)
	n, _ := strconv.Atoi(before)
	start := time.Now()
	sup.waitFor("open count moves", fmt.Sprintf(`document.querySelector('[data-kpi="open"]').textContent === "%d"`, n+1))
	if sup.eval(`String(document.querySelector('[data-kpi="open"]').classList.contains("fresh"))`) != "true" {
		t.Error("the open count changed without being highlighted")
	}
	if sup.eval(`window.__noReload || ""`) != "yes" {
		t.Error("the dashboard reloaded; it should update in place")
	}
	t.Logf("the dashboard showed the new ticket %.1f s after it was filed", time.Since(start).Seconds())
	sup.shot("dashboard-zh-live-updated")

	// The admin console's alert rules and audit log, both languages.
	adm := newPerson(t, b, base, "admin")
	adm.signIn("admin")
	for _, lang := range []string{"zh-CN", "en"} {
		adm.useLang(lang)
		short := map[string]string{"en": "en", "zh-CN": "zh"}[lang]
		adm.do("new alert rule", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/admin/alerts/new"),
			chromedp.WaitVisible(chromedp.CSS("#alert-form")))
		adm.shot("admin-" + short + "-alert-new")
		adm.do("save alert rule",
			chromedp.Click(chromedp.CSS(`input[name=kind][value=p1_unacknowledged]`)),
			chromedp.SetValue(chromedp.CSS("#threshold"), "0"),
			chromedp.SetValue(chromedp.CSS("#for_minutes"), "15"),
			chromedp.SetValue(chromedp.CSS("#recipients"), "super, admin"),
			chromedp.Click(chromedp.CSS("#alert-form button.btn-primary")),
			chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
		adm.shot("admin-" + short + "-alerts")
		adm.do("audit log", chromedp.Navigate(base+"/admin/audit"), chromedp.WaitVisible(chromedp.CSS("table.audit")))
		if n := adm.eval(`String(document.querySelectorAll("table.audit tbody code").length)`); n == "0" {
			t.Errorf("%s: the audit log is empty after sign-ins and exports", lang)
		}
		adm.shot("admin-" + short + "-audit")
		for _, path := range []string{"/admin/alerts", "/admin/audit"} {
			adm.do("phone "+path, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile), chromedp.Navigate(base+path),
				chromedp.WaitVisible(chromedp.CSS("main")))
			if w := adm.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
				t.Errorf("%s %s is %s px wide on a 375 px phone", lang, path, w)
			}
			adm.shot("admin-" + short + strings.ReplaceAll(path, "/admin/", "-") + "-phone")
		}
	}
}

// reportFigure opens a report until its figure labelled label is non-zero
// (the refresh job may not have run yet) or 20 s pass.
func (p *person) reportFigure(url, label string) int {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		p.do("open report", chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(".kpis")))
		if n := p.kpi(label); n > 0 || time.Now().After(deadline) {
			return n
		}
		time.Sleep(time.Second)
	}
}

// kpi reads the big number labelled label.
func (p *person) kpi(label string) int {
	p.t.Helper()
	s := p.eval(fmt.Sprintf(`(function(){var r="";document.querySelectorAll(".kpi").forEach(function(k){
		if(k.querySelector(".kpi-label").textContent===%q)r=k.querySelector(".kpi-value").textContent});return r})()`, label))
	n, err := strconv.Atoi(s)
	if err != nil {
		p.t.Fatalf("figure %q is %q", label, s)
	}
	return n
}

// allowDownloads saves the person's downloads into dir.
func (p *person) allowDownloads(dir string) {
	p.t.Helper()
	_, err := chromedp.CallBrowser(p.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, BrowserContextID: chromedp.FromContext(p.ctx).BrowserContextID,
		DownloadPath: dir})
	if err != nil {
		p.t.Fatalf("downloads: %v", err)
	}
}

// download clicks a link and waits for the new file in dir.
func (p *person) download(dir, link string) string {
	p.t.Helper()
	before := map[string]bool{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		before[e.Name()] = true
	}
	p.do("click "+link, chromedp.Click(chromedp.CSS(link)))
	deadline := time.Now().Add(20 * time.Second)
	var last int64 = -1
	for time.Now().Before(deadline) {
		time.Sleep(300 * time.Millisecond)
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if before[e.Name()] || strings.HasSuffix(e.Name(), ".crdownload") {
				continue
			}
			info, err := e.Info()
			if err != nil || info.Size() == 0 {
				continue
			}
			if info.Size() == last { // the same size twice: written
				return filepath.Join(dir, e.Name())
			}
			last = info.Size()
		}
	}
	p.t.Fatalf("no download after clicking %s", link)
	return ""
}

func sumColumn(t *testing.T, rows [][]string, col int) int {
	t.Helper()
	sum := 0
	for _, r := range rows {
		n, err := strconv.Atoi(r[col])
		if err != nil {
			t.Fatalf("not a number in column %d: %v", col, r)
		}
		sum += n
	}
	return sum
}
