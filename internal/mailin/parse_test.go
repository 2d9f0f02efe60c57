package mailin

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden is what a fixture must parse to; the files are reviewed by hand
// when -update rewrites them.
type golden struct {
	MessageID   string
	InReplyTo   []string `json:",omitempty"`
	References  []string `json:",omitempty"`
	From        Address
	To          []Address `json:",omitempty"`
	Cc          []Address `json:",omitempty"`
	DeliveredTo []string  `json:",omitempty"`
	Subject     string
	Text        string
	Quoted      string       `json:",omitempty"`
	HTML        string       `json:",omitempty"`
	Parts       []goldenPart `json:",omitempty"`
	Noise       Noise        `json:",omitempty"`
	Warnings    []string     `json:",omitempty"`
}

type goldenPart struct {
	Filename, ContentType, ContentID string
	Inline                           bool
	Size                             int64
}

func toGolden(m Message) golden {
	g := golden{MessageID: m.MessageID, InReplyTo: m.InReplyTo, References: m.References, From: m.From, To: m.To, Cc: m.Cc,
		DeliveredTo: m.DeliveredTo, Subject: m.Subject, Text: m.Text, Quoted: m.Quoted, HTML: m.HTML, Noise: m.Noise, Warnings: m.Warnings}
	for _, p := range m.Parts {
		g.Parts = append(g.Parts, goldenPart{p.Filename, p.ContentType, p.ContentID, p.Inline, p.Size})
	}
	return g
}

func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(files) < 9 {
		t.Fatalf("fixtures: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(raw, Limits{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, _ := json.MarshalIndent(toGolden(m), "", "  ")
			gf := strings.TrimSuffix(f, ".eml") + ".golden.json"
			if *update {
				if err := os.WriteFile(gf, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(gf)
			if err != nil {
				t.Fatalf("golden file missing (run go test -run TestParseGolden -update): %v", err)
			}
			if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
				t.Errorf("parse of %s differs from %s:\ngot:\n%s\nwant:\n%s", f, gf, got, want)
			}
		})
	}
}

