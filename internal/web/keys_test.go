package web

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"helpdesk/internal/i18n"
)

// TestKeysInCatalog: every literal web.* key the templates and handlers use
// exists in both languages (keys built with print are checked per family).
func TestKeysInCatalog(t *testing.T) {
	keyRE := regexp.MustCompile(`"(web\.[a-z_0-9]+(?:\.[a-z_0-9]+)+)"`)
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	seen := 0
	for _, f := range append(files, gofiles...) {
		if filepath.Ext(f) == ".go" && len(f) > 8 && f[len(f)-8:] == "_test.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			seen++
			for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
				if !i18n.Has(l, m[1]) {
					t.Errorf("%s: %s has no %s text", f, m[1], l)
				}
			}
		}
	}
	for _, family := range []struct {
		prefix string
		values []string
	}{
		{"web.queue.", []string{"mine", "unassigned", "awaiting", "breaching", "followup"}},
		{"web.score.", []string{"very_satisfied", "satisfied", "neutral", "dissatisfied"}},
		{"web.role.", []string{"customer", "agent", "supervisor", "admin"}},
		{"web.channel.", []string{"web", "email", "phone", "api"}},
		{"web.priority.", []string{"P1", "P2", "P3", "P4"}},
		{"web.remote.state.", []string{"requested", "active", "ended"}},
		{"web.event.", []string{"created", "field", "status", "assignee", "group", "message", "note", "attachment", "escalation", "rating", "remote", "link", "sla"}},
	} {
		for _, v := range family.values {
			for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
				if !i18n.Has(l, family.prefix+v) {
					t.Errorf("%s%s has no %s text", family.prefix, v, l)
				}
			}
		}
	}
	if seen < 100 {
		t.Errorf("found only %d keys; is the pattern still right?", seen)
	}
}
