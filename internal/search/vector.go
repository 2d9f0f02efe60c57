package search

import (
	"slices"
	"strconv"
	"strings"
)

// Field is one weighted part of a document for a PostgreSQL tsvector.
type Field struct {
	Text string
	// Weight is 'A' (title, number) to 'D' (body, the default).
	Weight byte
}

// PostgreSQL limits: positions run to 16383 and a lexeme keeps at most 256.
const (
	maxPos         = 16383
	maxLexemePos   = 256
	maxVectorBytes = 1 << 20
)

// TSVector renders fields as a tsvector literal (cast with ::tsvector): the
// sequence tokens of each field at consecutive positions, then its
// unigrams, each field after a gap so no phrase spans two of them.
// Positions past PostgreSQL's 16383 are clamped to it, so a phrase beyond
// about the 16,000th token of a text is not found (the words still are).
func TSVector(fields ...Field) string {
	type entry struct {
		pos    []int
		weight byte
	}
	lex := map[string]*entry{}
	pos := 0
	add := func(tok string, w byte) {
		pos = min(pos+1, maxPos)
		e := lex[tok]
		if e == nil {
			e = &entry{}
			lex[tok] = e
		}
		if len(e.pos) < maxLexemePos && (len(e.pos) == 0 || e.pos[len(e.pos)-1] != pos) {
			e.pos = append(e.pos, pos)
		}
		// One weight per position in PostgreSQL; keep the strongest seen
		// for the lexeme, which is what ranking needs.
		if e.weight == 0 || w < e.weight {
			e.weight = w
		}
	}
	for _, f := range fields {
		w := f.Weight
		if w < 'A' || w > 'D' {
			w = 'D'
		}
		d := Tokenize(f.Text)
		for _, t := range d.Seq {
			add(t, w)
		}
		pos = min(pos+1, maxPos)
		for _, t := range d.Uni {
			add(t, w)
		}
		pos = min(pos+1, maxPos)
	}
	keys := make([]string, 0, len(lex))
	for k := range lex {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		e := lex[k]
		if b.Len() > maxVectorBytes {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteLexeme(k))
		b.WriteByte(':')
		for i, p := range e.pos {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
			if e.weight != 'D' {
				b.WriteByte(e.weight)
			}
		}
	}
	return b.String()
}
