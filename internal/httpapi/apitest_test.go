package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"helpdesk/internal/desktest"
	"helpdesk/internal/httpapi"
	"helpdesk/internal/identity"
	"helpdesk/internal/notify"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// env is a desk served over HTTP by the API under test.
type env struct {
	d   *desktest.Desk
	srv *httptest.Server

	mu     sync.Mutex
	tokens map[string]string
}

// envOptions tune newEnv.
type envOptions struct {
	limits    ticket.Limits
	maxAttach int64
}

// engines runs fn on a fresh desk served over HTTP, once per database engine.
func engines(t *testing.T, opt envOptions, fn func(t *testing.T, e *env)) {
	t.Helper()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fn(t, newEnv(t, db, opt))
	})
}

func newEnv(t *testing.T, db *store.DB, opt envOptions) *env {
	t.Helper()
	d := desktest.New(t, db, desktest.Options{Limits: opt.limits})
	mux := http.NewServeMux()
	httpapi.New(mux, httpapi.Deps{Identity: d.Identity, Tickets: d.Tickets, Inbox: notify.NewInbox(db.Notify(), nil), SLA: d.SLA, Routing: d.Routing, Ready: db.Ready, Version: "test",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxAttachmentBytes: opt.maxAttach})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{d: d, srv: srv, tokens: map[string]string{}}
}

// token returns an API token for login, creating it on first use.
func (e *env) token(t *testing.T, login string) string {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if tok, ok := e.tokens[login]; ok {
		return tok
	}
	tok, _, err := e.d.Identity.CreateToken(context.Background(), identity.System, login, "t")
	if err != nil {
		t.Fatalf("token for %s: %v", login, err)
	}
	e.tokens[login] = tok
	return tok
}

// call is one HTTP request. A string or []byte body is sent as is, anything
// else as JSON; Content-Type defaults to application/json when there is a body.
type call struct {
	as      string // login whose token authenticates; "" sends none
	method  string
	path    string
	body    any
	headers map[string]string
}

// reply is a buffered HTTP answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// object decodes the body as a JSON object.
func (r reply) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object (%v): %s", err, r.body)
	}
	return m
}

// items decodes {"items": [...]}.
func (r reply) items(t *testing.T) []map[string]any {
	t.Helper()
	var v struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body is not a list (%v): %s", err, r.body)
	}
	return v.Items
}

// problem decodes an RFC 9457 problem.
func (r reply) problem(t *testing.T) httpapi.Problem {
	t.Helper()
	var p httpapi.Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("body is not a problem (%v): %s", err, r.body)
	}
	return p
}

func (e *env) do(t *testing.T, c call) reply {
	t.Helper()
	var body io.Reader
	ct := ""
	switch b := c.body.(type) {
	case nil:
	case string:
		body, ct = strings.NewReader(b), "application/json"
	case []byte:
		body, ct = bytes.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(c.method, e.srv.URL+c.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.as != "" {
		req.Header.Set("Authorization", "Bearer "+e.token(t, c.as))
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	return e.send(t, req)
}

func (e *env) send(t *testing.T, req *http.Request) reply {
	t.Helper()
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: res.StatusCode, header: res.Header, body: b}
}

// upload posts one file as multipart/form-data.
func (e *env) upload(t *testing.T, as, number, filename string, content []byte) reply {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/tickets/"+number+"/attachments", &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.token(t, as))
	return e.send(t, req)
}

// createTicket files a ticket over HTTP and returns its JSON.
func (e *env) createTicket(t *testing.T, as string, body map[string]any) map[string]any {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	for k, v := range map[string]any{"title": "打印机无法打印", "description": "描述", "category": "software"} {
		if _, ok := body[k]; !ok {
			body[k] = v
		}
	}
	r := e.do(t, call{as: as, method: http.MethodPost, path: "/api/v1/tickets", body: body})
	if r.status != http.StatusCreated {
		t.Fatalf("create ticket as %s: status %d, want 201: %s", as, r.status, r.body)
	}
	return r.object(t)
}

// scenario is one row of a declarative API test.
type scenario struct {
	name       string
	as         string
	method     string
	path       string
	body       any
	headers    map[string]string
	wantStatus int
	wantCode   string // the problem's code, when an error is expected
	check      func(t *testing.T, r reply)
}

// run plays the scenarios in order (later rows may depend on earlier ones).
func (e *env) run(t *testing.T, scs []scenario) {
	t.Helper()
	for _, sc := range scs {
		t.Run(sc.name, func(t *testing.T) {
			method := sc.method
			if method == "" {
				method = http.MethodGet
			}
			r := e.do(t, call{as: sc.as, method: method, path: sc.path, body: sc.body, headers: sc.headers})
			if r.status != sc.wantStatus {
				t.Fatalf("%s %s: status = %d, want %d; body %s", method, sc.path, r.status, sc.wantStatus, r.body)
			}
			if sc.wantCode != "" {
				if got := r.problem(t).Code; got != sc.wantCode {
					t.Errorf("code = %q, want %q; body %s", got, sc.wantCode, r.body)
				}
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
					t.Errorf("Content-Type = %q, want application/problem+json", ct)
				}
			}
			if sc.check != nil {
				sc.check(t, r)
			}
		})
	}
}

// str reads a string field of a decoded JSON object.
func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// numbers lists the "number" of each ticket.
func numbers(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = str(it, "number")
	}
	return out
}

// ticketPath builds /api/v1/tickets/{number}/suffix.
func ticketPath(number string, suffix ...string) string {
	p := "/api/v1/tickets/" + number
	for _, s := range suffix {
		p += "/" + s
	}
	return p
}
