package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"helpdesk/internal/desktest"
	"helpdesk/internal/identity"
	"helpdesk/internal/job"
	"helpdesk/internal/notify"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// robotServer records what robots post and answers like the IM services.
type robotServer struct {
	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
	srv  *httptest.Server
}

func newRobotServer(t *testing.T, answer string) *robotServer {
	rs := &robotServer{}
	rs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rs.mu.Lock()
		rs.reqs, rs.body = append(rs.reqs, r), append(rs.body, b)
		rs.mu.Unlock()
		io.WriteString(w, answer)
	}))
	t.Cleanup(rs.srv.Close)
	return rs
}

func TestRobotFormats(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	out := db.Outbound()
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	im := notify.NewIM(out, nil, func() time.Time { return now })
	send := func(t *testing.T, r notify.Robot) (*http.Request, map[string]any) {
		t.Helper()
		r.Active, r.Events = true, []string{notify.EventTicketCreated}
		saved, err := out.SaveRobot(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		jb, _ := job.New(notify.KindIM, "k", now, notify.IMJob{Robot: saved.ID, Event: notify.EventTicketCreated, Text: "[TS20261122001] 打印机坏了", Ticket: "TS20261122001"})
		if err := im.Deliver(ctx, jb); err != nil {
			t.Fatalf("deliver: %v", err)
		}
		return nil, nil
	}
	t.Run("wecom", func(t *testing.T) {
		rs := newRobotServer(t, `{"errcode":0,"errmsg":"ok"}`)
		send(t, notify.Robot{Name: "wecom", Kind: notify.RobotWeCom, URL: rs.srv.URL + "/cgi-bin/webhook/send?key=abc"})
		var m map[string]any
		json.Unmarshal(rs.body[0], &m)
		if m["msgtype"] != "text" || m["text"].(map[string]any)["content"] != "[TS20261122001] 打印机坏了" || rs.reqs[0].URL.Query().Get("key") != "abc" {
			t.Errorf("wecom body %s url %s", rs.body[0], rs.reqs[0].URL)
		}
	})
	t.Run("dingtalk signs the URL", func(t *testing.T) {
		rs := newRobotServer(t, `{"errcode":0}`)
		secret := "SECdingtalk-secret"
		send(t, notify.Robot{Name: "ding", Kind: notify.RobotDingTalk, URL: rs.srv.URL + "/robot/send?access_token=x", Secret: secret})
		q := rs.reqs[0].URL.Query()
		ts := q.Get("timestamp")
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(ts + "\n" + secret))
		if ts != strconv.FormatInt(now.UnixMilli(), 10) || q.Get("sign") != base64.StdEncoding.EncodeToString(m.Sum(nil)) || q.Get("access_token") != "x" {
			t.Errorf("dingtalk url %s", rs.reqs[0].URL)
		}
	})
	t.Run("feishu signs the body", func(t *testing.T) {
		rs := newRobotServer(t, `{"code":0,"msg":"success"}`)
		send(t, notify.Robot{Name: "feishu", Kind: notify.RobotFeishu, URL: rs.srv.URL + "/open-apis/bot/v2/hook/x", Secret: "fs-secret"})
		var b map[string]any
		json.Unmarshal(rs.body[0], &b)
		ts := b["timestamp"].(string)
		m := hmac.New(sha256.New, []byte(ts+"\nfs-secret"))
		if b["msg_type"] != "text" || b["sign"] != base64.StdEncoding.EncodeToString(m.Sum(nil)) ||
			b["content"].(map[string]any)["text"] != "[TS20261122001] 打印机坏了" {
			t.Errorf("feishu body %s", rs.body[0])
		}
	})
	t.Run("a refusal by the IM service is an error (retried)", func(t *testing.T) {
		rs := newRobotServer(t, `{"errcode":310000,"errmsg":"sign not match"}`)
		r, _ := out.SaveRobot(ctx, notify.Robot{Name: "ding-bad", Kind: notify.RobotDingTalk, URL: rs.srv.URL, Secret: "x", Active: true})
		jb, _ := job.New(notify.KindIM, "k2", now, notify.IMJob{Robot: r.ID, Text: "x"})
		if err := im.Deliver(ctx, jb); err == nil {
			t.Error("errcode 310000 accepted")
		}
	})
	t.Run("generic webhook: method, body template, HMAC", func(t *testing.T) {
		rs := newRobotServer(t, `ok`)
		send(t, notify.Robot{Name: "generic", Kind: notify.RobotWebhook, URL: rs.srv.URL, Method: "PUT", Secret: "gen-secret",
			BodyTemplate: `{"msg": {{json .Text}}, "ref": {{json .Ticket}}}`})
		if rs.reqs[0].Method != "PUT" || rs.reqs[0].Header.Get("X-Helpdesk-Signature") != notify.Sign("gen-secret", rs.body[0]) {
			t.Errorf("generic: %s %v", rs.reqs[0].Method, rs.reqs[0].Header)
		}
		var b map[string]string
		if err := json.Unmarshal(rs.body[0], &b); err != nil || b["ref"] != "TS20261122001" {
			t.Errorf("generic body %s", rs.body[0])
		}
		if _, err := notify.GenericBody(`{"broken": {{.Text}}}`, notify.IMJob{Text: `a"b`}); err == nil {
			t.Error("a template rendering invalid JSON was accepted")
		}
	})
	t.Run("sms through the HTTP gateway", func(t *testing.T) {
		rs := newRobotServer(t, `{"ok":true}`)
		gw := notify.HTTPSMS{Robot: notify.Robot{Kind: notify.RobotWebhook, URL: rs.srv.URL, Secret: "sms-secret",
			BodyTemplate: `{"mobile": {{json .Ticket}}, "content": {{json .Text}}}`}}
		if err := gw.SendSMS(ctx, "13812341234", "【技术支持】工单 TS20261122001 已受理"); err != nil {
			t.Fatal(err)
		}
		var b map[string]string
		json.Unmarshal(rs.body[0], &b)
		if b["mobile"] != "13812341234" || b["content"] != "【技术支持】工单 TS20261122001 已受理" {
			t.Errorf("sms body %s", rs.body[0])
		}
	})
}

