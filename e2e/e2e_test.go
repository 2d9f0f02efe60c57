// Package e2e drives the web desk in a real browser (Debian chromium via
// chromedp): a customer and an agent, each in their own browser context,
// work one ticket from submission to rating, in Chinese and in English, on
// a desktop and on a 375 px phone. Screenshots land in e2e/screenshots/.
package e2e

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"helpdesk/internal/app"
	"helpdesk/internal/config"
	"helpdesk/internal/demo"
)

const chromium = "/usr/bin/chromium"

// needChromium skips without the browser, except under CI, where it fails.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing; CI installs it (apt-get install chromium)", chromium)
		}
		t.Skipf("browser tests skipped: %s is missing (apt-get install chromium)", chromium)
	}
}

// startDesk runs a real desk in-process on SQLite with the demo data, on
// an ephemeral loopback port, and returns its base URL.
func startDesk(t *testing.T) string {
	t.Helper()
	base, _ := startApp(t)
	return base
}

// startApp is startDesk that also hands back the app, for tests that check
// in the database what the browser did.
func startApp(t *testing.T) (string, *app.App) {
	t.Helper()
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.ShutdownTimeout = 5 * time.Second
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, demo.Deps{DB: a.DB, Location: a.Location, DataDir: cfg.DataDir}); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, func(s string) { addr <- s }) }()
	var base string
	select {
	case s := <-addr:
		base = "http://" + s
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		<-done
		a.Close()
	})
	return base, a
}

// browser starts chromium with a fresh profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.Headless,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-gpu", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	bctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(bctx); err != nil { // start the browser
		t.Fatal(err)
	}
	return bctx
}

// person is one user in their own browser context (own cookies).
type person struct {
	t    *testing.T
	ctx  context.Context
	base string
	name string
}

func newPerson(t *testing.T, b context.Context, base, name string) *person {
	ctx, cancel := chromedp.NewContext(b, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first run opens the tab, which lives as long as the context of
	// that run: it must not be a context with a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	return &person{t: t, ctx: ctx, base: base, name: name}
}

// do runs steps with a time limit, failing the test with the step's name.
func (p *person) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.shot("failed-" + what)
		p.t.Fatalf("%s: %s: %v", p.name, what, err)
	}
}

// doLive runs steps on a page with live updates: a change by someone else
// reloads a page nobody is typing on, which can replace an element between
// finding and using it ("Could not find node"). Then it waits for ready and
// runs the steps again, at most twice more.
func (p *person) doLive(what, ready string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
		err := chromedp.Do(ctx, steps...)
		cancel()
		if err == nil {
			return
		}
		if attempt < 2 && strings.Contains(err.Error(), "Could not find node") {
			p.t.Logf("%s: %s: the page was replaced (%v); again", p.name, what, err)
			p.waitFor(what+" ready", ready)
			continue
		}
		p.shot("failed-" + what)
		p.t.Fatalf("%s: %s: %v", p.name, what, err)
	}
}

func (p *person) eval(js string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		p.t.Fatalf("%s: eval %s: %v", p.name, js, err)
	}
	return v
}

// waitFor polls a JavaScript condition (live updates arrive without reload).
// It keeps asking across page loads, which interrupt a single evaluation.
func (p *person) waitFor(what, js string) {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(p.ctx, 3*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+js+")"))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	p.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
	p.t.Fatalf("%s: %s: not within 20 s (%v)", p.name, what, last)
}

// shot saves a full-page screenshot.
func (p *person) shot(name string) {
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.MkdirAll("screenshots", 0o755)
	if err := os.WriteFile(filepath.Join("screenshots", name+".png"), b, 0o644); err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
	}
}

func (p *person) signIn(login string) {
	p.t.Helper()
	p.do("sign in",
		chromedp.Navigate(p.base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#login"), login),
		chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
		chromedp.Click(chromedp.CSS("form[action='/signin'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("header nav")),
	)
}

// screenshotPNG writes a small real PNG to attach.
func screenshotPNG(t *testing.T) string {
	img := image.NewRGBA(image.Rect(0, 0, 64, 40))
	for x := 0; x < 64; x++ {
		for y := 0; y < 40; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), 80, uint8(y * 6), 255})
		}
	}
	path := filepath.Join(t.TempDir(), "error-dialog.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	png.Encode(f, img)
	return path
}

