package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"helpdesk/internal/ticket"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"helpdesk/internal/alert"
	"helpdesk/internal/audit"
	"helpdesk/internal/desktest"
	"helpdesk/internal/httpapi"
	"helpdesk/internal/i18n"
	"helpdesk/internal/live"
	"helpdesk/internal/notify"
	"helpdesk/internal/report"
	"helpdesk/internal/report/export"
	"helpdesk/internal/site"
	"helpdesk/internal/store/storetest"
)

// reportDesk is a test desk with the report, export, alert and audit
// services wired as the app wires them.
type reportDesk struct {
	*testDesk
	reports *report.Service
	exports *export.Service
	audit   *audit.Service
}

func newReportDesk(t *testing.T) *reportDesk {
	t.Helper()
	db := storetest.SQLite(t)
	d := desktest.New(t, db, desktest.Options{})
	loc, _ := time.LoadLocation("Asia/Shanghai")
	rs := report.NewService(report.Deps{Store: db.Reports(), Refresh: db.Reports(), Directory: db.Identity(),
		Categories: db.Reports(), Calendars: d.SLA, Policies: d.SLA, Ops: db.Ops(), Location: loc})
	ex := export.NewService(export.Deps{Store: db.Exports(), Tickets: d.Tickets, Users: db.Identity(),
		Dir: filepath.Join(t.TempDir(), "exports"), Loc: loc,
		Label: func(lang, key string) string { return i18n.T(i18n.Lang(lang), key, nil) }})
	au := audit.NewService(db.Audit(), nil)
	al := alert.NewService(alert.Deps{Store: db.Alerts(), Conditions: db.Alerts(), Directory: db.Identity()})
	hub := live.NewHub(db.Web(), true, nil)
	mux := http.NewServeMux()
	httpapi.New(mux, httpapi.Deps{Identity: d.Identity, Tickets: d.Tickets, SLA: d.SLA, Routing: d.Routing})
	w, err := New(mux, Deps{Identity: d.Identity, Tickets: d.Tickets, SLA: d.SLA, Routing: d.Routing, Live: hub,
		Inbox: notify.NewInbox(db.Notify(), nil), Reports: rs, Exports: ex, Alerts: al, Audit: au,
		Settings: site.NewService(db.Web(), site.Settings{Name: "测试服务台", DefaultLang: "zh-CN", TimeZone: "Asia/Shanghai"}, nil)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &reportDesk{testDesk: &testDesk{Desk: d, srv: srv, web: w, hub: hub}, reports: rs, exports: ex, audit: au}
}

// withTickets files n tickets and folds them into the report rollups.
func (d *reportDesk) withTickets(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		d.NewTicket(t, "cust1", "打印机无法打印 printer")
	}
	if _, err := d.reports.Refresh(context.Background(), 40); err != nil {
		t.Fatal(err)
	}
}

func today() string {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return time.Now().In(loc).Format(time.DateOnly)
}

func TestReportPagesOnlyForSupervisorsAndAdmins(t *testing.T) {
	d := newReportDesk(t)
	paths := []string{"/reports", "/reports?r=sla", "/dashboard", "/dashboard?part=cards", "/reports/volume/export?format=csv"}
	for _, c := range []struct {
		login string
		want  int
	}{{"cust1", http.StatusForbidden}, {"agent1", http.StatusForbidden}, {"super1", http.StatusOK}, {"admin", http.StatusOK}} {
		b := d.browser(t)
		b.signIn(c.login)
		for _, p := range paths {
			if res, _ := b.get(p); res.StatusCode != c.want {
				t.Errorf("%s GET %s: %d, want %d", c.login, p, res.StatusCode, c.want)
			}
		}
		for _, p := range []string{"/admin/alerts", "/admin/audit"} {
			want := http.StatusForbidden
			if c.login == "admin" {
				want = http.StatusOK
			}
			if res, _ := b.get(p); res.StatusCode != want {
				t.Errorf("%s GET %s: %d, want %d", c.login, p, res.StatusCode, want)
			}
		}
		if c.login != "admin" {
			continue
		}
		for _, p := range []string{"/dashboard", "/admin/alerts", "/admin/alerts/new", "/admin/audit", "/admin"} {
			_, body := b.get(p)
			if bad := unlabelled(body); len(bad) > 0 {
				t.Errorf("%s: controls without labels: %v", p, bad)
			}
			if p == "/admin" && (!strings.Contains(body, `href="/admin/alerts"`) || !strings.Contains(body, `href="/admin/audit"`)) {
				t.Error("the console's home page does not link to alert rules and the audit log")
			}
			if !strings.Contains(body, `href="/reports"`) || !strings.Contains(body, `href="/dashboard"`) {
				t.Errorf("%s: the header has no Reports and Dashboard links", p)
			}
		}
	}
	a := d.browser(t)
	a.signIn("agent1")
	if _, body := a.get("/desk"); strings.Contains(body, `href="/reports"`) {
		t.Error("an agent's header links to the reports")
	}
	anon := d.browser(t)
	if res, _ := anon.get("/reports"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous /reports: %d, want a redirect to sign in", res.StatusCode)
	}
}

func TestReportsRenderEveryReportInBothLanguages(t *testing.T) {
	d := newReportDesk(t)
	d.withTickets(t, 3)
	b := d.browser(t)
	b.signIn("super1")
	for _, c := range []struct{ lang, htmlLang, title, created string }{
		{"zh-CN", `lang="zh-CN"`, "统计报表", "新建"}, {"en", `lang="en"`, "Reports", "Created"},
	} {
		b.lang = c.lang
		for _, name := range reportNames {
			res, body := b.get("/reports?r=" + name + "&preset=7d")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: %d %s", c.lang, name, res.StatusCode, body)
			}
			for _, want := range []string{c.htmlLang, c.title, `<svg`, `role="img"`, `<table class="rp-tbl">`} {
				if !strings.Contains(body, want) {
					t.Errorf("%s %s lacks %q", c.lang, name, want)
				}
			}
			if strings.Contains(body, "web.report.") || strings.Contains(body, "report.col.") {
				t.Errorf("%s %s shows an untranslated key", c.lang, name)
			}
			if bad := unlabelled(body); len(bad) > 0 {
				t.Errorf("%s %s: controls without labels: %v", c.lang, name, bad)
			}
		}
		_, body := b.get("/reports?r=volume&preset=7d")
		if !strings.Contains(body, "<th scope=\"col\" class=\"n\">"+c.created+"</th>") {
			t.Errorf("%s: the volume data table has no %q column", c.lang, c.created)
		}
	}
}

