package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"helpdesk/internal/app"
	"helpdesk/internal/config"
	"helpdesk/internal/identity"
	"helpdesk/internal/search"
	"helpdesk/internal/ticket"
)

func TestSearchReindex(t *testing.T) {
	engines(t, func(t *testing.T, storage []string) {
		if _, _, err := cli(t, append([]string{"user", "create", "--login", "c1", "--password", "12345678", "--role", "customer"}, storage...)...); err != nil {
			t.Fatal(err)
		}
		cfg := config.Defaults()
		cfg.DataDir = storage[1]
		if len(storage) > 2 {
			cfg.DatabaseURL = storage[3]
		}
		a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		u, err := a.Identity.UserByLogin(context.Background(), identity.System, "c1")
		if err != nil {
			t.Fatal(err)
		}
		for _, title := range []string{"打印机卡纸", "VPN 连不上", "密码忘了"} {
			if _, err := a.Tickets.Create(context.Background(), identity.ActorOf(u), ticket.CreateInput{Title: title,
				Description: "详细描述", Category: "software"}); err != nil {
				t.Fatal(err)
			}
		}
		a.Close()
		out, _, err := cli(t, append([]string{"search", "reindex"}, storage...)...)
		if err != nil || !strings.Contains(out, "indexed 3 tickets") {
			t.Fatalf("search reindex: %q, %v; want 3 tickets indexed", out, err)
		}
		out, _, err = cli(t, append([]string{"search", "reindex", "--offline"}, storage...)...)
		if err != nil || !strings.Contains(out, "indexed 3 tickets") {
			t.Fatalf("search reindex --offline: %q, %v; want 3 tickets indexed", out, err)
		}
		a, err = app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		res, err := a.Search.Search(context.Background(), identity.System, search.Input{Q: "卡"})
		if err != nil || len(res.Results) != 1 {
			t.Errorf("search 卡 after reindex: %+v, %v; want one ticket", res.Results, err)
		}
		if _, _, err := cli(t, "search", "nothing"); err == nil {
			t.Errorf("search without reindex: got nil, want a usage error")
		}
	})
}
