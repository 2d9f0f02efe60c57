package i18n

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

func TestCatalogsHaveEqualKeys(t *testing.T) {
	zk, ek := Keys(ZH), Keys(EN)
	for _, k := range zk {
		if !Has(EN, k) {
			t.Errorf("key %q is in zh-CN but not in en", k)
		}
	}
	for _, k := range ek {
		if !Has(ZH, k) {
			t.Errorf("key %q is in en but not in zh-CN", k)
		}
	}
}

// TestEveryErrorCodeIsTranslated scans the Go sources for error codes
// passed to apperr constructors and checks both catalogs have them.
func TestEveryErrorCodeIsTranslated(t *testing.T) {
	re := regexp.MustCompile(`apperr\.(?:New|FieldError|Wrap|NotFoundf)\([^"]*"([a-z_]+\.[a-z_]+)"`)
	var missing []string
	root := filepath.Join("..")
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".go" {
			return err
		}
		b, _ := os.ReadFile(path)
		for _, m := range re.FindAllSubmatch(b, -1) {
			code := string(m[1])
			if !Has(ZH, code) && !slices.Contains(missing, code) {
				missing = append(missing, code)
			}
		}
		return nil
	})
	for _, c := range missing {
		t.Errorf("error code %q has no message in the catalog", c)
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   Lang
	}{
		{"", ZH},
		{"en-US,en;q=0.9", EN},
		{"zh-TW,zh;q=0.9", ZH},
		{"fr-FR", ZH},
		{"fr-FR, en;q=0.5", EN},
		{"zh-CN;q=0.2, en;q=0.8", EN},
	} {
		if got := FromAcceptLanguage(tc.header, ZH); got != tc.want {
			t.Errorf("FromAcceptLanguage(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

func TestT(t *testing.T) {
	if got, want := T(ZH, "field.too_long", map[string]any{"field": "title", "max": 200}), "title：长度不能超过 200 个字符。"; got != want {
		t.Errorf("T = %q, want %q", got, want)
	}
	if got := T(EN, "no.such_key", nil); got != "no.such_key" {
		t.Errorf("unknown key = %q, want the key", got)
	}
}

func TestCatalogPartsDisjoint(t *testing.T) {
	for lang, parts := range map[Lang][]map[string]string{
		ZH: {zh, zhWeb, zhAdmin, zhMail, zhKB, zhReport},
		EN: {en, enWeb, enAdmin, enMail, enKB, enReport},
	} {
		seen := map[string]int{}
		for i, p := range parts {
			for k := range p {
				if j, dup := seen[k]; dup {
					t.Errorf("%s: key %q in part %d and part %d", lang, k, j, i)
				}
				seen[k] = i
			}
		}
	}
}
