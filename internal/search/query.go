package search

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"helpdesk/internal/apperr"
)

// Limits on a query.
const (
	MaxQueryRunes = 256
	MaxTerms      = 16
)

// Term is one thing a query asks for: a word, a Chinese phrase of any
// length, or a quoted phrase.
type Term struct {
	// Text is the term in its search form, its segments joined by spaces.
	Text string
	// Phrase is the run of sequence tokens that must occur adjacently.
	Phrase []string
	// Chars are CJK characters that must occur (unigram look-ups): a term
	// of one CJK character, or a one-character CJK run at a phrase's edge,
	// which may be part of a longer run in the document.
	Chars []string
	segs  []segment
}

// Query is a parsed search query: every term in Terms must match, none in
// Excluded may.
type Query struct {
	Terms    []Term
	Excluded []Term
	// Number is set when the query is a ticket number (TS20261122001); the
	// ticket with that number is listed first.
	Number string
	// Any makes one matching term enough (ParseAny); ranking then favours
	// documents that match more of them.
	Any bool
}

var numberRE = regexp.MustCompile(`^ts[0-9]{9,}$`)

// Parse parses what a person typed. Terms are separated by spaces; "double
// quotes" (also “” and ＂) make a phrase; a leading - excludes a term.
func Parse(input string) (Query, error) {
	var q Query
	if !utf8.ValidString(input) {
		return q, apperr.FieldError("search.query_invalid", "q", nil)
	}
	if utf8.RuneCountInString(input) > MaxQueryRunes {
		return q, apperr.FieldError("search.query_too_long", "q", map[string]any{"max": MaxQueryRunes})
	}
	rs := foldRunes(input)
	for i := range rs {
		if rs[i] == '\u201c' || rs[i] == '\u201d' {
			rs[i] = '"'
		}
	}
	n := 0
	for i := 0; i < len(rs); {
		if rs[i] == ' ' || rs[i] == '\t' || rs[i] == '\n' || rs[i] == '\r' {
			i++
			continue
		}
		neg := false
		if rs[i] == '-' && i+1 < len(rs) && rs[i+1] != ' ' {
			neg = true
			i++
		}
		var raw []rune
		if rs[i] == '"' {
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			raw = rs[i+1 : j]
			i = min(j+1, len(rs))
		} else {
			j := i
			for j < len(rs) && rs[j] != ' ' && rs[j] != '\t' && rs[j] != '\n' && rs[j] != '\r' && rs[j] != '"' {
				j++
			}
			raw = rs[i:j]
			i = j
		}
		t, ok := newTerm(raw)
		if !ok {
			continue
		}
		if n++; n > MaxTerms {
			return Query{}, apperr.FieldError("search.too_many_terms", "q", map[string]any{"max": MaxTerms})
		}
		if neg {
			q.Excluded = append(q.Excluded, t)
			continue
		}
		if q.Number == "" && len(q.Terms) == 0 && numberRE.MatchString(t.Text) {
			q.Number = strings.ToUpper(t.Text)
		}
		q.Terms = append(q.Terms, t)
	}
	if len(q.Terms) == 0 {
		if len(q.Excluded) > 0 {
			return Query{}, apperr.FieldError("search.only_exclusions", "q", nil)
		}
		return Query{}, apperr.FieldError("search.query_empty", "q", nil)
	}
	if len(q.Terms) > 1 {
		q.Number = ""
	}
	return q, nil
}

// newTerm builds a term from folded runes; ok is false when they hold no
// word or CJK character.
func newTerm(raw []rune) (Term, bool) {
	segs := segments(raw)
	if len(segs) == 0 {
		return Term{}, false
	}
	t := Term{segs: segs}
	texts := make([]string, len(segs))
	for i, s := range segs {
		texts[i] = string(s.text)
		if !s.cjk && len(s.text) > MaxTokenRunes {
			texts[i] = string(s.text[:MaxTokenRunes])
		}
		edge := i == 0 || i == len(segs)-1
		if s.cjk && len(s.text) == 1 && edge {
			// It may be part of a longer run in the document, where the
			// sequence holds bigrams only: look the character up as a unigram.
			t.Chars = append(t.Chars, string(s.text))
			continue
		}
		t.Phrase = appendSeq(t.Phrase, s)
	}
	t.Text = strings.Join(texts, " ")
	return t, true
}

