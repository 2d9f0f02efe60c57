package httpapi

import (
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// docsPage renders a readable list of every operation from the generated
// OpenAPI document, with no third-party scripts.
func (a *API) docsPage(w http.ResponseWriter, r *http.Request) {
	type op struct {
		Method, Path, Summary, Description, ID string
		Params                                 []*huma.Param
		Tag                                    string
	}
	var ops []op
	oapi := a.h.OpenAPI()
	for path, item := range oapi.Paths {
		for method, o := range map[string]*huma.Operation{"GET": item.Get, "POST": item.Post, "PUT": item.Put, "PATCH": item.Patch, "DELETE": item.Delete} {
			if o == nil {
				continue
			}
			tag := ""
			if len(o.Tags) > 0 {
				tag = o.Tags[0]
			}
			ops = append(ops, op{method, path, o.Summary, o.Description, o.OperationID, o.Parameters, tag})
		}
	}
	slices.SortFunc(ops, func(x, y op) int {
		if c := strings.Compare(x.Tag, y.Tag); c != 0 {
			return c
		}
		if c := strings.Compare(x.Path, y.Path); c != 0 {
			return c
		}
		return strings.Compare(x.Method, y.Method)
	})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	docsTmpl.Execute(w, map[string]any{"Info": oapi.Info, "Ops": ops})
}

var docsTmpl = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Info.Title}} {{.Info.Version}}</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#1f2933;background:#f7f8fa}
main{max-width:960px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 8px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #dde2e8;padding-bottom:4px}
.op{background:#fff;border:1px solid #dde2e8;border-radius:8px;padding:12px 16px;margin:8px 0}
.m{display:inline-block;min-width:64px;font-weight:600;font-family:ui-monospace,monospace}
.GET{color:#0b6e4f}.POST{color:#1d4ed8}.PATCH,.PUT{color:#b45309}.DELETE{color:#b91c1c}
code{font-family:ui-monospace,monospace}p{margin:4px 0;color:#52606d}table{border-collapse:collapse;margin-top:6px;font-size:13px}
td{padding:2px 12px 2px 0;vertical-align:top}
</style></head><body><main>
<h1>{{.Info.Title}} <small>{{.Info.Version}}</small></h1>
<p>{{.Info.Description}}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1) · <a href="/api/v1/openapi.yaml">YAML</a></p>
{{$tag := ""}}{{range .Ops}}{{if ne .Tag $tag}}{{$tag = .Tag}}<h2>{{.Tag}}</h2>{{end}}
<div class="op" id="{{.ID}}"><span class="m {{.Method}}">{{.Method}}</span> <code>{{.Path}}</code> — {{.Summary}}
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{if .Params}}<table>{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
</div>{{end}}
</main></body></html>`))
