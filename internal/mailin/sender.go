package mailin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// sender finds the user who wrote, or creates a customer when the mailbox
// says so.
func (s *Service) sender(ctx context.Context, mb Mailbox, from Address) (identity.User, error) {
	id, err := s.d.Store.UserIDByEmail(ctx, from.Email)
	if err == nil {
		u, err := s.d.Users.UserByID(ctx, id)
		if err != nil {
			return u, err
		}
		if !u.Active {
			return u, ignoreError(ReasonInactive)
		}
		return u, nil
	}
	if apperr.KindOf(err) != apperr.NotFound {
		return identity.User{}, err
	}
	if !mb.CreateUnknown {
		return identity.User{}, ignoreError(ReasonUnknownSender)
	}
	name := strings.TrimSpace(from.Name)
	if name == "" {
		name, _, _ = strings.Cut(from.Email, "@")
	}
	pw := make([]byte, 24)
	rand.Read(pw)
	base := loginFor(from.Email)
	for i := 1; i <= 20; i++ {
		login := base
		if i > 1 {
			login = truncate(base, 60) + fmt.Sprintf("-%d", i)
		}
		u, err := s.d.Users.CreateUser(ctx, identity.System, identity.NewUser{Login: login, Password: hex.EncodeToString(pw),
			Name: truncate(name, 100), Email: from.Email, Role: identity.RoleCustomer})
		if err == nil {
			return u, nil
		}
		if !apperr.Is(err, "user.login_taken") {
			// An address identity refuses is not one we can answer.
			if apperr.KindOf(err) == apperr.Invalid {
				return identity.User{}, ignoreError(ReasonUnknownSender)
			}
			return identity.User{}, err
		}
		// Taken by someone else (or by a concurrent delivery from the same sender).
		if id, err := s.d.Store.UserIDByEmail(ctx, from.Email); err == nil {
			return s.d.Users.UserByID(ctx, id)
		}
	}
	return identity.User{}, apperr.New(apperr.Conflict, "user.login_taken")
}

var loginBad = regexp.MustCompile(`[^A-Za-z0-9._@-]`)

func loginFor(email string) string {
	l := strings.Trim(loginBad.ReplaceAllString(email, "-"), ".-_@")
	if l == "" {
		l = "mail"
	}
	return truncate(l, 60)
}

// NewUsers joins the identity service (which creates users under its
// rules) and the directory (which reads them by id) into Users.
func NewUsers(create interface {
	CreateUser(ctx context.Context, by identity.Actor, in identity.NewUser) (identity.User, error)
}, dir interface {
	UserByID(ctx context.Context, id int64) (identity.User, error)
}) Users {
	return users{create, dir}
}

type users struct {
	c interface {
		CreateUser(ctx context.Context, by identity.Actor, in identity.NewUser) (identity.User, error)
	}
	d interface {
		UserByID(ctx context.Context, id int64) (identity.User, error)
	}
}

func (u users) CreateUser(ctx context.Context, by identity.Actor, in identity.NewUser) (identity.User, error) {
	return u.c.CreateUser(ctx, by, in)
}
func (u users) UserByID(ctx context.Context, id int64) (identity.User, error) {
	return u.d.UserByID(ctx, id)
}