var kpiRE = regexp.MustCompile(`<span class="kpi-label">([^<]+)</span><span class="kpi-value[^"]*"[^>]*>([^<]+)</span>`)

func kpis(body string) map[string]string {
	out := map[string]string{}
	for _, m := range kpiRE.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	return out
}

func TestReportPeriodAndFilterChange(t *testing.T) {
	d := newReportDesk(t)
	d.withTickets(t, 4)
	b := d.browser(t)
	b.signIn("super1")
	b.lang = "en"
	_, body := b.get("/reports?r=volume&from=" + today() + "&to=" + today())
	if got := kpis(body)["Created"]; got != "4" {
		t.Errorf("created today = %q, want 4", got)
	}
	// A period before the tickets existed has none.
	_, body = b.get("/reports?r=volume&from=2020-01-01&to=2020-01-31")
	if got := kpis(body)["Created"]; got != "0" {
		t.Errorf("created in January 2020 = %q, want 0", got)
	}
	// A filter: the tickets are P3, none is P1.
	_, body = b.get("/reports?r=volume&preset=7d&priority=P1")
	if got := kpis(body)["Created"]; got != "0" {
		t.Errorf("P1 created = %q, want 0", got)
	}
	_, body = b.get("/reports?r=volume&preset=7d&priority=P3&category=software")
	if got := kpis(body)["Created"]; got != "4" {
		t.Errorf("P3 software created = %q, want 4", got)
	}
	// Bad periods and filters are explained in the visitor's language, never a 500.
	for _, c := range []struct{ query, want string }{
		{"from=2026-13-01&to=2026-01-02", "is invalid; use YYYY-MM-DD"},
		{"from=2026-02-01&to=2026-01-01", "end date is before the start date"},
		{"from=2020-01-01&to=2026-01-01", "at most 731 days"},
		{"from=2026-01-01&to=2026-03-01&interval=hour", "By the hour"},
		{"preset=7d&group=nope", "No support group nope"},
		{"preset=90d&r=staffing", "at most 31 days"},
		{"preset=7d&r=staffing&aht_minutes=0", "1–1440 minutes"},
	} {
		res, body := b.get("/reports?" + c.query)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d, want 422 saying %q", c.query, res.StatusCode, c.want)
		}
	}
	b.lang = "zh-CN"
	if _, body := b.get("/reports?from=2026-02-01&to=2026-01-01"); !strings.Contains(body, "结束日期早于开始日期") {
		t.Error("the reversed period is not explained in Chinese")
	}
}

