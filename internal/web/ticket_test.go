package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"helpdesk/internal/ticket"
)

// awaiting files a ticket, lets agent1 claim it, reply and propose a solution.
func awaiting(t *testing.T, d *testDesk) ticket.Ticket {
	t.Helper()
	ctx := context.Background()
	tk := d.NewTicket(t, "cust1", "打印机无法连接")
	if _, err := d.Tickets.Claim(ctx, d.Actors["agent1"], tk.Number); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Tickets.AddMessage(ctx, d.Actors["agent1"], tk.Number, ticket.MessageInput{Body: "请重启打印服务"}); err != nil {
		t.Fatal(err)
	}
	tk, err := d.Tickets.ChangeStatus(ctx, d.Actors["agent1"], tk.Number, 0, ticket.StatusAwaitingConfirmation, "")
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestCustomerConfirmsAndRates(t *testing.T) {
	d := newTestDesk(t)
	tk := awaiting(t, d)
	b := d.browser(t)
	b.signIn("cust1")
	page := "/t/" + tk.Number
	_, body := b.get(page)
	for _, want := range []string{"问题解决了吗", "已解决，确认", "还没解决", "请重启打印服务", "技术支持"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// A stale version is refused with an explanation, not applied.
	res, body := b.submit(page, page+"/status", url.Values{"to": {"resolved"}, "version": {"1"}})
	if res.StatusCode != http.StatusPreconditionFailed || !strings.Contains(body, "请检查以下问题") {
		t.Errorf("stale confirm: %d", res.StatusCode)
	}
	res, _ = b.submit(page, page+"/status", url.Values{"to": {"resolved"}, "version": {itoa(int64(tk.Version))}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	_, body = b.get(page)
	if !strings.Contains(body, "状态已更新") || !strings.Contains(body, "请评价本次服务") || !strings.Contains(body, "非常满意") {
		t.Error("after confirming, the rating form is not offered")
	}
	res, _ = b.submit(page, page+"/rate", url.Values{"score": {"very_satisfied"}, "comment": {"很快"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rate: %d", res.StatusCode)
	}
	_, body = b.get(page)
	if strings.Contains(body, "请评价本次服务") || !strings.Contains(body, "感谢您的评价") {
		t.Error("the rating form is still offered after rating")
	}
	got, _ := d.Tickets.Get(context.Background(), d.Actors["cust1"], tk.Number)
	if got.Status != ticket.StatusResolved {
		t.Errorf("status = %s", got.Status)
	}
}

func TestCustomerRejectsNeedsAReason(t *testing.T) {
	d := newTestDesk(t)
	tk := awaiting(t, d)
	b := d.browser(t)
	b.signIn("cust1")
	page := "/t/" + tk.Number
	res, _ := b.submit(page, page+"/status", url.Values{"to": {"follow_up"}, "version": {itoa(int64(tk.Version))}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("reject without a reason: %d", res.StatusCode)
	}
	res, _ = b.submit(page, page+"/status", url.Values{"to": {"follow_up"}, "version": {itoa(int64(tk.Version))}, "comment": {"还是连不上"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d", res.StatusCode)
	}
	got, _ := d.Tickets.Get(context.Background(), d.Actors["cust1"], tk.Number)
	if got.Status != ticket.StatusFollowUp {
		t.Errorf("status = %s", got.Status)
	}
}

func TestEscalateAndRemoteConsent(t *testing.T) {
	d := newTestDesk(t)
	ctx := context.Background()
	tk := d.NewTicket(t, "cust1", "服务器宕机")
	if _, err := d.Tickets.Claim(ctx, d.Actors["agent1"], tk.Number); err != nil {
		t.Fatal(err)
	}
	agent := d.browser(t)
	agent.signIn("agent1")
	page := "/t/" + tk.Number
	if res, _ := agent.submit(page, page+"/remote", url.Values{"tool": {"向日葵"}, "scope": {"检查服务日志"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("request remote: %d", res.StatusCode)
	}
	b := d.browser(t)
	b.signIn("cust1")
	_, body := b.get(page)
	if !strings.Contains(body, "远程协助请求") || !strings.Contains(body, "向日葵") {
		t.Fatal("the consent request is not shown")
	}
	rs, _ := d.Tickets.RemoteSessions(ctx, d.Actors["cust1"], tk.Number)
	res, _ := b.submit(page, page+"/remote/"+itoa(rs[0].ID)+"/grant", url.Values{"code": {"123 456 789"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("grant: %d", res.StatusCode)
	}
	rs, _ = d.Tickets.RemoteSessions(ctx, d.Actors["cust1"], tk.Number)
	if rs[0].State != ticket.RemoteActive || rs[0].SessionCode != "123 456 789" {
		t.Errorf("session = %+v", rs[0])
	}
	res, _ = b.submit(page, page+"/escalate", url.Values{"reason": {"影响生产"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("escalate: %d", res.StatusCode)
	}
	res, body = b.submit(page, page+"/escalate", url.Values{"reason": {"再次"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "已在当前级别") {
		t.Errorf("second escalation: %d", res.StatusCode)
	}
}

func TestInternalNotesStayInternal(t *testing.T) {
	d := newTestDesk(t)
	tk := d.NewTicket(t, "cust1", "网络慢")
	agent := d.browser(t)
	agent.signIn("agent1")
	page := "/t/" + tk.Number
	_, body := agent.get(page)
	for _, want := range []string{`action="/t/` + tk.Number + `/note"`, `action="/t/` + tk.Number + `/reply"`, "绝不会发送给客户", "公开回复"} {
		if !strings.Contains(body, want) {
			t.Errorf("agent page lacks %q", want)
		}
	}
	if res, _ := agent.submit(page, page+"/note", url.Values{"body": {"客户是 VIP，注意措辞"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("note: %d", res.StatusCode)
	}
	// The reply route has no way to make a note, and the note route no way to go public.
	if res, _ := agent.submit(page, page+"/reply", url.Values{"body": {"您好，我们正在处理"}, "internal": {"true"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d", res.StatusCode)
	}
	msgs, _ := d.Tickets.Messages(context.Background(), d.Actors["agent1"], tk.Number)
	if len(msgs) != 2 || !msgs[0].Internal || msgs[1].Internal {
		t.Fatalf("messages = %+v", msgs)
	}
	_, body = agent.get(page)
	if !strings.Contains(body, "客户是 VIP") || !strings.Contains(body, `class="msg note"`) {
		t.Error("the agent does not see the note marked as a note")
	}
	cust := d.browser(t)
	cust.signIn("cust1")
	for _, p := range []string{page, page + "?part=conv"} {
		_, body := cust.get(p)
		if strings.Contains(body, "VIP") || !strings.Contains(body, "我们正在处理") {
			t.Errorf("%s: the customer sees the note or misses the reply", p)
		}
	}
	// A customer cannot post a note.
	if res, _ := cust.submit(page, page+"/note", url.Values{"body": {"x"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("customer note: %d", res.StatusCode)
	}
}

func TestCollisionWarnsBeforeSending(t *testing.T) {
	d := newTestDesk(t)
	tk := d.NewTicket(t, "cust1", "邮箱收不到信")
	page := "/t/" + tk.Number
	a1, a2 := d.browser(t), d.browser(t)
	a1.signIn("agent1")
	a2.signIn("agent2")
	_, body := a1.get(page)
	if !strings.Contains(body, `name="last_seen" value="0"`) {
		t.Fatal("the reply form does not carry the last seen message")
	}
	// agent2 answers while agent1 is still typing.
	if res, _ := a2.submit(page, page+"/reply", url.Values{"body": {"已为您重置邮箱"}, "last_seen": {"0"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("agent2 reply: %d", res.StatusCode)
	}
	res, body := a1.submit(page, page+"/reply", url.Values{"body": {"请检查垃圾邮件"}, "last_seen": {"0"}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale reply: %d, want 409", res.StatusCode)
	}
	for _, want := range []string{"又有 1 条新消息", "已为您重置邮箱", "请检查垃圾邮件", "仍然发送"} {
		if !strings.Contains(body, want) {
			t.Errorf("the warning page lacks %q", want)
		}
	}
	msgs, _ := d.Tickets.Messages(context.Background(), d.Actors["agent1"], tk.Number)
	if len(msgs) != 1 {
		t.Fatalf("the stale reply was sent: %d messages", len(msgs))
	}
	res, _ = a1.submit(page, page+"/reply", url.Values{"body": {"请检查垃圾邮件"}, "last_seen": {"0"}, "send_anyway": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("send anyway: %d", res.StatusCode)
	}
	// One's own messages never count as news.
	res, _ = a1.submit(page, page+"/reply", url.Values{"body": {"补充一句"}, "last_seen": {itoa(msgs[0].ID)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("reply after own message: %d", res.StatusCode)
	}
}

func TestAgentWorksATicket(t *testing.T) {
	d := newTestDesk(t)
	tk := d.NewTicket(t, "cust1", "软件闪退")
	d.NewTicket(t, "cust1", "另一个问题")
	a := d.browser(t)
	a.signIn("agent1")
	_, body := a.get("/desk?q=unassigned")
	if !strings.Contains(body, tk.Number) || !strings.Contains(body, "组内待领取") || !strings.Contains(body, `data-count="unassigned">2<`) {
		t.Fatalf("the unassigned queue lacks the ticket or its count")
	}
	res, _ := a.submit("/desk", "/t/"+tk.Number+"/claim", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("claim: %d", res.StatusCode)
	}
	res, body = a.get("/desk/counts")
	if res.StatusCode != 200 || !strings.Contains(body, `"mine":"1"`) || !strings.Contains(body, `"unassigned":"1"`) {
		t.Errorf("counts = %s", body)
	}
	page := "/t/" + tk.Number
	_, body = a.get(page)
	for _, want := range []string{"处理记录", "该客户的其他工单", "另一个问题", "首次响应", "确认", "更改状态"} {
		if !strings.Contains(body, want) {
			t.Errorf("agent ticket page lacks %q", want)
		}
	}
	cur, _ := d.Tickets.Get(context.Background(), d.Actors["agent1"], tk.Number)
	res, _ = a.submit(page, page+"/triage", url.Values{"priority": {"P1"}, "category": {"software"}, "version": {itoa(int64(cur.Version))}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("triage: %d", res.StatusCode)
	}
	cur, _ = d.Tickets.Get(context.Background(), d.Actors["agent1"], tk.Number)
	res, _ = a.submit(page, page+"/status", url.Values{"to": {"in_progress"}, "version": {itoa(int64(cur.Version))}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status: %d", res.StatusCode)
	}
	got, _ := d.Tickets.Get(context.Background(), d.Actors["agent1"], tk.Number)
	if got.Priority != ticket.P1 || got.Status != ticket.StatusInProgress || got.Assignee != "agent1" {
		t.Errorf("ticket = %s %s %s", got.Priority, got.Status, got.Assignee)
	}
	// The supervisor transfers it to hardware with a reason.
	s := d.browser(t)
	s.signIn("super1")
	res, _ = s.submit(page, page+"/assign", url.Values{"group": {"hardware"}, "reason": {"是硬件故障"}, "version": {itoa(int64(got.Version))}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("transfer: %d", res.StatusCode)
	}
	got, _ = d.Tickets.Get(context.Background(), d.Actors["admin"], tk.Number)
	if got.GroupKey != "hardware" {
		t.Errorf("group = %s", got.GroupKey)
	}
	// Customers have no workspace.
	c := d.browser(t)
	c.signIn("cust1")
	if res, _ := c.get("/desk"); res.StatusCode != http.StatusForbidden {
		t.Errorf("customer /desk: %d", res.StatusCode)
	}
}

func TestQueueSortAndFilter(t *testing.T) {
	d := newTestDesk(t)
	ctx := context.Background()
	low := d.NewTicket(t, "cust1", "低优先级")
	high := d.NewTicket(t, "cust1", "高优先级")
	if _, err := d.Tickets.Update(ctx, d.Actors["agent1"], high.Number, 0, ticket.Patch{Priority: ptr(ticket.P1)}); err != nil {
		t.Fatal(err)
	}
	a := d.browser(t)
	a.signIn("agent1")
	_, body := a.get("/desk?q=unassigned&sort=priority&order=asc")
	if i, j := strings.Index(body, high.Number), strings.Index(body, low.Number); i < 0 || j < 0 || i > j {
		t.Errorf("priority sort: P1 at %d, P3 at %d", i, j)
	}
	_, body = a.get("/desk?q=unassigned&priority=P3")
	if strings.Contains(body, high.Number) || !strings.Contains(body, low.Number) {
		t.Error("the priority filter does not filter")
	}
	if !strings.Contains(body, `aria-sort="descending"`) {
		t.Error("the sorted column is not announced")
	}
}

func TestPhoneTicket(t *testing.T) {
	d := newTestDesk(t)
	a := d.browser(t)
	a.signIn("agent1")
	_, body := a.get("/desk/new")
	if !strings.Contains(body, "电话登记工单") || !strings.Contains(body, `name="requester"`) {
		t.Fatal("the phone form lacks the requester field")
	}
	res, _ := a.upload("/desk/new", "/desk/new", url.Values{"requester": {"cust1"}, "channel": {"phone"}, "category": {"software"},
		"title": {"电话报障：无法打印"}, "description": {"客户来电"}, "priority": {"P3"}}, nil)
	number := numberFrom(t, res)
	tk, err := d.Tickets.Get(context.Background(), d.Actors["cust1"], number)
	if err != nil || tk.Requester != "cust1" || tk.Channel != ticket.ChannelPhone {
		t.Errorf("ticket = %+v (%v)", tk, err)
	}
}

func ptr[T any](v T) *T { return &v }
