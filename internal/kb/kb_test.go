package kb_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"helpdesk/internal/apperr"
	"helpdesk/internal/desktest"
	"helpdesk/internal/identity"
	"helpdesk/internal/kb"
	"helpdesk/internal/mask"
	"helpdesk/internal/search"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

type fixture struct {
	d  *desktest.Desk
	kb *kb.Service
	s  *search.Service
}

func newFixture(t *testing.T, db *store.DB) fixture {
	d := desktest.New(t, db, desktest.Options{})
	s := search.NewService(search.Deps{Store: db.Search(), Tickets: d.Tickets, Audiences: kb.AudiencesFor})
	return fixture{d: d, s: s, kb: kb.NewService(kb.Deps{Store: db.KB(), Tickets: d.Tickets, Search: s, Users: d.Identity,
		Macros: db.KB(), Actions: d.Tickets})}
}

func code(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	return ""
}

func TestWorkflow(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		agent, super, admin, cust := f.d.Actors["agent1"], f.d.Actors["super1"], f.d.Actors["admin"], f.d.Actors["cust1"]
		if _, err := f.kb.Create(ctx, cust, kb.Draft{Title: "x", Body: "y"}); code(err) != "kb.forbidden" {
			t.Errorf("customer creates: got %v, want kb.forbidden", err)
		}
		a, err := f.kb.Create(ctx, agent, kb.Draft{Title: "打印机卡纸怎么办", Body: "1. 打开前盖\n2. 取出纸张\n", Category: "hardware",
			Tags: []string{"打印机", "卡纸", "打印机"}, Audience: "public"})
		if err != nil {
			t.Fatal(err)
		}
		if a.State != kb.StateDraft || a.Version != 1 || !slices.Equal(a.Tags, []string{"打印机", "卡纸"}) || a.CategoryKey != "hardware" {
			t.Fatalf("created %+v, want a draft v1 with deduplicated tags", a)
		}
		if _, err := f.kb.Get(ctx, cust, a.ID); code(err) != "kb.not_found" {
			t.Errorf("customer reads a draft: got %v, want kb.not_found", err)
		}
		if _, err := f.kb.Approve(ctx, super, a.ID, ""); code(err) != "kb.state_invalid" {
			t.Errorf("approve a draft: got %v, want kb.state_invalid", err)
		}
		a, err = f.kb.Update(ctx, agent, a.ID, 1, kb.Draft{Title: "打印机卡纸怎么办", Body: "1. 关闭电源\n2. 打开前盖\n3. 取出纸张\n",
			Category: "hardware", Audience: "public"}, "加上关闭电源")
		if err != nil || a.Version != 2 {
			t.Fatalf("update: %+v %v, want version 2", a, err)
		}
		if _, err := f.kb.Update(ctx, agent, a.ID, 1, kb.Draft{Title: "t", Body: "b"}, ""); code(err) != "kb.conflict" {
			t.Errorf("update at a stale version: got %v, want kb.conflict", err)
		}
		if a, err = f.kb.Submit(ctx, agent, a.ID, "请审核"); err != nil || a.State != kb.StateInReview {
			t.Fatalf("submit: %+v %v", a, err)
		}
		if _, err := f.kb.Approve(ctx, agent, a.ID, ""); code(err) != "kb.forbidden" {
			t.Errorf("agent approves: got %v, want kb.forbidden", err)
		}
		if _, err := f.kb.Reject(ctx, super, a.ID, " "); code(err) != "kb.comment_required" {
			t.Errorf("reject without comment: got %v, want kb.comment_required", err)
		}
		if a, err = f.kb.Reject(ctx, super, a.ID, "步骤3需要配图"); err != nil || a.State != kb.StateDraft {
			t.Fatalf("reject: %+v %v", a, err)
		}
		a, _ = f.kb.Submit(ctx, agent, a.ID, "")
		if a, err = f.kb.Approve(ctx, super, a.ID, "好"); err != nil || a.State != kb.StatePublished || a.PublishedAt.IsZero() {
			t.Fatalf("approve: %+v %v", a, err)
		}
		// Published and public: customers and anonymous visitors read and find it.
		for _, by := range []identity.Actor{cust, {}} {
			if _, err := f.kb.Get(ctx, by, a.ID); err != nil {
				t.Errorf("%q reads a published public article: %v", by.Login, err)
			}
			res, err := f.s.Search(ctx, by, search.Input{Q: "卡纸", Kind: "article"})
			if err != nil || len(res.Results) != 1 {
				t.Errorf("%q searches 卡纸: %+v %v, want the article", by.Login, res.Results, err)
			}
		}
		if a, err = f.kb.Feedback(ctx, cust, a.ID, false, "198.51.100.7"); err != nil || a.Unhelpful != 1 {
			t.Fatalf("feedback: %+v %v", a, err)
		}
		if a, err = f.kb.Feedback(ctx, cust, a.ID, true, "198.51.100.7"); err != nil || a.Helpful != 1 || a.Unhelpful != 0 {
			t.Errorf("changed feedback: helpful %d unhelpful %d (%v), want 1 and 0", a.Helpful, a.Unhelpful, err)
		}
		a, _ = f.kb.Feedback(ctx, identity.Actor{}, a.ID, true, "198.51.100.7")
		if a.Helpful != 2 {
			t.Errorf("anonymous feedback: helpful %d, want 2", a.Helpful)
		}
		// The same address again the same day is not counted again; another is.
		if a, err = f.kb.Feedback(ctx, identity.Actor{}, a.ID, true, "198.51.100.7"); err != nil || a.Helpful != 2 {
			t.Errorf("anonymous feedback again: helpful %d (%v), want still 2", a.Helpful, err)
		}
		if a, err = f.kb.Feedback(ctx, identity.Actor{}, a.ID, false, "203.0.113.9"); err != nil || a.Unhelpful != 1 {
			t.Errorf("another address: unhelpful %d (%v), want 1", a.Unhelpful, err)
		}
		// History: versions, diff, trail, restore.
		vs, err := f.kb.Versions(ctx, agent, a.ID)
		if err != nil || len(vs) != 2 || vs[1].Note != "加上关闭电源" || vs[1].Editor != "agent1" {
			t.Fatalf("versions: %+v %v", vs, err)
		}
		diff, err := f.kb.Diff(ctx, agent, a.ID, 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		var added, removed []string
		for _, l := range diff {
			switch l.Op {
			case kb.DiffAdd:
				added = append(added, l.Text)
			case kb.DiffRemove:
				removed = append(removed, l.Text)
			}
		}
		if !slices.Equal(added, []string{"1. 关闭电源", "2. 打开前盖", "3. 取出纸张"}) || !slices.Equal(removed, []string{"1. 打开前盖", "2. 取出纸张"}) {
			t.Errorf("diff: added %q removed %q", added, removed)
		}
		trail, _ := f.kb.Reviews(ctx, agent, a.ID)
		var acts []kb.Action
		for _, r := range trail {
			acts = append(acts, r.Action)
		}
		if want := []kb.Action{kb.ActCreate, kb.ActEdit, kb.ActSubmit, kb.ActReject, kb.ActSubmit, kb.ActApprove}; !slices.Equal(acts, want) {
			t.Errorf("trail %v, want %v", acts, want)
		}
		if a, err = f.kb.Restore(ctx, agent, a.ID, 1); err != nil || a.Version != 3 || a.State != kb.StateDraft || a.Body != "1. 打开前盖\n2. 取出纸张\n" {
			t.Fatalf("restore v1: %+v %v", a, err)
		}
		// A draft again: customers no longer see or find it.
		if _, err := f.kb.Get(ctx, cust, a.ID); code(err) != "kb.not_found" {
			t.Errorf("customer reads the restored draft: %v", err)
		}
		if res, _ := f.s.Search(ctx, cust, search.Input{Q: "卡纸", Kind: "article"}); len(res.Results) != 0 {
			t.Errorf("customer finds a draft: %+v", res.Results)
		}
		if _, err := f.kb.Archive(ctx, admin, a.ID, ""); err != nil {
			t.Errorf("archive: %v", err)
		}
	})
}