func TestReportExportCSVAndXLSX(t *testing.T) {
	d := newReportDesk(t)
	d.withTickets(t, 2)
	b := d.browser(t)
	b.signIn("super1")
	b.lang = "zh-CN"
	q := "&from=" + today() + "&to=" + today()
	res, body := b.get("/reports/volume/export?format=csv" + q)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.HasPrefix(body, "\xef\xbb\xbf") {
		t.Error("the CSV has no UTF-8 BOM")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\xef\xbb\xbf"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][1] != "新建" || rows[1][1] != "2" {
		t.Errorf("csv rows = %v, want a header with 新建 and one day with 2 created", rows)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "volume_"+today()) {
		t.Errorf("file name: %s", cd)
	}
	res, body = b.get("/reports/times/export?format=xlsx" + q)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("xlsx: %d", res.StatusCode)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatalf("not an XLSX file: %v", err)
	}
	sheet := f.GetSheetName(0)
	cells, _ := f.GetRows(sheet)
	if len(cells) != 5 || cells[0][0] != "指标" || cells[1][0] != "首次响应（自然时间）" {
		t.Errorf("xlsx rows = %v", cells)
	}
	// Agents cannot, a bad format is explained, the export is audited.
	a := d.browser(t)
	a.signIn("agent1")
	if res, _ := a.get("/reports/volume/export?format=csv" + q); res.StatusCode != http.StatusForbidden {
		t.Errorf("agent export: %d", res.StatusCode)
	}
	if res, body := b.get("/reports/volume/export?format=pdf" + q); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "pdf") {
		t.Errorf("pdf export: %d", res.StatusCode)
	}
	es, err := d.audit.Search(context.Background(), d.Actors["admin"], audit.Query{Action: "export"})
	if err != nil || len(es) != 2 || es[0].Actor != "super1" || es[0].Target != "report.times" {
		t.Errorf("audit = %+v, %v; want the two exports by super1", es, err)
	}
}