// FTS5 renders the query as an SQLite FTS5 MATCH expression. Every token is
// a double-quoted string, so nothing typed is read as FTS5 syntax.
func (q Query) FTS5() string {
	var b strings.Builder
	op := " AND "
	if q.Any {
		op = " OR "
	}
	for i, t := range q.Terms {
		if i > 0 {
			b.WriteString(op)
		}
		b.WriteString(t.fts5())
	}
	for _, t := range q.Excluded {
		b.WriteString(" NOT ")
		b.WriteString(t.fts5())
	}
	return b.String()
}

func (t Term) fts5() string {
	var parts []string
	if len(t.Phrase) > 0 {
		parts = append(parts, `"`+strings.ReplaceAll(strings.Join(t.Phrase, " "), `"`, `""`)+`"`)
	}
	for _, c := range t.Chars {
		parts = append(parts, `"`+c+`"`)
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

// TSQuery renders the query as a PostgreSQL tsquery literal (cast with
// ::tsquery). Every lexeme is single-quoted.
func (q Query) TSQuery() string {
	var b strings.Builder
	op := " & "
	if q.Any {
		op = " | "
	}
	for i, t := range q.Terms {
		if i > 0 {
			b.WriteString(op)
		}
		b.WriteString(t.tsquery())
	}
	for _, t := range q.Excluded {
		b.WriteString(" & !")
		b.WriteString(t.tsquery())
	}
	return b.String()
}

func (t Term) tsquery() string {
	var parts []string
	if len(t.Phrase) > 0 {
		ph := make([]string, len(t.Phrase))
		for i, tok := range t.Phrase {
			ph[i] = quoteLexeme(tok)
		}
		parts = append(parts, "("+strings.Join(ph, " <-> ")+")")
	}
	for _, c := range t.Chars {
		parts = append(parts, quoteLexeme(c))
	}
	return "(" + strings.Join(parts, " & ") + ")"
}

// quoteLexeme quotes a token for tsvector and tsquery literals.
func quoteLexeme(tok string) string {
	tok = strings.ReplaceAll(tok, `\`, `\\`)
	return "'" + strings.ReplaceAll(tok, "'", "''") + "'"
}

// MaxAnyTerms bounds the terms ParseAny keeps.
const MaxAnyTerms = 24

// ParseAny turns free text (a ticket's title and description as a
// customer types it) into a query that any of its words or bigrams
// satisfies: the distinct Latin words of two or more letters and CJK
// bigrams, in order of appearance, at most MaxAnyTerms. Filler words
// ("the", "in") and bigrams with a Chinese particle (的, 了 …) are left
// out: any term may match, so a filler word would match every article.
func ParseAny(text string) (Query, error) {
	q := Query{Any: true}
	seen := map[string]bool{}
	for _, s := range segments(foldRunes(text)) {
		for _, tok := range appendSeq(nil, s) {
			if seen[tok] || utf8.RuneCountInString(tok) < 2 || len(q.Terms) >= MaxAnyTerms || filler(tok) {
				continue
			}
			seen[tok] = true
			t, _ := newTerm([]rune(tok))
			q.Terms = append(q.Terms, t)
		}
	}
	if len(q.Terms) == 0 {
		return Query{}, apperr.FieldError("search.query_empty", "q", nil)
	}
	return q, nil
}

// fillerWords are English words too common to say what a text is about
// (read-only after start).
var fillerWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an and are as at be been but by can could did do does doesn for from
		had has have he her his how i if in into is it its me my no not of on or our she so than that the their
		them then there they this to up us was we were what when where which while who why will with would you your
		after again also am any all just get got still very too out about before`) {
		m[w] = true
	}
	return m
}()

// filler reports whether a token of free text carries no meaning of its
// own: an English filler word, or a CJK bigram with a particle in it.
func filler(tok string) bool {
	if fillerWords[tok] {
		return true
	}
	return strings.ContainsAny(tok, "的了吗呢吧啊呀")
}
