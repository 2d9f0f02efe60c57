package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"helpdesk/internal/ticket"
)

func TestPortalNewTicketForm(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser(t)
	b.signIn("cust1")
	res, body := b.get("/portal/new")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("form: %d", res.StatusCode)
	}
	for _, want := range []string{
		"软件故障", "请写明软件版本、操作系统", // category and its guide
		`name="cf.software.version"`, `name="cf.software.os"`, "操作系统", // its custom fields
		"P1", "2 小时内首次响应", "8 小时（工作时间）内首次响应", // priorities with the SLA promise
		`value="13812341234"`, // contact prefilled from the profile
		`accept=".jpg,.jpeg,.png,.pdf,.log,.txt"`, "单个文件不超过 10 MB",
		`enctype="multipart/form-data"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %q", want)
		}
	}
	// Without script, choosing another category reloads the form with its pane shown.
	_, body = b.get("/portal/new?category=hardware")
	if !strings.Contains(body, `data-cat="hardware">`) || !strings.Contains(body, `data-cat="software" hidden`) {
		t.Error("?category=hardware does not show the hardware fields")
	}
}

func TestPortalSubmitWithAttachment(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser(t)
	b.signIn("cust1")
	res, _ := b.upload("/portal/new", "/portal/new", url.Values{
		"category": {"software"}, "title": {"ERP 登录失败"}, "description": {"输入密码后提示 500"},
		"priority": {"P2"}, "contact_phone": {"13812341234"}, "cf.software.version": {"5.2.1"}, "cf.software.os": {"Windows"},
		"cf.hardware.model": {"ignored: another category"}, "idem": {"k1"},
	}, map[string][]byte{"screen.png": pngBytes()})
	number := numberFrom(t, res)
	ctx := context.Background()
	tk, err := d.Tickets.Get(ctx, d.Actors["cust1"], number)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Priority != ticket.P2 || tk.CustomFields["version"] != "5.2.1" || tk.CustomFields["os"] != "Windows" || tk.Channel != ticket.ChannelWeb {
		t.Errorf("ticket = %+v", tk)
	}
	atts, _ := d.Tickets.Attachments(ctx, d.Actors["cust1"], number)
	if len(atts) != 1 || atts[0].Filename != "screen.png" {
		t.Fatalf("attachments = %+v", atts)
	}
	_, page := b.get("/t/" + number)
	for _, want := range []string{"工单 " + number + " 已提交", "ERP 登录失败", "screen.png", "软件版本", "5.2.1", "首次响应"} {
		if !strings.Contains(page, want) {
			t.Errorf("ticket page lacks %q", want)
		}
	}
	// The attachment downloads with safe headers.
	res, content := b.get("/t/" + number + "/a/" + itoa(atts[0].ID))
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") ||
		content != string(pngBytes()) {
		t.Errorf("download: %d %v", res.StatusCode, res.Header)
	}
	// The same idempotency key (a double click) files no second ticket.
	res, _ = b.upload("/portal/new", "/portal/new", url.Values{"category": {"software"}, "title": {"ERP 登录失败"},
		"description": {"输入密码后提示 500"}, "priority": {"P2"}, "idem": {"k1"}}, nil)
	if again := numberFrom(t, res); again != number {
		t.Errorf("resubmission filed %s, want the first ticket %s", again, number)
	}
	// Another customer may not download it.
	other := d.browser(t)
	other.signIn("cust3")
	if res, _ := other.get("/t/" + number + "/a/" + itoa(atts[0].ID)); res.StatusCode != http.StatusNotFound {
		t.Errorf("stranger download: %d", res.StatusCode)
	}
}

func TestPortalRefusedFileIsExplained(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser(t)
	b.signIn("cust1")
	res, _ := b.upload("/portal/new", "/portal/new", url.Values{"category": {"network"}, "title": {"VPN 断线"},
		"description": {"每小时断一次"}, "priority": {"P3"}}, map[string][]byte{"setup.exe": []byte("MZ\x90\x00")})
	number := numberFrom(t, res)
	_, page := b.get("/t/" + number)
	if !strings.Contains(page, "不支持此类型的附件") {
		t.Error("the refused attachment is not explained on the ticket page")
	}
}

func TestPortalValidation(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser(t)
	b.lang = "en"
	b.signIn("cust3") // English profile
	res, body := b.upload("/portal/new", "/portal/new", url.Values{"category": {"software"}, "title": {""},
		"description": {"kept text"}, "priority": {"P9"}, "cf.software.os": {"BeOS"}}, nil)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{"Please check the following", "Title: this field is required", "kept text", "Operating system: choose one of"} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
}

func TestPortalListShowsOwnTickets(t *testing.T) {
	d := newTestDesk(t)
	mine := d.NewTicket(t, "cust1", "我的打印机")
	d.NewTicket(t, "cust3", "Someone else's")
	b := d.browser(t)
	b.signIn("cust1")
	_, body := b.get("/portal")
	if !strings.Contains(body, mine.Number) || !strings.Contains(body, "我的打印机") || strings.Contains(body, "Someone else") {
		t.Errorf("list: %s", body)
	}
	if !strings.Contains(body, "待分配") || !strings.Contains(body, "首次响应") {
		t.Error("the list lacks the status badge or the SLA promise")
	}
	_, part := b.get("/portal?part=list")
	if strings.Contains(part, "<html") || !strings.Contains(part, mine.Number) {
		t.Error("the list fragment is not a fragment")
	}
}