// TestStaffingAndArrivalsExport downloads the two reports that are not
// time series or summaries: staffing carries its assumptions into the file
// (as the page states them), arrivals is the heat map's grid.
func TestStaffingAndArrivalsExport(t *testing.T) {
	d := newReportDesk(t)
	d.withTickets(t, 2)
	b := d.browser(t)
	b.signIn("super1")
	b.lang = "en"
	q := "&from=" + today() + "&to=" + today()
	res, body := b.get("/reports/staffing/export?format=csv&aht_minutes=30&service_level=90&sla_priority=P1" + q)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("staffing csv: %d %s", res.StatusCode, body)
	}
	parts := strings.Split(strings.TrimPrefix(body, "\xef\xbb\xbf"), "\n\r\n")
	if len(parts) != 2 {
		t.Fatalf("staffing csv has %d sections, want hours and assumptions:\n%s", len(parts), body)
	}
	hours, err := csv.NewReader(strings.NewReader(parts[0])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(hours) != 25 || hours[0][0] != "Hour" || hours[1][0] != "00:00" || hours[24][0] != "23:00" {
		t.Fatalf("staffing hours = %v, want a header and 24 hours", hours)
	}
	var arrivals float64
	for _, h := range hours[1:] {
		x, err := strconv.ParseFloat(h[1], 64)
		if err != nil {
			t.Fatalf("arrivals %q: %v", h[1], err)
		}
		arrivals += x
	}
	if arrivals != 2 {
		t.Errorf("arrivals per hour sum to %v over one day, want the 2 tickets", arrivals)
	}
	assume, err := csv.NewReader(strings.NewReader(parts[1])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range assume[1:] {
		got[r[0]] = r[1]
	}
	if got["Average handling time (minutes)"] != "30" || got["Service level (share answered within the allowed wait)"] != "90%" ||
		got["Allowed wait is the first-response target of"] != "P1" || got["Allowed wait (minutes)"] != "120" {
		t.Errorf("assumptions = %v, want AHT 30, 90%%, P1 and its 120-minute target", got)
	}
	// The page's export link carries the assumptions typed on the page.
	_, page := b.get("/reports?r=staffing&aht_minutes=45" + q)
	if !strings.Contains(page, "aht_minutes=45") {
		t.Error("the staffing export link does not carry the page's handling time")
	}
	if res, body := b.get("/reports/staffing/export?format=csv&aht_minutes=0" + q); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "1–1440 minutes") {
		t.Errorf("bad handling time: %d", res.StatusCode)
	}

	b.lang = "zh-CN"
	res, body = b.get("/reports/arrivals/export?format=xlsx" + q)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("arrivals xlsx: %d", res.StatusCode)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatalf("not an XLSX file: %v", err)
	}
	grid, _ := f.GetRows(f.GetSheetName(0))
	if len(grid) != 8 || grid[0][0] != "星期" || grid[0][24] != "23" || grid[1][0] != "周一" || grid[7][0] != "周日" {
		t.Fatalf("arrivals grid = %v, want weekdays × 24 hours", grid)
	}
	var n int
	for _, row := range grid[1:] {
		for _, c := range row[1:] {
			v, _ := strconv.Atoi(c)
			n += v
		}
	}
	if n != 2 {
		t.Errorf("arrivals grid counts %d tickets, want 2", n)
	}
}

var progressRE = regexp.MustCompile(`data-poll="(/exports/\d+)"`)

func TestTicketListExportShowsProgressThenLink(t *testing.T) {
	d := newReportDesk(t)
	d.withTickets(t, 3)
	b := d.browser(t)
	b.signIn("super1")
	back := url.Values{"r": {"volume"}, "preset": {"7d"}}.Encode()
	res, _ := b.submit("/reports", "/exports/tickets", url.Values{"from": {today()}, "to": {today()}, "format": {"csv"}, "back": {back}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	_, body := b.get(loc)
	m := progressRE.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "<progress") {
		t.Fatalf("the page after starting shows no progress bar (%s)", loc)
	}
	_, frag := b.get(m[1])
	if !strings.Contains(frag, "排队中") || strings.Contains(frag, "data-done") {
		t.Errorf("queued fragment = %s", frag)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(m[1], "/exports/"), 10, 64)
	if err := d.exports.Run(context.Background(), id); err != nil { // the job runner's part
		t.Fatal(err)
	}
	_, frag = b.get(m[1])
	if !strings.Contains(frag, "data-done") || !strings.Contains(frag, `href="`+m[1]+`/file"`) {
		t.Fatalf("done fragment = %s", frag)
	}
	res, file := b.get(m[1] + "/file")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(file, "\xef\xbb\xbf"))).ReadAll()
	if res.StatusCode != http.StatusOK || err != nil || len(rows) != 4 {
		t.Errorf("download: %d, %d rows (%v), want a header and 3 tickets", res.StatusCode, len(rows), err)
	}
	// Agents do not reach the report pages' export routes.
	agent := d.browser(t)
	agent.signIn("agent1")
	if res, _ := agent.get(m[1]); res.StatusCode != http.StatusForbidden {
		t.Errorf("agent reads the export: %d", res.StatusCode)
	}
	// A bad period is explained on the page it came from.
	res, _ = b.submit("/reports", "/exports/tickets", url.Values{"from": {"x"}, "to": {today()}, "format": {"csv"}, "back": {back}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("bad start: %d", res.StatusCode)
	}
	if _, body := b.get(res.Header.Get("Location")); !strings.Contains(body, "flash-error") {
		t.Error("a bad export period is not explained")
	}
}