func TestAudience(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		publish := func(title, aud string) kb.Article {
			a, err := f.kb.Create(ctx, f.d.Actors["agent1"], kb.Draft{Title: title, Body: "VPN 连接步骤", Audience: aud})
			if err != nil {
				t.Fatal(err)
			}
			f.kb.Submit(ctx, f.d.Actors["agent1"], a.ID, "")
			a, err = f.kb.Approve(ctx, f.d.Actors["super1"], a.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		pub, custOnly, internal := publish("公开 VPN", "public"), publish("客户 VPN", "customers"), publish("内部 VPN", "internal")
		for _, tc := range []struct {
			who  string
			by   identity.Actor
			want []int64
		}{
			{"anonymous", identity.Actor{}, []int64{pub.ID}},
			{"customer", f.d.Actors["cust1"], []int64{custOnly.ID, pub.ID}},
			{"agent", f.d.Actors["agent3"], []int64{internal.ID, custOnly.ID, pub.ID}},
		} {
			res, err := f.s.Search(ctx, tc.by, search.Input{Q: "vpn", Kind: "article"})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range res.Results {
				got = append(got, r.ID)
			}
			slices.Sort(got)
			slices.Reverse(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s finds %v, want %v", tc.who, got, tc.want)
			}
			list, _ := f.kb.List(ctx, tc.by, kb.ListInput{States: []string{"draft", "published"}})
			if len(list) != len(tc.want) {
				t.Errorf("%s lists %d articles, want %d", tc.who, len(list), len(tc.want))
			}
		}
		if _, err := f.kb.Get(ctx, f.d.Actors["cust1"], internal.ID); code(err) != "kb.not_found" {
			t.Errorf("customer reads an internal article: %v", err)
		}
	})
}

