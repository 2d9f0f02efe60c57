package ticket_test

import (
	"context"
	"strings"
	"testing"

	"helpdesk/internal/apperr"
	"helpdesk/internal/desktest"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// fieldCodes lists "field: code" for every field error in err, whether it
// is a single error or a validation_failed collection.
func fieldCodes(err error) []string {
	e, ok := apperr.As(err)
	if !ok {
		return nil
	}
	if m, ok := e.Err.(*apperr.Multi); ok {
		var out []string
		for _, fe := range m.Errors {
			out = append(out, fe.Field+": "+fe.Code)
		}
		return out
	}
	return []string{e.Field + ": " + e.Code}
}

// hasFieldCode reports whether err is Invalid and names the field error.
func hasFieldCode(err error, want string) bool {
	if apperr.KindOf(err) != apperr.Invalid {
		return false
	}
	for _, c := range fieldCodes(err) {
		if c == want {
			return true
		}
	}
	return false
}

// goodInput is a valid software ticket; cases change one thing.
func goodInput() ticket.CreateInput {
	return ticket.CreateInput{Title: "无法登录 cannot sign in", Description: "描述\n第二行\tTab", Category: "software",
		Priority: ticket.P2}
}

func TestCreateInputValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		for _, tc := range []struct {
			name   string
			change func(in *ticket.CreateInput)
			want   string // "" for success, else "field: code"
		}{
			{"valid", func(in *ticket.CreateInput) {}, ""},
			{"title of 200 runes", func(in *ticket.CreateInput) { in.Title = strings.Repeat("标", 200) }, ""},
			{"title of 201 runes", func(in *ticket.CreateInput) { in.Title = strings.Repeat("标", 201) }, "title: field.too_long"},
			{"huge title", func(in *ticket.CreateInput) { in.Title = strings.Repeat("x", 1<<20) }, "title: field.too_long"},
			{"blank title", func(in *ticket.CreateInput) { in.Title = " \t " }, "title: field.required"},
			{"invalid utf-8 title", func(in *ticket.CreateInput) { in.Title = "bad \xff\xfe title" }, "title: field.invalid_utf8"},
			{"NUL in title", func(in *ticket.CreateInput) { in.Title = "a\x00b" }, "title: field.control_char"},
			{"escape in title", func(in *ticket.CreateInput) { in.Title = "a\x1b[31mred" }, "title: field.control_char"},
			{"DEL in title", func(in *ticket.CreateInput) { in.Title = "a\x7fb" }, "title: field.control_char"},
			{"newline in title", func(in *ticket.CreateInput) { in.Title = "line one\nline two" }, "title: field.control_char"},
			{"carriage return in title", func(in *ticket.CreateInput) { in.Title = "one\rtwo" }, "title: field.control_char"},
			{"invalid utf-8 description", func(in *ticket.CreateInput) { in.Description = "\xc3\x28" }, "description: field.invalid_utf8"},
			{"control char in description", func(in *ticket.CreateInput) { in.Description = "bell\a" }, "description: field.control_char"},
			{"description too long", func(in *ticket.CreateInput) { in.Description = strings.Repeat("字", ticket.MaxDescriptionLen+1) }, "description: field.too_long"},
			{"empty description", func(in *ticket.CreateInput) { in.Description = "" }, "description: field.required"},
			{"unknown category", func(in *ticket.CreateInput) { in.Category = "printers" }, "category: category.not_found"},
			{"SQL as category", func(in *ticket.CreateInput) { in.Category = "software' OR '1'='1" }, "category: category.not_found"},
			{"no category", func(in *ticket.CreateInput) { in.Category = "" }, "category: field.required"},
			{"priority P5", func(in *ticket.CreateInput) { in.Priority = "P5" }, "priority: ticket.priority_invalid"},
			{"lower-case priority", func(in *ticket.CreateInput) { in.Priority = "p1" }, "priority: ticket.priority_invalid"},
			{"unknown channel", func(in *ticket.CreateInput) { in.Channel = "fax" }, "channel: ticket.channel_invalid"},
			{"bad phone", func(in *ticket.CreateInput) { in.ContactPhone = "call me" }, "contact_phone: field.phone_invalid"},
			{"bad email", func(in *ticket.CreateInput) { in.ContactEmail = "a@b@c" }, "contact_email: field.email_invalid"},
			{"long idempotency key", func(in *ticket.CreateInput) { in.IdempotencyKey = strings.Repeat("k", 201) }, "Idempotency-Key: field.too_long"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := goodInput()
				tc.change(&in)
				got, err := d.Tickets.Create(ctx, d.Actors["cust1"], in)
				if tc.want == "" {
					if err != nil {
						t.Fatalf("got %v, want success", err)
					}
					if got.Title != strings.TrimSpace(in.Title) || got.Description != in.Description {
						t.Errorf("got %q / %q, want the input back", got.Title, got.Description)
					}
					return
				}
				if !hasFieldCode(err, tc.want) {
					t.Errorf("got %v (%v), want invalid with %s", err, fieldCodes(err), tc.want)
				}
			})
		}

		t.Run("every error at once", func(t *testing.T) {
			_, err := d.Tickets.Create(ctx, d.Actors["cust1"], ticket.CreateInput{Title: "a\nb", Priority: "P9", Category: "nope"})
			e, _ := apperr.As(err)
			if e == nil || e.Code != "validation_failed" || len(fieldCodes(err)) != 4 {
				t.Errorf("got %v %v, want validation_failed with 4 field errors", err, fieldCodes(err))
			}
		})
	})
}