func TestDashboard(t *testing.T) {
	d := newReportDesk(t)
	d.withTickets(t, 2)
	b := d.browser(t)
	b.signIn("super1")
	for _, c := range []struct{ lang, label string }{{"zh-CN", "未结工单"}, {"en", "Open tickets"}} {
		b.lang = c.lang
		res, body := b.get("/dashboard")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", c.lang, res.StatusCode)
		}
		if got := kpis(body)[c.label]; got != "2" {
			t.Errorf("%s: open = %q, want 2", c.lang, got)
		}
		for _, want := range []string{`data-live="/dashboard/live?from=`, `data-refresh="/dashboard?part=cards"`, `aria-live="polite"`, "report.js"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: dashboard lacks %s", c.lang, want)
			}
		}
	}
	d.NewTicket(t, "cust1", "又一个 another")
	_, frag := b.get("/dashboard?part=cards")
	if !strings.HasPrefix(strings.TrimSpace(frag), `<div id="dash-cards">`) || strings.Contains(frag, "<html") {
		t.Errorf("the fragment is not just the cards: %.80s", frag)
	}
	if got := kpis(frag)["Open tickets"]; got != "3" {
		t.Errorf("after a new ticket open = %q, want 3", got)
	}
	if got := kpis(frag)["Unassigned"]; got != "3" {
		t.Errorf("unassigned = %q, want 3", got)
	}
}

// TestDashboardLiveSeesTheWholeDesk: the dashboard counts every ticket, so
// its feed wakes on every change — also of a group its supervisor does not
// belong to — but never says which ticket that was.
func TestDashboardLiveSeesTheWholeDesk(t *testing.T) {
	d := newReportDesk(t)
	b := d.browser(t)
	b.signIn("super1") // software
	ch := b.openSSE("/dashboard/live", "")
	hw, err := d.Tickets.Create(context.Background(), d.Actors["cust1"], ticket.CreateInput{Title: "硬件组的工单", Description: "x",
		Category: "hardware", Priority: ticket.P3})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-ch:
		if ev.Event != "change" || ev.Data.Kind != "created" || ev.Data.ID == 0 {
			t.Errorf("event = %+v, want a bare change", ev)
		}
		if ev.Data.Ticket != "" || strings.Contains(ev.Raw, hw.Number) {
			t.Errorf("the dashboard feed names the hardware ticket: %s", ev.Raw)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the dashboard heard nothing of a change outside the supervisor's group")
	}
	a := d.browser(t)
	a.signIn("agent1")
	if res, _ := a.get("/dashboard/live"); res.StatusCode != http.StatusForbidden {
		t.Errorf("agent: %d, want 403", res.StatusCode)
	}
}

