package store

import (
	"os"
	"regexp"
	"testing"
)

// TestSQLiteLibcPin guards the one pairing of modernc.org/sqlite and
// modernc.org/libc that is known to work together: the driver is generated
// against an exact libc, and a mismatch corrupts memory at run time.
func TestSQLiteLibcPin(t *testing.T) {
	b, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	pairs := map[string]string{"v1.60.1": "v1.77.1"} // sqlite → libc
	sqlite := regexp.MustCompile(`modernc\.org/sqlite (v\S+)`).FindSubmatch(b)
	libc := regexp.MustCompile(`modernc\.org/libc (v\S+)`).FindSubmatch(b)
	if sqlite == nil || libc == nil {
		t.Fatalf("go.mod lacks modernc.org/sqlite or modernc.org/libc")
	}
	want, ok := pairs[string(sqlite[1])]
	if !ok {
		t.Fatalf("modernc.org/sqlite %s has no known libc pairing; add it here once verified", sqlite[1])
	}
	if string(libc[1]) != want {
		t.Errorf("modernc.org/libc = %s, want %s for sqlite %s", libc[1], want, sqlite[1])
	}
}
