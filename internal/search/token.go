// Package search owns how text is found: the tokenizer that turns Chinese
// and English text into index tokens, and the query parser and planner that
// turn what a person types into an engine's full-text query. It knows no
// SQL and no HTTP; the store feeds its tokens to SQLite FTS5 and to
// PostgreSQL tsvectors, and renders its queries with FTS5 and TSQuery.
//
// Tokens: Latin words (letters, digits and marks, lower-cased, not
// stemmed) and, for runs of CJK characters, overlapping bigrams (a run of
// one character is kept as it is). Every CJK character is also indexed on
// its own as a unigram, after the bigram stream, so that a one-character
// query (卡) finds the character inside longer runs (银行卡) with a plain
// index lookup. Unigrams never enter a phrase, so bigram phrases stay exact.
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsCJK reports whether r is a character that Chinese, Japanese or Korean
// text writes without spaces, and that the tokenizer therefore bigrams.
func IsCJK(r rune) bool {
	if r < 0x1100 { // below Hangul Jamo: no CJK script
		return false
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

// isWord reports whether r belongs to a Latin (non-CJK) word.
func isWord(r rune) bool {
	if r < 0x80 {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)) && !IsCJK(r)
}

// segment is a maximal run of word or CJK characters in folded text, with
// its position in runes.
type segment struct {
	text  []rune
	start int
	cjk   bool
}

// segments splits folded runes into words and CJK runs.
func segments(rs []rune) []segment {
	var out []segment
	i := 0
	for i < len(rs) {
		r := rs[i]
		switch {
		case IsCJK(r):
			j := i + 1
			for j < len(rs) && IsCJK(rs[j]) {
				j++
			}
			out = append(out, segment{text: rs[i:j], start: i, cjk: true})
			i = j
		case isWord(r):
			j := i + 1
			for j < len(rs) && isWord(rs[j]) {
				j++
			}
			out = append(out, segment{text: rs[i:j], start: i})
			i = j
		default:
			i++
		}
	}
	return out
}

// foldRunes folds text rune by rune.
func foldRunes(text string) []rune {
	rs := []rune(text)
	for i, r := range rs {
		rs[i] = fold(r)
	}
	return rs
}

// MaxTokenRunes bounds one Latin token; longer words (a pasted hash or
// base64 blob) are cut, the same way in documents and queries.
const MaxTokenRunes = 64

// Tokens is a text as the index sees it: the sequence of words and bigrams
// in order (phrases match on it) and the CJK unigrams.
type Tokens struct {
	Seq []string
	Uni []string
}

// Tokenize turns text into its index tokens.
func Tokenize(text string) Tokens {
	var d Tokens
	for _, s := range segments(foldRunes(text)) {
		d.Seq = appendSeq(d.Seq, s)
		if s.cjk {
			for _, r := range s.text {
				d.Uni = append(d.Uni, string(r))
			}
		}
	}
	return d
}

// appendSeq appends a segment's sequence tokens: the word, or the bigrams
// of a CJK run (the character itself for a run of one).
func appendSeq(seq []string, s segment) []string {
	if !s.cjk {
		w := s.text
		if len(w) > MaxTokenRunes {
			w = w[:MaxTokenRunes]
		}
		return append(seq, string(w))
	}
	if len(s.text) == 1 {
		return append(seq, string(s.text))
	}
	for i := 0; i+1 < len(s.text); i++ {
		seq = append(seq, string(s.text[i:i+2]))
	}
	return seq
}

// Text is the document as one space-separated string: the sequence, then
// the unigrams. It is what the SQLite FTS5 table (ascii tokenizer) is fed.
func (d Tokens) Text() string {
	var b strings.Builder
	for _, t := range d.Seq {
		b.WriteString(t)
		b.WriteByte(' ')
	}
	for _, t := range d.Uni {
		b.WriteString(t)
		b.WriteByte(' ')
	}
	s := b.String()
	return strings.TrimSuffix(s, " ")
}

// IndexText tokenizes text and returns it as Tokens.Text does, writing
// the tokens straight into the result (no string per token: it runs for
// every indexed document).
func IndexText(text string) string {
	rs := foldRunes(text)
	segs := segments(rs)
	b := make([]byte, 0, len(text)*3)
	sep := func() {
		if len(b) > 0 {
			b = append(b, ' ')
		}
	}
	cjk := 0
	for _, s := range segs {
		switch {
		case !s.cjk:
			sep()
			w := s.text
			if len(w) > MaxTokenRunes {
				w = w[:MaxTokenRunes]
			}
			for _, r := range w {
				b = utf8.AppendRune(b, r)
			}
		case len(s.text) == 1:
			sep()
			b = utf8.AppendRune(b, s.text[0])
			cjk++
		default:
			for i := 0; i+1 < len(s.text); i++ {
				sep()
				b = utf8.AppendRune(utf8.AppendRune(b, s.text[i]), s.text[i+1])
			}
			cjk += len(s.text)
		}
	}
	if cjk > 0 {
		for _, s := range segs {
			if s.cjk {
				for _, r := range s.text {
					sep()
					b = utf8.AppendRune(b, r)
				}
			}
		}
	}
	return string(b)
}
