package search

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"helpdesk/internal/apperr"
)

func TestTokenize(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		seq, uni []string
	}{
		{"english lowercased", "Printer OFFLINE again", []string{"printer", "offline", "again"}, nil},
		{"digits kept", "Error 0x80070005 on port 443", []string{"error", "0x80070005", "on", "port", "443"}, nil},
		{"cjk bigrams", "打印机卡纸", []string{"打印", "印机", "机卡", "卡纸"}, []string{"打", "印", "机", "卡", "纸"}},
		{"one-character run kept", "卡", []string{"卡"}, []string{"卡"}},
		{"mixed", "WiFi密码忘了", []string{"wifi", "密码", "码忘", "忘了"}, []string{"密", "码", "忘", "了"}},
		{"punctuation splits runs", "网络，断了", []string{"网络", "断了"}, []string{"网", "络", "断", "了"}},
		{"full-width folded", "ＶＰＮ　连不上１２３", []string{"vpn", "连不", "不上", "123"}, []string{"连", "不", "上"}},
		{"traditional folded", "電腦網絡", []string{"电脑", "脑网", "网络"}, []string{"电", "脑", "网", "络"}},
		{"ticket number", "见 TS20261122001", []string{"见", "ts20261122001"}, []string{"见"}},
		{"accents kept as letters", "café crème", []string{"café", "crème"}, nil},
		{"empty", "  ,。!  ", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Tokenize(tc.in)
			if !slices.Equal(d.Seq, tc.seq) {
				t.Errorf("Seq = %q, want %q", d.Seq, tc.seq)
			}
			if !slices.Equal(d.Uni, tc.uni) {
				t.Errorf("Uni = %q, want %q", d.Uni, tc.uni)
			}
		})
	}
}

