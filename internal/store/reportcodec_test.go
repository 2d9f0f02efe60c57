package store

import (
	"reflect"
	"testing"

	"helpdesk/internal/report"
)

func TestCellCodecRoundTrip(t *testing.T) {
	var c report.Cell
	c.Created[23], c.Net[0], c.Net[5] = 3, 1, -1
	c.Tickets, c.Resolve.Breached, c.Ratings[3], c.FollowupsLate = 7, 2, 1, 4
	c.ResolutionWork.Observe(10800)
	c.ResolutionWork.Observe(50400)
	parts := []report.Part{{Day: 20373, Cell: c}, {Day: 20374}}
	b := encodeParts(parts)
	var got []report.Part
	if err := eachPart(b, func(d int32, x *report.Cell) { got = append(got, report.Part{Day: d, Cell: *x}) }); err != nil {
		t.Fatal(err)
	}
	// An empty cell decodes with nil histograms; compare what matters.
	if len(got) != 2 || got[0].Day != 20373 || !reflect.DeepEqual(got[0].Cell, c) || !got[1].Cell.Empty() {
		t.Errorf("round trip of %x:\n got %+v\nwant %+v", b, got, parts)
	}
	var sum report.Cell
	if err := addParts(b, 20374, 20375, cellAll, func(int32) *report.Cell { return &sum }); err != nil || !sum.Empty() {
		t.Errorf("parts of 20374 only = %+v, %v; want empty", sum, err)
	}
	if err := addParts(b, 20373, 20374, cellCounters, func(int32) *report.Cell { return &sum }); err != nil ||
		sum.Tickets != 7 || sum.ResolutionWork.N != 2 || sum.ResolutionWork.Hist != nil {
		t.Errorf("counters of 20373 = %+v, %v", sum, err)
	}
	if n, err := netBefore(b, 20374); err != nil || n != 0 {
		t.Errorf("net before 20374 = %d, %v; want 0", n, err)
	}
	for _, bad := range [][]byte{
		{0x80},                   // a truncated varint
		{2, 1, 0xff, 2},          // counter index past the end
		{2, 1, 1, 2, 0, 0, 0, 5}, // histogram count without buckets
		b[:len(b)-1],             // cut short
	} {
		if err := eachPart(bad, func(int32, *report.Cell) {}); err == nil {
			t.Errorf("%x decoded without error", bad)
		}
	}
}