func TestAdminAlertRules(t *testing.T) {
	d := newReportDesk(t)
	b := d.browser(t)
	b.signIn("admin")
	b.lang = "en"
	// Validation: every problem beside its field, in the visitor's language.
	res, body := b.submit("/admin/alerts/new", "/admin/alerts", url.Values{"kind": {"unassigned_backlog"},
		"threshold": {"-3"}, "for_minutes": {"abc"}, "recipients": {"nobody, cust1"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid rule: %d", res.StatusCode)
	}
	for _, want := range []string{"The threshold must be 0–100000", "The duration must be 0–1440 minutes", "The recipient nobody does not exist", "The recipient cust1 does not exist"} {
		if !strings.Contains(body, want) {
			t.Errorf("the form does not say %q", want)
		}
	}
	if !strings.Contains(body, `value="nobody, cust1"`) {
		t.Error("the form lost what was typed")
	}
	// Create.
	res, _ = b.submit("/admin/alerts/new", "/admin/alerts", url.Values{"kind": {"unassigned_backlog"},
		"threshold": {"5"}, "for_minutes": {"10"}, "recipients": {"super1, admin"}, "enabled": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	rules, _ := d.testDesk.web.d.Alerts.Rules(context.Background(), d.Actors["admin"])
	if len(rules) != 1 || rules[0].Threshold != 5 || !rules[0].Enabled || len(rules[0].Logins) != 2 {
		t.Fatalf("rules = %+v", rules)
	}
	id := itoa(rules[0].ID)
	_, body = b.get("/admin/alerts")
	if !strings.Contains(body, "more than 5 unassigned for 10 min") || !strings.Contains(body, "super1, admin") {
		t.Errorf("the list does not show the rule: %s", body[strings.Index(body, "<main"):])
	}
	// Edit, then turn off, then delete.
	_, body = b.get("/admin/alerts/" + id)
	if !strings.Contains(body, `value="super1, admin"`) || !strings.Contains(body, `name="threshold" type="number" min="0" value="5"`) {
		t.Error("the edit form is not filled in")
	}
	b.submit("/admin/alerts/"+id, "/admin/alerts", url.Values{"id": {id}, "kind": {"p1_unacknowledged"}, "threshold": {"0"},
		"for_minutes": {"20"}, "recipients": {"super1"}, "enabled": {"1"}})
	b.submit("/admin/alerts", "/admin/alerts/"+id+"/toggle", nil)
	rules, _ = d.testDesk.web.d.Alerts.Rules(context.Background(), d.Actors["admin"])
	if len(rules) != 1 || rules[0].Kind != alert.P1Unacknowledged || rules[0].ForMinutes != 20 || rules[0].Enabled {
		t.Fatalf("after edit and toggle: %+v", rules)
	}
	// Channels: the ones ticked are kept, and an edit keeps what was chosen.
	b.submit("/admin/alerts/"+id, "/admin/alerts", url.Values{"id": {id}, "kind": {"p1_unacknowledged"}, "threshold": {"0"},
		"for_minutes": {"20"}, "recipients": {"super1"}, "channels": {"inbox", "email"}})
	rules, _ = d.testDesk.web.d.Alerts.Rules(context.Background(), d.Actors["admin"])
	if len(rules) != 1 || len(rules[0].Channels) != 2 || rules[0].Uses(alert.ChannelIM) {
		t.Fatalf("channels inbox and email: %+v", rules)
	}
	_, body = b.get("/admin/alerts/" + id)
	if !strings.Contains(body, `value="email" checked`) || strings.Contains(body, `value="im" checked`) {
		t.Error("the edit form does not show the channels chosen")
	}
	b.lang = "zh-CN"
	if _, body := b.get("/admin/alerts"); !strings.Contains(body, "P1 未受理") || !strings.Contains(body, "已停用") {
		t.Error("the Chinese list does not show the rule turned off")
	}
	b.submit("/admin/alerts", "/admin/alerts/"+id+"/delete", nil)
	if rules, _ = d.testDesk.web.d.Alerts.Rules(context.Background(), d.Actors["admin"]); len(rules) != 0 {
		t.Errorf("after delete: %+v", rules)
	}
	// A supervisor may not change rules.
	s := d.browser(t)
	s.signIn("super1")
	if res, _ := s.submit("/reports", "/admin/alerts", url.Values{"kind": {"unassigned_backlog"}, "recipients": {"super1"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("supervisor saves a rule: %d", res.StatusCode)
	}
}

func TestAdminAuditSearchAndCSV(t *testing.T) {
	d := newReportDesk(t)
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	for i, e := range []audit.Entry{
		{Actor: "admin", Action: "user.update", Target: "wangwei", Status: 200, At: time.Date(2026, 10, 1, 9, 0, 0, 0, loc)},
		{Actor: "mallory", Action: "auth.login_failed", Target: "/api/v1/auth/login", Status: 401, At: time.Date(2026, 10, 2, 9, 0, 0, 0, loc)},
		{Actor: "admin", Action: "sla.policy.save", Target: "P1 响应", Status: 200, At: time.Date(2026, 10, 3, 9, 0, 0, 0, loc)},
	} {
		e.Detail = map[string]string{"n": itoa(int64(i))}
		if err := d.audit.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 60; i++ {
		d.audit.Record(ctx, audit.Entry{Actor: "bot", Action: "token.create", Target: "t" + itoa(int64(i)), Status: 200})
	}
	b := d.browser(t)
	b.signIn("admin")
	b.lang = "en"
	_, body := b.get("/admin/audit?actor=mallory")
	if !strings.Contains(body, "auth.login_failed") || strings.Contains(body, "user.update") {
		t.Error("search by actor")
	}
	_, body = b.get("/admin/audit?q=" + url.QueryEscape("响应"))
	if !strings.Contains(body, "sla.policy.save") || strings.Contains(body, "auth.login_failed") {
		t.Error("search by text")
	}
	_, body = b.get("/admin/audit?from=2026-10-02&to=2026-10-02")
	if !strings.Contains(body, "auth.login_failed") || strings.Contains(body, "sla.policy.save") || strings.Contains(body, "user.update") {
		t.Error("search by date range")
	}
	// Pages of 50, then older.
	_, body = b.get("/admin/audit")
	m := regexp.MustCompile(`href="(/admin/audit\?before_id=\d+)" rel="next"`).FindStringSubmatch(strings.ReplaceAll(body, "&amp;", "&"))
	if strings.Count(body, "<code>") != 50 || m == nil {
		t.Fatalf("first page: %d entries, older link %v", strings.Count(body, "<code>"), m)
	}
	// 63 recorded here and the admin's own sign-in.
	if _, body = b.get(m[1]); strings.Count(body, "<code>") != 14 {
		t.Errorf("second page: %d entries, want 14", strings.Count(body, "<code>"))
	}
	// A bad date is explained.
	if res, body := b.get("/admin/audit?from=yesterday"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "yesterday") {
		t.Errorf("bad date: %d", res.StatusCode)
	}
	// CSV of the search, with a BOM.
	res, file := b.get("/admin/audit?action=auth.login_failed&format=csv")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(file, "\xef\xbb\xbf") {
		t.Fatalf("csv: %d", res.StatusCode)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(file, "\xef\xbb\xbf"))).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][1] != "Actor" || rows[1][1] != "mallory" || rows[1][4] != "401" {
		t.Errorf("csv rows = %v (%v)", rows, err)
	}
	// Sign-ins on the web desk are there too, failed ones by the login tried.
	bad := d.browser(t)
	bad.submit("/signin", "/signin", url.Values{"login": {"super1"}, "password": {"wrong-password"}})
	_, body = b.get("/admin/audit?action=auth.login_failed")
	if !strings.Contains(body, "super1") {
		t.Error("a failed web sign-in is not in the audit log")
	}
	_, body = b.get("/admin/audit?action=auth.login&actor=admin")
	if !strings.Contains(body, "<code>auth.login</code>") {
		t.Error("the admin's web sign-in is not in the audit log")
	}
	// Changes made in the console are recorded; refused ones are not.
	b.submit("/admin/alerts/new", "/admin/alerts", url.Values{"kind": {"unassigned_backlog"}, "threshold": {"5"}, "recipients": {"super1"}})
	b.submit("/admin/alerts/new", "/admin/alerts", url.Values{"kind": {"unassigned_backlog"}, "threshold": {"-5"}, "recipients": {"super1"}})
	_, body = b.get("/admin/audit?action=console.alerts.save")
	if n := strings.Count(body, "<code>console.alerts.save</code>"); n != 1 {
		t.Errorf("console.alerts.save recorded %d times, want once (the refused form is not a change)", n)
	}
	// Only admins.
	s := d.browser(t)
	s.signIn("super1")
	if res, _ := s.get("/admin/audit?format=csv"); res.StatusCode != http.StatusForbidden {
		t.Errorf("supervisor reads the audit log: %d", res.StatusCode)
	}
}
