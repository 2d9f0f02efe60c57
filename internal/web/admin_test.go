package web

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"helpdesk/internal/identity"
	"helpdesk/internal/routing"
	"helpdesk/internal/sla"
	"helpdesk/internal/ticket"
)

// adminPages are every console page an admin can open.
var adminPages = []string{"/admin", "/admin/users", "/admin/users/agent1", "/admin/groups", "/admin/groups/software",
	"/admin/orgs", "/admin/categories", "/admin/categories/new", "/admin/categories/software", "/admin/rules",
	"/admin/rules/new", "/admin/rules/dryrun", "/admin/sla", "/admin/sla/calendars/workdays", "/admin/sla/calendars/new",
	"/admin/settings"}

func TestAdminPagesOnlyForAdmins(t *testing.T) {
	d := newTestDesk(t)
	anon := d.browser(t)
	for _, path := range adminPages {
		if res, _ := anon.get(path); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
			t.Errorf("anonymous %s: %d %s, want a redirect to sign in", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
	for _, login := range []string{"cust1", "agent1", "super1"} {
		b := d.browser(t)
		b.signIn(login)
		for _, path := range adminPages {
			if res, _ := b.get(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", login, path, res.StatusCode)
			}
		}
		// A form post from a non-admin is refused too, and changes nothing.
		res, _ := b.submit("/admin", "/admin/categories", url.Values{"key": {"hacked"}, "name_zh": {"x"}, "name_en": {"x"}, "group": {"software"}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s POST /admin/categories: %d, want 403", login, res.StatusCode)
		}
	}
	// An admin's form without the CSRF token is refused too.
	adm := d.browser(t)
	adm.signIn("admin")
	if res, _ := adm.post("/admin/categories", url.Values{"key": {"hacked"}, "name_zh": {"x"}, "name_en": {"x"}, "group": {"software"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("admin POST without CSRF token: %d, want 403", res.StatusCode)
	}
	cats, _ := d.Tickets.Categories(context.Background(), d.Actors["admin"])
	for _, c := range cats {
		if c.Key == "hacked" {
			t.Error("a category was created by a refused request")
		}
	}
}

func TestAdminPagesRender(t *testing.T) {
	d := newTestDesk(t)
	for _, lang := range []string{"zh-CN", "en"} {
		b := d.browser(t)
		b.lang = lang
		b.signIn("admin")
		want := map[string]string{"zh-CN": "系统管理", "en": "Administration"}[lang]
		for _, path := range adminPages {
			res, body := b.get(path)
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s %s: %d %s", lang, path, res.StatusCode, body)
				continue
			}
			if !strings.Contains(body, want) || !strings.Contains(body, `<html lang="`+lang+`"`) {
				t.Errorf("%s %s: page not in %s", lang, path, lang)
			}
			if strings.Contains(body, "admin.") && regexp.MustCompile(`>admin\.[a-z_.]+<|"admin\.[a-z_.]+"`).MatchString(body) {
				t.Errorf("%s %s: an untranslated catalog key shows: %s", lang, path, regexp.MustCompile(`admin\.[a-z_.]+`).FindString(body))
			}
		}
	}
	b := d.browser(t)
	b.signIn("admin")
	for _, path := range []string{"/admin/users/nobody", "/admin/groups/nogroup", "/admin/orgs/999", "/admin/orgs/x",
		"/admin/categories/nocat", "/admin/rules/999", "/admin/rules/x", "/admin/sla/calendars/nocal"} {
		if res, _ := b.get(path); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
	}
}

// adminBrowser is a browser signed in as admin, in lang.
func adminBrowser(t *testing.T, d *testDesk, lang string) *browser {
	b := d.browser(t)
	b.lang = lang
	b.signIn("admin")
	return b
}

func wantRedirect(t *testing.T, what string, res *http.Response, body string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s: %d, want 303; body:\n%s", what, res.StatusCode, errorsIn(body))
	}
}

// errorsIn picks the error summary out of a page, for failure messages.
func errorsIn(body string) string {
	if i := strings.Index(body, `role="alert"`); i >= 0 {
		return body[i:min(len(body), i+600)]
	}
	return body[:min(len(body), 600)]
}

func wantInvalid(t *testing.T, what string, res *http.Response, body string, texts ...string) {
	t.Helper()
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("%s: %d, want 422", what, res.StatusCode)
	}
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("%s: the page does not say %q:\n%s", what, s, errorsIn(body))
		}
	}
}

