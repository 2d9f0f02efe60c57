package ticket_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"helpdesk/internal/desktest"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// Files of every kind, by their content.
var (
	pdfFile = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	logFile = []byte("2026-11-22 10:00:01 ERROR 连接被拒绝 connection refused\r\n\tat app.main()\r\n")
	// gbkLog is "错误" in GBK, as Windows software in China writes its logs.
	gbkLog  = []byte("2026-11-22 \xb4\xed\xce\xf3\r\n")
	txtFile = []byte("复现步骤 steps:\n1. 打开 open\n2. 点击 click\n")
	exeFile = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 64)...)
)

func jpegBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// blobLeftovers lists the files in the temporary upload directories of
// every blob store of the test (desktest puts them in t.TempDir()).
func blobLeftovers(t *testing.T, root string) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(root, "*", "blobs", "tmp"))
	if err != nil || len(dirs) != 1 {
		t.Fatalf("blob temp dirs under %s: got %v (%v), want exactly one", root, dirs, err)
	}
	left, err := filepath.Glob(filepath.Join(dirs[0], "*"))
	if err != nil {
		t.Fatal(err)
	}
	return left
}

func TestAttachmentTypes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		tk := d.NewTicket(t, "cust1", "附件 attachments")
		const text = "text/plain; charset=utf-8"
		for _, tc := range []struct {
			name, filename string
			content        []byte
			want           string // outcome
			contentType    string
		}{
			{"png", "截图.png", pngBytes(), "yes", "image/png"},
			{"png upper case", "SCREEN.PNG", pngBytes(), "yes", "image/png"},
			{"jpg", "photo.jpg", jpegBytes(t), "yes", "image/jpeg"},
			{"jpeg", "photo.jpeg", jpegBytes(t), "yes", "image/jpeg"},
			{"pdf", "手册.pdf", pdfFile, "yes", "application/pdf"},
			{"log", "app.log", logFile, "yes", text},
			{"gbk log", "windows.log", gbkLog, "yes", text},
			{"txt", "steps.txt", txtFile, "yes", text},
			{"exe named png", "invoice.png", exeFile, "unsupported:attachment.type_mismatch", ""},
			{"exe named txt", "readme.txt", exeFile, "unsupported:attachment.type_mismatch", ""},
			{"png named pdf", "report.pdf", pngBytes(), "unsupported:attachment.type_mismatch", ""},
			{"text named jpg", "photo.jpg", txtFile, "unsupported:attachment.type_mismatch", ""},
			{"pdf named log", "app.log", pdfFile, "unsupported:attachment.type_mismatch", ""},
			{"exe", "setup.exe", exeFile, "unsupported:attachment.type_not_allowed", ""},
			{"png with exe name", "screen.png.exe", pngBytes(), "unsupported:attachment.type_not_allowed", ""},
			{"no extension", "README", txtFile, "unsupported:attachment.type_not_allowed", ""},
			{"no name", "", txtFile, "unsupported:attachment.type_not_allowed", ""},
			{"only separators", `/\/`, txtFile, "unsupported:attachment.type_not_allowed", ""},
			{"empty", "empty.txt", nil, "invalid:attachment.empty", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a, err := d.Tickets.AddAttachment(ctx, d.Actors["cust1"], tk.Number, tc.filename, bytes.NewReader(tc.content))
				if got := outcome(a.ID != 0, err); got != tc.want {
					t.Fatalf("got %s, want %s", got, tc.want)
				}
				if err != nil {
					return
				}
				if a.ContentType != tc.contentType || a.Size != int64(len(tc.content)) || a.Uploader != "cust1" {
					t.Errorf("got %s %d bytes by %s, want %s %d bytes by cust1", a.ContentType, a.Size, a.Uploader, tc.contentType, len(tc.content))
				}
				meta, r, err := d.Tickets.OpenAttachment(ctx, d.Actors["agent1"], tk.Number, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				body, err := io.ReadAll(r)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(body, tc.content) || meta.ContentType != tc.contentType || meta.SHA256 != a.SHA256 {
					t.Errorf("stored: got %d bytes %s, want %d bytes %s", len(body), meta.ContentType, len(tc.content), tc.contentType)
				}
			})
		}
	})
}

func TestAttachmentSize(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{Limits: ticket.Limits{MaxAttachmentBytes: 1024}})
		root := filepath.Dir(t.TempDir())
		tk := d.NewTicket(t, "cust1", "大文件 large file")
		big := append(pngBytes(), make([]byte, 2048)...)
		for _, tc := range []struct {
			name, filename string
			content        []byte
			want           string
		}{
			{"at the limit", "limit.txt", bytes.Repeat([]byte("a"), 1024), "yes"},
			{"one byte over", "over.txt", bytes.Repeat([]byte("a"), 1025), "too_large:attachment.too_large"},
			{"over the sniffed head", "long.log", bytes.Repeat([]byte("日志 log\n"), 2000), "too_large:attachment.too_large"},
			{"large png", "big.png", big, "too_large:attachment.too_large"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a, err := d.Tickets.AddAttachment(ctx, d.Actors["cust1"], tk.Number, tc.filename, bytes.NewReader(tc.content))
				if got := outcome(a.ID != 0, err); got != tc.want {
					t.Fatalf("got %s, want %s", got, tc.want)
				}
				if left := blobLeftovers(t, root); len(left) != 0 {
					t.Errorf("blob temp dir: got %v, want empty", left)
				}
			})
		}
		list, err := d.Tickets.Attachments(ctx, d.Actors["cust1"], tk.Number)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Filename != "limit.txt" {
			t.Errorf("attachments: got %+v, want only limit.txt", list)
		}
	})
}