// journey is the words one language's run types and expects.
type journey struct {
	lang, customer, agent                  string
	title, reply, status, confirmed, rated string
	scoreLabel                             string
}

func TestCustomerAgentJourney(t *testing.T) {
	needChromium(t)
	base := startDesk(t)
	b := browser(t)
	file := screenshotPNG(t)
	for _, j := range []journey{
		{lang: "zh", customer: "zhangsan", agent: "wangwei", title: "ERP 客户端登录后闪退", reply: "您好，请升级到 5.3 版本后重试。",
			status: "待确认", confirmed: "请评价本次服务", rated: "感谢您的评价", scoreLabel: "非常满意"},
		{lang: "en", customer: "john", agent: "emily", title: "ERP client crashes after sign-in", reply: "Hello, please update to 5.3 and try again.",
			status: "Awaiting confirmation", confirmed: "How satisfied are you", rated: "Thank you for your rating", scoreLabel: "Very satisfied"},
	} {
		t.Run(j.lang, func(t *testing.T) { runJourney(t, b, base, file, j) })
	}
}

func runJourney(t *testing.T, b context.Context, base, file string, j journey) {
	cust := newPerson(t, b, base, j.customer)
	agent := newPerson(t, b, base, j.agent)
	cust.signIn(j.customer)
	agent.signIn(j.agent)

	// The agent watches the group queue before the ticket exists.
	agent.do("open queue", chromedp.Navigate(base+"/desk?q=unassigned"), chromedp.WaitVisible(chromedp.CSS("#queues")))
	agent.waitFor("live connected", `document.getElementById("live-dot").classList.contains("on")`)
	before := agent.eval(`document.querySelector('[data-count="unassigned"]').textContent`)

	// The customer fills the form with an attachment.
	cust.do("new ticket form",
		chromedp.Navigate(base+"/portal/new"),
		chromedp.WaitVisible(chromedp.CSS("#title")),
		chromedp.SetValue(chromedp.CSS("#category"), "software"),
		chromedp.SendKeys(chromedp.CSS("#cf-software-version"), "5.2.1"),
		chromedp.SendKeys(chromedp.CSS("#title"), j.title),
		chromedp.SendKeys(chromedp.CSS("#description"), "1. 打开客户端 2. 登录 3. 闪退 / crashes on sign-in"),
		chromedp.Click(chromedp.CSS("input[name=priority][value=P2]")),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{file}),
		chromedp.WaitVisible(chromedp.CSS("[data-files] li .name")),
	)
	if got := cust.eval(`document.querySelector(".guide") ? document.querySelector(".guide").textContent : ""`); got == "" {
		t.Error("the category's guidance is not shown")
	}
	cust.shot(j.lang + "-1-customer-new-ticket")
	cust.do("submit", chromedp.Click(chromedp.CSS("#new-ticket button[type=submit]")))
	cust.waitFor("ticket page", `location.pathname.startsWith("/t/") && !!document.getElementById("conversation")`)
	number := strings.TrimPrefix(cust.eval(`location.pathname`), "/t/")
	cust.waitFor("attachment listed", `document.querySelector(".atts") && document.querySelector(".atts").textContent.includes("error-dialog.png")`)
	cust.waitFor("customer live", `!!document.getElementById("live")`)

	// The ticket appears in the agent's queue without a reload, count updated.
	agent.waitFor("ticket appears live", fmt.Sprintf(`!!document.querySelector('#queue tr[data-number="%s"]')`, number))
	agent.waitFor("count updates live", fmt.Sprintf(`document.querySelector('[data-count="unassigned"]').textContent !== %q`, before))
	agent.shot(j.lang + "-2-agent-queue")

	// Keyboard: j selects the newest row, c claims it.
	agent.do("select with j", chromedp.KeyEvent("j"))
	agent.waitFor("row selected", fmt.Sprintf(`document.querySelector('tr.sel') && document.querySelector('tr.sel').dataset.number === %q`, number))
	agent.do("claim with c", chromedp.KeyEvent("c"))
	agent.waitFor("claimed", fmt.Sprintf(`location.pathname === "/t/%s" && !!document.getElementById("reply-body")`, number))
	agent.doLive("reply", `!!document.getElementById("reply-body")`,
		chromedp.SendKeys(chromedp.CSS("#reply-body"), j.reply),
		chromedp.Click(chromedp.CSS("form[data-composer=reply] button[type=submit]")),
	)
	agent.waitFor("reply shown", fmt.Sprintf(`document.getElementById("conversation").textContent.includes(%q)`, j.reply))
	agent.shot(j.lang + "-3-agent-ticket")

	// The customer sees the reply without reloading.
	cust.eval(`window.__noReload = "yes"`)
	cust.waitFor("reply arrives live", fmt.Sprintf(`document.getElementById("conversation").textContent.includes(%q)`, j.reply))
	if cust.eval(`window.__noReload || ""`) != "yes" {
		t.Error("the page reloaded to show the reply; it should arrive live")
	}
	cust.shot(j.lang + "-4-customer-reply")

	// The agent proposes the solution; the customer confirms and rates.
	agent.doLive("propose solution", `!!document.getElementById("to")`,
		chromedp.SetValue(chromedp.CSS("#to"), "awaiting_confirmation"),
		chromedp.Click(chromedp.CSS("form[action$='/status'] button")),
	)
	agent.waitFor("status changed", fmt.Sprintf(`document.querySelector(".page-head").textContent.includes(%q)`, j.status))
	cust.waitFor("confirmation offered", `!!document.getElementById("confirm-h")`)
	cust.do("confirm", chromedp.Click(chromedp.CSS("form input[value=resolved] ~ button")))
	cust.waitFor("rating offered", fmt.Sprintf(`document.body.textContent.includes(%q)`, j.confirmed))
	cust.do("rate",
		chromedp.Click(chromedp.CSS("input[name=score][value=very_satisfied]")),
		chromedp.Click(chromedp.CSS("form[action$='/rate'] button")),
	)
	cust.waitFor("rated", fmt.Sprintf(`document.body.textContent.includes(%q)`, j.rated))
	cust.shot(j.lang + "-5-customer-rated")
	if got := cust.eval(`document.documentElement.lang`); (j.lang == "zh") != (got == "zh-CN") {
		t.Errorf("page language %q in the %s journey", got, j.lang)
	}
}

