package kb_test

import (
	"context"
	"testing"

	"helpdesk/internal/kb"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

func TestMacros(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		super, agent := f.d.Actors["super1"], f.d.Actors["agent1"]
		for _, tc := range []struct {
			m    kb.Macro
			code string
		}{
			{kb.Macro{Name: "x", Body: "您好 {{requester.phone}}"}, "kb.macro_variable_unknown"},
			{kb.Macro{Name: "x", SetStatus: "done"}, "ticket.status_invalid"},
			{kb.Macro{Name: "x", SetCategory: "nope"}, "category.not_found"},
			{kb.Macro{Name: "x"}, "kb.macro_empty"},
			{kb.Macro{Body: "x"}, "field.required"},
		} {
			_, err := f.kb.SaveMacro(ctx, super, tc.m)
			if !hasCode(err, tc.code) {
				t.Errorf("SaveMacro(%+v): %v, want %s", tc.m, err, tc.code)
			}
		}
		if _, err := f.kb.SaveMacro(ctx, agent, kb.Macro{Name: "x", Body: "y"}); code(err) != "kb.forbidden" {
			t.Errorf("agent saves a macro: %v", err)
		}
		m, err := f.kb.SaveMacro(ctx, super, kb.Macro{Name: "已处理", Body: "{{requester.name}} 您好，工单 {{ticket.number}} 已处理。—— {{agent.name}}",
			SetStatus: "awaiting_confirmation", SetAssignee: "me"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.kb.SaveMacro(ctx, super, kb.Macro{Name: "已处理", Body: "dup"}); !hasCode(err, "kb.macro_name_taken") {
			t.Errorf("duplicate name: %v", err)
		}
		tk := f.d.NewTicket(t, "cust1", "打印机卡纸")
		res, err := f.kb.ApplyMacro(ctx, agent, tk.Number, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := "张三 您好，工单 " + tk.Number + " 已处理。—— 王工"
		if res.Message == nil || res.Message.Body != want {
			t.Errorf("reply = %+v, want %q", res.Message, want)
		}
		if res.Ticket.Status != ticket.StatusAwaitingConfirmation || res.Ticket.Assignee != "agent1" {
			t.Errorf("ticket after macro: status %s assignee %q", res.Ticket.Status, res.Ticket.Assignee)
		}
		if _, err := f.kb.ApplyMacro(ctx, f.d.Actors["agent3"], tk.Number, m.ID); code(err) != "ticket.not_found" {
			t.Errorf("agent of another group applies: %v", err)
		}
		list, _ := f.kb.Macros(ctx, agent)
		if len(list) != 1 {
			t.Errorf("macros: %d, want 1", len(list))
		}
		if err := f.kb.DeleteMacro(ctx, super, m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.kb.ApplyMacro(ctx, agent, tk.Number, m.ID); code(err) != "kb.macro_not_found" {
			t.Errorf("apply a deleted macro: %v", err)
		}
	})
}
