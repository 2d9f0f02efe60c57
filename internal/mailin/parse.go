package mailin

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"regexp"

	"strings"

	"unicode/utf8"

	"github.com/emersion/go-message/textproto"

	"helpdesk/internal/apperr"
)

// Parse reads a raw RFC 5322 message into its normalized form. It is
// lenient: a broken MIME structure, an unknown charset or a bad encoding is
// repaired as far as possible and recorded in Warnings, never a panic. Only
// a message over the size limit or without a readable header is an error
// (codes mail.too_large and mail.malformed).
func Parse(raw []byte, lim Limits) (Message, error) {
	lim = lim.withDefaults()
	if len(raw) > lim.MaxMessageBytes {
		return Message{}, apperr.New(apperr.TooLarge, "mail.too_large").With("max_mb", lim.MaxMessageBytes>>20)
	}
	br := bufio.NewReader(bytes.NewReader(raw))
	h, err := textproto.ReadHeader(br)
	if err != nil || h.Len() == 0 {
		return Message{}, apperr.Wrap(apperr.Invalid, "mail.malformed", errors.Join(errors.New("mailin: no readable header"), err))
	}
	body, _ := io.ReadAll(br)
	m := Message{Size: len(raw)}
	m.readHeader(h, raw)
	w := walker{lim: lim, msg: &m}
	w.entity(h, body, 0)
	w.finish()
	m.Noise = classify(h, &m)
	return m, nil
}

// readHeader fills the addressing and threading fields.
func (m *Message) readHeader(h textproto.Header, raw []byte) {
	m.MessageID = firstID(h.Get("Message-Id"))
	if m.MessageID == "" {
		sum := sha256.Sum256(raw)
		m.MessageID = "sha256-" + hex.EncodeToString(sum[:16]) + "@no-message-id"
	}
	m.InReplyTo = msgIDs(h.Get("In-Reply-To"))
	m.References = msgIDs(h.Get("References"))
	m.Subject = strings.TrimSpace(collapseSpace(decodeHeader(h.Get("Subject"))))
	if from := addresses(h.Get("From")); len(from) > 0 {
		m.From = from[0]
	} else if s := addresses(h.Get("Sender")); len(s) > 0 {
		m.From = s[0]
	}
	m.ReplyTo = addresses(h.Get("Reply-To"))
	m.To = addresses(h.Get("To"))
	m.Cc = addresses(h.Get("Cc"))
	for _, k := range []string{"Delivered-To", "X-Original-To", "Envelope-To"} {
		for _, v := range h.Values(k) {
			if a := addresses(v); len(a) > 0 {
				m.DeliveredTo = append(m.DeliveredTo, a[0].Email)
			}
		}
	}
	if d, err := mail.ParseDate(h.Get("Date")); err == nil {
		m.Date = d.UTC()
	}
	m.Origin = strings.TrimSpace(h.Get("X-Helpdesk-Origin"))
}

// collapseSpace folds runs of white space (including folded header line
// breaks) into single spaces.
func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// addresses parses an address list, tolerating broken ones: a list that
// net/mail rejects is split on commas and each piece tried alone.
func addresses(v string) []Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	p := mail.AddressParser{WordDecoder: wordDecoder}
	list, err := p.ParseList(v)
	if err != nil {
		list = nil
		for _, piece := range strings.Split(v, ",") {
			if a, err := p.Parse(piece); err == nil {
				list = append(list, a)
			} else if i, j := strings.LastIndex(piece, "<"), strings.LastIndex(piece, ">"); i >= 0 && j > i {
				if a, err := mail.ParseAddress(piece[i : j+1]); err == nil {
					a.Name = decodeHeader(strings.Trim(strings.TrimSpace(piece[:i]), `"`))
					list = append(list, a)
				}
			}
		}
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		name := a.Name
		if strings.Contains(name, "=?") {
			// Foxmail quotes its encoded words ("=?gb18030?B?…?="), which
			// RFC 2047 forbids and net/mail therefore leaves alone.
			name = decodeHeader(name)
		}
		out = append(out, Address{Name: strings.ToValidUTF8(name, ""), Email: strings.ToLower(a.Address)})
	}
	return out
}