// fakeSMS records text messages (SMS gateways are commercial services).
type fakeSMS struct {
	mu   sync.Mutex
	sent map[string][]string
}

func (f *fakeSMS) SendSMS(_ context.Context, phone, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sent == nil {
		f.sent = map[string][]string{}
	}
	f.sent[phone] = append(f.sent[phone], text)
	return nil
}

func (f *fakeSMS) to(phone string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sent[phone]
}

func TestSMSForP1AndPhoneOnly(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	sms := &fakeSMS{}
	o := newOutDesk(t, db, func(o *outDesk) {
		disp := notify.NewDispatcher(notify.DispatchDeps{Store: db.Outbound(), Tickets: db.Tickets(), Directory: db.Identity(),
			Domain: "desk.example", Email: true, SMS: true})
		o.handles[notify.KindEvent] = disp.Fanout
		o.handles[notify.KindSMS] = notify.SMS{Provider: sms, Renderer: notify.NewRenderer(db.Outbound(), texts{})}.Deliver
	})
	phoneOnly, err := o.d.Identity.CreateUser(ctx, identity.System, identity.NewUser{Login: "phoneonly", Password: desktest.Password,
		Name: "老王", Phone: "13900001111", Role: identity.RoleCustomer})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := o.d.Tickets.Create(ctx, identity.ActorOf(phoneOnly), ticket.CreateInput{Title: "电话报修", Description: "d", Category: "hardware",
		ContactPhone: "13900001111"})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, "sms to the phone-only customer", func() bool { return len(sms.to("13900001111")) == 1 })
	if got := sms.to("13900001111")[0]; got != "["+tk.Number+"] 已收到您的工单：电话报修" {
		t.Errorf("sms = %q", got)
	}
	// cust1 has email and phone: SMS only for a P1 ticket.
	o.d.Tickets.Create(ctx, o.d.Actors["cust1"], ticket.CreateInput{Title: "普通问题", Description: "d", Category: "software", Priority: ticket.P3})
	p1, _ := o.d.Tickets.Create(ctx, o.d.Actors["cust1"], ticket.CreateInput{Title: "生产系统宕机", Description: "d", Category: "software", Priority: ticket.P1})
	wait(t, "sms for the P1 ticket", func() bool { return len(sms.to("13812341234")) >= 1 })
	time.Sleep(200 * time.Millisecond)
	if got := sms.to("13812341234"); len(got) != 1 || !strings.Contains(got[0], p1.Number) {
		t.Errorf("sms to cust1 = %v, want only the P1 ticket", got)
	}
}