func TestPhoneLayout(t *testing.T) {
	needChromium(t)
	base := startDesk(t)
	b := browser(t)
	cust := newPerson(t, b, base, "phone")
	cust.do("viewport", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	cust.signIn("zhangsan")
	first := ""
	for _, pg := range []struct{ path, name string }{
		{"/portal", "phone-1-my-tickets"}, {"/portal/new", "phone-2-new-ticket"},
	} {
		cust.do("open "+pg.path, chromedp.Navigate(base+pg.path), chromedp.WaitVisible(chromedp.CSS("main")))
		if w := cust.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
			t.Errorf("%s is %s px wide on a 375 px phone (scrolls sideways)", pg.path, w)
		}
		cust.shot(pg.name)
		if first == "" {
			first = cust.eval(`document.querySelector("#ticket-list a") ? document.querySelector("#ticket-list a").getAttribute("href") : ""`)
		}
	}
	if first == "" {
		t.Fatal("no ticket in the demo customer's list")
	}
	cust.do("open ticket", chromedp.Navigate(base+first), chromedp.WaitVisible(chromedp.CSS("#conversation")))
	if w := cust.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
		t.Errorf("the ticket page is %s px wide on a 375 px phone", w)
	}
	cust.shot("phone-3-ticket")
	agent := newPerson(t, b, base, "phone-agent")
	agent.do("viewport", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	agent.signIn("wangwei")
	agent.do("queue", chromedp.Navigate(base+"/desk?q=unassigned"), chromedp.WaitVisible(chromedp.CSS("#queues")))
	if w := agent.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
		t.Errorf("the queue is %s px wide on a 375 px phone", w)
	}
	agent.shot("phone-4-agent-queue")
}
