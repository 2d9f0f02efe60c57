package web

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"helpdesk/internal/desktest"
	"helpdesk/internal/httpapi"
	"helpdesk/internal/live"
	"helpdesk/internal/notify"
	"helpdesk/internal/site"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

// testDesk is a web desk on a real SQLite database behind a real HTTP server.
type testDesk struct {
	*desktest.Desk
	srv *httptest.Server
	web *Web
	hub *live.Hub
}

func newTestDesk(t testing.TB) *testDesk {
	t.Helper()
	return newTestDeskOn(t, storetest.SQLite(t))
}

func newTestDeskOn(t testing.TB, db *store.DB) *testDesk {
	t.Helper()
	d := desktest.New(t, db, desktest.Options{})
	hub := live.NewHub(db.Web(), db.Engine() == store.SQLite, nil)
	mux := http.NewServeMux()
	httpapi.New(mux, httpapi.Deps{Identity: d.Identity, Tickets: d.Tickets, SLA: d.SLA, Routing: d.Routing})
	w, err := New(mux, Deps{Identity: d.Identity, Tickets: d.Tickets, SLA: d.SLA, Routing: d.Routing, Live: hub,
		Inbox:    notify.NewInbox(db.Notify(), nil),
		Settings: site.NewService(db.Web(), site.Settings{Name: "测试服务台", DefaultLang: "zh-CN", TimeZone: "Asia/Shanghai"}, nil)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &testDesk{Desk: d, srv: srv, web: w, hub: hub}
}

// browser is an HTTP client with cookies that does not follow redirects.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
	lang string
}

func (d *testDesk) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: d.srv.URL, lang: "zh-CN", c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(body)
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

// token reads the CSRF token from a page.
func (b *browser) token(path string) string {
	b.t.Helper()
	_, body := b.get(path)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

// submit posts a form with the CSRF token of the page it is on.
func (b *browser) submit(page, action string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.token(page))
	return b.post(action, form)
}

func (b *browser) signIn(login string) {
	b.t.Helper()
	res, body := b.submit("/signin", "/signin", url.Values{"login": {login}, "password": {desktest.Password}})
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign in %s: %d %s", login, res.StatusCode, body)
	}
}

func newJar() (http.CookieJar, error) { return cookiejar.New(nil) }

// upload posts a multipart form with files (name → content) and the CSRF token of page.
func (b *browser) upload(page, action string, form url.Values, files map[string][]byte) (*http.Response, string) {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", b.token(page))
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for name, content := range files {
		fw, _ := mw.CreateFormFile("files", name)
		fw.Write(content)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.base+action, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// pngBytes is a tiny valid PNG.
func pngBytes() []byte {
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	png.Encode(&buf, img)
	return buf.Bytes()
}

// numberFrom reads the ticket number from a redirect to /t/<number>.
func numberFrom(t testing.TB, res *http.Response) string {
	t.Helper()
	loc := res.Header.Get("Location")
	n, ok := strings.CutPrefix(loc, "/t/")
	if !ok || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("not a redirect to a ticket: %d %q", res.StatusCode, loc)
	}
	n, _, _ = strings.Cut(n, "#")
	return n
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