func TestFromTicket(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tk, err := f.d.Tickets.Create(ctx, f.d.Actors["cust1"], ticket.CreateInput{Title: "张三的电脑蓝屏", Category: "software",
			Description: "我是张三，Acme 公司财务部。电话 13812341234，邮箱 zhang.san@example.com，IP 10.1.2.3，身份证 11010519491231002X。"})
		if err != nil {
			t.Fatal(err)
		}
		admin := f.d.Actors["admin"]
		for _, m := range []ticket.MessageInput{
			{Body: "内部：该用户卡号 6222021001123456789，VIP", Internal: true},
			{Body: "张先生您好，请更新显卡驱动后重启。"},
		} {
			if _, err := f.d.Tickets.AddMessage(ctx, admin, tk.Number, m); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.kb.FromTicket(ctx, f.d.Actors["agent3"], tk.Number, kb.Headings{"问题", "解决方法"}, mask.People{}); code(err) != "ticket.not_found" {
			t.Errorf("agent of another group: got %v, want ticket.not_found", err)
		}
		d, err := f.kb.FromTicket(ctx, f.d.Actors["agent1"], tk.Number, kb.Headings{"问题", "解决方法"}, mask.People{})
		if err != nil || d.Existing {
			t.Fatal(d.Existing, err)
		}
		a, ms := d.Article, d.Maskings
		for _, leak := range []string{"张三", "张先生", "13812341234", "zhang.san", "10.1.2.3", "11010519491231002X", "Acme", "6222021001123456789", "VIP", "内部"} {
			if strings.Contains(a.Title+a.Body, leak) {
				t.Errorf("draft leaks %q:\n%s\n%s", leak, a.Title, a.Body)
			}
		}
		for _, keep := range []string{"## 问题", "## 解决方法", "请更新显卡驱动后重启", "蓝屏", "[PHONE-1]", "[NAME-1]"} {
			if !strings.Contains(a.Title+"\n"+a.Body, keep) {
				t.Errorf("draft lacks %q:\n%s\n%s", keep, a.Title, a.Body)
			}
		}
		var kinds []string
		for _, m := range ms {
			kinds = append(kinds, m.Kind)
		}
		slices.Sort(kinds)
		if want := []string{"email", "id_card", "ip", "name", "name", "org", "phone"}; !slices.Equal(kinds, want) {
			t.Errorf("maskings %v, want %v", kinds, want)
		}
		// Publishing waits until a reviewer confirmed every masking.
		a, _ = f.kb.Submit(ctx, f.d.Actors["agent1"], a.ID, "")
		if _, err := f.kb.Approve(ctx, f.d.Actors["super1"], a.ID, ""); code(err) != "kb.maskings_unconfirmed" {
			t.Fatalf("approve with unconfirmed maskings: got %v", err)
		}
		for _, m := range ms {
			if err := f.kb.ConfirmMasking(ctx, f.d.Actors["super1"], a.ID, m.Seq); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.kb.ConfirmMasking(ctx, f.d.Actors["super1"], a.ID, 99); code(err) != "kb.masking_not_found" {
			t.Errorf("confirm a missing masking: %v", err)
		}
		if _, err := f.kb.Approve(ctx, f.d.Actors["super1"], a.ID, ""); err != nil {
			t.Errorf("approve after confirming: %v", err)
		}
	})
}

