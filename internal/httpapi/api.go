// Package httpapi serves the JSON API under /api/v1 with its OpenAPI 3.1
// document, generated from the operation definitions by huma.
//
// Handlers decode a request, call one service method and encode the
// answer; every rule lives in the domain services. Errors become RFC 9457
// problem details with a stable code and a message in the caller's language.
package httpapi

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"helpdesk/internal/alert"
	"helpdesk/internal/apperr"
	"helpdesk/internal/audit"
	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
	"helpdesk/internal/kb"
	"helpdesk/internal/mailin"
	"helpdesk/internal/notify"
	"helpdesk/internal/report"
	"helpdesk/internal/report/export"
	"helpdesk/internal/routing"
	"helpdesk/internal/search"
	"helpdesk/internal/sla"
	"helpdesk/internal/ticket"
)

// Deps are what the API needs.
type Deps struct {
	Identity *identity.Service
	Tickets  *ticket.Service
	Inbox    *notify.Inbox
	SLA      *sla.Service
	Routing  *routing.Service
	// Mail is email intake; nil leaves its endpoints out (mail.go).
	Mail *mailin.Service
	// NotifySettings and Webhooks serve templates, channel preferences,
	// robots and webhook subscriptions; nil leaves them out (notify.go).
	NotifySettings *notify.Settings
	Webhooks       *notify.Webhooks
	// Search, when set, serves /api/v1/search (search.go).
	Search *search.Service
	// KB, when set, serves the knowledge base under /api/v1/kb (kb*.go).
	KB *kb.Service
	// Ready reports whether the desk can serve (database up, migrated).
	Ready   func(ctx context.Context) error
	Log     *slog.Logger
	Lang    i18n.Lang
	Version string
	// MaxAttachmentBytes bounds an upload's body.
	MaxAttachmentBytes int64

	// Reports, exports and the audit log (report.go, reportexport.go,
	// audit.go); each optional.
	Reports *report.Service
	Exports *export.Service
	Audit   *audit.Service
	Alerts  *alert.Service
}

// API is the JSON API.
type API struct {
	d   Deps
	log *slog.Logger
	h   huma.API
	mux *http.ServeMux
	// render turns article Markdown into safe HTML (kb.go).
	render *kb.Renderer
}

// SessionCookie is the name of the sign-in cookie.
const SessionCookie = "helpdesk_session"

// MaxJSONBody bounds JSON request bodies.
const MaxJSONBody = 1 << 20

// New builds the API and registers every operation on mux.
func New(mux *http.ServeMux, d Deps) *API {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Lang == "" {
		d.Lang = i18n.Default
	}
	if d.MaxAttachmentBytes == 0 {
		d.MaxAttachmentBytes = 10 << 20
	}
	cfg := huma.DefaultConfig("Helpdesk API", d.Version)
	cfg.OpenAPIPath = "/api/v1/openapi"
	cfg.SchemasPath = "/api/v1/schemas"
	cfg.DocsPath = "" // the docs page is ours: no third-party scripts
	cfg.CreateHooks = nil
	cfg.Info.Description = "Technical support and after-sales service desk. Authenticate with `Authorization: Bearer <token>` " +
		"(create one with `helpdesk token create`) or with the session cookie from `POST /api/v1/auth/login`. " +
		"Errors are RFC 9457 problem details with a stable `code`; messages follow the user's language, then `Accept-Language`."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer":  {Type: "http", Scheme: "bearer", Description: "API token"},
		"session": {Type: "apiKey", In: "cookie", Name: SessionCookie, Description: "Browser session"},
	}
	cfg.Security = []map[string][]string{{"bearer": {}}, {"session": {}}}
	a := &API{d: d, log: d.Log, mux: mux}
	inner := http.NewServeMux()
	a.h = humago.New(inner, cfg)
	a.h.UseMiddleware(a.auditMiddleware) // the audit log (audit.go); before any operation is registered
	a.registerAuth()
	a.registerTickets()
	a.registerConversation()
	a.registerAdmin()
	a.registerLifecycle()
	a.registerFollowups()
	a.registerSLA()
	a.registerRouting()
	if d.Mail != nil {
		a.registerMail() // mail.go
	}
	if d.NotifySettings != nil && d.Webhooks != nil {
		a.registerNotify() // notify.go
	}
	a.registerSearch()
	a.registerKB()
	// Reports, exports, audit log (report.go, reportexport.go, audit.go).
	a.registerReports()
	a.registerExports()
	a.registerAudit()
	a.registerAlerts()
	mux.Handle("/api/", a.middleware(inner))
	mux.HandleFunc("GET /api/docs", a.docsPage)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", a.readyz)
	return a
}

