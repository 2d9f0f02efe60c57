package routing_test

import (
	"slices"
	"strings"
	"testing"

	"helpdesk/internal/routing"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// TestConditions checks every kind of condition, their combination, the
// order of the rules and the fallback, through DryRun and through Route.
func TestConditions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		globex, err := db.Identity().OrgByName(ctx, "Globex")
		if err != nil {
			t.Fatal(err)
		}
		rule := func(name, group string, c routing.Conditions) routing.Rule {
			return routing.Rule{Name: name, Enabled: true, GroupKey: group, Conditions: c}
		}
		printer := routing.Conditions{Keywords: []string{"打印机"}}
		combined := rule("数据库紧急", "network", routing.Conditions{Categories: []string{"software"},
			Priorities: []ticket.Priority{ticket.P1}, Keywords: []string{"数据库"}})
		sample := ticket.Ticket{Title: "无法登录 cannot log in", Description: "今天早上开始 since this morning",
			CategoryKey: "software", OrgName: "Acme 公司"}
		with := func(f func(*ticket.Ticket)) ticket.Ticket { s := sample; f(&s); return s }

		for _, tc := range []struct {
			name      string
			rules     []routing.Rule
			sample    ticket.Ticket
			wantRule  string
			wantGroup string
		}{
			{"category matches", []routing.Rule{rule("硬件", "network", routing.Conditions{Categories: []string{"hardware", "network"}})},
				with(func(s *ticket.Ticket) { s.CategoryKey = "hardware" }), "硬件", "network"},
			{"category other", []routing.Rule{rule("硬件", "network", routing.Conditions{Categories: []string{"hardware"}})},
				sample, "", "software"},
			{"priority matches", []routing.Rule{rule("紧急", "hardware", routing.Conditions{Priorities: []ticket.Priority{ticket.P1, ticket.P2}})},
				with(func(s *ticket.Ticket) { s.Priority = ticket.P2 }), "紧急", "hardware"},
			{"priority other", []routing.Rule{rule("紧急", "hardware", routing.Conditions{Priorities: []ticket.Priority{ticket.P1}})},
				with(func(s *ticket.Ticket) { s.Priority = ticket.P3 }), "", "software"},
			{"channel matches", []routing.Rule{rule("电话", "training", routing.Conditions{Channels: []ticket.Channel{ticket.ChannelPhone}})},
				with(func(s *ticket.Ticket) { s.Channel = ticket.ChannelPhone }), "电话", "training"},
			{"channel other", []routing.Rule{rule("电话", "training", routing.Conditions{Channels: []ticket.Channel{ticket.ChannelPhone}})},
				with(func(s *ticket.Ticket) { s.Channel = ticket.ChannelEmail }), "", "software"},
			{"org by name matches", []routing.Rule{rule("Acme", "complaint", routing.Conditions{Orgs: []routing.OrgRef{{Name: "Acme 公司"}}})},
				sample, "Acme", "complaint"},
			{"org by id matches", []routing.Rule{rule("Globex", "complaint", routing.Conditions{Orgs: []routing.OrgRef{{ID: globex.ID}}})},
				with(func(s *ticket.Ticket) { s.OrgName = "Globex" }), "Globex", "complaint"},
			{"org other", []routing.Rule{rule("Globex", "complaint", routing.Conditions{Orgs: []routing.OrgRef{{ID: globex.ID}}})},
				sample, "", "software"},
			{"org none", []routing.Rule{rule("Globex", "complaint", routing.Conditions{Orgs: []routing.OrgRef{{ID: globex.ID}}})},
				with(func(s *ticket.Ticket) { s.OrgName = "" }), "", "software"},
			{"custom field matches", []routing.Rule{rule("苹果", "hardware", routing.Conditions{Fields: []routing.FieldMatch{{Key: "os", Values: []string{"macOS", "iOS"}}}})},
				with(func(s *ticket.Ticket) { s.CustomFields = map[string]any{"os": "iOS"} }), "苹果", "hardware"},
			{"custom field other value", []routing.Rule{rule("苹果", "hardware", routing.Conditions{Fields: []routing.FieldMatch{{Key: "os", Values: []string{"macOS"}}}})},
				with(func(s *ticket.Ticket) { s.CustomFields = map[string]any{"os": "Windows"} }), "", "software"},
			{"custom field missing", []routing.Rule{rule("苹果", "hardware", routing.Conditions{Fields: []routing.FieldMatch{{Key: "os", Values: []string{"macOS"}}}})},
				sample, "", "software"},
			{"keyword in title", []routing.Rule{rule("VPN", "network", routing.Conditions{Keywords: []string{"VPN", "代理"}})},
				with(func(s *ticket.Ticket) { s.Title = "Cannot reach the office vpn" }), "VPN", "network"},
			{"keyword in description", []routing.Rule{rule("VPN", "network", routing.Conditions{Keywords: []string{"vpn"}})},
				with(func(s *ticket.Ticket) { s.Description = "连接 VPN 后网页打不开" }), "VPN", "network"},
			{"full-width keyword", []routing.Rule{rule("VPN", "network", routing.Conditions{Keywords: []string{"vpn"}})},
				with(func(s *ticket.Ticket) { s.Title = "ＶＰＮ连不上" }), "VPN", "network"},
			{"chinese keyword", []routing.Rule{rule("打印机", "hardware", printer)},
				with(func(s *ticket.Ticket) { s.Title = "三楼办公室打印机卡纸" }), "打印机", "hardware"},
			{"chinese keyword absent", []routing.Rule{rule("打印机", "hardware", printer)},
				with(func(s *ticket.Ticket) { s.Title = "打印文件时软件崩溃" }), "", "software"},
			{"combined all hold", []routing.Rule{combined},
				with(func(s *ticket.Ticket) { s.Priority = ticket.P1; s.Description = "数据库连接超时" }), "数据库紧急", "network"},
			{"combined one fails", []routing.Rule{combined},
				with(func(s *ticket.Ticket) { s.Priority = ticket.P2; s.Description = "数据库连接超时" }), "", "software"},
			{"first match wins", []routing.Rule{rule("先", "hardware", printer), rule("后", "network", printer)},
				with(func(s *ticket.Ticket) { s.Title = "打印机" }), "先", "hardware"},
			{"later rule when the first fails", []routing.Rule{rule("电话", "training", routing.Conditions{Channels: []ticket.Channel{ticket.ChannelPhone}}),
				rule("后", "network", printer)},
				with(func(s *ticket.Ticket) { s.Title = "打印机" }), "后", "network"},
			{"disabled rule skipped", []routing.Rule{{Name: "停用", GroupKey: "hardware", Conditions: printer}, rule("启用", "network", printer)},
				with(func(s *ticket.Ticket) { s.Title = "打印机" }), "启用", "network"},
			{"empty conditions match anything", []routing.Rule{rule("全部", "complaint", routing.Conditions{})},
				sample, "全部", "complaint"},
			{"no match: category default", []routing.Rule{rule("电话", "hardware", routing.Conditions{Channels: []ticket.Channel{ticket.ChannelPhone}})},
				with(func(s *ticket.Ticket) { s.CategoryKey = "consultation" }), "", "training"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.setRules(t, tc.rules...)
				d, err := e.svc.DryRun(ctx, e.admin(), tc.sample)
				if err != nil {
					t.Fatal(err)
				}
				if d.Assignment.Rule != tc.wantRule || d.Assignment.GroupKey != tc.wantGroup {
					t.Errorf("dry run: got rule %q group %s, want rule %q group %s", d.Assignment.Rule, d.Assignment.GroupKey, tc.wantRule, tc.wantGroup)
				}
				// Route must agree, given the ticket as the ticket service builds it.
				tk := e.newTicket(t, tc.sample.CategoryKey, tc.sample.Title)
				tk.Description, tk.CustomFields = tc.sample.Description, tc.sample.CustomFields
				if tc.sample.Priority != "" {
					tk.Priority = tc.sample.Priority
				}
				if tc.sample.Channel != "" {
					tk.Channel = tc.sample.Channel
				}
				if tc.sample.OrgName != "" {
					o, err := db.Identity().OrgByName(ctx, tc.sample.OrgName)
					if err != nil {
						t.Fatal(err)
					}
					tk.OrgID, tk.OrgName = o.ID, o.Name
				}
				a, err := e.svc.Route(ctx, tk)
				if err != nil {
					t.Fatal(err)
				}
				if a.Rule != tc.wantRule || a.GroupKey != tc.wantGroup {
					t.Errorf("route: got rule %q group %s, want rule %q group %s", a.Rule, a.GroupKey, tc.wantRule, tc.wantGroup)
				}
			})
		}

		t.Run("set priority", func(t *testing.T) {
			e.setRules(t, routing.Rule{Name: "升级", Enabled: true, GroupKey: "software", SetPriority: ticket.P1, Conditions: printer},
				routing.Rule{Name: "不变", Enabled: true, GroupKey: "software"})
			for _, tc := range []struct{ title, want string }{{"打印机冒烟", "P1"}, {"其他问题", ""}} {
				a, err := e.svc.Route(ctx, e.newTicket(t, "software", tc.title))
				if err != nil {
					t.Fatal(err)
				}
				if string(a.Priority) != tc.want {
					t.Errorf("%s: got priority %q, want %q", tc.title, a.Priority, tc.want)
				}
			}
		})
	})
}

func TestSaveRuleValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ok := routing.Rule{Name: "好规则", Enabled: true, GroupKey: "software"}
		with := func(f func(*routing.Rule)) routing.Rule {
			r := ok
			f(&r)
			return r
		}
		many := make([]string, routing.MaxValues+1)
		for i := range many {
			many[i] = strings.Repeat("词", i%5+1) + string(rune('a'+i%26)) + string(rune('a'+i/26))
		}
		for _, tc := range []struct {
			name string
			rule routing.Rule
			want []string
		}{
			{"name required", with(func(r *routing.Rule) { r.Name = "  " }), []string{"field.required@name"}},
			{"name too long", with(func(r *routing.Rule) { r.Name = strings.Repeat("名", routing.MaxNameLen+1) }), []string{"field.too_long@name"}},
			{"group required", with(func(r *routing.Rule) { r.GroupKey = "" }), []string{"routing.group_required@group"}},
			{"group unknown", with(func(r *routing.Rule) { r.GroupKey = "nope" }), []string{"group.not_found@group"}},
			{"agent unknown", with(func(r *routing.Rule) { r.Agent = "nobody" }), []string{"routing.agent_invalid@agent"}},
			{"agent of another group", with(func(r *routing.Rule) { r.Agent = "agent3" }), []string{"routing.agent_invalid@agent"}},
			{"customer as agent", with(func(r *routing.Rule) { r.Agent = "cust1" }), []string{"routing.agent_invalid@agent"}},
			{"priority invalid", with(func(r *routing.Rule) { r.SetPriority = "P9" }), []string{"ticket.priority_invalid@set_priority"}},
			{"category unknown", with(func(r *routing.Rule) { r.Conditions.Categories = []string{"software", "nope"} }),
				[]string{"routing.condition_invalid@conditions.categories[1]"}},
			{"priority condition invalid", with(func(r *routing.Rule) { r.Conditions.Priorities = []ticket.Priority{"P0"} }),
				[]string{"routing.condition_invalid@conditions.priorities[0]"}},
			{"channel invalid", with(func(r *routing.Rule) { r.Conditions.Channels = []ticket.Channel{"fax"} }),
				[]string{"routing.condition_invalid@conditions.channels[0]"}},
			{"org unknown", with(func(r *routing.Rule) { r.Conditions.Orgs = []routing.OrgRef{{Name: "无此单位"}} }),
				[]string{"routing.condition_invalid@conditions.orgs[0]"}},
			{"org id unknown", with(func(r *routing.Rule) { r.Conditions.Orgs = []routing.OrgRef{{ID: 999999}} }),
				[]string{"routing.condition_invalid@conditions.orgs[0]"}},
			{"field unknown", with(func(r *routing.Rule) {
				r.Conditions.Fields = []routing.FieldMatch{{Key: "colour", Values: []string{"red"}}}
			}),
				[]string{"routing.condition_invalid@conditions.fields[0]"}},
			{"field key invalid", with(func(r *routing.Rule) { r.Conditions.Fields = []routing.FieldMatch{{Key: "OS!", Values: []string{"x"}}} }),
				[]string{"routing.condition_invalid@conditions.fields[0]"}},
			{"field without values", with(func(r *routing.Rule) { r.Conditions.Fields = []routing.FieldMatch{{Key: "os"}} }),
				[]string{"routing.condition_invalid@conditions.fields[0]"}},
			{"field value too long", with(func(r *routing.Rule) {
				r.Conditions.Fields = []routing.FieldMatch{{Key: "version", Values: []string{strings.Repeat("9", routing.MaxValueLen+1)}}}
			}), []string{"routing.condition_invalid@conditions.fields[0]"}},
			{"select option unknown", with(func(r *routing.Rule) {
				r.Conditions.Fields = []routing.FieldMatch{{Key: "os", Values: []string{"BeOS"}}}
			}),
				[]string{"routing.condition_invalid@conditions.fields[0]"}},
			{"field of another category", with(func(r *routing.Rule) {
				r.Conditions.Categories = []string{"software"}
				r.Conditions.Fields = []routing.FieldMatch{{Key: "model", Values: []string{"X1"}}}
			}), []string{"routing.condition_invalid@conditions.fields[0]"}},
			{"keyword too long", with(func(r *routing.Rule) {
				r.Conditions.Keywords = []string{strings.Repeat("长", routing.MaxKeywordLen+1)}
			}),
				[]string{"routing.keyword_too_long@conditions.keywords[0]"}},
			{"keyword control char", with(func(r *routing.Rule) { r.Conditions.Keywords = []string{"a\x00b"} }),
				[]string{"field.control_char@conditions.keywords[0]"}},
			{"too many keywords", with(func(r *routing.Rule) { r.Conditions.Keywords = many }),
				[]string{"routing.too_many_values@conditions.keywords"}},
			{"several at once", with(func(r *routing.Rule) { r.Name = ""; r.GroupKey = ""; r.Conditions.Channels = []ticket.Channel{"fax"} }),
				[]string{"field.required@name", "routing.group_required@group", "routing.condition_invalid@conditions.channels[0]"}},
			{"update of a missing rule", with(func(r *routing.Rule) { r.ID = 999999 }), []string{"routing.rule_not_found"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.SaveRule(ctx, e.admin(), tc.rule)
				if got := codes(err); !slices.Equal(got, tc.want) {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			})
		}

		t.Run("valid rule normalized", func(t *testing.T) {
			r, err := e.svc.SaveRule(ctx, e.admin(), with(func(r *routing.Rule) {
				r.Name, r.Agent = " 苹果设备 ", "agent2"
				r.Conditions = routing.Conditions{Categories: []string{"software", " software"},
					Fields:   []routing.FieldMatch{{Key: "os", Values: []string{"macOS", "iOS", "macOS"}}},
					Orgs:     []routing.OrgRef{{Name: "Acme 公司"}, {Name: "Acme 公司"}},
					Keywords: []string{" Mac ", "", "苹果"}}
			}))
			if err != nil {
				t.Fatal(err)
			}
			c := r.Conditions
			if r.Name != "苹果设备" || r.Agent != "agent2" || r.AgentID != e.Users["agent2"].ID || r.GroupID == 0 ||
				!slices.Equal(c.Categories, []string{"software"}) || !slices.Equal(c.Fields[0].Values, []string{"macOS", "iOS"}) ||
				len(c.Orgs) != 1 || c.Orgs[0].Name != "Acme 公司" || c.Orgs[0].ID == 0 || !slices.Equal(c.Keywords, []string{"Mac", "苹果"}) {
				t.Errorf("got %+v, want it trimmed, deduplicated and resolved", r)
			}
		})

		t.Run("only admins", func(t *testing.T) {
			for _, login := range []string{"super1", "agent1", "cust1"} {
				if _, err := e.svc.SaveRule(ctx, e.Actors[login], ok); !hasCode(err, "auth.forbidden") {
					t.Errorf("%s save: got %v, want auth.forbidden", login, codes(err))
				}
				if err := e.svc.DeleteRule(ctx, e.Actors[login], 1); !hasCode(err, "auth.forbidden") {
					t.Errorf("%s delete: got %v, want auth.forbidden", login, codes(err))
				}
			}
			if _, err := e.svc.Rules(ctx, e.Actors["super1"]); err != nil {
				t.Errorf("supervisor reading rules: got %v, want nil", err)
			}
			for _, login := range []string{"agent1", "cust1"} {
				if _, err := e.svc.Rules(ctx, e.Actors[login]); !hasCode(err, "auth.forbidden") {
					t.Errorf("%s reading rules: got %v, want auth.forbidden", login, codes(err))
				}
				if _, err := e.svc.DryRun(ctx, e.Actors[login], ticket.Ticket{CategoryKey: "software"}); !hasCode(err, "auth.forbidden") {
					t.Errorf("%s dry run: got %v, want auth.forbidden", login, codes(err))
				}
			}
		})

		t.Run("dry run input", func(t *testing.T) {
			_, err := e.svc.DryRun(ctx, e.admin(), ticket.Ticket{CategoryKey: "nope", Priority: "P7", Channel: "fax", OrgName: "无此单位"})
			want := []string{"ticket.priority_invalid@priority", "ticket.channel_invalid@channel", "category.not_found@category", "org.not_found@org"}
			if got := codes(err); !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	})
}

