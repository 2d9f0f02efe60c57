package report

import (
	"math"
	"testing"
	"time"
)

// The textbook example: 100 requests per half hour, 3 minutes each
// (10 Erlangs), 80 % answered within 20 seconds: 13 agents reach 79.6 %,
// so 14 are needed (the published call-centre example).
func TestErlangC(t *testing.T) {
	aht, wait := 3*time.Minute, 20*time.Second
	for _, c := range []struct {
		n        int
		wantWait float64
		wantSL   float64
	}{
		{11, 0.6821, 0.3897}, {12, 0.4494, 0.6402}, {13, 0.2853, 0.7956}, {14, 0.1741, 0.8884}, {15, 0.1020, 0.9415},
	} {
		if got := ErlangC(c.n, 10); math.Abs(got-c.wantWait) > 0.0005 {
			t.Errorf("ErlangC(%d, 10) = %.4f, want %.4f", c.n, got, c.wantWait)
		}
		if got := ServiceLevel(c.n, 10, aht, wait); math.Abs(got-c.wantSL) > 0.0005 {
			t.Errorf("ServiceLevel(%d) = %.4f, want %.4f", c.n, got, c.wantSL)
		}
	}
	if got := AgentsNeeded(200, aht, wait, 0.8); got != 14 {
		t.Errorf("AgentsNeeded = %d, want 14", got)
	}
	for _, c := range []struct {
		name    string
		perHour float64
		want    int
	}{{"no arrivals", 0, 0}, {"light", 1, 1}, {"unreachable stays bounded", 1e9, MaxAgents}} {
		if got := AgentsNeeded(c.perHour, aht, wait, 0.8); got != c.want {
			t.Errorf("%s: AgentsNeeded = %d, want %d", c.name, got, c.want)
		}
	}
	if ErlangC(5, 5) != 1 || ErlangC(3, 0) != 0 {
		t.Error("edge cases: n ≤ a waits always; no traffic never waits")
	}
}