// msgIDs extracts the <…> message ids from a header, without brackets.
func msgIDs(v string) []string {
	var out []string
	for len(out) < 100 {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			break
		}
		id := strings.TrimSpace(v[i+1 : i+j])
		if id != "" && len(id) <= 250 && utf8.ValidString(id) {
			out = append(out, id)
		}
		v = v[i+j+1:]
	}
	if len(out) == 0 {
		// Some clients omit the brackets.
		if f := strings.Fields(v); len(f) == 1 && strings.Contains(f[0], "@") && len(f[0]) <= 250 && utf8.ValidString(f[0]) {
			out = append(out, f[0])
		}
	}
	return out
}

func firstID(v string) string {
	if ids := msgIDs(v); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// walker collects the bodies and parts of a MIME tree.
type walker struct {
	lim   Limits
	msg   *Message
	parts int
	// plain and html are the best text and HTML bodies found.
	plain, html []string
}

// entity handles one MIME entity (the message itself or a part).
func (w *walker) entity(h textproto.Header, body []byte, depth int) {
	w.parts++
	if w.parts > w.lim.MaxParts {
		if w.parts == w.lim.MaxParts+1 {
			w.warn("too_many_parts")
		}
		return
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mt, params = "text/plain", map[string]string{}
		// lowerASCII keeps byte offsets: strings.ToLower turns an invalid
		// byte into a three-byte U+FFFD, and an index into the lowered
		// string would then cut the original in the wrong place.
		if ct := lowerASCII(h.Get("Content-Type")); strings.HasPrefix(ct, "multipart/") {
			mt = "multipart/mixed"
			if i := strings.Index(ct, "boundary="); i >= 0 {
				if f := strings.Fields(h.Get("Content-Type")[i+9:]); len(f) > 0 {
					params["boundary"] = strings.Trim(f[0], `";`)
				}
			}
		}
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := decodeHeader(dparams["filename"])
	if name == "" {
		name = decodeHeader(params["name"])
	}
	switch {
	case strings.HasPrefix(mt, "multipart/") && depth < w.lim.MaxDepth:
		w.multipart(mt, params["boundary"], body, depth)
		return
	case mt == "message/rfc822" && depth < w.lim.MaxDepth && disp != "attachment":
		// A forwarded message: its text is part of this one.
		br := bufio.NewReader(bytes.NewReader(decodeTransfer(h.Get("Content-Transfer-Encoding"), body, w)))
		if ih, err := textproto.ReadHeader(br); err == nil {
			rest, _ := io.ReadAll(br)
			w.entity(ih, rest, depth+1)
			return
		}
	case mt == "message/delivery-status":
		w.msg.Warnings = append(w.msg.Warnings, "delivery_status")
	}
	data := decodeTransfer(h.Get("Content-Transfer-Encoding"), body, w)
	isText := (mt == "text/plain" || mt == "text/html") && disp != "attachment" && name == ""
	if isText {
		s, ok := toUTF8(data, params["charset"])
		if !ok {
			w.warn("unknown_charset")
		}
		if mt == "text/plain" {
			w.plain = append(w.plain, s)
		} else {
			w.html = append(w.html, s)
		}
		return
	}
	if name == "" {
		name = "attachment" + extFor(mt)
	}
	p := Part{Filename: name, ContentType: mt, Size: int64(len(data)),
		ContentID: strings.Trim(strings.TrimSpace(h.Get("Content-Id")), "<>"), Inline: disp == "inline"}
	if p.ContentID != "" && disp != "attachment" {
		p.Inline = true
	}
	if int64(len(data)) > w.lim.MaxPartBytes {
		p.Truncated = true
	} else {
		p.Data = data
	}
	w.msg.Parts = append(w.msg.Parts, p)
}

// multipart walks the parts of a multipart body. A boundary that never
// appears (a broken message) leaves the whole body as text, so nothing is
// lost.
func (w *walker) multipart(mt, boundary string, body []byte, depth int) {
	if boundary == "" || !bytes.Contains(body, []byte("--"+boundary)) {
		w.warn("broken_boundary")
		// The declared boundary never appears: use the delimiter the body
		// really has, or keep the whole body as text.
		if b := guessBoundary(body); b != "" && depth < w.lim.MaxDepth {
			w.multipart(mt, b, body, depth+1)
			return
		}
		s, _ := toUTF8(body, "")
		w.plain = append(w.plain, s)
		return
	}
	mr := textproto.NewMultipartReader(bytes.NewReader(body), boundary)
	var alt []struct {
		h    textproto.Header
		body []byte
	}
	seen := 0
	for {
		p, err := mr.NextPart()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				w.warn("broken_multipart")
			}
			break
		}
		b, err := io.ReadAll(io.LimitReader(p, int64(w.lim.MaxMessageBytes)))
		if err != nil && len(b) == 0 {
			w.warn("broken_multipart")
			break
		}
		seen++
		if mt == "multipart/alternative" {
			alt = append(alt, struct {
				h    textproto.Header
				body []byte
			}{p.Header, b})
			continue
		}
		w.entity(p.Header, b, depth+1)
		if w.parts > w.lim.MaxParts {
			break
		}
	}
	if seen == 0 {
		w.warn("broken_boundary")
		s, _ := toUTF8(body, "")
		w.plain = append(w.plain, s)
		return
	}
	// multipart/alternative: every version is walked, so the text and the
	// HTML version are both kept; text wins when the body is chosen.
	for _, a := range alt {
		w.entity(a.h, a.body, depth+1)
	}
}

