package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"helpdesk/internal/audit"
	"helpdesk/internal/i18n"
	"helpdesk/internal/report"
	"helpdesk/internal/report/export"
)

// auditedOps are the operations the audit log records after they ran,
// by operation id → action: permission and settings changes, deletions and
// token management. Sign-ins are recorded by the login operation's own
// branch below; exports by their handlers.
var auditedOps = map[string]string{
	"create-user": "user.create", "update-user": "user.update", "save-group": "group.save", "create-org": "org.create",
	"rename-org": "org.rename", "save-category": "category.save", "create-token": "token.create", "revoke-token": "token.delete",
	"create-rule": "routing.rule.create", "update-rule": "routing.rule.update", "delete-rule": "routing.rule.delete",
	"reorder-rules": "routing.rule.reorder", "set-group-strategy": "group.strategy", "set-availability": "user.availability",
	"save-calendar": "sla.calendar.save", "import-calendar": "sla.calendar.import", "save-policy": "sla.policy.save",
	"save-alert-rule": "alert.rule.create", "update-alert-rule": "alert.rule.update", "delete-alert-rule": "alert.rule.delete",
}

// RequestIDHeader carries the request id (set by the app's middleware).
const RequestIDHeader = "X-Request-ID"

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// auditMiddleware records audited operations and every sign-in attempt.
func (a *API) auditMiddleware(hctx huma.Context, next func(huma.Context)) {
	op := hctx.Operation()
	action, audited := auditedOps[op.OperationID]
	login := op.OperationID == "login"
	if a.d.Audit == nil || (!audited && !login) {
		next(hctx)
		return
	}
	r, _ := humago.Unwrap(hctx)
	var tried string
	if login && r.Body != nil {
		body, _ := io.ReadAll(io.LimitReader(r.Body, MaxJSONBody))
		r.Body = io.NopCloser(bytes.NewReader(body))
		var in struct {
			Login string `json:"login"`
		}
		json.Unmarshal(body, &in)
		tried = in.Login
	}
	next(hctx)
	status := hctx.Status()
	e := audit.Entry{Action: action, Target: r.URL.Path, Status: status, IP: clientIP(r), RequestID: r.Header.Get(RequestIDHeader)}
	if by, err := actorFrom(hctx.Context()); err == nil {
		e.ActorID, e.Actor = by.UserID, by.Login
	}
	switch {
	case login && status < 300:
		e.Action, e.Actor, e.Target = "auth.login", tried, tried
	case login:
		e.Action, e.Actor, e.Target = "auth.login_failed", tried, tried
	case status >= 400:
		return // refused changes change nothing; failed sign-ins are the exception
	}
	if err := a.d.Audit.Record(context.WithoutCancel(hctx.Context()), e); err != nil {
		a.log.ErrorContext(hctx.Context(), "audit", "err", err, "action", e.Action)
	}
}

// audit records an action a handler performed (exports).
func (a *API) audit(ctx context.Context, action, target string, detail map[string]any) {
	if a.d.Audit == nil {
		return
	}
	e := audit.Entry{Action: action, Target: target, Status: http.StatusOK, Detail: map[string]string{}}
	if by, err := actorFrom(ctx); err == nil {
		e.ActorID, e.Actor = by.UserID, by.Login
	}
	for k, v := range detail {
		e.Detail[k] = fmt.Sprint(v)
	}
	if rid, ok := ctx.Value(requestIDKey).(string); ok {
		e.RequestID = rid
	}
	if err := a.d.Audit.Record(context.WithoutCancel(ctx), e); err != nil {
		a.log.ErrorContext(ctx, "audit", "err", err, "action", action)
	}
}

func (a *API) auditAnswer(ctx context.Context, format string, es []audit.Entry) *huma.StreamResponse {
	lang := langFrom(ctx)
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		_, w := humago.Unwrap(hctx)
		if format == "csv" {
			label := func(k report.Label) string { return i18n.T(lang, string(k), nil) }
			s := export.FromAudit(es, label, a.d.Reports.Location())
			w.Header().Set("Content-Type", export.CSV.ContentType())
			w.Header().Set("Content-Disposition", `attachment; filename="audit.csv"`)
			export.WriteCSV(w, s)
			return
		}
		out := struct {
			Items []AuditJSON `json:"items"`
		}{Items: []AuditJSON{}}
		for _, e := range es {
			out.Items = append(out.Items, AuditJSON{ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Target: e.Target,
				Status: e.Status, IP: e.IP, RequestID: e.RequestID, Detail: e.Detail})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	}}
}

type reqIDKey struct{}

var requestIDKey = reqIDKey{}

// WithRequestID puts the request id into ctx, for audit entries (the app's
// request middleware calls it).
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request id in ctx, empty when none.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}
