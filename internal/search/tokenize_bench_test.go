package search

import (
	"testing"

	"helpdesk/internal/search/corpus"
)

// BenchmarkTokenize measures the tokenizer alone on generated tickets
// (title and description), one ticket per op: the CPU part of indexing.
func BenchmarkTokenize(b *testing.B) {
	g := corpus.New(1)
	var texts [1000][2]string
	bytes := 0
	for i := range texts {
		texts[i][0], texts[i][1] = g.Ticket()
		bytes += len(texts[i][0]) + len(texts[i][1])
	}
	b.SetBytes(int64(bytes / len(texts)))
	for i := 0; b.Loop(); i++ {
		t := texts[i%len(texts)]
		IndexText(t[0])
		IndexText(t[1])
	}
}

// BenchmarkTSVector measures building a PostgreSQL vector for a ticket.
func BenchmarkTSVector(b *testing.B) {
	g := corpus.New(1)
	title, desc := g.Ticket()
	for b.Loop() {
		TSVector(Field{Text: title, Weight: 'A'}, Field{Text: desc})
	}
}

// TestIndexTextSameAsTokens checks that IndexText, which writes tokens
// directly, gives what Tokenize(text).Text() gives.
func TestIndexTextSameAsTokens(t *testing.T) {
	g := corpus.New(3)
	texts := []string{"", " ", "卡", "a", "银行卡 ABC　ｄｅｆ 電腦", "x 卡 y", "打印机打印模糊 printer-jam 42 ", "中", "。，！"}
	for i := 0; i < 500; i++ {
		a, b := g.Ticket()
		texts = append(texts, a, b)
	}
	for _, text := range texts {
		if got, want := IndexText(text), Tokenize(text).Text(); got != want {
			t.Fatalf("IndexText(%q) = %q, want %q", text, got, want)
		}
	}
}
