package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"helpdesk/internal/report"
	"helpdesk/internal/store/storetest"
)

// TestDeflectionsFilter: the deflection rate follows the category filter
// and is "not available" under filters a deflection has no value for.
func TestDeflectionsFilter(t *testing.T) {
	db := storetest.SQLite(t)
	d := deflections{db.KB()}
	ctx := context.Background()
	from, to := time.Now().Add(-time.Hour), time.Now()
	for _, tc := range []struct {
		name string
		f    report.Filter
		want int64
	}{
		{"no filter", report.Filter{}, 0},
		{"category", report.Filter{Category: 1}, 0},
		{"group", report.Filter{Group: 1}, -1},
		{"agent", report.Filter{Agent: 1}, -1},
		{"priority", report.Filter{Priority: "P1"}, -1},
		{"channel", report.Filter{Channel: "email"}, -1},
		{"organization", report.Filter{Org: 1}, -1},
	} {
		got, err := d.Deflected(ctx, from, to, tc.f)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
}

// TestMetricsCountMailAndStreams: /metrics counts mail intake outcomes and
// open live streams, fed by the mail service and the web desk.
func TestMetricsCountMailAndStreams(t *testing.T) {
	d := openDesk(t, "")
	raw := "From: Li Ming <liming@example.com>\r\nTo: support@desk.example\r\nSubject: 打印机卡纸\r\n" +
		"Message-ID: <metrics-1@example.com>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0800\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n打印机一直卡纸。\r\n"
	for range 2 { // the second delivery is a duplicate: ignored
		req, _ := http.NewRequest(http.MethodPost, d.srv.URL+"/api/v1/intake/email", strings.NewReader(raw))
		req.Header.Set("Authorization", "Bearer "+d.tokens["admin"])
		req.Header.Set("Content-Type", "message/rfc822")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode >= 300 {
			t.Fatalf("intake: status %d", res.StatusCode)
		}
	}
	// A customer's live stream stays open while /metrics is read.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	login := d.do(t, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"login": "zhangsan", "password": "password-123"})
	read(t, login, http.StatusOK)
	sreq, _ := http.NewRequestWithContext(ctx, http.MethodGet, d.srv.URL+"/portal/live", nil)
	for _, c := range login.Cookies() {
		sreq.AddCookie(c)
	}
	sres, err := http.DefaultClient.Do(sreq)
	if err != nil {
		t.Fatal(err)
	}
	defer sres.Body.Close()
	if sres.StatusCode != http.StatusOK || !strings.HasPrefix(sres.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("live stream: status %d", sres.StatusCode)
	}
	body := string(read(t, d.do(t, "", http.MethodGet, "/metrics", nil), http.StatusOK))
	for _, want := range []string{`helpdesk_mail_intake_total{outcome="created"} 1`, `helpdesk_mail_intake_total{outcome="ignored"} 1`,
		"helpdesk_sse_connections 1"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
