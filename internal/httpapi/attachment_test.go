package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"mime"
	"net/http"
	"strconv"
	"testing"
)

// tinyPNG is a valid 2×2 PNG image.
func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// padded returns head followed by filler up to size bytes.
func padded(head []byte, size int) []byte {
	return append(append([]byte{}, head...), bytes.Repeat([]byte{0x42}, size-len(head))...)
}

func TestAttachments(t *testing.T) {
	pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	exe := padded([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), 512)
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		img := tinyPNG(t)
		n := str(e.createTicket(t, "cust1", nil), "number")
		tests := []struct {
			name, as, filename string
			content            []byte
			wantStatus         int
			wantCode           string
			wantType           string // Content-Type of the download
			wantDisposition    string
		}{
			{"png", "cust1", "screenshot.png", img, http.StatusCreated, "", "image/png", "inline"},
			{"chinese file name", "cust1", "报错截图.png", img, http.StatusCreated, "", "image/png", "inline"},
			{"pdf", "cust1", "报价单.pdf", pdf, http.StatusCreated, "", "application/pdf", "attachment"},
			{"log", "cust1", "app.log", []byte("2026-01-01 ERROR 连接超时\n"), http.StatusCreated, "", "text/plain; charset=utf-8", "attachment"},
			{"html as txt", "cust1", "page.txt", []byte("<script>alert(1)</script>"), http.StatusCreated, "", "text/plain; charset=utf-8", "attachment"},
			{"org colleague", "cust2", "more.png", img, http.StatusCreated, "", "image/png", "inline"},
			{"agent of the group", "agent1", "fix.txt", []byte("steps"), http.StatusCreated, "", "text/plain; charset=utf-8", "attachment"},
			{"path in the name is dropped", "cust1", `..\..\evil.png`, img, http.StatusCreated, "", "image/png", "inline"},
			{"executable disguised as png", "cust1", "x.png", exe, http.StatusUnsupportedMediaType, "attachment.type_mismatch", "", ""},
			{"pdf disguised as png", "cust1", "x.png", pdf, http.StatusUnsupportedMediaType, "attachment.type_mismatch", "", ""},
			{"exe", "cust1", "setup.exe", exe, http.StatusUnsupportedMediaType, "attachment.type_not_allowed", "", ""},
			{"html", "cust1", "page.html", []byte("<html></html>"), http.StatusUnsupportedMediaType, "attachment.type_not_allowed", "", ""},
			{"no extension", "cust1", "README", []byte("text"), http.StatusUnsupportedMediaType, "attachment.type_not_allowed", "", ""},
			{"empty file", "cust1", "empty.txt", nil, http.StatusUnprocessableEntity, "attachment.empty", "", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.upload(t, tt.as, n, tt.filename, tt.content)
				if r.status != tt.wantStatus {
					t.Fatalf("upload: status %d, want %d: %s", r.status, tt.wantStatus, r.body)
				}
				if tt.wantCode != "" {
					if got := r.problem(t).Code; got != tt.wantCode {
						t.Errorf("code = %q, want %q", got, tt.wantCode)
					}
					return
				}
				m := r.object(t)
				sum := sha256.Sum256(tt.content)
				if m["size"] != float64(len(tt.content)) || str(m, "sha256") != hex.EncodeToString(sum[:]) ||
					str(m, "content_type") != tt.wantType || str(m, "uploader") != tt.as {
					t.Errorf("attachment = %v", m)
				}
				for _, as := range []string{"cust1", "agent2", "admin"} {
					d := e.do(t, call{as: as, method: http.MethodGet, path: str(m, "url")})
					if d.status != http.StatusOK || !bytes.Equal(d.body, tt.content) {
						t.Fatalf("download as %s: status %d, %d bytes; want 200 and the content", as, d.status, len(d.body))
					}
					if got := d.header.Get("Content-Type"); got != tt.wantType {
						t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
					}
					if got := d.header.Get("X-Content-Type-Options"); got != "nosniff" {
						t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
					}
					disp, params, err := mime.ParseMediaType(d.header.Get("Content-Disposition"))
					if err != nil || disp != tt.wantDisposition || params["filename"] != str(m, "filename") || params["filename"] == "" {
						t.Errorf("Content-Disposition = %q (%v), want %s with filename %q",
							d.header.Get("Content-Disposition"), err, tt.wantDisposition, str(m, "filename"))
					}
				}
			})
		}
		e.run(t, []scenario{
			{name: "listing", as: "cust1", path: ticketPath(n, "attachments"), wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					names := map[string]bool{}
					for _, it := range r.items(t) {
						names[str(it, "filename")] = true
					}
					if len(names) != 8 || !names["报错截图.png"] || !names["evil.png"] || names["x.png"] || names["setup.exe"] {
						t.Errorf("attachments = %v, want the 8 accepted files only", names)
					}
				}},
			{name: "unknown attachment id", as: "cust1", path: ticketPath(n, "attachments", "999999"), wantStatus: http.StatusNotFound},
			{name: "history records uploads", as: "cust1", path: ticketPath(n, "history"), wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					count := 0
					for _, ev := range r.items(t) {
						if ev["kind"] == "attachment" {
							count++
						}
					}
					if count != 8 {
						t.Errorf("%d attachment events, want 8", count)
					}
				}},
		})
		t.Run("attachment of another ticket", func(t *testing.T) {
			other := str(e.createTicket(t, "cust3", nil), "number")
			up := e.upload(t, "cust3", other, "mine.png", img)
			if up.status != http.StatusCreated {
				t.Fatalf("upload: %d %s", up.status, up.body)
			}
			id := strconv.FormatInt(int64(up.object(t)["id"].(float64)), 10)
			for _, c := range []call{
				{as: "cust1", method: http.MethodGet, path: str(up.object(t), "url")},
				{as: "cust1", method: http.MethodGet, path: ticketPath(n, "attachments", id)}, // own ticket, foreign id
				{as: "agent3", method: http.MethodGet, path: str(up.object(t), "url")},
			} {
				if r := e.do(t, c); r.status != http.StatusNotFound {
					t.Errorf("%s %s as %s: status %d, want 404", c.method, c.path, c.as, r.status)
				}
			}
		})
	})
}

func TestAttachmentSizeLimit(t *testing.T) {
	const limit = 1 << 20
	opt := envOptions{maxAttach: limit}
	opt.limits.MaxAttachmentBytes = limit
	engines(t, opt, func(t *testing.T, e *env) {
		n := str(e.createTicket(t, "cust1", nil), "number")
		head := tinyPNG(t)[:16]
		tests := []struct {
			name       string
			size       int
			wantStatus int
		}{
			{"at the limit", limit, http.StatusCreated},
			{"just over the limit", limit + 1000, http.StatusRequestEntityTooLarge},
			{"2 MB", 2 << 20, http.StatusRequestEntityTooLarge},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.upload(t, "cust1", n, "big.png", padded(head, tt.size))
				if r.status != tt.wantStatus {
					t.Fatalf("status %d, want %d: %.300s", r.status, tt.wantStatus, r.body)
				}
				if tt.wantStatus == http.StatusRequestEntityTooLarge {
					if code := r.problem(t).Code; code != "attachment.too_large" && code != "request.too_large" {
						t.Errorf("code = %q, want attachment.too_large or request.too_large", code)
					}
				}
			})
		}
		r := e.do(t, call{as: "cust1", method: http.MethodGet, path: ticketPath(n, "attachments")})
		if items := r.items(t); len(items) != 1 {
			t.Errorf("%d attachments kept, want only the one at the limit", len(items))
		}
	})
}
