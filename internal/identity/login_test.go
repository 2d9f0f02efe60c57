package identity_test

import (
	"context"
	"testing"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/desktest"
	"helpdesk/internal/identity"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

func TestLoginThrottle(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		desktest.New(t, db, desktest.Options{Now: clock})
		svc := identity.NewService(identity.Deps{Store: db.Identity(), Now: clock})
		for i := range identity.MaxLoginFailures {
			if _, _, err := svc.Login(ctx, "cust1", "wrong"); !apperr.Is(err, "auth.bad_credentials") {
				t.Fatalf("attempt %d: got %v, want auth.bad_credentials", i+1, err)
			}
		}
		_, _, err := svc.Login(ctx, "cust1", desktest.Password)
		if !apperr.Is(err, "auth.rate_limited") {
			t.Fatalf("after %d failures the right password: got %v, want auth.rate_limited", identity.MaxLoginFailures, err)
		}
		// Other logins are not affected.
		if _, _, err := svc.Login(ctx, "cust2", desktest.Password); err != nil {
			t.Fatalf("other login: %v", err)
		}
		now = now.Add(identity.LoginFailureWindow + time.Second)
		if _, _, err := svc.Login(ctx, "cust1", desktest.Password); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		// A success clears the count: the next failures start from zero.
		if _, _, err := svc.Login(ctx, "cust1", "wrong"); !apperr.Is(err, "auth.bad_credentials") {
			t.Fatalf("after success: got %v", err)
		}
	})
}

func TestPasswordHash(t *testing.T) {
	h, err := identity.HashPassword("正确的密码 correct")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		hash, pw string
		want     bool
	}{
		{h, "正确的密码 correct", true},
		{h, "wrong", false},
		{"", "x", false},
		{"$argon2id$v=19$m=1,t=1,p=1$$", "x", false},
		{"$bcrypt$whatever", "x", false},
	} {
		if got := identity.CheckPassword(tc.hash, tc.pw); got != tc.want {
			t.Errorf("CheckPassword(%q, %q) = %v, want %v", tc.hash, tc.pw, got, tc.want)
		}
	}
}
