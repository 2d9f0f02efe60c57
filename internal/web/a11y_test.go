package web

import (
	"regexp"
	"strings"
	"testing"
)

var (
	controlRE = regexp.MustCompile(`<(/?)(label|input|select|textarea)\b([^>]*)>`)
	attrRE    = regexp.MustCompile(`\b(id|type|aria-label|for)="([^"]*)"`)
)

// unlabelled lists the form controls of a page that have no label: not
// inside a <label>, no <label for> naming their id, no aria-label.
func unlabelled(page string) []string {
	fors := map[string]bool{}
	for _, m := range controlRE.FindAllStringSubmatch(page, -1) {
		if m[2] == "label" && m[1] == "" {
			for _, a := range attrRE.FindAllStringSubmatch(m[3], -1) {
				if a[1] == "for" {
					fors[a[2]] = true
				}
			}
		}
	}
	var bad []string
	depth := 0
	for _, m := range controlRE.FindAllStringSubmatch(page, -1) {
		if m[2] == "label" {
			if m[1] == "" {
				depth++
			} else {
				depth--
			}
			continue
		}
		if m[1] == "/" {
			continue // the end of a select or textarea
		}
		attrs := map[string]string{}
		for _, a := range attrRE.FindAllStringSubmatch(m[3], -1) {
			attrs[a[1]] = a[2]
		}
		if attrs["type"] == "hidden" || depth > 0 || attrs["aria-label"] != "" || (attrs["id"] != "" && fors[attrs["id"]]) {
			continue
		}
		bad = append(bad, m[0])
	}
	return bad
}

// TestAccessibleMarkup checks every main page for labels on all inputs,
// landmarks, the skip link, the language and live regions.
func TestAccessibleMarkup(t *testing.T) {
	d := newTestDesk(t)
	tk := awaiting(t, d)
	cust, agent := d.browser(t), d.browser(t)
	cust.signIn("cust1")
	agent.signIn("agent1")
	anon := d.browser(t)
	pages := []struct {
		who  *browser
		path string
		live bool
	}{
		{anon, "/signin", false},
		{cust, "/portal", true},
		{cust, "/portal/new", false},
		{cust, "/t/" + tk.Number, true},
		{agent, "/desk", true},
		{agent, "/desk?q=awaiting", true},
		{agent, "/t/" + tk.Number, true},
		{agent, "/desk/new", false},
		{agent, "/no-such-page", false},
	}
	for _, p := range pages {
		_, body := p.who.get(p.path)
		for _, c := range unlabelled(body) {
			t.Errorf("%s: control without a label: %s", p.path, c)
		}
		for _, want := range []string{`<html lang="zh-CN">`, `<a class="skip" href="#main">`, `role="banner"`, `<main id="main"`, `role="contentinfo"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s", p.path, want)
			}
		}
		if p.live && !strings.Contains(body, `aria-live="polite"`) {
			t.Errorf("%s: its live region is not announced (aria-live)", p.path)
		}
		if strings.Contains(body, "tabindex=\"1") || strings.Contains(body, "tabindex=\"2") {
			t.Errorf("%s: a positive tabindex breaks the focus order", p.path)
		}
	}
}

func TestUnlabelledFindsMissingLabels(t *testing.T) {
	cases := []struct {
		html string
		bad  int
	}{
		{`<label for="a">A</label><input id="a" name="a">`, 0},
		{`<label><input type="checkbox" name="b"> B</label>`, 0},
		{`<input type="hidden" name="csrf">`, 0},
		{`<input aria-label="Search" name="q">`, 0},
		{`<input id="c" name="c"><select name="s"></select>`, 2},
		{`<label for="x">X</label><textarea id="y"></textarea>`, 1},
	}
	for _, c := range cases {
		if got := unlabelled(c.html); len(got) != c.bad {
			t.Errorf("%s: %d unlabelled (%v), want %d", c.html, len(got), got, c.bad)
		}
	}
}