func TestAttachmentFilename(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		tk := d.NewTicket(t, "cust1", "文件名 filenames")
		for _, tc := range []struct {
			name, in, want string
		}{
			{"unix path", "../../etc/passwd.txt", "passwd.txt"},
			{"windows path", `C:\Users\张三\桌面\错误日志.log`, "错误日志.log"},
			{"control characters", "bad\x00na\x1bme\r\n\x7f.txt", "badname.txt"},
			{"quotes", `"report".txt`, "report.txt"},
			{"spaces", "  my notes.txt  ", "my notes.txt"},
			{"invalid utf-8", "\xff\xfeabc.txt", "abc.txt"},
			{"html", "<img src=x onerror=alert(1)>.txt", "<img src=x onerror=alert(1)>.txt"},
			{"sql", "'; DROP TABLE tickets; --.txt", "'; DROP TABLE tickets; --.txt"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a, err := d.Tickets.AddAttachment(ctx, d.Actors["cust1"], tk.Number, tc.in, bytes.NewReader(txtFile))
				if err != nil {
					t.Fatal(err)
				}
				if a.Filename != tc.want {
					t.Errorf("got %q, want %q", a.Filename, tc.want)
				}
				meta, r, err := d.Tickets.OpenAttachment(ctx, d.Actors["cust1"], tk.Number, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				r.Close()
				if meta.Filename != tc.want {
					t.Errorf("stored: got %q, want %q", meta.Filename, tc.want)
				}
			})
		}

		for _, tc := range []struct {
			name, in string
			want     string
		}{
			{"long name keeps extension", strings.Repeat("名", 300) + ".txt", "yes"},
			{"long extension", "a." + strings.Repeat("x", 300), "unsupported:attachment.type_not_allowed"},
			{"extension of 200", "a." + strings.Repeat("x", 199), "unsupported:attachment.type_not_allowed"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a, err := d.Tickets.AddAttachment(ctx, d.Actors["cust1"], tk.Number, tc.in, bytes.NewReader(txtFile))
				if got := outcome(a.ID != 0, err); got != tc.want {
					t.Fatalf("got %s, want %s", got, tc.want)
				}
				if err == nil && (utf8.RuneCountInString(a.Filename) > 200 || !strings.HasSuffix(a.Filename, ".txt")) {
					t.Errorf("got %q (%d characters), want at most 200 ending in .txt", a.Filename, utf8.RuneCountInString(a.Filename))
				}
			})
		}
	})
}

func TestAttachmentAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		tk := d.NewTicket(t, "cust1", "访问 access")
		other := d.NewTicket(t, "cust3", "别人的 someone else's")
		a, err := d.Tickets.AddAttachment(ctx, d.Actors["cust1"], tk.Number, "s.png", bytes.NewReader(pngBytes()))
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, by, number string
			id               int64
			want             string
		}{
			{"requester", "cust1", tk.Number, a.ID, "yes"},
			{"org colleague", "cust2", tk.Number, a.ID, "yes"},
			{"group agent", "agent2", tk.Number, a.ID, "yes"},
			{"admin", "admin", tk.Number, a.ID, "yes"},
			{"stranger customer", "cust3", tk.Number, a.ID, "notfound"},
			{"stranger agent", "agent3", tk.Number, a.ID, "notfound"},
			{"through another ticket", "cust3", other.Number, a.ID, "not_found:attachment.not_found"},
			{"unknown id", "cust1", tk.Number, a.ID + 1000, "not_found:attachment.not_found"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				meta, r, err := d.Tickets.OpenAttachment(ctx, d.Actors[tc.by], tc.number, tc.id)
				if r != nil {
					r.Close()
				}
				if got := outcome(meta.SHA256 == a.SHA256, err); got != tc.want {
					t.Errorf("got %s, want %s", got, tc.want)
				}
			})
		}

		t.Run("stranger cannot list or upload", func(t *testing.T) {
			_, err := d.Tickets.Attachments(ctx, d.Actors["cust3"], tk.Number)
			if got := outcome(false, err); got != "notfound" {
				t.Errorf("list: got %s, want notfound", got)
			}
			_, err = d.Tickets.AddAttachment(ctx, d.Actors["agent3"], tk.Number, "x.png", bytes.NewReader(pngBytes()))
			if got := outcome(false, err); got != "notfound" {
				t.Errorf("upload: got %s, want notfound", got)
			}
		})

		t.Run("closed ticket", func(t *testing.T) {
			closed := ticketIn(t, d, ticket.StatusClosed)
			_, err := d.Tickets.AddAttachment(ctx, d.Actors["cust1"], closed.Number, "x.png", bytes.NewReader(pngBytes()))
			if got := outcome(false, err); got != "conflict:ticket.closed" {
				t.Errorf("got %s, want conflict:ticket.closed", got)
			}
		})

		t.Run("same content twice", func(t *testing.T) {
			b, err := d.Tickets.AddAttachment(ctx, d.Actors["agent1"], tk.Number, "again.png", bytes.NewReader(pngBytes()))
			if err != nil {
				t.Fatal(err)
			}
			list, err := d.Tickets.Attachments(ctx, d.Actors["cust1"], tk.Number)
			if err != nil {
				t.Fatal(err)
			}
			if b.SHA256 != a.SHA256 || len(list) != 2 {
				t.Errorf("got digest %s and %d attachments, want %s and 2", b.SHA256, len(list), a.SHA256)
			}
		})
	})
}