// TestFromTicketOnceWhileOpen: drafting the same ticket again opens the
// draft already made (in draft, then in review) with its maskings; once
// it is published a new draft may be made.
func TestFromTicketOnceWhileOpen(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tk, err := f.d.Tickets.Create(ctx, f.d.Actors["cust1"], ticket.CreateInput{Title: "VPN 连不上", Category: "software",
			Description: "电话 13812341234，VPN 一直提示超时。"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := f.d.Tickets.Create(ctx, f.d.Actors["cust1"], ticket.CreateInput{Title: "打印机卡纸", Category: "software", Description: "卡纸了"})
		if err != nil {
			t.Fatal(err)
		}
		h := kb.Headings{"问题", "解决方法"}
		agent, super := f.d.Actors["agent1"], f.d.Actors["super1"]
		first, err := f.kb.FromTicket(ctx, agent, tk.Number, h, mask.People{})
		if err != nil || first.Existing || len(first.Maskings) == 0 {
			t.Fatalf("first draft: %+v, %v", first, err)
		}
		if d, err := f.kb.FromTicket(ctx, agent, other.Number, h, mask.People{}); err != nil || d.Existing || d.Article.ID == first.Article.ID {
			t.Fatalf("another ticket's draft: %+v, %v", d.Article, err)
		}
		again := func(state string) kb.Drafted {
			t.Helper()
			d, err := f.kb.FromTicket(ctx, super, tk.Number, h, mask.People{})
			if err != nil {
				t.Fatalf("again while %s: %v", state, err)
			}
			return d
		}
		if d := again("draft"); !d.Existing || d.Article.ID != first.Article.ID || len(d.Maskings) != len(first.Maskings) {
			t.Errorf("again while in draft: existing=%v id=%d (want %d), %d maskings (want %d)", d.Existing, d.Article.ID, first.Article.ID,
				len(d.Maskings), len(first.Maskings))
		}
		a, err := f.kb.Submit(ctx, agent, first.Article.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if d := again("in review"); !d.Existing || d.Article.ID != first.Article.ID || d.Article.State != kb.StateInReview {
			t.Errorf("again while in review: %+v", d.Article)
		}
		for _, m := range first.Maskings {
			if err := f.kb.ConfirmMasking(ctx, super, a.ID, m.Seq); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.kb.Approve(ctx, super, a.ID, ""); err != nil {
			t.Fatal(err)
		}
		if d := again("published"); d.Existing || d.Article.ID == first.Article.ID || d.Article.State != kb.StateDraft {
			t.Errorf("after publishing: existing=%v id=%d, want a new draft", d.Existing, d.Article.ID)
		}
	})
}

func TestDraftValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		agent := f.d.Actors["agent1"]
		for _, tc := range []struct {
			d    kb.Draft
			code string
		}{
			{kb.Draft{Body: "b"}, "field.required"},
			{kb.Draft{Title: strings.Repeat("长", 201), Body: "b"}, "field.too_long"},
			{kb.Draft{Title: "t", Body: "b", Audience: "everyone"}, "kb.audience_invalid"},
			{kb.Draft{Title: "t", Body: "b", Lang: "fr"}, "kb.lang_invalid"},
			{kb.Draft{Title: "t", Body: "b", Tags: []string{"a,b"}}, "kb.tag_invalid"},
			{kb.Draft{Title: "t", Body: "b", Tags: strings.Fields("1 2 3 4 5 6 7 8 9 10 11")}, "kb.too_many_tags"},
			{kb.Draft{Title: "t", Body: "b", Category: "nope"}, "category.not_found"},
		} {
			_, err := f.kb.Create(context.Background(), agent, tc.d)
			var m *apperr.Multi
			got := code(err)
			if ok := asMulti(err, &m); ok && len(m.Errors) > 0 {
				got = m.Errors[0].Code
			}
			if got != tc.code {
				t.Errorf("Create(%+v): got %v, want %s", tc.d, err, tc.code)
			}
		}
	})
}

