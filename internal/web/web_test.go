package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"helpdesk/internal/i18n"
)

func TestSecurityHeaders(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser(t)
	for _, path := range []string{"/signin", "/no-such-page"} {
		res, _ := b.get(path)
		csp := res.Header.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") ||
			!strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP = %q", path, csp)
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("%s: %s = %q, want %q", path, h, got, want)
			}
		}
	}
	res, body := b.get("/no-such-page")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "请求的地址不存在") {
		t.Errorf("404 page: %d %s", res.StatusCode, body)
	}
}

func TestNoInlineScriptOrStyle(t *testing.T) {
	for name, tpl := range parsedFiles(t) {
		for _, bad := range []string{"<script>", "style=", "onclick=", "onload=", "onsubmit=", "<style"} {
			if strings.Contains(tpl, bad) {
				t.Errorf("%s contains %q, which the CSP forbids", name, bad)
			}
		}
	}
}

func parsedFiles(t *testing.T) map[string]string {
	t.Helper()
	entries, err := templateFS.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, _ := templateFS.ReadFile("templates/" + e.Name())
		out[e.Name()] = string(b)
	}
	return out
}

func TestSignInAndOut(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser(t)
	res, _ := b.get("/")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Fatalf("anonymous / = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res, body := b.submit("/signin", "/signin", url.Values{"login": {"cust1"}, "password": {"wrong"}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "用户名或密码不正确") {
		t.Errorf("bad password: %d, body lacks the localized error", res.StatusCode)
	}
	if !strings.Contains(body, `value="cust1"`) {
		t.Error("the login is not kept after a failed sign-in")
	}
	b.signIn("cust1")
	if res, _ := b.get("/"); res.Header.Get("Location") != "/portal" {
		t.Errorf("customer start page = %q", res.Header.Get("Location"))
	}
	// The web session is the API's session.
	res, body = b.get("/api/v1/me")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"cust1"`) {
		t.Errorf("API with the web cookie: %d %s", res.StatusCode, body)
	}
	res, _ = b.submit("/portal", "/signout", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", res.StatusCode)
	}
	if res, _ := b.get("/api/v1/me"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("after sign-out the API still answers %d", res.StatusCode)
	}
	agent := d.browser(t)
	agent.signIn("agent1")
	if res, _ := agent.get("/"); res.Header.Get("Location") != "/desk" {
		t.Errorf("agent start page = %q", res.Header.Get("Location"))
	}
}

func TestSignInRedirectsOnlyLocally(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser(t)
	for next, want := range map[string]string{"/portal/new": "/portal/new", "//evil.example/": "/", "https://evil.example/": "/", "/\\evil": "/"} {
		b.c.Jar, _ = newJar()
		res, _ := b.submit("/signin", "/signin", url.Values{"login": {"cust1"}, "password": {"secret-pass-1"}, "next": {next}})
		if got := res.Header.Get("Location"); got != want {
			t.Errorf("next=%q: redirected to %q, want %q", next, got, want)
		}
	}
}

func TestCSRF(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser(t)
	b.signIn("cust1")
	tok := b.token("/portal")
	other := d.browser(t)
	other.signIn("cust2")
	otherTok := other.token("/portal")
	cases := []struct {
		name   string
		form   url.Values
		origin string
		want   int
	}{
		{"no token", url.Values{"lang": {"en"}}, "", http.StatusForbidden},
		{"another session's token", url.Values{"lang": {"en"}, "csrf": {otherTok}}, "", http.StatusForbidden},
		{"foreign origin", url.Values{"lang": {"en"}, "csrf": {tok}}, "https://evil.example", http.StatusForbidden},
		{"own token", url.Values{"lang": {"en"}, "csrf": {tok}}, d.srv.URL, http.StatusSeeOther},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, d.srv.URL+"/lang", strings.NewReader(c.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if c.origin != "" {
				req.Header.Set("Origin", c.origin)
			}
			res, body := b.do(req)
			if res.StatusCode != c.want {
				t.Fatalf("status %d, want %d", res.StatusCode, c.want)
			}
			if c.want == http.StatusForbidden && !strings.Contains(body, "表单已过期") {
				t.Errorf("the refusal is not explained: %s", body)
			}
		})
	}
	// The token from before sign-in does not work after it (it was the
	// anonymous double-submit token).
	anon := d.browser(t)
	before := anon.token("/signin")
	anon.signIn("cust3")
	res, _ := anon.post("/lang", url.Values{"lang": {"en"}, "csrf": {before}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("pre-sign-in token accepted after sign-in: %d", res.StatusCode)
	}
}

func TestLanguage(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser(t)
	b.lang = "en-US,en;q=0.9"
	if _, body := b.get("/signin"); !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Sign in") {
		t.Error("Accept-Language en does not give an English page")
	}
	b.lang = "fr"
	if _, body := b.get("/signin"); !strings.Contains(body, `<html lang="zh-CN">`) {
		t.Error("an unknown language does not fall back to the site default")
	}
	b.signIn("cust1")
	res, _ := b.submit("/portal", "/lang", url.Values{"lang": {"en"}, "next": {"/portal"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/portal" {
		t.Fatalf("switch: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	u, err := d.Identity.Me(context.Background(), d.Actors["cust1"])
	if err != nil || u.Lang != "en" {
		t.Errorf("profile language = %q (%v), want en", u.Lang, err)
	}
	// The profile wins over the browser on a new device.
	fresh := d.browser(t)
	fresh.lang = "zh-CN"
	fresh.signIn("cust1")
	if _, body := fresh.get("/portal"); !strings.Contains(body, `<html lang="en">`) {
		t.Error("the profile language does not follow the user to another browser")
	}
}

func TestDatesAndDurations(t *testing.T) {
	at := time.Date(2026, 11, 22, 6, 5, 0, 0, time.UTC)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	cases := []struct {
		lang i18n.Lang
		loc  *time.Location
		want string
	}{
		{i18n.ZH, sh, "2026年11月22日 14:05"},
		{i18n.EN, sh, "22 Nov 2026, 14:05"},
		{i18n.EN, ny, "22 Nov 2026, 01:05"},
	}
	for _, c := range cases {
		p := &page{reqCtx: &reqCtx{Lang: c.lang, Loc: c.loc}}
		if got := p.Date(at); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.lang, c.loc, got, c.want)
		}
	}
	durs := []struct {
		d      time.Duration
		zh, en string
	}{
		{0, "0 分钟", "0 min"},
		{90 * time.Minute, "1 小时 30 分钟", "1 h 30 min"},
		{26*time.Hour + 5*time.Minute, "1 天 2 小时", "1 d 2 h"},
		{-45 * time.Minute, "45 分钟", "45 min"},
	}
	for _, c := range durs {
		if got := formatDur(i18n.ZH, c.d); got != c.zh {
			t.Errorf("zh %v = %q, want %q", c.d, got, c.zh)
		}
		if got := formatDur(i18n.EN, c.d); got != c.en {
			t.Errorf("en %v = %q, want %q", c.d, got, c.en)
		}
	}
}

func TestTimeZoneCookie(t *testing.T) {
	z := newZoneCache()
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: tzCookie, Value: url.QueryEscape("Europe/Berlin")})
	if got := z.pick(r, "Asia/Shanghai").String(); got != "Europe/Berlin" {
		t.Errorf("browser zone = %s", got)
	}
	r, _ = http.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: tzCookie, Value: "Mars/Olympus"})
	if got := z.pick(r, "Asia/Shanghai").String(); got != "Asia/Shanghai" {
		t.Errorf("unknown zone falls back to %s", got)
	}
}