func TestAdminCategoryWithCustomFields(t *testing.T) {
	d := newTestDesk(t)
	ctx := context.Background()
	b := adminBrowser(t, d, "zh-CN")
	form := url.Values{"new": {"1"}, "key": {"vpn"}, "name_zh": {"VPN 连接"}, "name_en": {"VPN access"}, "group": {"network"},
		"guide_zh": {"请写明客户端版本和报错截图。"}, "guide_en": {"Include the client version and the error."}, "active": {"1"},
		"rows":    {"3"},
		"f.0.key": {"client"}, "f.0.label_zh": {"客户端"}, "f.0.label_en": {"Client"}, "f.0.type": {"select"}, "f.0.options": {"AnyConnect\r\nOpenVPN\r\n"}, "f.0.required": {"1"},
		"f.1.key": {"version"}, "f.1.label_zh": {"版本号"}, "f.1.label_en": {"Version"}, "f.1.type": {"text"}, "f.1.max_len": {"40"},
		"f.2.key": {""}, "f.2.label_zh": {""}, "f.2.type": {"text"}}
	res, body := b.submit("/admin/categories/new", "/admin/categories", form)
	wantRedirect(t, "create category", res, body)
	if loc := res.Header.Get("Location"); loc != "/admin/categories/vpn" {
		t.Errorf("redirect to %q", loc)
	}
	c := findCategory(t, d, "vpn")
	want := []ticket.FieldDef{{Key: "client", LabelZH: "客户端", LabelEN: "Client", Type: ticket.FieldSelect, Required: true, Options: []string{"AnyConnect", "OpenVPN"}},
		{Key: "version", LabelZH: "版本号", LabelEN: "Version", Type: ticket.FieldText, MaxLen: 40}}
	if !fieldsEqual(c.Fields, want) || c.GroupKey != "network" || !c.Active || c.GuideZH != "请写明客户端版本和报错截图。" {
		t.Errorf("saved category: %+v", c)
	}
	// The edit page shows the fields; the customer's form shows them too.
	_, body = b.get("/admin/categories/vpn")
	for _, s := range []string{`value="client"`, "AnyConnect\nOpenVPN", `value="版本号"`} {
		if !strings.Contains(body, s) {
			t.Errorf("edit page lacks %q", s)
		}
	}
	cust := d.browser(t)
	cust.signIn("cust1")
	_, body = cust.get("/portal/new?category=vpn")
	if !strings.Contains(body, "客户端") || !strings.Contains(body, "请写明客户端版本和报错截图。") {
		t.Error("the portal form does not show the new category's field and guidance")
	}

	// Remove a field and retire the category.
	form = url.Values{"key": {"vpn"}, "name_zh": {"VPN 连接"}, "name_en": {"VPN access"}, "group": {"network"}, "rows": {"2"},
		"f.0.key": {"client"}, "f.0.label_zh": {"客户端"}, "f.0.label_en": {"Client"}, "f.0.type": {"select"}, "f.0.options": {"AnyConnect"}, "f.0.remove": {"1"},
		"f.1.key": {"version"}, "f.1.label_zh": {"版本号"}, "f.1.label_en": {"Version"}, "f.1.type": {"text"}}
	res, body = b.submit("/admin/categories/vpn", "/admin/categories", form)
	wantRedirect(t, "edit category", res, body)
	if c := findCategory(t, d, "vpn"); len(c.Fields) != 1 || c.Fields[0].Key != "version" || c.Active {
		t.Errorf("after edit: %+v", c)
	}
	if cats, _ := d.Tickets.Categories(ctx, d.Actors["cust1"]); containsCategory(cats, "vpn") {
		t.Error("a retired category is still offered to customers")
	}

	// Bad input: re-rendered with the messages beside the fields, in the page's language.
	for _, tc := range []struct {
		lang  string
		form  url.Values
		texts []string
	}{
		{"zh-CN", url.Values{"new": {"1"}, "key": {"Bad Key"}, "name_zh": {""}, "name_en": {"x"}, "group": {"network"}, "rows": {"1"},
			"f.0.key": {"os"}, "f.0.label_zh": {"系统"}, "f.0.label_en": {"OS"}, "f.0.type": {"select"}},
			[]string{"标识：", "中文名称：此项为必填项", "字段 1：选项"}},
		{"en", url.Values{"new": {"1"}, "key": {"ok_key"}, "name_zh": {"好"}, "name_en": {"Fine"}, "group": {"nosuch"}, "rows": {"2"},
			"f.0.key": {"a"}, "f.0.label_zh": {"甲"}, "f.0.label_en": {"A"}, "f.0.type": {"text"},
			"f.1.key": {"a"}, "f.1.label_zh": {"乙"}, "f.1.label_en": {"B"}, "f.1.type": {"text"}},
			[]string{"appears twice"}},
		{"en", url.Values{"new": {"1"}, "key": {"ok_key"}, "name_zh": {"好"}, "name_en": {"Fine"}, "group": {"nosuch"}, "rows": {"1"},
			"f.0.key": {"a"}, "f.0.label_zh": {"甲"}, "f.0.label_en": {"A"}, "f.0.type": {"text"}},
			[]string{"No support group nosuch"}},
		{"en", url.Values{"new": {"1"}, "key": {"ok_key"}, "name_zh": {"好"}, "name_en": {"Fine"}, "group": {"network"}, "rows": {"1"},
			"f.0.key": {"n"}, "f.0.label_zh": {"数"}, "f.0.label_en": {"N"}, "f.0.type": {"text"}, "f.0.max_len": {"many"}},
			[]string{"Field 1: Maximum length: enter a whole number."}},
	} {
		bb := adminBrowser(t, d, tc.lang)
		res, body := bb.submit("/admin/categories/new", "/admin/categories", tc.form)
		wantInvalid(t, "bad category", res, body, tc.texts...)
		if !strings.Contains(body, `value="`+tc.form.Get("f.0.label_zh")+`"`) {
			t.Error("the form was not refilled with what was typed")
		}
	}
	if c := findCategoryMaybe(d, "ok_key"); c != nil {
		t.Error("an invalid category was saved")
	}
}