func TestTextStoredVerbatim(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		admin := d.Actors["admin"]
		filed := 0
		for _, payload := range []string{
			`'; DROP TABLE tickets; --`,
			`" OR 1=1 /* */ UNION SELECT password_hash FROM users --`,
			`Robert'); DELETE FROM ticket_messages WHERE ('1'='1`,
			`%_\ $1 ? :name @p1 ;`,
			`<script>alert("xss")</script><img src=x onerror=alert(1)>`,
			`&lt;b&gt; &amp; <!-- --> ]]> {{.}} ${jndi:ldap://x}`,
			"中文 😀 \u200b\u202e ﷽",
		} {
			t.Run(payload, func(t *testing.T) {
				version := payload
				if len([]rune(version)) > 50 {
					version = string([]rune(version)[:50])
				}
				version = strings.TrimSpace(version)
				tk, err := d.Tickets.Create(ctx, d.Actors["cust1"], ticket.CreateInput{Title: payload, Description: payload + "\n" + payload,
					Category: "software", CustomFields: map[string]any{"version": version}})
				if err != nil {
					t.Fatal(err)
				}
				got, err := d.Tickets.Get(ctx, admin, tk.Number)
				if err != nil {
					t.Fatal(err)
				}
				if got.Title != payload || got.Description != payload+"\n"+payload || got.CustomFields["version"] != version {
					t.Errorf("got %q / %q / %q, want the payload verbatim", got.Title, got.Description, got.CustomFields["version"])
				}
				if _, err := d.Tickets.AddMessage(ctx, d.Actors["cust1"], tk.Number, ticket.MessageInput{Body: payload}); err != nil {
					t.Fatal(err)
				}
				if _, err := d.Tickets.AddMessage(ctx, admin, tk.Number, ticket.MessageInput{Body: payload, Internal: true}); err != nil {
					t.Fatal(err)
				}
				msgs, err := d.Tickets.Messages(ctx, admin, tk.Number)
				if err != nil {
					t.Fatal(err)
				}
				if len(msgs) != 2 || msgs[0].Body != payload || msgs[1].Body != payload {
					t.Errorf("messages: got %+v, want two with the payload", msgs)
				}
				newTitle := "改 " + payload
				if _, err := d.Tickets.Update(ctx, admin, tk.Number, 0, ticket.Patch{Title: &newTitle, Description: &payload}); err != nil {
					t.Fatal(err)
				}
				if _, err := d.Tickets.Assign(ctx, admin, tk.Number, 0, "", "hardware", payload); err != nil {
					t.Fatal(err)
				}
				if _, err := d.Tickets.ChangeStatus(ctx, admin, tk.Number, 0, ticket.StatusClosed, payload); err != nil {
					t.Fatal(err)
				}
				hist, err := d.Tickets.History(ctx, admin, tk.Number)
				if err != nil {
					t.Fatal(err)
				}
				seen := map[string]bool{}
				for _, e := range hist {
					switch {
					case e.Field == "title" && e.From == payload && e.To == newTitle:
						seen["title"] = true
					case e.Kind == ticket.EventGroup && e.Comment == payload:
						seen["reason"] = true
					case e.Kind == ticket.EventStatus && e.Comment == payload:
						seen["comment"] = true
					}
				}
				if len(seen) != 3 {
					t.Errorf("history: got %v of title, reason, comment verbatim", seen)
				}
				// The payload must not have touched anything else.
				filed++
				if n := len(allNumbers(t, d)); n != filed {
					t.Errorf("tickets: got %d, want %d", n, filed)
				}
			})
		}
	})
}