func (w *walker) warn(s string) {
	for _, x := range w.msg.Warnings {
		if x == s {
			return
		}
	}
	w.msg.Warnings = append(w.msg.Warnings, s)
}

// finish chooses the body: text when there is any, else text made from the
// HTML; the HTML is kept sanitized; the quoted history is split off.
func (w *walker) finish() {
	m := w.msg
	text := strings.TrimSpace(strings.Join(w.plain, "\n\n"))
	if len(w.html) > 0 {
		m.HTML = sanitizeHTML(strings.Join(w.html, "\n"))
		if text == "" {
			text = htmlToText(strings.Join(w.html, "\n"))
		}
	}
	text = normalizeNewlines(text)
	if r := []rune(text); len(r) > w.lim.MaxTextRunes {
		text = string(r[:w.lim.MaxTextRunes])
		w.warn("text_truncated")
	}
	m.Text, m.Quoted = splitQuoted(text)
}

func normalizeNewlines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	// Non-breaking spaces from HTML mail read as spaces.
	return strings.ReplaceAll(s, "\u00a0", " ")
}

// decodeTransfer undoes the Content-Transfer-Encoding, leniently: bad
// base64 keeps what decoded, unknown encodings keep the bytes.
func decodeTransfer(enc string, b []byte, w *walker) []byte {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "base64":
		clean := make([]byte, 0, len(b))
		for _, c := range b {
			if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
				clean = append(clean, c)
			}
		}
		out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
		n, err := base64.StdEncoding.Decode(out, clean)
		if err != nil {
			// Retry without padding and trailing garbage.
			trimmed := bytes.TrimRight(clean, "=")
			out2 := make([]byte, base64.RawStdEncoding.DecodedLen(len(trimmed)))
			n2, err2 := base64.RawStdEncoding.Decode(out2, trimmed)
			if err2 == nil {
				return out2[:n2]
			}
			w.warn("bad_base64")
			return out[:n]
		}
		return out[:n]
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b)))
		if err != nil {
			w.warn("bad_quoted_printable")
		}
		return out
	}
	return b
}

// extFor names a nameless part by its type.
func extFor(mt string) string {
	switch mt {
	case "image/png":
		return ".png"
	case "image/jpeg", "image/jpg":
		return ".jpg"
	case "application/pdf":
		return ".pdf"
	case "text/plain":
		return ".txt"
	case "message/delivery-status":
		return ".txt"
	case "message/rfc822":
		return ".eml"
	}
	if exts, _ := mime.ExtensionsByType(mt); len(exts) > 0 {
		return exts[0]
	}
	return ".bin"
}

var reDelimiter = regexp.MustCompile(`(?m)^--([0-9A-Za-z'()+_,./:=?-]{1,70})\r?$`)

// guessBoundary finds the first line that looks like a multipart delimiter.
func guessBoundary(body []byte) string {
	head := body[:min(len(body), 64<<10)]
	if m := reDelimiter.FindSubmatch(head); m != nil {
		return strings.TrimSuffix(string(m[1]), "--")
	}
	return ""
}

// lowerASCII lowercases A–Z only, so the result has the same length and
// byte offsets as s whatever else it holds.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
