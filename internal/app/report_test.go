package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"helpdesk/internal/config"
	"helpdesk/internal/identity"
	"helpdesk/internal/job"
	"helpdesk/internal/report/export"
	"helpdesk/internal/store/storetest"
)

// desk is a whole app served over HTTP, with its log captured.
type desk struct {
	a      *App
	srv    *httptest.Server
	logs   *bytes.Buffer
	tokens map[string]string
}

func openDesk(t *testing.T, dbURL string, configure ...func(*config.Config)) *desk {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir, cfg.DatabaseURL = t.TempDir(), dbURL
	for _, c := range configure {
		c(&cfg)
	}
	logs := &bytes.Buffer{}
	a, err := Open(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	d := &desk{a: a, srv: httptest.NewServer(a.Handler), logs: logs, tokens: map[string]string{}}
	t.Cleanup(d.srv.Close)
	ctx := context.Background()
	if _, err := a.Identity.CreateOrg(ctx, identity.System, "Acme 公司"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []identity.NewUser{
		{Login: "admin", Role: identity.RoleAdmin}, {Login: "super", Role: identity.RoleSupervisor, GroupKeys: []string{"software"}},
		{Login: "agent", Role: identity.RoleAgent, GroupKeys: []string{"hardware"}},
		{Login: "zhangsan", Role: identity.RoleCustomer, OrgName: "Acme 公司", Phone: "13812341234"},
	} {
		u.Name, u.Password = u.Login, "password-123"
		if _, err := a.Identity.CreateUser(ctx, identity.System, u); err != nil {
			t.Fatal(err)
		}
		tok, _, err := a.Identity.CreateToken(ctx, identity.System, u.Login, "t")
		if err != nil {
			t.Fatal(err)
		}
		d.tokens[u.Login] = tok
	}
	return d
}

func (d *desk) do(t *testing.T, as, method, path string, body any, hdr ...string) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, d.srv.URL+path, rd)
	if as != "" {
		req.Header.Set("Authorization", "Bearer "+d.tokens[as])
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func read(t *testing.T, res *http.Response, want int) []byte {
	t.Helper()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", res.Request.Method, res.Request.URL.Path, res.StatusCode, want, b)
	}
	return b
}

func parseCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\uFEFF")) {
		t.Fatalf("CSV without UTF-8 BOM: %q", b[:min(len(b), 20)])
	}
	rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	return rows
}