// OpenAPI returns the generated OpenAPI document.
func (a *API) OpenAPI() *huma.OpenAPI { return a.h.OpenAPI() }

func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if a.d.Ready != nil {
		if err := a.d.Ready(ctx); err != nil {
			a.log.WarnContext(ctx, "not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "not ready\n")
			return
		}
	}
	io.WriteString(w, "ready\n")
}

type ctxKey int

const (
	actorKey ctxKey = iota
	authErrKey
	langKey
	ipKey
)

// ipFrom is the address of the client of the request being served.
func ipFrom(ctx context.Context) string {
	ip, _ := ctx.Value(ipKey).(string)
	return ip
}

// langFrom is the language of the request being served.
func langFrom(ctx context.Context) i18n.Lang {
	if l, ok := ctx.Value(langKey).(i18n.Lang); ok {
		return l
	}
	return i18n.Default
}

// actorFrom returns the authenticated caller or the reason there is none.
func actorFrom(ctx context.Context) (identity.Actor, error) {
	if a, ok := ctx.Value(actorKey).(identity.Actor); ok {
		return a, nil
	}
	if err, ok := ctx.Value(authErrKey).(error); ok {
		return identity.Actor{}, err
	}
	return identity.Actor{}, apperr.New(apperr.Unauthenticated, "auth.required")
}

// middleware authenticates the caller, picks the language, guards JSON
// bodies (size, UTF-8) and sets headers every answer carries.
func (a *API) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		var actor *identity.Actor
		var authErr error
		if h := r.Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				authErr = apperr.New(apperr.Unauthenticated, "auth.token_invalid")
			} else if ac, err := a.d.Identity.TokenActor(ctx, strings.TrimSpace(tok)); err != nil {
				authErr = err
			} else {
				actor = &ac
			}
		} else if c, err := r.Cookie(SessionCookie); err == nil {
			if ac, err := a.d.Identity.SessionActor(ctx, c.Value); err == nil {
				actor = &ac
			} else {
				authErr = err
			}
		}
		lang := i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"), a.d.Lang)
		if actor != nil {
			if l, ok := i18n.Parse(actor.Lang); ok {
				lang = l
			}
			ctx = context.WithValue(ctx, actorKey, *actor)
		} else if authErr != nil {
			if apperr.KindOf(authErr) == apperr.Internal {
				a.log.ErrorContext(ctx, "authentication failed", "err", authErr)
			}
			ctx = context.WithValue(ctx, authErrKey, authErr)
		}
		ctx = context.WithValue(ctx, langKey, lang)
		ctx = context.WithValue(ctx, ipKey, clientIP(r))
		r = r.WithContext(ctx)
		if r.Body != nil && r.ContentLength != 0 && isJSON(r.Header.Get("Content-Type")) {
			body, err := io.ReadAll(io.LimitReader(r.Body, MaxJSONBody+1))
			if err != nil {
				writeProblem(w, newProblem(ctx, http.StatusBadRequest, "request.malformed", map[string]any{"detail": err.Error()}))
				return
			}
			if len(body) > MaxJSONBody {
				writeProblem(w, newProblem(ctx, http.StatusRequestEntityTooLarge, "request.too_large", map[string]any{"max": "1 MB"}))
				return
			}
			if !utf8.Valid(body) {
				writeProblem(w, newProblem(ctx, http.StatusBadRequest, "request.invalid_utf8", nil))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

func isJSON(ct string) bool {
	ct = strings.ToLower(ct)
	return ct == "" || strings.HasPrefix(ct, "application/json") || strings.Contains(ct, "+json")
}

// fail converts a service error for huma to write.
func (a *API) fail(ctx context.Context, err error) error { return problemFor(ctx, a.log, err) }

// caller returns the authenticated actor or a 401 problem.
func (a *API) caller(ctx context.Context) (identity.Actor, error) {
	ac, err := actorFrom(ctx)
	if err != nil {
		return ac, a.fail(ctx, err)
	}
	return ac, nil
}
