package site_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"strings"
	"testing"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/site"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSaveLogo(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := site.NewService(db.Web(), site.Settings{Name: "Helpdesk", DefaultLang: "zh-CN", TimeZone: "Asia/Shanghai"}, nil)
		if _, _, err := s.Logo(ctx); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("no logo yet: got %v, want NotFound", err)
		}
		img := pngOf(t, 64, 32)
		st, err := s.SaveLogo(ctx, identity.System, bytes.NewReader(img))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(st.LogoURL, site.LogoPath) || st.Name != "Helpdesk" {
			t.Errorf("settings after upload: %+v", st)
		}
		ct, got, err := s.Logo(ctx)
		if err != nil || ct != "image/png" || !bytes.Equal(got, img) {
			t.Errorf("logo: %q, %d bytes, %v", ct, len(got), err)
		}
		if again, _ := s.SaveLogo(ctx, identity.System, bytes.NewReader(pngOf(t, 10, 10))); again.LogoURL == st.LogoURL {
			t.Error("a new logo kept the old address (browsers would show the cached one)")
		}

		for _, tc := range []struct {
			name string
			by   identity.Actor
			body []byte
			code string
		}{
			{"not admin", identity.Actor{UserID: 5, Role: identity.RoleSupervisor}, img, "auth.forbidden"},
			{"svg", identity.System, []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "site.logo_type"},
			{"too wide", identity.System, pngOf(t, site.MaxLogoSide+1, 10), "site.logo_size"},
			{"too large", identity.System, append(pngOf(t, 8, 8), make([]byte, site.MaxLogoBytes)...), "site.logo_too_large"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.SaveLogo(ctx, tc.by, bytes.NewReader(tc.body))
				if e, ok := apperr.As(err); !ok || e.Code != tc.code {
					t.Errorf("got %v, want %s", err, tc.code)
				}
			})
		}
	})
}
