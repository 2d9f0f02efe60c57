package site_test

import (
	"context"
	"testing"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/site"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

func TestSettings(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		defaults := site.Settings{Name: "Helpdesk", DefaultLang: "zh-CN", TimeZone: "Asia/Shanghai"}
		s := site.NewService(db.Web(), defaults, clock)
		got, err := s.Get(ctx)
		if err != nil || got != defaults {
			t.Fatalf("fresh desk = %+v (%v), want the defaults", got, err)
		}
		want := site.Settings{Name: "华东技术支持中心", LogoURL: "/static/logo.svg", DefaultLang: "en", TimeZone: "Europe/Berlin"}
		if _, err := s.Save(ctx, identity.Actor{UserID: 9, Role: identity.RoleAgent}, want); apperr.KindOf(err) != apperr.Forbidden {
			t.Errorf("an agent saved the settings: %v", err)
		}
		if _, err := s.Save(ctx, identity.System, want); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx); got != want {
			t.Errorf("after save = %+v, want %+v", got, want)
		}
		// Another node sees the change once its cache expires.
		other := site.NewService(db.Web(), defaults, clock)
		if got, _ := other.Get(ctx); got != want {
			t.Errorf("another node reads %+v", got)
		}
		bad := []site.Settings{
			{Name: "", DefaultLang: "en", TimeZone: "UTC"},
			{Name: "x", LogoURL: "https://evil.example/logo.png", DefaultLang: "en", TimeZone: "UTC"},
			{Name: "x", DefaultLang: "fr", TimeZone: "UTC"},
			{Name: "x", DefaultLang: "en", TimeZone: "Mars/Olympus"},
		}
		for _, b := range bad {
			if _, err := s.Save(ctx, identity.System, b); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("%+v: %v, want invalid", b, err)
			}
		}
		if got, _ := s.Get(ctx); got != want {
			t.Errorf("a refused save changed the settings to %+v", got)
		}
	})
}
