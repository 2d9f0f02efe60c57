package routing_test

import (
	"fmt"
	"testing"

	"helpdesk/internal/routing"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// BenchmarkRoute measures Route with 20 cached rules, none of which match,
// so every rule is tried and the ticket goes to the category's group of
// three agents with some load: the version check, the rule walk, the pool
// query and, for round robin, the cursor swap.
func BenchmarkRoute(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var db *store.DB
			if engine == "sqlite" {
				db = storetest.SQLite(b)
			} else {
				db = storetest.Postgres(b)
			}
			e := newEnv(b, db)
			e.load(b, "agent1", 3)
			e.load(b, "agent2", 1)
			e.load(b, "super1", 1)
			var rules []routing.Rule
			for i := range 20 {
				c := routing.Conditions{Keywords: []string{fmt.Sprintf("关键词%d", i), fmt.Sprintf("keyword%d", i), "服务器宕机"}}
				switch i % 4 {
				case 1:
					c.Channels = []ticket.Channel{ticket.ChannelPhone}
				case 2:
					c.Categories = []string{"hardware", "network"}
				case 3:
					c.Fields = []routing.FieldMatch{{Key: "os", Values: []string{"Linux"}}}
				}
				rules = append(rules, routing.Rule{Name: fmt.Sprintf("规则 %d", i), Enabled: true, GroupKey: "hardware", Conditions: c})
			}
			e.setRules(b, rules...)
			tk := e.newTicket(b, "software", "打印机无法打印 printer offline")
			tk.Description = "客户反映打印机脱机，重启后仍然无法打印。The printer shows offline after a restart."
			tk.CustomFields = map[string]any{"os": "Windows"}
			for _, st := range routing.Strategies {
				e.strategy(b, "software", st)
				if _, err := e.svc.Route(ctx, tk); err != nil { // warm the cache
					b.Fatal(err)
				}
				b.Run(string(st), func(b *testing.B) {
					for b.Loop() {
						if _, err := e.svc.Route(ctx, tk); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(string(st)+"-parallel", func(b *testing.B) {
					b.SetParallelism(8)
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if _, err := e.svc.Route(ctx, tk); err != nil {
								b.Error(err)
								return
							}
						}
					})
				})
			}
		})
	}
}
