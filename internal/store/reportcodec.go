package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"helpdesk/internal/report"
	"helpdesk/internal/sla"
)

// Report cells are stored as bytes (migration 00015; text before, whose
// decoding dominated a report's time): a uvarint count of the non-zero
// counters, then for each a uvarint gap from the previous index
// (report.Cell.Counters order) and a zigzag varint value; then the four
// histograms, each a uvarint count of buckets and (uvarint bucket gap,
// zigzag varint count) pairs, ascending. A ticket's parts are (zigzag
// varint gap from the previous day, cell) repeated. The same on both
// engines; a ticket's fact is a few dozen bytes.

var errCell = errors.New("store: report cell: corrupt")

func appendCell(b []byte, c *report.Cell) []byte {
	n := 0
	for i := range report.NumCounters {
		if *c.Counter(i) != 0 {
			n++
		}
	}
	b = binary.AppendUvarint(b, uint64(n))
	prev := 0
	for i := range report.NumCounters {
		if v := *c.Counter(i); v != 0 {
			b = binary.AppendUvarint(b, uint64(i-prev))
			b = binary.AppendVarint(b, v)
			prev = i
		}
	}
	var buckets []int
	for k := range 4 {
		h := *c.Hist(k)
		buckets = buckets[:0]
		for bucket, cnt := range h {
			if cnt != 0 {
				buckets = append(buckets, bucket)
			}
		}
		slices.Sort(buckets)
		b = binary.AppendUvarint(b, uint64(len(buckets)))
		prev := 0
		for _, bucket := range buckets {
			b = binary.AppendUvarint(b, uint64(bucket-prev))
			b = binary.AppendVarint(b, h[bucket])
			prev = bucket
		}
	}
	return b
}

func cellBytes(c *report.Cell) []byte { return appendCell(nil, c) }

// reader reads varints from an encoded cell, remembering the first error.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

// cellMode says how much of a cell to decode.
type cellMode int

const (
	cellAll      cellMode = iota // counters and histograms
	cellCounters                 // counters; histograms skipped
	cellSkip                     // nothing, just move past it
	cellHead                     // counters, then stop (a lone cell: nothing follows)
)

// addCell adds sign × the cell at the start of r to c (c may be nil with
// cellSkip) and moves r past it.
func addCell(r *reader, c *report.Cell, sign int64, mode cellMode) error {
	n := r.uvarint()
	i := 0
	for range n {
		i += int(r.uvarint())
		v := r.varint()
		if mode == cellSkip {
			continue
		}
		p := c.Counter(i)
		if p == nil {
			return errCell
		}
		*p += sign * v
	}
	if mode == cellHead {
		if r.bad {
			return errCell
		}
		return nil
	}
	for k := range 4 {
		m := r.uvarint()
		if r.bad {
			return errCell
		}
		var h report.Hist
		if mode == cellAll && m > 0 {
			hp := c.Hist(k)
			if *hp == nil {
				*hp = make(report.Hist, m)
			}
			h = *hp
		}
		bucket := 0
		for range m {
			bucket += int(r.uvarint())
			v := r.varint()
			if h == nil {
				continue
			}
			if x := h[bucket] + sign*v; x == 0 {
				delete(h, bucket)
			} else {
				h[bucket] = x
			}
		}
	}
	if r.bad {
		return errCell
	}
	return nil
}

// decodeCell adds the encoded cell b to c.
func decodeCell(b []byte, c *report.Cell) error {
	r := reader{b: b}
	if err := addCell(&r, c, 1, cellAll); err != nil {
		return err
	}
	if len(r.b) != 0 {
		return errCell
	}
	return nil
}

func encodeParts(parts []report.Part) []byte {
	b := make([]byte, 0, 32*len(parts))
	var prev int32
	for i := range parts {
		b = binary.AppendVarint(b, int64(parts[i].Day-prev))
		prev = parts[i].Day
		b = appendCell(b, &parts[i].Cell)
	}
	return b
}

// eachPart decodes the stored parts, calling fn for each.
func eachPart(b []byte, fn func(day int32, c *report.Cell)) error {
	r := reader{b: b}
	var day int32
	for len(r.b) > 0 {
		day += int32(r.varint())
		var c report.Cell
		if err := addCell(&r, &c, 1, cellAll); err != nil {
			return fmt.Errorf("store: report part: %w", err)
		}
		fn(day, &c)
	}
	return nil
}

// addParts adds the parts on days in [from, to) into the cell into(day)
// gives, decoding straight into it (mode cellAll or cellCounters).
func addParts(b []byte, from, to int32, mode cellMode, into func(day int32) *report.Cell) error {
	r := reader{b: b}
	var day int32
	for len(r.b) > 0 {
		day += int32(r.varint())
		var c *report.Cell
		m := cellSkip
		if day >= from && day < to {
			c, m = into(day), mode
		}
		if err := addCell(&r, c, 1, m); err != nil {
			return fmt.Errorf("store: report part: %w", err)
		}
	}
	return nil
}

// netBefore sums the backlog change of the parts on days before day.
func netBefore(b []byte, day int32) (int64, error) {
	var n int64
	var c report.Cell
	r := reader{b: b}
	var d int32
	for len(r.b) > 0 {
		d += int32(r.varint())
		m := cellSkip
		if d < day {
			c = report.Cell{}
			m = cellCounters
		}
		if err := addCell(&r, &c, 1, m); err != nil {
			return 0, fmt.Errorf("store: report part: %w", err)
		}
		if m == cellCounters {
			n += c.NetDay()
		}
	}
	return n, nil
}

func encodeBreaches(bs []report.Breach) string {
	var b strings.Builder
	for i, x := range bs {
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, "%s,%d,%s", x.Kind, micros(x.At), x.Cause)
	}
	return b.String()
}

func decodeBreaches(s string) []report.Breach {
	var out []report.Breach
	for _, item := range strings.Split(s, ";") {
		f := strings.Split(item, ",")
		if len(f) != 3 {
			continue
		}
		at, _ := strconv.ParseInt(f[1], 10, 64)
		out = append(out, report.Breach{Kind: sla.Kind(f[0]), At: fromMicros(at), Cause: f[2]})
	}
	return out
}