func asMulti(err error, m **apperr.Multi) bool {
	mm, ok := err.(*apperr.Multi)
	*m = mm
	return ok
}

func TestRender(t *testing.T) {
	r := kb.NewRenderer()
	got := r.HTML("# 标题\n\n<script>alert(1)</script>\n\n[link](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
	for _, bad := range []string{"<script", "javascript:", "onerror"} {
		if strings.Contains(got, bad) {
			t.Errorf("rendered HTML keeps %q: %s", bad, got)
		}
	}
	for _, good := range []string{"<h1", "标题", "<table>", "<td>1</td>"} {
		if !strings.Contains(got, good) {
			t.Errorf("rendered HTML lacks %q: %s", good, got)
		}
	}
}

// hasCode reports whether err, or one of the field errors it carries, has code.
func hasCode(err error, c string) bool {
	if code(err) == c {
		return true
	}
	var m *apperr.Multi
	if asMulti(err, &m) && m != nil {
		for _, e := range m.Errors {
			if e.Code == c {
				return true
			}
		}
	}
	return false
}

// TestAnonymousFeedbackLimit: one address answers at most
// MaxAnonymousVotesPerHour times an hour without signing in; the next
// answer is refused with kb.feedback_rate, and other addresses and
// signed-in readers are not affected.
func TestAnonymousFeedbackLimit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		agent, super, cust := f.d.Actors["agent1"], f.d.Actors["super1"], f.d.Actors["cust1"]
		var ids []int64
		for i := range kb.MaxAnonymousVotesPerHour + 1 {
			a, err := f.kb.Create(ctx, agent, kb.Draft{Title: fmt.Sprintf("文章 %d", i), Body: "正文", Audience: "public"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err = f.kb.Submit(ctx, agent, a.ID, ""); err != nil {
				t.Fatal(err)
			}
			if _, err = f.kb.Approve(ctx, super, a.ID, ""); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
		}
		anon := identity.Actor{}
		for _, id := range ids[:kb.MaxAnonymousVotesPerHour] {
			if _, err := f.kb.Feedback(ctx, anon, id, true, "192.0.2.1"); err != nil {
				t.Fatalf("answer on %d: %v", id, err)
			}
		}
		last := ids[kb.MaxAnonymousVotesPerHour]
		a, err := f.kb.Feedback(ctx, anon, last, true, "192.0.2.1")
		if code(err) != "kb.feedback_rate" || apperr.KindOf(err) != apperr.RateLimited {
			t.Errorf("answer %d from one address: %+v %v, want kb.feedback_rate", kb.MaxAnonymousVotesPerHour+1, a, err)
		}
		if a, err = f.kb.Feedback(ctx, anon, last, true, "192.0.2.2"); err != nil || a.Helpful != 1 {
			t.Errorf("another address: helpful %d (%v), want 1", a.Helpful, err)
		}
		if a, err = f.kb.Feedback(ctx, cust, last, true, "192.0.2.1"); err != nil || a.Helpful != 2 {
			t.Errorf("signed in from the limited address: helpful %d (%v), want 2", a.Helpful, err)
		}
	})
}
