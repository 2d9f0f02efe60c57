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
	text := encodeParts(parts)
	var got []report.Part
	if err := eachPart(text, func(d int32, x *report.Cell) { got = append(got, report.Part{Day: d, Cell: *x}) }); err != nil {
		t.Fatal(err)
	}
	// An empty cell decodes with nil histograms; compare what matters.
	if len(got) != 2 || got[0].Day != 20373 || !reflect.DeepEqual(got[0].Cell, c) || !got[1].Cell.Empty() {
		t.Errorf("round trip of %q:\n got %+v\nwant %+v", text, got, parts)
	}
	for _, bad := range []string{"x@1=2", "1@999=1", "1@1=2;9:1=1", "1@1"} {
		if err := eachPart(bad, func(int32, *report.Cell) {}); err == nil {
			t.Errorf("%q decoded without error", bad)
		}
	}
}
