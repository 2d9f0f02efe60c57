package mailin

import (
	"html"
	"net/url"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// sanitizeHTML keeps the formatting of an HTML body and drops everything
// that could run or track: scripts, styles, event handlers, forms, remote
// images (cid: references to inline parts are kept).
func sanitizeHTML(s string) string {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "div", "span", "b", "strong", "i", "em", "u", "s", "sub", "sup", "pre", "code",
		"blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tfoot",
		"tr", "td", "th", "caption", "font", "center")
	p.AllowAttrs("colspan", "rowspan").OnElements("td", "th")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowAttrs("href").OnElements("a")
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	// Images only from the message itself: a remote image is a tracker.
	p.AllowAttrs("src").Matching(cidURL).OnElements("img")
	p.AllowAttrs("alt", "width", "height").OnElements("img")
	p.AllowURLSchemeWithCustomPolicy("cid", func(*url.URL) bool { return true })
	return strings.TrimSpace(p.Sanitize(s))
}

var cidURL = regexp.MustCompile(`^cid:[^\s"'<>]+$`)

var (
	reBlockEnd = regexp.MustCompile(`(?i)<\s*(br|/p|/div|/tr|/li|/h[1-6]|/blockquote|/table)\s*/?>`)
	reDropped  = regexp.MustCompile(`(?is)<(script|style|head|title)\b.*?</(script|style|head|title)\s*>`)
	reTag      = regexp.MustCompile(`(?s)<[^>]*>`)
	reBlank    = regexp.MustCompile(`\n[ \t]*\n([ \t]*\n)+`)
	reQuoteBlk = regexp.MustCompile(`(?is)<blockquote\b[^>]*>`)
	reGmailQt  = regexp.MustCompile(`(?is)<div[^>]*class="?(gmail_quote|gmail_extra|OutlookMessageHeader)"?[^>]*>`)
)

// htmlToText turns an HTML-only body into readable text: block ends become
// line breaks, a blockquote starts the quoted history ("> ").
func htmlToText(s string) string {
	s = reDropped.ReplaceAllString(s, "")
	s = reGmailQt.ReplaceAllString(s, "\n-----Original Message-----\n")
	s = reQuoteBlk.ReplaceAllString(s, "\n-----Original Message-----\n")
	s = reBlockEnd.ReplaceAllString(s, "\n")
	s = reTag.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	lines := strings.Split(normalizeNewlines(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = strings.Join(lines, "\n")
	s = reBlank.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s)
}
