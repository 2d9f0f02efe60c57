package report

import "testing"

func TestBuckets(t *testing.T) {
	for _, c := range []struct {
		secs, start int64
	}{
		{0, 0}, {59, 0}, {60, 60}, {7199, 7140}, {7200, 7200}, {7499, 7200}, {7500, 7500},
		{86399, 86100}, {86400, 86400}, {30*86400 - 1, 30*86400 - 3600}, {30 * 86400, 30 * 86400}, {400 * 86400, 365 * 86400},
	} {
		if got := BucketStart(Bucket(c.secs)); got != c.start {
			t.Errorf("bucket start of %d s = %d, want %d", c.secs, got, c.start)
		}
	}
}

func TestQuantile(t *testing.T) {
	var d Durations
	for _, m := range []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10} {
		d.Observe(m * 60)
	}
	for q, want := range map[float64]int64{0.5: 300, 0.9: 540, 1: 600, 0.01: 60} {
		if got, ok := d.Hist.Quantile(q); !ok || got != want {
			t.Errorf("q%.2f = %d, want %d", q, got, want)
		}
	}
	if _, ok := (Hist{}).Quantile(0.5); ok {
		t.Error("quantile of nothing")
	}
}

func TestCellAddSubtractEmpty(t *testing.T) {
	var a, b Cell
	a.Created[9] = 2
	a.FirstResponseWork.Observe(3600)
	a.Ratings[0] = 1
	b.Add(&a, 1)
	b.Add(&a, 1)
	if b.Created[9] != 4 || b.FirstResponseWork.N != 2 || b.FirstResponseWork.Hist[Bucket(3600)] != 2 {
		t.Errorf("sum = %+v", b)
	}
	b.Add(&a, -1)
	b.Add(&a, -1)
	if !b.Empty() {
		t.Errorf("a − a not empty: %+v", b)
	}
}

func TestCounterMatchesCounters(t *testing.T) {
	var c Cell
	ps := c.Counters()
	if len(ps) != NumCounters {
		t.Fatalf("Counters lists %d, NumCounters = %d", len(ps), NumCounters)
	}
	for i, p := range ps {
		if got := c.Counter(i); got != p {
			t.Errorf("Counter(%d) is not Counters()[%d]", i, i)
		}
	}
	if c.Counter(-1) != nil || c.Counter(NumCounters) != nil {
		t.Error("Counter out of range is not nil")
	}
	for k, h := range c.Hists() {
		if c.Hist(k) != h {
			t.Errorf("Hist(%d) is not Hists()[%d]", k, k)
		}
	}
	if c.Hist(4) != nil {
		t.Error("Hist out of range is not nil")
	}
}

// TestDeflectionRow: the rates table names the deflection row by whether
// the figure exists, so "not available" is never printed beside a number.
func TestDeflectionRow(t *testing.T) {
	c := Cell{Tickets: 7}
	row := RatesOf(c, 3).Table().Rows[4]
	if row[0] != Label("report.row.deflection_rate") || row[1] != int64(3) || row[2] != int64(10) || row[3] != 30.0 {
		t.Errorf("available: %v, want 3 of 10 = 30%%", row)
	}
	row = RatesOf(c, -1).Table().Rows[4]
	if row[0] != Label("report.row.deflection_unavailable") || row[1] != nil || row[3] != nil {
		t.Errorf("unavailable: %v", row)
	}
}
