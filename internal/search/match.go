package search

import (
	"html"
	"slices"
	"strings"
)

// canonical is a text as the reference matcher sees it: its words and CJK
// runs in search form, separated and surrounded by single spaces.
func canonical(segs []segment) string {
	var b strings.Builder
	b.WriteByte(' ')
	for _, s := range segs {
		t := s.text
		if !s.cjk && len(t) > MaxTokenRunes {
			t = t[:MaxTokenRunes]
		}
		b.WriteString(string(t))
		b.WriteByte(' ')
	}
	return b.String()
}

// Match reports whether the fields of a document (title, body) match the
// query by plain scanning: every term occurs in some field and no excluded
// term occurs in any. A term occurs where its words and CJK runs appear in
// this order, separated only by non-word characters; CJK runs match inside
// longer runs (substring), Latin words only whole. It is the reference the
// index is measured against.
func (q Query) Match(fields ...string) bool {
	cs := make([]string, len(fields))
	for i, f := range fields {
		cs[i] = canonical(segments(foldRunes(f)))
	}
	in := func(t Term) bool {
		for _, c := range cs {
			if t.occurs(c) {
				return true
			}
		}
		return false
	}
	if q.Any {
		return slices.ContainsFunc(q.Terms, in)
	}
	for _, t := range q.Terms {
		if !in(t) {
			return false
		}
	}
	for _, t := range q.Excluded {
		if in(t) {
			return false
		}
	}
	return true
}

func (t Term) occurs(c string) bool {
	first, last := t.segs[0], t.segs[len(t.segs)-1]
	for off := 0; ; {
		i := strings.Index(c[off:], t.Text)
		if i < 0 {
			return false
		}
		i += off
		end := i + len(t.Text)
		okStart := first.cjk || c[i-1] == ' '
		okEnd := last.cjk || c[end] == ' '
		if okStart && okEnd {
			return true
		}
		off = i + 1
		for off < len(c) && c[off]&0xC0 == 0x80 {
			off++
		}
	}
}

// span is a highlighted range in runes.
type span struct{ start, end int }

// hits finds the ranges of text (in runes) that match a segment of any of
// the query's terms: CJK runs anywhere, words whole.
func (q Query) hits(rs []rune) []span {
	segs := segments(rs)
	var out []span
	for _, t := range q.Terms {
		for _, ts := range t.segs {
			for _, ds := range segs {
				if ds.cjk != ts.cjk {
					continue
				}
				if !ts.cjk {
					if slices.Equal(ds.text, ts.text) {
						out = append(out, span{ds.start, ds.start + len(ds.text)})
					}
					continue
				}
				for k := 0; k+len(ts.text) <= len(ds.text); k++ {
					if slices.Equal(ds.text[k:k+len(ts.text)], ts.text) {
						out = append(out, span{ds.start + k, ds.start + k + len(ts.text)})
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b span) int { return a.start - b.start })
	// Merge overlaps.
	merged := out[:0]
	for _, s := range out {
		if n := len(merged); n > 0 && s.start <= merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, s.end)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// Highlight returns an HTML snippet of text of about width runes around
// the first match, HTML-escaped, with matches wrapped in <mark>. Without a
// match it is the start of the text.
func (q Query) Highlight(text string, width int) string {
	orig := []rune(text)
	folded := make([]rune, len(orig))
	for i, r := range orig {
		folded[i] = fold(r)
	}
	hs := q.hits(folded)
	from := 0
	if len(hs) > 0 && hs[0].start > width/3 {
		from = hs[0].start - width/3
	}
	to := min(len(orig), from+width)
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	at := from
	for _, h := range hs {
		if h.end <= from || h.start >= to {
			continue
		}
		s, e := max(h.start, from), min(h.end, to)
		b.WriteString(html.EscapeString(clean(orig[at:s])))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(clean(orig[s:e])))
		b.WriteString("</mark>")
		at = e
	}
	b.WriteString(html.EscapeString(clean(orig[at:to])))
	if to < len(orig) {
		b.WriteString("…")
	}
	return b.String()
}

// clean turns line breaks and tabs into spaces for a one-line snippet.
func clean(rs []rune) string {
	out := make([]rune, len(rs))
	for i, r := range rs {
		if r == '\n' || r == '\r' || r == '\t' {
			r = ' '
		}
		out[i] = r
	}
	return string(out)
}