func TestCustomFields(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		for _, tc := range []struct {
			name     string
			category string
			fields   map[string]any
			want     string         // "" for success, else "field: code"
			stored   map[string]any // on success
		}{
			{"all fields", "software", map[string]any{"version": "3.2.1", "os": "Windows", "network": "VPN"}, "",
				map[string]any{"version": "3.2.1", "os": "Windows", "network": "VPN"}},
			{"none", "software", nil, "", map[string]any{}},
			{"version trimmed", "software", map[string]any{"version": "  v2  "}, "", map[string]any{"version": "v2"}},
			{"empty values dropped", "software", map[string]any{"version": " ", "os": ""}, "", map[string]any{}},
			{"version of 50", "software", map[string]any{"version": strings.Repeat("版", 50)}, "", map[string]any{"version": strings.Repeat("版", 50)}},
			{"version of 51", "software", map[string]any{"version": strings.Repeat("版", 51)}, "custom_fields.version: field.too_long", nil},
			{"version not text", "software", map[string]any{"version": 3.2}, "custom_fields.version: custom_field.type", nil},
			{"version with control char", "software", map[string]any{"version": "1.0\x00"}, "custom_fields.version: field.control_char", nil},
			{"os option with space", "software", map[string]any{"os": "其他 Other"}, "", map[string]any{"os": "其他 Other"}},
			{"os every option", "software", map[string]any{"os": "Android"}, "", map[string]any{"os": "Android"}},
			{"os wrong case", "software", map[string]any{"os": "linux"}, "custom_fields.os: custom_field.option", nil},
			{"os unknown", "software", map[string]any{"os": "Windows 95"}, "custom_fields.os: custom_field.option", nil},
			{"os not text", "software", map[string]any{"os": true}, "custom_fields.os: custom_field.type", nil},
			{"network unknown", "software", map[string]any{"network": "Ethernet"}, "custom_fields.network: custom_field.option", nil},
			{"network option", "software", map[string]any{"network": "无线 Wi-Fi"}, "", map[string]any{"network": "无线 Wi-Fi"}},
			{"unknown key", "software", map[string]any{"colour": "red"}, "custom_fields.colour: custom_field.unknown", nil},
			{"SQL key", "software", map[string]any{"os'--": "Linux"}, "custom_fields.os'--: custom_field.unknown", nil},
			{"other category's field", "hardware", map[string]any{"os": "Linux"}, "custom_fields.os: custom_field.unknown", nil},
			{"hardware field", "hardware", map[string]any{"model": "ThinkPad X1"}, "", map[string]any{"model": "ThinkPad X1"}},
			{"category without fields", "network", map[string]any{"version": "1"}, "custom_fields.version: custom_field.unknown", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := goodInput()
				in.Category, in.CustomFields = tc.category, tc.fields
				got, err := d.Tickets.Create(ctx, d.Actors["cust1"], in)
				if tc.want != "" {
					if !hasFieldCode(err, tc.want) {
						t.Errorf("got %v (%v), want invalid with %s", err, fieldCodes(err), tc.want)
					}
					return
				}
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				stored, err := d.Tickets.Get(ctx, d.Actors["cust1"], got.Number)
				if err != nil {
					t.Fatal(err)
				}
				if len(stored.CustomFields) != len(tc.stored) {
					t.Errorf("got %v, want %v", stored.CustomFields, tc.stored)
				}
				for k, v := range tc.stored {
					if stored.CustomFields[k] != v {
						t.Errorf("%s: got %v, want %v", k, stored.CustomFields[k], v)
					}
				}
			})
		}
	})
}

func TestUpdateInputValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		tk := d.NewTicket(t, "cust1", "原标题 original")
		long, ctl, bad := strings.Repeat("标", 201), "tab\tok but bell\a", "\xff"
		p0, cat := ticket.Priority("P0"), "printers"
		for _, tc := range []struct {
			name  string
			patch ticket.Patch
			want  string
		}{
			{"title of 201 runes", ticket.Patch{Title: &long}, "title: field.too_long"},
			{"control char in title", ticket.Patch{Title: &ctl}, "title: field.control_char"},
			{"invalid utf-8 description", ticket.Patch{Description: &bad}, "description: field.invalid_utf8"},
			{"bad priority", ticket.Patch{Priority: &p0}, "priority: ticket.priority_invalid"},
			{"unknown category", ticket.Patch{Category: &cat}, "category: category.not_found"},
			{"unknown custom field", ticket.Patch{CustomFields: map[string]any{"colour": "red"}}, "custom_fields.colour: custom_field.unknown"},
			{"bad select option", ticket.Patch{CustomFields: map[string]any{"os": "BeOS"}}, "custom_fields.os: custom_field.option"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := d.Tickets.Update(ctx, d.Actors["agent1"], tk.Number, 0, tc.patch)
				if !hasFieldCode(err, tc.want) {
					t.Errorf("got %v (%v), want invalid with %s", err, fieldCodes(err), tc.want)
				}
				got, err := d.Tickets.Get(ctx, d.Actors["agent1"], tk.Number)
				if err != nil {
					t.Fatal(err)
				}
				if got.Version != tk.Version || got.Title != tk.Title {
					t.Errorf("got v%d %q, want v%d %q unchanged", got.Version, got.Title, tk.Version, tk.Title)
				}
			})
		}
	})
}