func parseXLSX(t *testing.T, b []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("XLSX: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestReportsOverHTTP(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			url := ""
			if engine == "postgres" {
				url = storetest.PostgresURL(t)
			}
			d := openDesk(t, url)
			ctx := context.Background()
			for i := range 3 {
				read(t, d.do(t, "zhangsan", "POST", "/api/v1/tickets", map[string]any{"title": fmt.Sprintf("打印机故障 %d", i),
					"description": "无法打印", "category": "hardware", "contact_phone": "13812341234"}), 201)
			}
			if _, err := d.a.Reports.Refresh(ctx, 10); err != nil {
				t.Fatal(err)
			}
			today := time.Now().In(d.a.Location).Format(time.DateOnly)
			q := "?from=" + today + "&to=" + today

			t.Run("permission", func(t *testing.T) {
				read(t, d.do(t, "agent", "GET", "/api/v1/reports/volume"+q, nil), 403)
				read(t, d.do(t, "super", "GET", "/api/v1/reports/volume?from=2026-13-01&to="+today, nil), 422)
			})
			t.Run("json", func(t *testing.T) {
				var v struct {
					Created int64 `json:"created"`
				}
				json.Unmarshal(read(t, d.do(t, "super", "GET", "/api/v1/reports/volume"+q, nil), 200), &v)
				if v.Created != 3 {
					t.Errorf("created = %d, want 3", v.Created)
				}
				var st struct {
					Assumptions struct {
						WaitSecs int64 `json:"wait_secs"`
					}
					Hours []struct{ Arrivals float64 }
				}
				json.Unmarshal(read(t, d.do(t, "super", "GET", "/api/v1/reports/staffing"+q, nil), 200), &st)
				var arrivals float64
				for _, h := range st.Hours {
					arrivals += h.Arrivals
				}
				if st.Assumptions.WaitSecs != 4*3600 || len(st.Hours) != 24 || arrivals != 3 {
					t.Errorf("staffing = %+v", st)
				}
				svg := string(read(t, d.do(t, "super", "GET", "/api/v1/reports/arrivals/chart"+q, nil, "Accept-Language", "en"), 200))
				if !strings.Contains(svg, "<title id=\"arrivals-title\">Ticket arrivals (weekday × hour)</title>") {
					t.Errorf("arrivals chart: %.200s", svg)
				}
				for _, name := range []string{"times", "sla", "rates", "satisfaction", "agents", "groups", "arrivals"} {
					read(t, d.do(t, "super", "GET", "/api/v1/reports/"+name+q, nil), 200)
				}
				var dash struct {
					Unassigned int64 `json:"unassigned"`
					Today      int64 `json:"today"`
				}
				json.Unmarshal(read(t, d.do(t, "super", "GET", "/api/v1/dashboard", nil), 200), &dash)
				if dash.Unassigned != 3 || dash.Today != 3 {
					t.Errorf("dashboard = %+v, want 3 unassigned, 3 today", dash)
				}
			})
			t.Run("report exports", func(t *testing.T) {
				rows := parseCSV(t, read(t, d.do(t, "super", "GET", "/api/v1/reports/volume/export"+q+"&format=csv", nil, "Accept-Language", "zh-CN"), 200))
				if len(rows) != 2 || rows[0][0] != "开始时间" || rows[1][1] != "3" {
					t.Errorf("volume CSV = %q", rows)
				}
				x := parseXLSX(t, read(t, d.do(t, "super", "GET", "/api/v1/reports/times/export"+q+"&format=xlsx", nil, "Accept-Language", "en"), 200))
				if len(x) != 5 || x[0][0] != "Measure" || x[1][0] != "First response (calendar time)" {
					t.Errorf("times XLSX = %q", x)
				}
				st := parseXLSX(t, read(t, d.do(t, "super", "GET", "/api/v1/reports/staffing/export"+q+"&format=xlsx&aht_minutes=15", nil, "Accept-Language", "en"), 200))
				if len(st) != 25 || st[0][3] != "Needed (Erlang C)" || st[24][0] != "23:00" {
					t.Errorf("staffing XLSX = %q", st)
				}
				ar := parseCSV(t, read(t, d.do(t, "super", "GET", "/api/v1/reports/arrivals/export"+q+"&format=csv", nil, "Accept-Language", "zh-CN"), 200))
				n := 0
				for _, row := range ar[1:] {
					for _, c := range row[1:] {
						v, _ := strconv.Atoi(c)
						n += v
					}
				}
				if len(ar) != 8 || ar[1][0] != "周一" || n != 3 {
					t.Errorf("arrivals CSV = %q (%d tickets), want 7 weekdays and the 3 tickets", ar, n)
				}
				read(t, d.do(t, "super", "GET", "/api/v1/reports/staffing/export"+q+"&aht_minutes=0", nil), 422)
			})
			t.Run("ticket export job", func(t *testing.T) {
				for _, c := range []struct {
					as, format, phone string
				}{{"admin", "csv", "13812341234"}, {"agent", "xlsx", "138****1234"}} {
					var rec struct {
						ID          int64  `json:"id"`
						State       string `json:"state"`
						DownloadURL string `json:"download_url"`
					}
					json.Unmarshal(read(t, d.do(t, c.as, "POST", "/api/v1/exports/tickets", map[string]any{"from": today, "to": today, "format": c.format}), 202), &rec)
					if rec.State != "queued" {
						t.Fatalf("export = %+v", rec)
					}
					// The durable job, as the runner would run it.
					j, _ := job.New(export.JobKind, "", time.Now(), map[string]any{"export": rec.ID})
					if err := d.a.handlers()[export.JobKind](ctx, j); err != nil {
						t.Fatal(err)
					}
					json.Unmarshal(read(t, d.do(t, c.as, "GET", fmt.Sprintf("/api/v1/exports/%d", rec.ID), nil), 200), &rec)
					if rec.State != "done" || rec.DownloadURL == "" {
						t.Fatalf("export after the job = %+v", rec)
					}
					read(t, d.do(t, "super", "GET", rec.DownloadURL, nil), 404) // someone else's
					b := read(t, d.do(t, c.as, "GET", rec.DownloadURL, nil), 200)
					var rows [][]string
					if c.format == "csv" {
						rows = parseCSV(t, b)
					} else {
						rows = parseXLSX(t, b)
					}
					if len(rows) != 4 {
						t.Fatalf("%s export rows = %d, want header + 3", c.as, len(rows))
					}
					if got := rows[1][9]; got != c.phone {
						t.Errorf("%s export phone = %q, want %q", c.as, got, c.phone)
					}
				}
			})
			t.Run("audit", func(t *testing.T) {
				read(t, d.do(t, "", "POST", "/api/v1/auth/login", map[string]any{"login": "super", "password": "wrong-password"}), 401)
				read(t, d.do(t, "", "POST", "/api/v1/auth/login", map[string]any{"login": "super", "password": "password-123"}), 200)
				read(t, d.do(t, "super", "GET", "/api/v1/audit", nil), 403)
				var got struct {
					Items []struct{ Action, Actor string }
				}
				json.Unmarshal(read(t, d.do(t, "admin", "GET", "/api/v1/audit?actor=super", nil), 200), &got)
				var actions []string
				for _, e := range got.Items {
					actions = append(actions, e.Action)
				}
				if want := "auth.login auth.login_failed"; !strings.Contains(strings.Join(actions, " "), want) {
					t.Errorf("audit actions of super = %v, want %s", actions, want)
				}
				rows := parseCSV(t, read(t, d.do(t, "admin", "GET", "/api/v1/audit?action=export.tickets&format=csv", nil), 200))
				if len(rows) != 3 {
					t.Errorf("export audit CSV rows = %d, want header + 2", len(rows))
				}
			})
			t.Run("metrics and request ids", func(t *testing.T) {
				res := d.do(t, "super", "GET", "/api/v1/tickets/TS000/history", nil, "X-Request-ID", "req-abc.1")
				if got := res.Header.Get("X-Request-ID"); got != "req-abc.1" {
					t.Errorf("X-Request-ID = %q", got)
				}
				if got := d.do(t, "", "GET", "/healthz", nil).Header.Get("X-Request-ID"); len(got) != 16 {
					t.Errorf("generated request id = %q", got)
				}
				m := string(read(t, d.do(t, "", "GET", "/metrics", nil), 200))
				for _, want := range []string{`helpdesk_tickets{status="unassigned"} 3`,
					`helpdesk_http_requests_total{method="GET",route="/api/v1/reports/volume",status="200"}`,
					`helpdesk_http_request_duration_seconds_bucket{method="GET",route="/api/v1/tickets/{number}/history"`,
					`helpdesk_jobs{state="scheduled"}`, `helpdesk_mail_intake_total`, `helpdesk_sse_connections 0`} {
					if !strings.Contains(m, want) {
						t.Errorf("metrics lack %s", want)
					}
				}
				if !strings.Contains(d.logs.String(), `"request_id":"req-abc.1"`) {
					t.Errorf("no log line carries the request id")
				}
			})
		})
	}
}
