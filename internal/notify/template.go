package notify

import (
	"bytes"
	"context"
	htmltemplate "html/template"
	"strings"
	"text/template"
	"time"

	"helpdesk/internal/apperr"
)

// Template is one notification in one language: a subject and a body as
// text and HTML, in Go template syntax over the event's variables
// ({{.number}}, {{.title}}, {{.message}}, {{.status_label}} …).
type Template struct {
	Key       string
	Lang      string
	Subject   string
	Text      string
	HTML      string
	UpdatedAt time.Time
	// Custom reports an admin's edit (false: the embedded default).
	Custom bool
}

// Texts supplies what the templates need from the message catalog: the
// default templates and labels (status names …) in a language.
type Texts interface {
	Default(key, lang string) (Template, bool)
	Label(lang, key string) string
}

// Langs are the languages templates exist in.
var Langs = []string{"zh-CN", "en"}

// Renderer renders notifications: an admin's template when there is one,
// else the default.
type Renderer struct {
	store OutStore
	texts Texts
}

// NewRenderer builds a renderer.
func NewRenderer(s OutStore, t Texts) *Renderer { return &Renderer{store: s, texts: t} }

// Rendered is a notification ready to send.
type Rendered struct{ Subject, Text, HTML string }

// Template returns the template in force for key and lang.
func (r *Renderer) Template(ctx context.Context, key, lang string) (Template, error) {
	if lang != "en" {
		lang = "zh-CN"
	}
	t, ok, err := r.store.Template(ctx, key, lang)
	if err != nil {
		return Template{}, err
	}
	if ok {
		t.Custom = true
		return t, nil
	}
	d, ok := r.texts.Default(key, lang)
	if !ok {
		return Template{}, apperr.NotFoundf("notify.template_not_found", "template %s/%s", key, lang)
	}
	d.Key, d.Lang = key, lang
	return d, nil
}

// Render renders a notification for vars.
func (r *Renderer) Render(ctx context.Context, key, lang string, vars map[string]string) (Rendered, error) {
	t, err := r.Template(ctx, key, lang)
	if err != nil {
		return Rendered{}, err
	}
	v := make(map[string]string, len(vars)+4)
	for k, x := range vars {
		v[k] = x
	}
	v["status_label"] = r.texts.Label(t.Lang, "status."+vars["status"])
	v["priority_label"] = r.texts.Label(t.Lang, "priority."+vars["priority"])
	if k := vars["kind"]; k != "" {
		v["kind_label"] = r.texts.Label(t.Lang, "notify.alert_kind."+k)
	}
	return render(t, v)
}

func render(t Template, v map[string]string) (Rendered, error) {
	var out Rendered
	var err error
	if out.Subject, err = textExec(t.Subject, v); err != nil {
		return out, err
	}
	out.Subject = strings.Join(strings.Fields(out.Subject), " ")
	if out.Text, err = textExec(t.Text, v); err != nil {
		return out, err
	}
	h, err := htmltemplate.New("html").Option("missingkey=zero").Parse(t.HTML)
	if err != nil {
		return out, templateError("html", err)
	}
	var b bytes.Buffer
	if err := h.Execute(&b, v); err != nil {
		return out, templateError("html", err)
	}
	out.HTML = b.String()
	return out, nil
}

func textExec(src string, v map[string]string) (string, error) {
	tp, err := template.New("t").Option("missingkey=zero").Parse(src)
	if err != nil {
		return "", templateError("text", err)
	}
	var b bytes.Buffer
	if err := tp.Execute(&b, v); err != nil {
		return "", templateError("text", err)
	}
	return b.String(), nil
}

func templateError(part string, err error) error {
	return apperr.Wrap(apperr.Invalid, "notify.template_invalid", err).With("part", part).With("detail", err.Error())
}

// Check validates a template by rendering it with sample values.
func Check(t Template) error {
	sample := map[string]string{"number": "TS20261122001", "title": "t", "message": "m", "status": "assigned"}
	_, err := render(t, sample)
	return err
}
