// Package i18n holds the desk's message catalogs in Simplified Chinese and
// English and picks a language for each caller. Keys are the stable codes
// domain errors carry (ticket.not_found) and UI labels; messages may use
// {name} placeholders filled from error parameters.
package i18n

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// Lang is a supported language tag.
type Lang string

// The supported languages. Chinese is the default.
const (
	ZH Lang = "zh-CN"
	EN Lang = "en"
)

// Default is the language used when nothing else decides.
const Default = ZH

// catalogs joins the core catalog with one part per area of the product
// (catalog_<area>.go), so each area keeps its own strings in its own file.
var catalogs = map[Lang]map[string]string{
	ZH: join(zh, zhWeb, zhAdmin, zhMail, zhKB, zhReport, zhWebSearch, zhWebKB, zhWebReport),
	EN: join(en, enWeb, enAdmin, enMail, enKB, enReport, enWebSearch, enWebKB, enWebReport),
}

// join merges catalog parts into one map. A key defined twice is a
// programming error caught at start (and by TestCatalogPartsDisjoint).
func join(parts ...map[string]string) map[string]string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make(map[string]string, n)
	for _, p := range parts {
		for k, v := range p {
			if _, dup := out[k]; dup {
				panic("i18n: key defined twice: " + k)
			}
			out[k] = v
		}
	}
	return out
}

var matcher = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English})

// Parse returns a supported language for a tag such as "zh-CN", "zh", "en-US".
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		return "", false
	case strings.HasPrefix(s, "zh"):
		return ZH, true
	case strings.HasPrefix(s, "en"):
		return EN, true
	}
	return "", false
}

// FromAcceptLanguage picks the best supported language for an
// Accept-Language header, or def when the header names none of ours.
func FromAcceptLanguage(header string, def Lang) Lang {
	if header == "" {
		return def
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return def
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return def
	}
	if idx == 0 {
		return ZH
	}
	return EN
}

// T translates key into lang with params substituted. An unknown key is
// returned as is, so a missing translation shows the code rather than nothing.
func T(lang Lang, key string, params map[string]any) string {
	cat, ok := catalogs[lang]
	if !ok {
		cat = catalogs[Default]
	}
	msg, ok := cat[key]
	if !ok {
		return key
	}
	if len(params) == 0 || !strings.Contains(msg, "{") {
		return msg
	}
	pairs := make([]string, 0, 2*len(params))
	for k, v := range params {
		pairs = append(pairs, "{"+k+"}", fmt.Sprint(v))
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}

// Has reports whether the catalog has the key.
func Has(lang Lang, key string) bool { _, ok := catalogs[lang][key]; return ok }

// Keys lists a catalog's keys, sorted.
func Keys(lang Lang) []string {
	out := make([]string, 0, len(catalogs[lang]))
	for k := range catalogs[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
