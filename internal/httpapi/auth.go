package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"helpdesk/internal/identity"
)

type loginIn struct {
	Forwarded string `header:"X-Forwarded-Proto" doc:"Set by a TLS-terminating proxy; makes the cookie Secure."`
	Body      struct {
		Login    string `json:"login" maxLength:"64"`
		Password string `json:"password" maxLength:"256"`
	}
}

type loginOut struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      UserJSON
}

type userOut struct{ Body UserJSON }

type patchMeIn struct {
	Body struct {
		Name     *string `json:"name,omitempty" maxLength:"100"`
		Email    *string `json:"email,omitempty" maxLength:"254"`
		Phone    *string `json:"phone,omitempty" maxLength:"32"`
		Lang     *string `json:"lang,omitempty" enum:"zh-CN,en,"`
		Password *string `json:"password,omitempty" minLength:"8" maxLength:"256"`
	}
}

// TokenJSON describes an API token (never its secret, except once on creation).
type TokenJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	Token      string     `json:"token,omitempty" doc:"The secret, shown only in the answer to its creation."`
}

func tokenJSON(t identity.Token) TokenJSON {
	return TokenJSON{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: optTime(t.LastUsedAt), RevokedAt: optTime(t.RevokedAt)}
}

type tokensOut struct {
	Body struct {
		Items []TokenJSON `json:"items"`
	}
}

type createTokenIn struct {
	Body struct {
		Name  string `json:"name,omitempty" maxLength:"100"`
		Login string `json:"login,omitempty" doc:"Admins: issue the token for this user."`
	}
}

type tokenOut struct {
	Status int
	Body   TokenJSON
}

type tokenPath struct {
	ID int64 `path:"id"`
}

func (a *API) registerAuth() {
	tags := []string{"Sign-in"}
	huma.Register(a.h, huma.Operation{OperationID: "login", Method: http.MethodPost, Path: "/api/v1/auth/login",
		Summary: "Sign in with a password", Description: "Opens a server-side session and sets the HttpOnly session cookie.",
		Tags: tags, Security: []map[string][]string{}, Errors: []int{401, 422}},
		func(ctx context.Context, in *loginIn) (*loginOut, error) {
			secret, u, err := a.d.Identity.Login(ctx, in.Body.Login, in.Body.Password)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &loginOut{SetCookie: http.Cookie{Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true,
				SameSite: http.SameSiteLaxMode, Secure: in.Forwarded == "https", MaxAge: 14 * 24 * 3600}, Body: userJSON(u)}, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "logout", Method: http.MethodPost, Path: "/api/v1/auth/logout",
		Summary: "Sign out", Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *struct {
			Session string `cookie:"helpdesk_session"`
		}) (*struct {
			SetCookie http.Cookie `header:"Set-Cookie"`
		}, error) {
			if in.Session != "" {
				if err := a.d.Identity.Logout(ctx, in.Session); err != nil {
					return nil, a.fail(ctx, err)
				}
			}
			return &struct {
				SetCookie http.Cookie `header:"Set-Cookie"`
			}{http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, MaxAge: -1}}, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "get-me", Method: http.MethodGet, Path: "/api/v1/me",
		Summary: "Who am I", Tags: tags, Errors: []int{401}},
		func(ctx context.Context, _ *struct{}) (*userOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			u, err := a.d.Identity.Me(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &userOut{Body: userJSON(u)}, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "update-me", Method: http.MethodPatch, Path: "/api/v1/me",
		Summary: "Change my profile", Description: "Name, contact, language (zh-CN or en) and password.", Tags: tags, Errors: []int{401, 422}},
		func(ctx context.Context, in *patchMeIn) (*userOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			b := in.Body
			u, err := a.d.Identity.UpdateUser(ctx, by, by.Login, identity.UserPatch{Name: b.Name, Email: b.Email, Phone: b.Phone,
				Lang: b.Lang, Password: b.Password})
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &userOut{Body: userJSON(u)}, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "list-tokens", Method: http.MethodGet, Path: "/api/v1/tokens",
		Summary: "List my API tokens", Tags: tags, Errors: []int{401}},
		func(ctx context.Context, _ *struct{}) (*tokensOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			ts, err := a.d.Identity.Tokens(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &tokensOut{}
			out.Body.Items = make([]TokenJSON, len(ts))
			for i, t := range ts {
				out.Body.Items[i] = tokenJSON(t)
			}
			return out, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "create-token", Method: http.MethodPost, Path: "/api/v1/tokens",
		Summary: "Create an API token", Description: "The secret is in this answer only; only its SHA-256 digest is stored.",
		Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{401, 404, 422}},
		func(ctx context.Context, in *createTokenIn) (*tokenOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			login := in.Body.Login
			if login == "" {
				login = by.Login
			}
			secret, t, err := a.d.Identity.CreateToken(ctx, by, login, in.Body.Name)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			j := tokenJSON(t)
			j.Token = secret
			return &tokenOut{Status: http.StatusCreated, Body: j}, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "revoke-token", Method: http.MethodDelete, Path: "/api/v1/tokens/{id}",
		Summary: "Revoke an API token", Tags: tags, DefaultStatus: http.StatusNoContent, Errors: []int{401, 404}},
		func(ctx context.Context, in *tokenPath) (*struct{}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			if err := a.d.Identity.RevokeToken(ctx, by, in.ID); err != nil {
				return nil, a.fail(ctx, err)
			}
			return nil, nil
		})
}
