package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"helpdesk/internal/apperr"
	"helpdesk/internal/i18n"
)

// Problem is an RFC 9457 problem details document with a stable machine
// code and a message in the caller's language.
type Problem struct {
	Type   string         `json:"type" doc:"A URI naming the problem type; about:blank when there is no more to say."`
	Title  string         `json:"title" doc:"The HTTP status text."`
	Status int            `json:"status" doc:"The HTTP status code."`
	Code   string         `json:"code" doc:"Stable machine-readable error code, e.g. ticket.transition_invalid."`
	Detail string         `json:"detail" doc:"Human-readable explanation in the caller's language (zh-CN or en)."`
	Errors []FieldProblem `json:"errors,omitempty" doc:"One entry per invalid field."`
	// headers are extra response headers (e.g. ETag on a 412).
	headers http.Header
}

// FieldProblem is one invalid input field.
type FieldProblem struct {
	Code    string `json:"code" doc:"Stable code of the field error."`
	Field   string `json:"field,omitempty" doc:"The field at fault, e.g. title or custom_fields.os."`
	Message string `json:"message" doc:"Explanation in the caller's language."`
}

// Error makes Problem an error.
func (p *Problem) Error() string { return p.Code + ": " + p.Detail }

// GetStatus returns the HTTP status (huma.StatusError).
func (p *Problem) GetStatus() int { return p.Status }

// ContentType marks problems as application/problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

// GetHeaders returns extra headers to send with the problem.
func (p *Problem) GetHeaders() http.Header { return p.headers }

func statusOf(k apperr.Kind) int { return apperr.HTTPStatus(k) }

// newProblem builds a problem for a code in the request's language.
func newProblem(ctx context.Context, status int, code string, params map[string]any) *Problem {
	lang := langFrom(ctx)
	return &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Code: code,
		Detail: i18n.T(lang, code, params)}
}

// fieldProblem renders one field error.
func fieldProblem(lang i18n.Lang, e *apperr.Error) FieldProblem {
	params := e.Args()
	return FieldProblem{Code: e.Code, Field: e.Field, Message: i18n.T(lang, e.Code, params)}
}

// problemFor turns any error from a service into a problem. Unclassified
// errors are logged and answered with a generic 500 that reveals nothing.
func problemFor(ctx context.Context, log *slog.Logger, err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.Internal {
		if errors.Is(err, context.Canceled) {
			return newProblem(ctx, 499, "internal", nil)
		}
		log.ErrorContext(ctx, "request failed", "err", err)
		return newProblem(ctx, http.StatusInternalServerError, "internal", nil)
	}
	lang := langFrom(ctx)
	status := statusOf(e.Kind)
	params := e.Args()
	if lp := statusLabels(lang, params); lp != nil {
		params = lp
	}
	p = newProblem(ctx, status, e.Code, params)
	var multi *apperr.Multi
	if errors.As(e, &multi) {
		for _, fe := range multi.Errors {
			p.Errors = append(p.Errors, fieldProblem(lang, fe))
		}
	} else if e.Field != "" {
		p.Errors = []FieldProblem{fieldProblem(lang, e)}
	}
	return p
}

// statusLabels replaces status values in params (from, to) by their names.
func statusLabels(lang i18n.Lang, params map[string]any) map[string]any {
	from, ok1 := params["from"].(string)
	to, ok2 := params["to"].(string)
	if !ok1 || !ok2 {
		return nil
	}
	out := make(map[string]any, len(params))
	for k, v := range params {
		out[k] = v
	}
	out["from"], out["to"] = i18n.T(lang, "status."+from, nil), i18n.T(lang, "status."+to, nil)
	return out
}

// hintedError is the error huma reports for framework-level failures
// (malformed JSON, validation, oversize bodies); it is mapped to our codes.
func hintedError(ctx context.Context, status int, msg string, errs ...error) *Problem {
	code := "request.validation"
	params := map[string]any{"detail": msg}
	switch status {
	case http.StatusBadRequest:
		code = "request.malformed"
	case http.StatusRequestEntityTooLarge:
		code = "request.too_large"
		params["max"] = "1 MB"
		if i := strings.Index(msg, "limit="); i >= 0 {
			params["max"] = strings.TrimPrefix(msg[i:], "limit=")
		}
	case http.StatusUnsupportedMediaType:
		code = "request.unsupported_media"
	case http.StatusNotAcceptable:
		code = "request.not_acceptable"
	case http.StatusNotFound:
		code = "route.not_found"
	case http.StatusMethodNotAllowed:
		code = "request.method_not_allowed"
	case http.StatusInternalServerError:
		code = "internal"
	}
	lang := langFrom(ctx)
	var fields []FieldProblem
	for _, e := range errs {
		if e == nil {
			continue
		}
		var d *huma.ErrorDetail
		if errors.As(e, &d) {
			fp := FieldProblem{Code: "request.validation", Field: strings.TrimPrefix(d.Location, "body."), Message: d.Message}
			if strings.Contains(d.Message, "unexpected property") {
				fp.Code, code = "request.unknown_field", "request.unknown_field"
				params["field"] = fp.Field
				fp.Message = i18n.T(lang, fp.Code, map[string]any{"field": fp.Field})
			}
			fields = append(fields, fp)
			if status == http.StatusBadRequest || status == http.StatusUnprocessableEntity {
				params["detail"] = d.Error()
			}
			continue
		}
		params["detail"] = e.Error()
	}
	if len(fields) > 1 && code == "request.unknown_field" {
		code = "request.validation"
	}
	p := newProblem(ctx, status, code, params)
	p.Errors = fields
	return p
}

// writeProblem writes a problem outside huma (middleware, plain handlers).
func writeProblem(w http.ResponseWriter, p *Problem) {
	for k, vs := range p.headers {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

func init() {
	// huma reports its own errors (bad JSON, schema validation, oversize
	// bodies) through these hooks. They are package state in huma, set once
	// here so that every error a client sees has our shape and a code.
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		return hintedError(context.Background(), status, msg, errs...)
	}
	huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		ctx := context.Background()
		if hctx != nil {
			ctx = hctx.Context()
		}
		return hintedError(ctx, status, msg, errs...)
	}
}