func TestLongWordCut(t *testing.T) {
	w := strings.Repeat("a", 100)
	d := Tokenize(w)
	if len(d.Seq) != 1 || utf8.RuneCountInString(d.Seq[0]) != MaxTokenRunes {
		t.Errorf("got %q, want one token of %d runes", d.Seq, MaxTokenRunes)
	}
	q, err := Parse(w)
	if err != nil || !q.Match(w+" x") {
		t.Errorf("Parse(long word).Match = false (%v), want true", err)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in, fts5, tsq, number string
	}{
		{"打印", `("打印")`, `(('打印'))`, ""},
		{"卡", `("卡")`, `('卡')`, ""},
		{"打印机", `("打印 印机")`, `(('打印' <-> '印机'))`, ""},
		{"网络 密码", `("网络") AND ("密码")`, `(('网络')) & (('密码'))`, ""},
		{`"vpn 连不上"`, `("vpn 连不 不上")`, `(('vpn' <-> '连不' <-> '不上'))`, ""},
		{`“打印 卡”`, `("打印" AND "卡")`, `(('打印') & '卡')`, ""},
		{`"x 卡 y"`, `("x 卡 y")`, `(('x' <-> '卡' <-> 'y'))`, ""},
		{"printer -hp", `("printer") NOT ("hp")`, `(('printer')) & !(('hp'))`, ""},
		{`-"卡 纸" 打印`, `("打印") NOT ("卡" AND "纸")`, `(('打印')) & !('卡' & '纸')`, ""},
		{"TS20261122001", `("ts20261122001")`, `(('ts20261122001'))`, "TS20261122001"},
		{"ts20261122001 打印", `("ts20261122001") AND ("打印")`, `(('ts20261122001')) & (('打印'))`, ""},
		{`He said "quote`, `("he") AND ("said") AND ("quote")`, `(('he')) & (('said')) & (('quote'))`, ""},
		{`a" OR "b`, `("a") AND ("or") AND ("b")`, `(('a')) & (('or')) & (('b'))`, ""},
		{"ＰＲＩＮＴＥＲ", `("printer")`, `(('printer'))`, ""},
		{"- 打印", `("打印")`, `(('打印'))`, ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			q, err := Parse(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.FTS5(); got != tc.fts5 {
				t.Errorf("FTS5 = %s, want %s", got, tc.fts5)
			}
			if got := q.TSQuery(); got != tc.tsq {
				t.Errorf("TSQuery = %s, want %s", got, tc.tsq)
			}
			if q.Number != tc.number {
				t.Errorf("Number = %q, want %q", q.Number, tc.number)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, code string }{
		{"", "search.query_empty"},
		{"  ,, 。 ", "search.query_empty"},
		{"-printer", "search.only_exclusions"},
		{strings.Repeat("打", MaxQueryRunes+1), "search.query_too_long"},
		{strings.Repeat("a ", MaxTerms+1), "search.too_many_terms"},
		{"\xff\xfe", "search.query_invalid"},
	} {
		t.Run(tc.code, func(t *testing.T) {
			_, err := Parse(tc.in)
			if got := codeOf(err); got != tc.code {
				t.Errorf("Parse(%q) code = %q (%v), want %q", tc.in, got, err, tc.code)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	doc := "我的HP打印机今天又卡纸了，WiFi 密码也忘了。Printer offline (TS20261122001)"
	for _, tc := range []struct {
		q    string
		want bool
	}{
		{"卡", true},
		{"打印", true},
		{"打印机", true},
		{"印机今天", true},
		{"机今", true},
		{"打印 卡纸", true},
		{"hp打印机", true},
		{`"wifi 密码"`, true},
		{"wifi密码", true},
		{"print", false}, // Latin words match whole
		{"printer", true},
		{"printer -hp", false},
		{"printer -canon", true},
		{"TS20261122001", true},
		{"网络", false},
		{"纸了wifi", true},
		{`"密码 也"`, false}, // 密码也忘了 is one run: 密码 does not end a run
		{"密码也", true},
	} {
		t.Run(tc.q, func(t *testing.T) {
			q, err := Parse(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.Match(doc); got != tc.want {
				t.Errorf("Match = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHighlight(t *testing.T) {
	q, _ := Parse("打印 <b>")
	got := q.Highlight("我的打印机坏了 <b>bold</b>", 40)
	want := "我的<mark>打印</mark>机坏了 &lt;<mark>b</mark>&gt;bold&lt;/<mark>b</mark>&gt;"
	if got != want {
		t.Errorf("Highlight = %s, want %s", got, want)
	}
	q, _ = Parse("卡")
	long := strings.Repeat("很长的文字", 40) + "卡纸" + strings.Repeat("后面", 40)
	got = q.Highlight(long, 30)
	if !strings.HasPrefix(got, "…") || !strings.Contains(got, "<mark>卡</mark>") || !strings.HasSuffix(got, "…") {
		t.Errorf("Highlight(long) = %s, want a window around the hit with ellipses", got)
	}
	q, _ = Parse("電腦")
	if got := q.Highlight("电脑和電腦", 20); got != "<mark>电脑</mark>和<mark>電腦</mark>" {
		t.Errorf("Highlight folded = %s, want both spellings marked in their original form", got)
	}
}

func TestTSVector(t *testing.T) {
	got := TSVector(Field{Text: "TS1 打印", Weight: 'A'}, Field{Text: "打印机"})
	// title: ts1@1 打印@2, gap, 打@4 印@5, gap; body: 打印@7 印机@8, gap, 打@10 印@11 机@12
	want := `'ts1':1A '印':5A,11A '印机':8 '打':4A,10A '打印':2A,7A '机':12`
	if got != want {
		t.Errorf("TSVector = %s\nwant %s", got, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"打印", "卡", `"vpn 连不上" -hp`, "TS20261122001", "ＶＰＮ", `"`, "-", `a"b"c`, "電腦 网络-卡"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if utf8.RuneCountInString(Fold(in)) != utf8.RuneCountInString(in) && utf8.ValidString(in) {
			t.Fatalf("Fold changed the rune count of %q", in)
		}
		d := Tokenize(in)
		for _, tok := range append(d.Seq, d.Uni...) {
			if tok == "" || strings.ContainsAny(tok, " \"'\\") {
				t.Fatalf("bad token %q from %q", tok, in)
			}
		}
		q, err := Parse(in)
		if err != nil {
			if codeOf(err) == "" {
				t.Fatalf("Parse(%q) error without a code: %v", in, err)
			}
			return
		}
		if strings.Count(q.FTS5(), `"`)%2 != 0 {
			t.Fatalf("FTS5 %s has unbalanced quotes", q.FTS5())
		}
		if len(q.Excluded) == 0 {
			var parts []string
			for _, tm := range q.Terms {
				parts = append(parts, tm.Text)
			}
			if doc := strings.Join(parts, " . "); !q.Match(doc) {
				t.Fatalf("query %q does not match its own terms %q", in, doc)
			}
		}
		q.Highlight(in, 50)
	})
}

func codeOf(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	return ""
}

// TestParseAnySkipsFiller: free text typed into the ticket form keeps the
// words that say what it is about, so suggestions do not match on "the".
func TestParseAnySkipsFiller(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"Printer shows offline, jobs stuck in the queue", []string{"printer", "shows", "offline", "jobs", "stuck", "queue"}},
		{"打印机的纸卡了", []string{"打印", "印机", "纸卡"}},
		{"The VPN is down", []string{"vpn", "down"}},
	} {
		q, err := ParseAny(c.text)
		if err != nil {
			t.Fatalf("%q: %v", c.text, err)
		}
		var got []string
		for _, term := range q.Terms {
			got = append(got, term.Text)
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%q: got %v, want %v", c.text, got, c.want)
		}
	}
	if _, err := ParseAny("the and of in"); err == nil {
		t.Error("only filler words: want search.query_empty")
	}
}