func TestReorderAndDelete(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rs := e.setRules(t, routing.Rule{Name: "A", GroupKey: "software"}, routing.Rule{Name: "B", GroupKey: "hardware"},
			routing.Rule{Name: "C", GroupKey: "network"})
		names := func(rules []routing.Rule) string {
			var s []string
			for _, r := range rules {
				s = append(s, r.Name)
			}
			return strings.Join(s, "")
		}
		got, err := e.svc.Reorder(ctx, e.admin(), []int64{rs[2].ID, rs[0].ID, rs[1].ID})
		if err != nil {
			t.Fatal(err)
		}
		if names(got) != "CAB" {
			t.Errorf("after reorder: got %s, want CAB", names(got))
		}
		for _, ids := range [][]int64{{rs[0].ID, rs[1].ID}, {rs[0].ID, rs[1].ID, rs[1].ID}, {rs[0].ID, rs[1].ID, rs[2].ID, 999999}} {
			if _, err := e.svc.Reorder(ctx, e.admin(), ids); !hasCode(err, "routing.reorder_invalid@ids") {
				t.Errorf("reorder %v: got %v, want routing.reorder_invalid@ids", ids, codes(err))
			}
		}
		if err := e.svc.DeleteRule(ctx, e.admin(), rs[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteRule(ctx, e.admin(), rs[0].ID); !hasCode(err, "routing.rule_not_found") {
			t.Errorf("second delete: got %v, want routing.rule_not_found", codes(err))
		}
		if _, err := e.svc.Rule(ctx, e.admin(), rs[0].ID); !hasCode(err, "routing.rule_not_found") {
			t.Errorf("deleted rule: got %v, want routing.rule_not_found", codes(err))
		}
		all, err := e.svc.Rules(ctx, e.admin())
		if err != nil {
			t.Fatal(err)
		}
		if names(all) != "CB" {
			t.Errorf("after delete: got %s, want CB", names(all))
		}
		// A new rule goes to the end.
		e2, err := e.svc.SaveRule(ctx, e.admin(), routing.Rule{Name: "D", GroupKey: "training"})
		if err != nil {
			t.Fatal(err)
		}
		if all, _ = e.svc.Rules(ctx, e.admin()); names(all) != "CBD" || e2.Position <= all[1].Position {
			t.Errorf("after create: got %s (D at %d), want CBD", names(all), e2.Position)
		}
	})
}
