package kb

import (
	"bytes"

	"github.com/microcosm-cc/bluemonday"
	"github.com/sergi/go-diff/diffmatchpatch"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Renderer turns Markdown into HTML that is safe to show: goldmark renders
// (GitHub-flavoured tables, strikethrough, task lists, autolinks), then
// bluemonday's UGC policy keeps only harmless elements and attributes, so
// a script or an event handler in an article never reaches a reader.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// NewRenderer builds a renderer.
func NewRenderer() *Renderer {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return &Renderer{md: goldmark.New(goldmark.WithExtensions(extension.GFM)), policy: p}
}

// HTML renders Markdown to sanitized HTML.
func (r *Renderer) HTML(markdown string) string {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(markdown), &buf); err != nil {
		// goldmark only fails on writer errors, which a buffer never has.
		return r.policy.Sanitize(markdown)
	}
	return r.policy.Sanitize(buf.String())
}

// DiffOp says what a diff line is.
type DiffOp string

// The diff operations.
const (
	DiffSame   DiffOp = "same"
	DiffAdd    DiffOp = "add"
	DiffRemove DiffOp = "remove"
)

// DiffLine is one line of a line diff.
type DiffLine struct {
	Op   DiffOp
	Text string
}

// LineDiff compares two texts line by line (Myers' algorithm on lines, via
// diff-match-patch's line mode).
func LineDiff(from, to string) []DiffLine {
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(from, to)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)
	var out []DiffLine
	for _, d := range diffs {
		op := DiffSame
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = DiffAdd
		case diffmatchpatch.DiffDelete:
			op = DiffRemove
		}
		text := d.Text
		for len(text) > 0 {
			i := bytes.IndexByte([]byte(text), '\n')
			if i < 0 {
				out = append(out, DiffLine{Op: op, Text: text})
				break
			}
			out = append(out, DiffLine{Op: op, Text: text[:i]})
			text = text[i+1:]
		}
	}
	return out
}