// TestParseFacts checks, independent of the golden files, the facts each
// fixture exists for.
func TestParseFacts(t *testing.T) {
	parse := func(t *testing.T, name string) Message {
		t.Helper()
		raw, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(raw, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	t.Run("outlook: new text kept, 发件人 block folded, HTML sanitized", func(t *testing.T) {
		m := parse(t, "outlook_reply.eml")
		if m.Text != "重启以后还是不行，附上截图。" {
			t.Errorf("text = %q", m.Text)
		}
		if !strings.Contains(m.Quoted, "请重启打印机后再试") {
			t.Errorf("quoted = %q", m.Quoted)
		}
		if strings.Contains(m.HTML, "script") || strings.Contains(m.HTML, "onclick") || strings.Contains(m.HTML, "color:red") {
			t.Errorf("html not sanitized: %q", m.HTML)
		}
		if m.From.Name != "张三" || m.From.Email != "zhang.san@example.com" {
			t.Errorf("from = %+v (gb2312 encoded word)", m.From)
		}
		if len(m.InReplyTo) != 1 || m.InReplyTo[0] != "ts.TS20261122001.1@desk.example" {
			t.Errorf("in-reply-to = %v", m.InReplyTo)
		}
	})
	t.Run("gmail: On … wrote: over two lines, attachment, plus address", func(t *testing.T) {
		m := parse(t, "gmail_reply.eml")
		if m.Text != "It happened again at 09:58, log attached." {
			t.Errorf("text = %q", m.Text)
		}
		if len(m.Parts) != 1 || m.Parts[0].Filename != "vpn.log" || !bytes.Contains(m.Parts[0].Data, []byte("tunnel down")) {
			t.Errorf("parts = %+v", m.Parts)
		}
		if m.From.Email != "john.doe@gmail.example" || len(m.Cc) != 2 || m.DeliveredTo[0] != "support+ts20261122002@desk.example" {
			t.Errorf("addresses: from %v cc %v delivered %v", m.From, m.Cc, m.DeliveredTo)
		}
	})
	t.Run("foxmail: 原始邮件 separator, GB18030", func(t *testing.T) {
		m := parse(t, "foxmail_reply.eml")
		if !strings.HasPrefix(m.Text, "您好：") || strings.Contains(m.Text, "原始邮件") || !strings.Contains(m.Text, "镕喆") {
			t.Errorf("text = %q", m.Text)
		}
		if m.Subject != "回复：打印机问题" || m.From.Name != "李明" {
			t.Errorf("subject %q from %+v", m.Subject, m.From)
		}
	})
	t.Run("gbk declared as gb2312, 8bit", func(t *testing.T) {
		m := parse(t, "gbk_plain.eml")
		if !strings.Contains(m.Text, "喆镕两位同事") || m.Subject != "网络很慢" || m.From.Name != "王芳" {
			t.Errorf("text %q subject %q from %+v", m.Text, m.Subject, m.From)
		}
	})
	t.Run("big5", func(t *testing.T) {
		m := parse(t, "big5_plain.eml")
		if m.Text != "您好，更新後軟體無法啟動，請協助處理。" || m.Subject != "軟體無法啟動" || m.From.Name != "陳大文" {
			t.Errorf("text %q subject %q from %+v", m.Text, m.Subject, m.From)
		}
	})
	t.Run("zh gmail 写道", func(t *testing.T) {
		m := parse(t, "zh_gmail_reply.eml")
		if m.Text != "好的，已经解决了，谢谢！" {
			t.Errorf("text = %q", m.Text)
		}
	})
	t.Run("bounce", func(t *testing.T) {
		if m := parse(t, "bounce_dsn.eml"); m.Noise != NoiseBounce {
			t.Errorf("noise = %q", m.Noise)
		}
	})
	t.Run("auto-reply", func(t *testing.T) {
		if m := parse(t, "auto_reply.eml"); m.Noise != NoiseAutoReply {
			t.Errorf("noise = %q", m.Noise)
		}
	})
	t.Run("broken boundary keeps the text", func(t *testing.T) {
		m := parse(t, "broken_boundary.eml")
		if !strings.Contains(m.Text, "error 0x6100004a") || !hasWarning(&m, "broken_boundary") {
			t.Errorf("text %q warnings %v", m.Text, m.Warnings)
		}
	})
	t.Run("inline image kept, remote image dropped, exe listed", func(t *testing.T) {
		m := parse(t, "inline_image.eml")
		if !strings.Contains(m.HTML, `cid:shot1@customer.example`) || strings.Contains(m.HTML, "tracker.example") {
			t.Errorf("html = %q", m.HTML)
		}
		if len(m.Parts) != 2 || !m.Parts[0].Inline || m.Parts[0].ContentID != "shot1@customer.example" || m.Parts[1].Filename != "setup.exe" {
			t.Errorf("parts = %+v", m.Parts)
		}
		if m.Text != "See the screenshot:" {
			t.Errorf("text from html = %q", m.Text)
		}
	})
}

// bigMessage builds a message with an attachment of n bytes (generated, so
// the repository carries no 12 MB file).
func bigMessage(n int) []byte {
	var b bytes.Buffer
	b.WriteString("From: Big Sender <big@example.com>\r\nTo: support@desk.example\r\nSubject: huge log\r\n" +
		"Message-ID: <big-1@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" +
		"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe full log is attached.\r\n" +
		"--B\r\nContent-Type: text/plain; name=\"huge.log\"\r\nContent-Disposition: attachment; filename=\"huge.log\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n")
	line := bytes.Repeat([]byte("2026-11-24 12:00:00 INFO all good\n"), 1)
	data := bytes.Repeat(line, n/len(line)+1)[:n]
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--B--\r\n")
	return b.Bytes()
}

func TestParseLarge(t *testing.T) {
	raw := bigMessage(12 << 20)
	m, err := Parse(raw, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Parts) != 1 || m.Parts[0].Size != 12<<20 || len(m.Parts[0].Data) != 12<<20 {
		t.Fatalf("parts = %d, size %d", len(m.Parts), m.Parts[0].Size)
	}
	if m.Text != "The full log is attached." {
		t.Errorf("text = %q", m.Text)
	}
	// Over the part limit: recorded, content dropped.
	m, err = Parse(raw, Limits{MaxPartBytes: 1 << 20})
	if err != nil || !m.Parts[0].Truncated || m.Parts[0].Data != nil || m.Parts[0].Size != 12<<20 {
		t.Errorf("limited part: err %v %+v", err, m.Parts[0].Truncated)
	}
	// Over the message limit: refused with a stable code.
	if _, err := Parse(raw, Limits{MaxMessageBytes: 1 << 20}); err == nil || !strings.Contains(err.Error(), "mail.too_large") {
		t.Errorf("oversize message: err = %v", err)
	}
}

func TestParseRejectsHeaderless(t *testing.T) {
	for _, raw := range []string{"", "\r\n\r\nbody only", "\x00\x01\x02"} {
		if _, err := Parse([]byte(raw), Limits{}); err == nil || !strings.Contains(err.Error(), "mail.malformed") {
			t.Errorf("Parse(%q) err = %v, want mail.malformed", raw, err)
		}
	}
}

func TestSplitQuoted(t *testing.T) {
	tests := []struct{ name, in, fresh string }{
		{"gt lines", "Yes, thanks.\n\n> old text\n> more", "Yes, thanks."},
		{"outlook en", "Done.\n\nFrom: Desk <d@x>\nSent: Monday\nTo: me\nSubject: hi\n\nold", "Done."},
		{"original message", "OK\n-----Original Message-----\nFrom: x", "OK"},
		{"only quoted keeps all", "> a\n> b", "> a\n> b"},
		{"from in text is not a marker", "From: my desk I see the error\nplease help", "From: my desk I see the error\nplease help"},
		{"qq", "收到\n------------------ 原始邮件 ------------------\n发件人: x", "收到"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := splitQuoted(tt.in); got != tt.fresh {
				t.Errorf("got %q, want %q", got, tt.fresh)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, fn := range files {
		if b, err := os.ReadFile(fn); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n"))
	lim := Limits{MaxMessageBytes: 1 << 20, MaxPartBytes: 64 << 10, MaxParts: 50, MaxDepth: 8, MaxTextRunes: 20000}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw, lim)
		if err != nil {
			return
		}
		if !utf8.ValidString(m.Text) || !utf8.ValidString(m.Subject) || !utf8.ValidString(m.HTML) || !utf8.ValidString(m.From.Name) {
			t.Fatalf("invalid UTF-8 in output")
		}
		if len(m.Parts) > lim.MaxParts || utf8.RuneCountInString(m.Text) > lim.MaxTextRunes {
			t.Fatalf("limits not kept: %d parts, %d runes", len(m.Parts), utf8.RuneCountInString(m.Text))
		}
		if m.MessageID == "" {
			t.Fatalf("no message id")
		}
	})
}