func findCategoryMaybe(d *testDesk, key string) *ticket.Category {
	cats, _ := d.Tickets.Categories(context.Background(), d.Actors["admin"])
	for _, c := range cats {
		if c.Key == key {
			return &c
		}
	}
	return nil
}

func findCategory(t *testing.T, d *testDesk, key string) ticket.Category {
	t.Helper()
	c := findCategoryMaybe(d, key)
	if c == nil {
		t.Fatalf("no category %s", key)
	}
	return *c
}

func containsCategory(cats []ticket.Category, key string) bool {
	for _, c := range cats {
		if c.Key == key {
			return true
		}
	}
	return false
}

func fieldsEqual(a, b []ticket.FieldDef) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Key != y.Key || x.LabelZH != y.LabelZH || x.LabelEN != y.LabelEN || x.Type != y.Type || x.Required != y.Required ||
			x.MaxLen != y.MaxLen || strings.Join(x.Options, "|") != strings.Join(y.Options, "|") {
			return false
		}
	}
	return true
}

func TestAdminUsers(t *testing.T) {
	d := newTestDesk(t)
	ctx := context.Background()
	b := adminBrowser(t, d, "zh-CN")
	res, body := b.submit("/admin/users", "/admin/users", url.Values{"login": {"wang.wu"}, "name": {"王五"}, "password": {"first-pass-1"},
		"role": {"agent"}, "groups": {"network", "hardware"}, "lang": {"zh-CN"}, "email": {"wang.wu@example.com"}, "phone": {"13912345678"}})
	wantRedirect(t, "create user", res, body)
	u, err := d.Identity.UserByLogin(ctx, d.Actors["admin"], "wang.wu")
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != identity.RoleAgent || len(u.GroupKeys) != 2 || u.Name != "王五" || !u.Active || u.Phone != "13912345678" {
		t.Errorf("created: %+v", u)
	}

	// Search and filters.
	for _, tc := range []struct {
		query     string
		want, not []string
	}{
		{"?q=wang", []string{">wang.wu<"}, []string{">agent1<"}},
		{"?role=supervisor", []string{">super1<"}, []string{">agent1<", ">cust1<"}},
		{"?group=network", []string{">wang.wu<"}, []string{">agent1<"}},
		{"?org=" + itoa64(d.Users["cust3"].OrgID), []string{">cust3<"}, []string{">cust1<", ">agent1<"}},
	} {
		_, body := b.get("/admin/users" + tc.query)
		for _, s := range tc.want {
			if !strings.Contains(body, s) {
				t.Errorf("%s: %s missing", tc.query, s)
			}
		}
		for _, s := range tc.not {
			if strings.Contains(body, s) {
				t.Errorf("%s: %s listed", tc.query, s)
			}
		}
	}

	// Edit role, groups and the active flag.
	res, body = b.submit("/admin/users/wang.wu", "/admin/users/wang.wu", url.Values{"name": {"王五"}, "role": {"supervisor"},
		"groups": {"network"}, "email": {"wang.wu@example.com"}, "phone": {""}, "lang": {"en"}})
	wantRedirect(t, "edit user", res, body)
	u, _ = d.Identity.UserByLogin(ctx, d.Actors["admin"], "wang.wu")
	if u.Role != identity.RoleSupervisor || len(u.GroupKeys) != 1 || u.GroupKeys[0] != "network" || u.Active || u.Lang != "en" {
		t.Errorf("edited: %+v", u)
	}
	if _, _, err := d.Identity.Login(ctx, "wang.wu", "first-pass-1"); err == nil {
		t.Error("a deactivated user signed in")
	}

	// Reset the password (and reactivate): the new one works.
	res, body = b.submit("/admin/users/wang.wu", "/admin/users/wang.wu", url.Values{"name": {"王五"}, "role": {"supervisor"},
		"groups": {"network"}, "active": {"1"}, "lang": {"en"}, "email": {"wang.wu@example.com"}})
	wantRedirect(t, "reactivate", res, body)
	res, body = b.submit("/admin/users/wang.wu", "/admin/users/wang.wu/password", url.Values{"password": {"second-pass-2"}})
	wantRedirect(t, "reset password", res, body)
	if _, _, err := d.Identity.Login(ctx, "wang.wu", "second-pass-2"); err != nil {
		t.Errorf("sign in with the reset password: %v", err)
	}

	// Bad input.
	res, body = b.submit("/admin/users", "/admin/users", url.Values{"login": {"坏 login"}, "password": {"short"}, "role": {"boss"}})
	wantInvalid(t, "bad new user", res, body, "登录名", "初始密码", "角色")
	if !strings.Contains(body, `value="坏 login"`) {
		t.Error("the create form was not refilled")
	}
	res, body = b.submit("/admin/users", "/admin/users", url.Values{"login": {"agent1"}, "password": {"long-enough-1"}, "role": {"agent"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "agent1") {
		t.Errorf("taken login: %d %s", res.StatusCode, errorsIn(body))
	}
	res, body = b.submit("/admin/users/wang.wu", "/admin/users/wang.wu/password", url.Values{"password": {"short"}})
	wantInvalid(t, "short password", res, body, "新密码")
	if !strings.Contains(body, `value="王五"`) {
		t.Error("the profile form lost the saved name after a failed password reset")
	}
	en := adminBrowser(t, d, "en")
	res, body = en.submit("/admin/users/wang.wu", "/admin/users/wang.wu", url.Values{"name": {""}, "role": {"agent"}, "groups": {"nogroup"}})
	wantInvalid(t, "bad edit", res, body, "Name: this field is required")
}

func itoa64(n int64) string { return strconvFormat(n) }

func TestAdminGroupsAndOrgs(t *testing.T) {
	d := newTestDesk(t)
	ctx := context.Background()
	b := adminBrowser(t, d, "zh-CN")
	_, body := b.get("/admin/groups")
	groups, _ := d.Identity.Groups(ctx, d.Actors["admin"])
	for _, g := range groups {
		if !strings.Contains(body, g.NameZH) {
			t.Errorf("groups page lacks %s", g.NameZH)
		}
	}
	res, body := b.submit("/admin/groups", "/admin/groups", url.Values{"key": {"security"}, "name_zh": {"安全组"}, "name_en": {"Security"}, "email": {"sec@example.com"}})
	wantRedirect(t, "create group", res, body)
	g, err := d.Identity.GroupByKey(ctx, "security")
	if err != nil || g.NameZH != "安全组" || g.Email != "sec@example.com" {
		t.Fatalf("group: %+v %v", g, err)
	}
	res, body = b.submit("/admin/groups/security", "/admin/groups/security/strategy", url.Values{"strategy": {"round_robin"}})
	wantRedirect(t, "strategy", res, body)
	if st, _ := d.Routing.GroupSetting(ctx, d.Actors["admin"], "security"); st.Strategy != routing.RoundRobin {
		t.Errorf("strategy = %s", st.Strategy)
	}
	res, body = b.submit("/admin/groups/security", "/admin/groups", url.Values{"key": {"security"}, "from": {"group"}, "name_zh": {"信息安全组"}, "name_en": {"Security"}})
	wantRedirect(t, "rename group", res, body)
	if g, _ := d.Identity.GroupByKey(ctx, "security"); g.NameZH != "信息安全组" {
		t.Errorf("renamed group: %+v", g)
	}
	_, body = b.get("/admin/groups/software")
	if !strings.Contains(body, ">agent1<") || !strings.Contains(body, ">super1<") {
		t.Error("the group page does not list its members")
	}
	res, body = b.submit("/admin/groups", "/admin/groups", url.Values{"key": {"Bad Key"}, "name_zh": {""}, "name_en": {"x"}})
	wantInvalid(t, "bad group", res, body, "中文名称：此项为必填项")
	res, body = b.submit("/admin/groups/security", "/admin/groups/security/strategy", url.Values{"strategy": {"lottery"}})
	wantInvalid(t, "bad strategy", res, body)

	res, body = b.submit("/admin/orgs", "/admin/orgs", url.Values{"name": {"Initech 软件"}})
	wantRedirect(t, "create org", res, body)
	orgs, _ := d.Identity.Orgs(ctx, d.Actors["admin"])
	var id int64
	for _, o := range orgs {
		if o.Name == "Initech 软件" {
			id = o.ID
		}
	}
	if id == 0 {
		t.Fatal("org not created")
	}
	path := "/admin/orgs/" + itoa64(id)
	res, body = b.submit(path, path, url.Values{"name": {"Initech 科技"}})
	wantRedirect(t, "rename org", res, body)
	if o, _ := d.Identity.Orgs(ctx, d.Actors["admin"]); !orgNamed(o, "Initech 科技") {
		t.Error("org not renamed")
	}
	res, body = b.submit(path, path, url.Values{"name": {"  "}})
	wantInvalid(t, "blank org name", res, body, "单位名称：此项为必填项")
	acme := "/admin/orgs/" + itoa64(d.Users["cust1"].OrgID)
	if _, body = b.get(acme); !strings.Contains(body, ">cust1<") || !strings.Contains(body, ">cust2<") {
		t.Error("the org page does not list its members")
	}
}

func orgNamed(orgs []identity.Org, name string) bool {
	for _, o := range orgs {
		if o.Name == name {
			return true
		}
	}
	return false
}

func TestAdminRulesAndDryRun(t *testing.T) {
	d := newTestDesk(t)
	ctx := context.Background()
	b := adminBrowser(t, d, "zh-CN")
	save := func(form url.Values) {
		t.Helper()
		res, body := b.submit("/admin/rules/new", "/admin/rules", form)
		wantRedirect(t, "save rule "+form.Get("name"), res, body)
	}
	save(url.Values{"name": {"打印机转硬件"}, "enabled": {"1"}, "keywords": {"打印机、卡纸"}, "group": {"hardware"}})
	save(url.Values{"name": {"紧急网络"}, "enabled": {"1"}, "priorities": {"P1"}, "categories": {"network"}, "group": {"network"}, "set_priority": {"P1"}})
	rules, _ := d.Routing.Rules(ctx, d.Actors["admin"])
	if len(rules) != 2 || rules[0].Name != "打印机转硬件" || len(rules[0].Conditions.Keywords) != 2 || rules[1].Conditions.Priorities[0] != ticket.P1 {
		t.Fatalf("rules: %+v", rules)
	}
	_, body := b.get("/admin/rules")
	if !strings.Contains(body, "关键词: 打印机, 卡纸") {
		t.Errorf("the list does not summarize the conditions")
	}

	// Dry run: the keyword rule matches a printer ticket.
	res, body := b.get("/admin/rules/dryrun?try=1&category=software&priority=P3&channel=web&title=" + url.QueryEscape("打印机卡纸了"))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "<strong>打印机转硬件</strong>") || !strings.Contains(body, "硬件") {
		t.Errorf("dry run: %d %s", res.StatusCode, errorsIn(body))
	}
	_, body = b.get("/admin/rules/dryrun?try=1&category=software&title=" + url.QueryEscape("无法登录"))
	if !strings.Contains(body, "无（使用分类的默认支持组）") {
		t.Error("dry run without a match does not say so")
	}
	res, body = b.get("/admin/rules/dryrun?try=1&category=nosuch")
	wantInvalid(t, "dry run of an unknown category", res, body, "nosuch")

	// Reorder: move the second rule up.
	order := itoa64(rules[0].ID) + "," + itoa64(rules[1].ID)
	res, body = b.submit("/admin/rules", "/admin/rules/"+itoa64(rules[1].ID)+"/move", url.Values{"order": {order}, "dir": {"up"}})
	wantRedirect(t, "move up", res, body)
	if got, _ := d.Routing.Rules(ctx, d.Actors["admin"]); got[0].ID != rules[1].ID {
		t.Errorf("after moving up: first is %s", got[0].Name)
	}
	// A stale order is refused with a message, not applied.
	res, _ = b.submit("/admin/rules", "/admin/rules/"+itoa64(rules[1].ID)+"/move", url.Values{"order": {itoa64(rules[1].ID)}, "dir": {"down"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("stale move: %d", res.StatusCode)
	}
	if _, body = b.get("/admin/rules"); !strings.Contains(body, "flash-error") {
		t.Error("a refused reorder shows no error")
	}

	// Edit, then delete.
	edit := url.Values{"id": {itoa64(rules[0].ID)}, "name": {"打印机转硬件"}, "keywords": {"打印机"}, "group": {"hardware"}, "agent": {"agent3"}}
	res, body = b.submit("/admin/rules/"+itoa64(rules[0].ID), "/admin/rules", edit)
	wantRedirect(t, "edit rule", res, body)
	if r, _ := d.Routing.Rule(ctx, d.Actors["admin"], rules[0].ID); r.Enabled || r.Agent != "agent3" {
		t.Errorf("edited rule: %+v", r)
	}
	res, body = b.submit("/admin/rules", "/admin/rules/"+itoa64(rules[0].ID)+"/delete", nil)
	wantRedirect(t, "delete rule", res, body)
	if got, _ := d.Routing.Rules(ctx, d.Actors["admin"]); len(got) != 1 {
		t.Errorf("after delete: %d rules", len(got))
	}

	// Bad rules.
	res, body = b.submit("/admin/rules/new", "/admin/rules", url.Values{"name": {"坏规则"}, "group": {""}, "agent": {"cust1"}})
	wantInvalid(t, "rule without group", res, body, "请选择规则分派到的支持组")
	res, body = b.submit("/admin/rules/new", "/admin/rules", url.Values{"name": {"坏字段"}, "group": {"network"}, "fields": {"no equals sign"}})
	wantInvalid(t, "bad field line", res, body, "no equals sign")
}

func TestAdminSLA(t *testing.T) {
	d := newTestDesk(t)
	ctx := context.Background()
	b := adminBrowser(t, d, "zh-CN")
	res, body := b.submit("/admin/sla", "/admin/sla/policies/P2", url.Values{"calendar": {"workdays"}, "acknowledge": {"30"},
		"first_response": {"120"}, "resolution": {"960"}, "warn_share": {"80"}})
	wantRedirect(t, "save policy", res, body)
	pol, _, err := d.SLA.ForPriority(ctx, "P2")
	if err != nil || pol.Calendar != "workdays" || pol.Acknowledge != 30*time.Minute || pol.Resolution != 16*time.Hour || pol.WarnShare != 0.8 {
		t.Errorf("policy: %+v %v", pol, err)
	}
	res, body = b.submit("/admin/sla", "/admin/sla/policies/P2", url.Values{"calendar": {"nocal"}, "acknowledge": {"0"},
		"first_response": {"abc"}, "resolution": {"60"}, "warn_share": {"100"}})
	wantInvalid(t, "bad policy", res, body, "nocal", "确认：时限", "首次响应：时限", "预警")

	// A calendar with a lunch break, a holiday and a make-up workday.
	form := url.Values{"key": {"office"}, "name_zh": {"办公时间"}, "name_en": {"Office hours"}, "time_zone": {"Asia/Shanghai"},
		"hours_1": {"09:00-12:00, 13:30-18:00"}, "hours_2": {"09:00-12:00，13:30-18:00"}, "hours_3": {"09:00-18:00"},
		"hours_4": {"09:00-18:00"}, "hours_5": {"09:00-17:00"}, "make_up_as": {"1"},
		"days": {"2026-10-01 休 国庆节\n2026-10-10 workday 国庆调休\n"}}
	res, body = b.submit("/admin/sla/calendars/new", "/admin/sla/calendars", form)
	wantRedirect(t, "create calendar", res, body)
	c, err := d.SLA.Calendar(ctx, d.Actors["admin"], "office")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Hours[time.Monday]) != 2 || c.Hours[time.Monday][1] != (sla.Span{Start: 13*time.Hour + 30*time.Minute, End: 18 * time.Hour}) ||
		len(c.Hours[time.Tuesday]) != 2 || len(c.Hours[time.Saturday]) != 0 || len(c.Days) != 2 || !c.Days[1].Workday || c.Days[0].Name != "国庆节" {
		t.Errorf("calendar: %+v", c)
	}
	// Editing at a stale revision is refused.
	form.Set("revision", "0")
	res, body = b.submit("/admin/sla/calendars/office", "/admin/sla/calendars", form)
	if res.StatusCode != http.StatusConflict {
		t.Errorf("re-create: %d %s", res.StatusCode, errorsIn(body))
	}
	form.Set("revision", itoa64(c.Revision))
	form.Set("hours_1", "9-12")
	form.Set("days", "2026-13-01 休 坏日期\n")
	res, body = b.submit("/admin/sla/calendars/office", "/admin/sla/calendars", form)
	wantInvalid(t, "bad calendar", res, body, "时段“9-12”无法识别", "2026-13-01")
	if !strings.Contains(body, `value="9-12"`) {
		t.Error("the calendar form lost what was typed")
	}

	// .ics import, multipart.
	ics, err := os.ReadFile("../sla/testdata/cn-holidays-2026.ics")
	if err != nil {
		t.Fatal(err)
	}
	res, body = b.uploadFile("/admin/sla/calendars/office", "/admin/sla/calendars/office/import", "ics", "holidays.ics", ics)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "已导入") {
		t.Fatalf("import: %d %s", res.StatusCode, errorsIn(body))
	}
	after, _ := d.SLA.Calendar(ctx, d.Actors["admin"], "office")
	if len(after.Days) <= len(c.Days) {
		t.Errorf("import added no days: %d before, %d after", len(c.Days), len(after.Days))
	}
	res, body = b.uploadFile("/admin/sla/calendars/office", "/admin/sla/calendars/office/import", "ics", "bad.ics", []byte("not a calendar"))
	wantInvalid(t, "bad ics", res, body, "无法读取日历文件")
	res, body = b.uploadFile("/admin/sla/calendars/office", "/admin/sla/calendars/office/import", "other", "x.ics", ics)
	wantInvalid(t, "no file", res, body, "请选择要导入的 .ics 文件")
}

// uploadFile posts a multipart form with one file, with the CSRF token of page.
func (b *browser) uploadFile(page, action, field, name string, content []byte) (*http.Response, string) {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", b.token(page))
	fw, _ := mw.CreateFormFile(field, name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.base+action, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func TestAdminSettingsAndLimits(t *testing.T) {
	d := newTestDesk(t)
	ctx := context.Background()
	b := adminBrowser(t, d, "zh-CN")
	res, body := b.submit("/admin/settings", "/admin/settings", url.Values{"name": {"IT 服务台"}, "logo_url": {"/static/logo.png"},
		"default_lang": {"en"}, "time_zone": {"Asia/Tokyo"}})
	wantRedirect(t, "save settings", res, body)
	st, _ := d.web.d.Settings.Get(ctx)
	if st.Name != "IT 服务台" || st.LogoURL != "/static/logo.png" || st.DefaultLang != "en" || st.TimeZone != "Asia/Tokyo" {
		t.Errorf("settings: %+v", st)
	}
	res, body = b.submit("/admin/settings", "/admin/settings", url.Values{"name": {""}, "logo_url": {"https://evil.example/x.png"},
		"default_lang": {"fr"}, "time_zone": {"Mars/Olympus"}})
	wantInvalid(t, "bad settings", res, body, "站点名称：此项为必填项", "Mars/Olympus")
	if !strings.Contains(body, `value="https://evil.example/x.png"`) {
		t.Error("settings form not refilled")
	}

	// Logo upload: stored, served from the site, shown in the header.
	var img bytes.Buffer
	png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 40, 20)))
	res, body = b.uploadFile("/admin/settings", "/admin/logo", "logo", "logo.png", img.Bytes())
	wantRedirect(t, "upload logo", res, body)
	st, _ = d.web.d.Settings.Get(ctx)
	if !strings.HasPrefix(st.LogoURL, "/site/logo/") {
		t.Fatalf("logo URL after upload: %q", st.LogoURL)
	}
	anon := d.browser(t)
	res, got := anon.get(st.LogoURL)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || got != img.String() {
		t.Errorf("GET %s: %d %s, %d bytes", st.LogoURL, res.StatusCode, res.Header.Get("Content-Type"), len(got))
	}
	if _, body = anon.get("/signin"); !strings.Contains(body, `src="`+st.LogoURL+`"`) {
		t.Error("the sign-in page does not show the uploaded logo")
	}
	res, body = b.uploadFile("/admin/settings", "/admin/logo", "logo", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`))
	wantInvalid(t, "svg logo", res, body, "标志须为 PNG 或 JPEG 图片")

	res, body = b.submit("/admin/settings", "/admin/limits", url.Values{"max_mb": {"2"}, "types": {"png", "txt"}})
	wantRedirect(t, "save limits", res, body)
	lim, _ := d.Tickets.AttachmentLimits(ctx)
	if lim.MaxAttachmentBytes != 2<<20 || strings.Join(lim.AttachmentTypes, ",") != "png,txt" {
		t.Errorf("limits: %+v", lim)
	}
	// The ticket service honours them at once.
	tk := d.NewTicket(t, "cust1", "附件限制")
	if _, err := d.Tickets.AddAttachment(ctx, d.Actors["cust1"], tk.Number, "a.pdf", strings.NewReader("%PDF-1.4\n%%EOF\n")); err == nil {
		t.Error("a pdf was accepted after pdf was removed from the accepted types")
	}
	for _, tc := range []url.Values{{"max_mb": {"0"}, "types": {"png"}}, {"max_mb": {"101"}, "types": {"png"}},
		{"max_mb": {"lots"}, "types": {"png"}}, {"max_mb": {"9999999999999"}, "types": {"png"}}} {
		res, body = b.submit("/admin/settings", "/admin/limits", tc)
		wantInvalid(t, "bad size "+tc.Get("max_mb"), res, body, "单个文件上限（MB）")
	}
	res, body = b.submit("/admin/settings", "/admin/limits", url.Values{"max_mb": {"5"}})
	wantInvalid(t, "no types", res, body, "允许的文件类型")
	res, body = b.submit("/admin/settings", "/admin/limits", url.Values{"max_mb": {"5"}, "types": {"exe"}})
	wantInvalid(t, "unknown type", res, body, "exe")
	if lim, _ := d.Tickets.AttachmentLimits(ctx); lim.MaxAttachmentBytes != 2<<20 {
		t.Errorf("a refused save changed the limit: %+v", lim)
	}
	// The portal form announces the saved limits, also above the configured
	// ones, and the body cap lets such a file through to the service.
	res, body = b.submit("/admin/settings", "/admin/limits", url.Values{"max_mb": {"20"}, "types": {"png", "txt"}})
	wantRedirect(t, "raise limits", res, body)
	cust := d.browser(t)
	cust.signIn("cust1")
	if _, page := cust.get("/portal/new"); !strings.Contains(page, `data-max-bytes="`+strconvFormat(20<<20)+`"`) ||
		!strings.Contains(page, `data-types=".png,.txt"`) {
		t.Errorf("the portal form does not announce the saved limits (20 MB, png and txt)")
	}
	if got := d.web.maxUpload(ctx); got < 20<<20 {
		t.Errorf("multipart body cap %d is below the saved 20 MB limit", got)
	}
}

func strconvFormat(n int64) string { return strconv.FormatInt(n, 10) }
